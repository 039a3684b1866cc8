package io.openmeet.focus.conference;

import io.openmeet.focus.records.CallRecordEvent;
import io.openmeet.focus.sdp.IceCandidate;
import io.openmeet.focus.sdp.MediaKind;
import io.openmeet.focus.sdp.MediaSource;
import io.openmeet.focus.sdp.SdpAnswer;
import io.openmeet.focus.sdp.SdpParseException;
import io.openmeet.focus.sdp.SdpWriter;
import io.openmeet.focus.sdp.TransportDescription;
import io.openmeet.focus.sdp.UnifiedPlanOffer;
import io.openmeet.presence.conference.ParticipantPresence;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One room's conference session on the node that owns it: its participants, their offers, and the
 * bridge conference. Changes happen under one lock per conference, so joins, answers and leaves of
 * one room are applied in order. Nothing under the lock waits on the network: bridge requests go to
 * the conference's {@link Lane} (in order, like the expires they share it with), shared state to
 * the node's {@link WriteBehind}, and events to sockets never block.
 */
final class Conference {

  private static final Logger LOG = LoggerFactory.getLogger(Conference.class);

  /** The tracks a participant may send: microphone, camera, and a screen share. */
  static final List<MediaKind> OWN_SENDS =
      List.of(MediaKind.AUDIO, MediaKind.VIDEO, MediaKind.VIDEO);

  /** How long an ICE restart waits for its queued bridge requests before it fails. */
  private static final Duration ICE_RESTART_WAIT = Duration.ofSeconds(30);

  /** Where the conference is in its life. */
  enum State {
    /** Participants may join and act. */
    ACTIVE,
    /** The last participant left or the room was closed: the bridge conference is expired. */
    ENDED,
    /**
     * This node lost the conference's lease: it no longer acts on it at all (another node may host
     * it now), and touches neither the bridge nor Redis for it again.
     */
    ABANDONED
  }

  /** What the conference tells the node's {@link Conferences}; called without the lock held. */
  interface Owner {
    /** The conference ended: forget it and give its lease back. */
    void ended(Conference conference);

    /** The conference was abandoned (lease lost): forget it. */
    void abandoned(Conference conference);
  }

  private final ConferenceContext ctx;
  private final UUID roomId;
  private final String roomName;
  private final Owner owner;
  private final Lease lease;
  private final Lane lane;
  private final WriteBehind writes;
  private final ReentrantLock lock = new ReentrantLock();
  private final Map<String, Member> members = new LinkedHashMap<>();

  /** Actions that talk to Redis or the owner, run once the lock is released. */
  private final List<Runnable> afterUnlock = new ArrayList<>();

  /** Participants between their join and their bridge allocation (they hold a place). */
  private final Set<String> joining = new HashSet<>();

  /** Joining participants whose endpoint was on a bridge that went away meanwhile. */
  private final Set<String> movedWhileJoining = new HashSet<>();

  private final UUID callId;

  /** The room's region as its first join asked (mirrored for a node that takes it over). */
  private java.util.Optional<String> region = java.util.Optional.empty();

  /** Something a node taking the conference over needs changed: mirrored at the next unlock. */
  private boolean dirty;

  /** Members of a conference taken over whose sessions have not resumed here yet. */
  private final Set<String> detached = new HashSet<>();

  private ConferenceBridge bridge;

  /** The direct call of the room's two participants, or null. */
  private P2pSession p2p;

  private int p2pSessions;

  /** The pair whose P2P attempt failed: not tried again until someone else joins. */
  private String p2pFailedPair;

  private volatile State state = State.ACTIVE;
  private boolean endReported;
  private long lastHandRaisedAt;
  private int peak;
  private int total;

  /** Every bridge this call has used, in order, for its call record. */
  private final Set<String> bridgesUsed = new LinkedHashSet<>();

  Conference(
      ConferenceContext ctx,
      UUID roomId,
      String roomName,
      Owner owner,
      Lease lease,
      Lane lane,
      WriteBehind writes) {
    this.ctx = ctx;
    this.roomId = roomId;
    this.roomName = roomName;
    this.owner = owner;
    this.lease = lease;
    this.lane = lane;
    this.writes = writes;
    this.callId = UUID.randomUUID();
  }

  /**
   * A conference taken over from another node: its members as {@code snapshot} has them, detached
   * until their sessions resume here, on the bridge conference they were on (media never stops).
   * When this node cannot use that bridge, everyone is moved to a new one.
   */
  Conference(
      ConferenceContext ctx,
      ConferenceSnapshot snapshot,
      Owner owner,
      Lease lease,
      Lane lane,
      WriteBehind writes) {
    this.ctx = ctx;
    this.roomId = UUID.fromString(snapshot.roomId());
    this.roomName = snapshot.roomName();
    this.owner = owner;
    this.lease = lease;
    this.lane = lane;
    this.writes = writes;
    this.callId = UUID.fromString(snapshot.callId());
    this.region = java.util.Optional.ofNullable(snapshot.region());
    this.lastHandRaisedAt = snapshot.lastHandRaisedAt();
    this.peak = snapshot.peak();
    this.total = snapshot.total();
    for (ConferenceSnapshot.MemberSnapshot m : snapshot.members()) {
      JoinRequest request =
          new JoinRequest(
              roomId,
              roomName,
              m.maxParticipants(),
              region,
              java.util.Optional.ofNullable(m.userId()).map(UUID::fromString),
              m.subject(),
              m.displayName(),
              m.moderator(),
              m.audio(),
              m.video(),
              m.p2p());
      var allocation =
          new ConferenceBridge.Allocation(
              m.transport(),
              m.feedbackSources(),
              java.util.Optional.ofNullable(m.channelUrl()),
              m.endpointBridgeId());
      var offer =
          UnifiedPlanOffer.restore(ctx.codecs(), m.transport(), m.feedbackSources(), m.offer());
      Member member = new Member(this, m.id(), request, DETACHED, offer, allocation);
      member.rowId = UUID.fromString(m.rowId());
      member.sources = List.copyOf(m.sources());
      member.audio = m.audio();
      member.video = m.video();
      member.screen = m.screen();
      member.everAudio = m.everAudio();
      member.everVideo = m.everVideo();
      member.audioForceMuted = m.audioForceMuted();
      member.videoForceMuted = m.videoForceMuted();
      member.handRaisedAt = m.handRaisedAt();
      member.offBridge = m.offBridge();
      member.recorded = true;
      members.put(m.id(), member);
      detached.add(m.id());
      bridgesUsed.add(m.endpointBridgeId());
    }
    this.p2pSessions = snapshot.p2pSessions();
    if (snapshot.bridgeId() != null) {
      Set<String> onBridge = new HashSet<>();
      members.values().stream().filter(m -> !m.offBridge).forEach(m -> onBridge.add(m.id));
      ConferenceBridge.Adopted adopted =
          ctx.bridges().adopt(callId.toString(), roomName, region, snapshot.bridgeId(), onBridge);
      bridge = adopted.bridge();
      if (!adopted.onSameBridge()) {
        LOG.warn(
            "conference {} taken over, but bridge {} is not usable here: everyone moves",
            callId,
            snapshot.bridgeId());
        reallocate(onBridge);
      }
    } else if (!members.isEmpty()) {
      // everyone is off the bridge (P2P): the call has started, its bridge is opened for later
      bridge = ctx.bridges().open(callId.toString(), roomName, region);
    }
    restoreP2p(snapshot.p2p());
  }

  /**
   * The P2P session of a conference taken over, so that its frames, its end and a third join work
   * here as on the node that started it. Members off the bridge without a session (a snapshot
   * written before sessions were mirrored) go back to the bridge.
   */
  private void restoreP2p(ConferenceSnapshot.P2pSnapshot s) {
    Member initiator = s == null ? null : members.get(s.initiatorId());
    Member responder = s == null ? null : members.get(s.responderId());
    if (initiator != null && responder != null && members.size() == 2) {
      P2pSession session = new P2pSession(s.id(), initiator, responder);
      session.connected.addAll(s.connected());
      session.bridgeReleased = s.bridgeReleased();
      p2p = session;
      return;
    }
    Set<String> stranded = new HashSet<>();
    members.values().stream().filter(m -> m.offBridge).forEach(m -> stranded.add(m.id));
    if (!stranded.isEmpty()) {
      LOG.warn("conference {} taken over without its P2P session: {} go back", callId, stranded);
      reallocate(stranded);
    }
  }

  /** Events of a member whose session has not resumed on this node yet: they go nowhere. */
  private static final ParticipantEvents DETACHED =
      new ParticipantEvents() {
        @Override
        public void joined(String participantId, List<ParticipantInfo> others) {}

        @Override
        public void offer(String sdp, String bridgeChannelUrl) {}

        @Override
        public void participantJoined(ParticipantInfo participant) {}

        @Override
        public void participantLeft(String participantId, LeaveReason reason) {}

        @Override
        public void mediaState(
            String participantId, boolean audio, boolean video, boolean screen) {}

        @Override
        public void chat(String from, String displayName, String text, long timestampMillis) {}

        @Override
        public void muted(String byParticipantId) {}

        @Override
        public void removed(LeaveReason reason) {}

        @Override
        public void conferenceMoved() {}
      };

  /**
   * A member's session continues here (its socket reconnected, perhaps to this node after the
   * conference was taken over): it gets `joined` with everyone here now and an offer that keeps its
   * m-lines and its bridge endpoint. Null when the conference ended or was abandoned.
   *
   * @throws FocusException UNEXPECTED when the participant is not (or no longer) a member
   */
  FocusParticipant resume(String participantId, String subject, ParticipantEvents events)
      throws FocusException {
    lock.lock();
    try {
      checkLease();
      if (state != State.ACTIVE) {
        return null;
      }
      Member member = members.get(participantId);
      if (member == null || !member.request.subject().equals(subject)) {
        throw new FocusException(
            FocusException.Reason.UNEXPECTED,
            "the participant is no longer in the conference; join again");
      }
      member.events = events;
      detached.remove(participantId);
      List<ParticipantInfo> others =
          members.values().stream().filter(m -> m != member).map(Member::info).toList();
      notify(member, e -> e.joined(member.id, others));
      member.awaitingAnswer = false;
      member.reofferPending = false;
      if (!member.offBridge) {
        sendOffer(member);
      }
      LOG.info("participant {} of conference {} resumed on this node", participantId, callId);
      return new Resumed(member, events);
    } finally {
      unlock();
    }
  }

  /** Members taken over whose sessions did not come back in time leave (reason `timeout`). */
  void dropDetached() {
    lock.lock();
    try {
      if (state != State.ACTIVE) {
        return;
      }
      for (String id : List.copyOf(detached)) {
        Member m = members.get(id);
        if (m != null) {
          LOG.info(
              "participant {} of conference {} did not come back after the takeover", id, callId);
          removeLocked(m, LeaveReason.TIMEOUT);
        }
      }
      detached.clear();
      endIfEmpty();
    } finally {
      unlock();
    }
  }

  /** Sessions that have not resumed since the takeover. */
  int detachedCount() {
    lock.lock();
    try {
      return detached.size();
    } finally {
      unlock();
    }
  }

  /** Mirrors the conference for a node that may take it over; under the lock, writes after it. */
  private void mirrorLocked() {
    ConferenceSnapshot snapshot = snapshotLocked();
    writes.submit(
        "conference-state:" + roomId,
        () -> {
          if (state != State.ACTIVE || !lease.valid()) {
            throw new WriteBehind.Refused("conference " + callId + " is no longer hosted here");
          }
          if (!ctx.states().write(lease.held(), snapshot.toJson())) {
            lease.lose();
            abandon("another node holds its lease now (state write refused)");
            throw new WriteBehind.Refused("the lease of conference " + callId + " is gone");
          }
        });
  }

  /**
   * Hands the conference to whichever node its participants resume on (graceful shutdown): this
   * node stops acting on it at once, leaving the bridge conference as it is, writes its latest
   * state, runs {@code release} (which gives the lease up), and only then tells every member the
   * conference moved, so that their sessions resume on another node without waiting for the lease
   * to lapse. Makes Redis calls: never call it with the lock held.
   */
  void handOver(Runnable release) {
    ConferenceSnapshot snapshot;
    List<Member> moved;
    lock.lock();
    try {
      if (state != State.ACTIVE) {
        return;
      }
      snapshot = members.isEmpty() ? null : snapshotLocked();
      state = State.ABANDONED;
      moved = List.copyOf(members.values());
      members.clear();
      p2p = null;
    } finally {
      unlock();
    }
    try {
      if (snapshot != null
          && lease.valid()
          && !ctx.states().write(lease.held(), snapshot.toJson())) {
        LOG.warn("conference {} was handed over without its last state: the lease is gone", callId);
      }
    } catch (RuntimeException e) {
      LOG.warn("the last state of conference {} was not written: {}", callId, e.toString());
    }
    release.run();
    LOG.info(
        "conference {} of room {} handed over: {} participants move on",
        callId,
        roomId,
        moved.size());
    for (Member m : moved) {
      notify(m, ParticipantEvents::conferenceMoved);
    }
  }

  private ConferenceSnapshot snapshotLocked() {
    String b = null;
    for (Member m : members.values()) {
      if (!m.offBridge && m.allocation != null) {
        b = m.allocation.bridgeId();
      }
    }
    List<ConferenceSnapshot.MemberSnapshot> ms = new ArrayList<>();
    for (Member m : members.values()) {
      ms.add(
          new ConferenceSnapshot.MemberSnapshot(
              m.id,
              m.rowId.toString(),
              m.request.subject(),
              m.request.userId().map(UUID::toString).orElse(null),
              m.request.displayName(),
              m.request.moderator(),
              m.request.p2p(),
              m.request.maxParticipants(),
              m.audio,
              m.video,
              m.screen,
              m.everAudio,
              m.everVideo,
              m.audioForceMuted,
              m.videoForceMuted,
              m.handRaisedAt,
              m.offBridge,
              m.sources,
              m.allocation.transport(),
              m.allocation.feedbackSources(),
              m.allocation.bridgeChannelUrl().orElse(null),
              m.allocation.bridgeId(),
              m.offer.layout()));
    }
    return new ConferenceSnapshot(
        ConferenceSnapshot.FORMAT,
        callId.toString(),
        roomId.toString(),
        roomName,
        region.orElse(null),
        b,
        lastHandRaisedAt,
        peak,
        total,
        ms,
        p2pSessions,
        p2p == null
            ? null
            : new ConferenceSnapshot.P2pSnapshot(
                p2p.id,
                p2p.initiator.id,
                p2p.responder.id,
                List.copyOf(p2p.connected),
                p2p.bridgeReleased));
  }

  UUID callId() {
    return callId;
  }

  UUID roomId() {
    return roomId;
  }

  Lease lease() {
    return lease;
  }

  /** The conference's bridge requests; what is queued here runs after them. */
  Lane lane() {
    return lane;
  }

  State state() {
    return state;
  }

  int size() {
    lock.lock();
    try {
      return members.size();
    } finally {
      unlock();
    }
  }

  /** Releases the lock; the deferred Redis and owner actions run once it is free. */
  private void unlock() {
    List<Runnable> todo = List.of();
    if (lock.getHoldCount() == 1 && dirty) {
      dirty = false;
      if (state == State.ACTIVE && !members.isEmpty()) {
        mirrorLocked();
      }
    }
    if (lock.getHoldCount() == 1 && !afterUnlock.isEmpty()) {
      todo = List.copyOf(afterUnlock);
      afterUnlock.clear();
    }
    lock.unlock();
    for (Runnable r : todo) {
      try {
        r.run();
      } catch (RuntimeException e) {
        LOG.warn("a follow-up of conference {} failed", callId, e);
      }
    }
  }

  /**
   * Adds a participant; null when the conference ended or was abandoned meanwhile (the caller
   * retries on a new one, or on the node that hosts the room now). The bridge allocation runs
   * without the conference's lock, so that the room's other joins, answers and leaves do not wait
   * for this participant's bridge round trip; the participant counts toward the room's limit from
   * the start, and the conference does not end while it is joining.
   */
  Member join(JoinRequest request, ParticipantEvents events) throws FocusException {
    String id;
    ConferenceBridge joinedBridge;
    lock.lock();
    try {
      if (state != State.ACTIVE) {
        return null;
      }
      if (!lease.valid()) {
        abandonLocked("its lease could not be confirmed in time");
        return null;
      }
      if (!lease.confirmed()) {
        // held through a Redis outage: the call goes on, but nothing new is admitted blind
        throw new FocusException(
            FocusException.Reason.UNAVAILABLE,
            "shared state (Redis) is unreachable; joins work again once it is back");
      }
      if (members.size() + joining.size() >= request.maxParticipants()) {
        throw new FocusException(
            FocusException.Reason.ROOM_FULL,
            "the room is full (" + request.maxParticipants() + " participants)");
      }
      if (bridge == null) {
        region = request.region();
        bridge = ctx.bridges().open(callId.toString(), roomName, request.region());
        record(
            new CallRecordEvent.CallStarted(
                callId, roomId, request.region().orElse("default"), ctx.clock().instant()));
      }
      id = newParticipantId();
      joining.add(id);
      joinedBridge = bridge;
      // a third is on its way: the P2P pair's new bridge endpoints are allocated next to the
      // third's, not after its join, so that all three bridge connections come up together
      if (members.size() + joining.size() > 2) {
        stopP2p("participants");
      }
    } finally {
      unlock();
    }
    while (true) {
      ConferenceBridge.Allocation allocation;
      try {
        if (!lease.valid()) {
          throw new LeaseGone();
        }
        allocation = joinedBridge.allocate(id, request.displayName());
      } catch (FocusException | LeaseGone | RuntimeException e) {
        lock.lock();
        try {
          joining.remove(id);
          movedWhileJoining.remove(id);
          if (e instanceof LeaseGone) {
            abandonLocked("its lease could not be confirmed in time");
            return null;
          }
          endIfEmpty();
          reportEndedWhenJoinsDrained();
          // the P2P steps held back for this join go on now
          maybeStartP2p();
          releaseBridgeForP2p();
        } finally {
          unlock();
        }
        if (e instanceof FocusException fe) {
          throw fe;
        }
        throw (RuntimeException) e;
      }
      lock.lock();
      try {
        if (state == State.ACTIVE && movedWhileJoining.remove(id)) {
          continue; // its bridge went away while it was joining: allocate on the new one
        }
        joining.remove(id);
        if (state == State.ABANDONED) {
          return null; // another node may host the room now: the caller goes there
        }
        if (state == State.ENDED) {
          // the room was closed while it joined: its endpoint goes, then the lease
          queueBridge("expire " + id, b -> b.expire(id));
          reportEndedWhenJoinsDrained();
          throw new FocusException(FocusException.Reason.ROOM_CLOSED, "the room was closed");
        }
        return commitJoin(id, request, events, allocation);
      } finally {
        unlock();
      }
    }
  }

  /**
   * Makes the allocated participant a member and tells everyone. Nothing here may leave a member
   * behind that its caller never hears of: should anything fail after it is added, it is removed
   * again (its endpoint expired, the others told) and the join fails.
   */
  private Member commitJoin(
      String id,
      JoinRequest request,
      ParticipantEvents events,
      ConferenceBridge.Allocation allocation)
      throws FocusException {
    var offer =
        new UnifiedPlanOffer(
            ctx.codecs(), allocation.transport(), allocation.feedbackSources(), OWN_SENDS);
    var member = new Member(this, id, request, events, offer, allocation);
    List<ParticipantInfo> others = members.values().stream().map(Member::info).toList();
    members.put(id, member);
    dirty = true;
    try {
      peak = Math.max(peak, members.size());
      total++;
      bridgesUsed.add(allocation.bridgeId());
      notify(member, e -> e.joined(id, others));
      sendOffer(member);
      for (Member other : members.values()) {
        if (other != member) {
          notify(other, e -> e.participantJoined(member.info()));
        }
      }
      p2pFailedPair = null;
      p2pAfterMembershipChange();
      var presence =
          new ParticipantPresence.Participant(
              roomId.toString(), id, request.subject(), request.displayName(), ctx.nodeId());
      writePresence(id, () -> ctx.presence().joined(presence));
      record(
          new CallRecordEvent.ParticipantJoined(
              callId,
              member.rowId,
              request.userId().orElse(null),
              request.displayName(),
              ctx.clock().instant(),
              request.audio(),
              request.video()));
      member.recorded = true;
      return member;
    } catch (RuntimeException e) {
      LOG.warn("the join of {} failed after its allocation; it is removed again", id, e);
      removeLocked(member, LeaveReason.DISCONNECTED);
      throw new FocusException(FocusException.Reason.INTERNAL, "the join failed; retry", e);
    }
  }

  void answer(Member member, String sdp) throws FocusException {
    SdpAnswer answer;
    try {
      answer = SdpAnswer.parse(sdp);
    } catch (SdpParseException e) {
      throw invalidSdp(e);
    }
    lock.lock();
    try {
      requirePresent(member);
      if (!member.awaitingAnswer) {
        throw new FocusException(
            FocusException.Reason.UNEXPECTED, "no offer is waiting for an answer");
      }
      try {
        member.offer.checkAnswer(answer);
      } catch (SdpParseException e) {
        throw invalidSdp(e);
      }
      List<MediaSource> sources = answer.sources(member.id);
      boolean changed = !sources.equals(member.sources);
      // candidates not yet at the bridge (before this answer, or still waiting for the lane) go
      // with it
      TransportDescription transport = withCandidates(answer.transport(), member.unsentCandidates);
      member.unsentCandidates.clear();
      member.candidatesSinceAnswer = transport.candidates().size();
      boolean news =
          changed
              || !sameSession(member.answeredIce, transport)
              || !member.candidatesAtBridge.containsAll(transport.candidates());
      member.answeredIce = transport;
      // An answer to a re-offer that only brought others' sources changes nothing the bridge
      // knows: no request. Otherwise the bridge learns it after the lock is released, in order
      // with the conference's other requests; a failure there repairs the endpoint (see
      // bridgeUpdate).
      if (news) {
        member.candidatesAtBridge.addAll(transport.candidates());
        ConferenceBridge.Allocation endpoint = member.allocation;
        queueBridge(
            "update " + member.id, b -> bridgeUpdate(b, member, endpoint, transport, sources));
      }
      member.awaitingAnswer = false;
      member.sources = sources;
      dirty |= changed;
      if (changed) {
        for (Member other : members.values()) {
          if (other != member) {
            reoffer(other);
          }
        }
      }
      if (member.reofferPending) {
        member.reofferPending = false;
        sendOffer(member);
      }
    } finally {
      unlock();
    }
  }

  /**
   * On the lane: sends an answer's transport and sources to the bridge. The lane does not wait for
   * the bridge's answer (its next request follows at once, and the bridge applies them in order):
   * while pages answer one after another, their updates would otherwise each wait a round trip.
   */
  private void bridgeUpdate(
      ConferenceBridge b,
      Member member,
      ConferenceBridge.Allocation endpoint,
      TransportDescription transport,
      List<MediaSource> sources) {
    b.update(member.id, transport, sources)
        .whenComplete(
            (ok, failure) -> {
              if (failure != null) {
                bridgeRequestFailed("update", member, endpoint, failure);
              }
            });
  }

  /**
   * A bridge request for a member's endpoint failed. When the bridge no longer knows that endpoint
   * (or the conference), and the member still uses it, the member gets a new one; a failure that
   * comes after the member moved on to another endpoint is only logged.
   */
  private void bridgeRequestFailed(
      String what, Member member, ConferenceBridge.Allocation endpoint, Throwable failure) {
    Throwable cause =
        failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause()
            : failure;
    boolean lost =
        cause instanceof FocusException e && e.reason() == FocusException.Reason.UNEXPECTED;
    boolean current;
    lock.lock();
    try {
      current = members.get(member.id) == member && member.allocation == endpoint;
    } finally {
      unlock();
    }
    if (lost && current) {
      LOG.info("bridge lost endpoint {} of {}; allocating it again", member.id, callId);
      reallocate(Set.of(member.id));
    } else if (lost) {
      LOG.info(
          "bridge {} of {} in {} came back for an endpoint it no longer uses",
          what,
          member.id,
          callId);
    } else {
      LOG.warn("bridge {} of {} in {} failed: {}", what, member.id, callId, cause.getMessage());
    }
  }

  /**
   * At most this many trickled candidates of one participant are kept for the bridge per answer.
   */
  static final int MAX_TRICKLED_CANDIDATES = 32;

  /**
   * A candidate the browser trickled for its bridge connection. The bridge gets it (as jicofo
   * forwards a browser's transport-info), so that it knows each address's candidate type: a bridge
   * that learns the browser's addresses only from its connectivity checks sees them all as
   * peer-reflexive, and may nominate a path through the browser's TURN server (seen on JVB) while a
   * direct one works. Candidates before the answer go with it; later ones go in one bridge request
   * per batch, on the lane. The end-of-candidates marker (empty), TCP candidates (bridges take
   * media over UDP) and host names such as mDNS ones (bridges do not resolve names) stay here.
   */
  void trickle(Member member, String candidate) throws FocusException {
    IceCandidate c = null;
    if (candidate != null && !candidate.isBlank()) {
      try {
        c = IceCandidate.parse(candidate);
      } catch (SdpParseException e) {
        throw invalidSdp(e);
      }
    }
    lock.lock();
    try {
      requirePresent(member);
      if (c == null
          || !"udp".equals(c.protocol())
          || !c.hasIpAddress()
          || member.offBridge
          || member.candidatesSinceAnswer >= MAX_TRICKLED_CANDIDATES) {
        return;
      }
      member.unsentCandidates.add(c);
      member.candidatesSinceAnswer++;
      // after an answer, the first unsent candidate puts a request on the lane; before one, they
      // wait for it
      if (member.answeredIce != null
          && !member.awaitingAnswer
          && member.unsentCandidates.size() == 1) {
        queueBridge("candidates of " + member.id, b -> sendTrickled(b, member));
      }
    } finally {
      unlock();
    }
  }

  private static FocusException invalidSdp(SdpParseException e) {
    return new FocusException(FocusException.Reason.INVALID_SDP, e.getMessage(), e);
  }

  /** Whether two answers belong to one ICE and DTLS session (same credentials, fingerprints). */
  private static boolean sameSession(TransportDescription before, TransportDescription now) {
    return before != null
        && before.ufrag().equals(now.ufrag())
        && before.pwd().equals(now.pwd())
        && before.fingerprints().equals(now.fingerprints());
  }

  private static TransportDescription withCandidates(
      TransportDescription transport, List<IceCandidate> more) {
    if (more.isEmpty()) {
      return transport;
    }
    Set<IceCandidate> all = new LinkedHashSet<>(transport.candidates());
    all.addAll(more);
    return new TransportDescription(
        transport.ufrag(), transport.pwd(), transport.fingerprints(), List.copyOf(all));
  }

  /**
   * On the lane: the candidates trickled since the last such request, with their answer's ufrag.
   */
  private void sendTrickled(ConferenceBridge b, Member member) {
    TransportDescription batch;
    ConferenceBridge.Allocation endpoint;
    lock.lock();
    try {
      if (members.get(member.id) != member
          || member.offBridge
          || member.answeredIce == null
          || member.unsentCandidates.isEmpty()) {
        return; // gone, or the next answer takes them
      }
      batch =
          new TransportDescription(
              member.answeredIce.ufrag(),
              member.answeredIce.pwd(),
              List.of(),
              List.copyOf(member.unsentCandidates));
      member.candidatesAtBridge.addAll(member.unsentCandidates);
      member.unsentCandidates.clear();
      endpoint = member.allocation;
    } finally {
      unlock();
    }
    b.addCandidates(member.id, batch)
        .whenComplete(
            (ok, failure) -> {
              if (failure != null) {
                bridgeRequestFailed("candidates", member, endpoint, failure);
              }
            });
  }

  /**
   * A fresh endpoint on the bridge gives fresh ICE credentials; the browser re-answers. The bridge
   * requests queue behind the conference's others; the caller waits for them, without the lock.
   */
  void iceRestart(Member member) throws FocusException {
    CompletableFuture<Void> done = new CompletableFuture<>();
    lock.lock();
    try {
      requirePresent(member);
      if (member.offBridge) {
        throw new FocusException(
            FocusException.Reason.UNEXPECTED,
            "the call is peer-to-peer: there is no bridge connection to restart");
      }
      String id = member.id;
      String name = member.request.displayName();
      queueBridge(
          "ice restart " + id,
          b -> {
            try {
              b.expire(id);
              ConferenceBridge.Allocation allocation = b.allocate(id, name);
              reapplyForceMute(b, member);
              lock.lock();
              try {
                if (members.get(id) == member && state == State.ACTIVE && !member.offBridge) {
                  member.allocation = allocation;
                  member.newBridgeEndpoint();
                  bridgesUsed.add(allocation.bridgeId());
                  member.offer.updateTransport(
                      allocation.transport(), allocation.feedbackSources());
                  member.awaitingAnswer = false;
                  sendOffer(member);
                }
              } finally {
                unlock();
              }
              done.complete(null);
            } catch (FocusException | RuntimeException e) {
              done.completeExceptionally(e);
            }
          },
          () ->
              done.completeExceptionally(
                  new FocusException(
                      FocusException.Reason.INTERNAL, "this node no longer hosts the room")));
    } finally {
      unlock();
    }
    await(done);
  }

  private static void await(CompletableFuture<Void> done) throws FocusException {
    try {
      done.get(ICE_RESTART_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof FocusException fe) {
        throw fe;
      }
      throw new FocusException(FocusException.Reason.INTERNAL, "the ICE restart failed", e);
    } catch (TimeoutException e) {
      throw new FocusException(FocusException.Reason.INTERNAL, "the bridge did not answer in time");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FocusException(FocusException.Reason.INTERNAL, "interrupted");
    }
  }

  void offerAgain(Member member) throws FocusException {
    lock.lock();
    try {
      requirePresent(member);
      if (member.offBridge) {
        // a resumed socket in a P2P call: the browser keeps its direct connection
        P2pSession s = p2p;
        if (s != null) {
          notify(member, e -> e.p2pActive(s.id));
        }
        return;
      }
      // whatever was in flight is superseded: this offer carries every current source
      member.awaitingAnswer = false;
      member.reofferPending = false;
      sendOffer(member);
    } finally {
      unlock();
    }
  }

  /**
   * The bridge hosting these endpoints is gone: each participant still here gets an endpoint on a
   * new bridge and a new offer with its transport; their answers carry their sources to the new
   * bridge. Nobody leaves the call. Only queues the work: returns at once.
   */
  void moveToNewBridge(Set<String> endpointIds) {
    lock.lock();
    try {
      for (String id : endpointIds) {
        if (!members.containsKey(id) && joining.contains(id)) {
          movedWhileJoining.add(id);
        }
      }
    } finally {
      unlock();
    }
    reallocate(endpointIds);
  }

  /**
   * Queues new allocations for these members that are still here, all in one lane task (their
   * requests are on the wire together, see {@link ConferenceBridge#allocateAll}), then their
   * offers.
   */
  private void reallocate(Set<String> endpointIds) {
    lock.lock();
    try {
      Map<String, Member> moving = new LinkedHashMap<>();
      Map<String, String> statsIds = new LinkedHashMap<>();
      for (String id : endpointIds) {
        Member member = members.get(id);
        if (member != null) {
          moving.put(id, member);
          statsIds.put(id, member.request.displayName());
        }
      }
      if (!moving.isEmpty()) {
        queueBridge("move " + moving.keySet(), b -> moveOnLane(b, moving, statsIds));
      }
    } finally {
      unlock();
    }
  }

  /** On the lane: new endpoints for every moving member, then each one's offer. */
  private void moveOnLane(
      ConferenceBridge b, Map<String, Member> moving, Map<String, String> statsIds) {
    long started = System.nanoTime();
    Map<String, ConferenceBridge.Moved> moved = b.allocateAll(statsIds);
    long allocated = System.nanoTime();
    for (var e : moved.entrySet()) {
      if (e.getValue().failure() != null) {
        // no bridge can take it now: the participant keeps its socket and may retry
        LOG.warn(
            "could not move {} to a new bridge: {}",
            e.getKey(),
            e.getValue().failure().getMessage());
      } else {
        reapplyForceMute(b, moving.get(e.getKey()));
      }
    }
    List<String> offered = new ArrayList<>();
    String newBridge = null;
    lock.lock();
    try {
      for (var e : moved.entrySet()) {
        Member member = moving.get(e.getKey());
        ConferenceBridge.Allocation allocation = e.getValue().allocation();
        if (allocation != null && members.get(member.id) == member && state == State.ACTIVE) {
          member.allocation = allocation;
          member.newBridgeEndpoint();
          bridgesUsed.add(allocation.bridgeId());
          member.offer.updateTransport(allocation.transport(), allocation.feedbackSources());
          member.offBridge = false;
          dirty = true;
          member.awaitingAnswer = false;
          member.reofferPending = false;
          sendOffer(member);
          offered.add(member.id);
          newBridge = allocation.bridgeId();
        }
      }
    } finally {
      unlock();
    }
    if (!offered.isEmpty()) {
      LOG.info(
          "conference {}: {} moved to bridge {}: allocated in {} ms, offered after {} ms",
          callId,
          offered,
          newBridge,
          (allocated - started) / 1_000_000,
          (System.nanoTime() - started) / 1_000_000);
    }
  }

  void mediaState(Member member, boolean audio, boolean video, boolean screen) {
    lock.lock();
    try {
      checkLease();
      if (members.get(member.id) != member) {
        return;
      }
      // a force-muted participant's page may say it sends, but the bridge drops it
      boolean sentAudio = audio && !member.audioForceMuted;
      boolean sentVideo = video && !member.videoForceMuted;
      member.audio = sentAudio;
      member.video = sentVideo;
      member.screen = screen;
      dirty = true;
      member.everAudio |= sentAudio;
      member.everVideo |= sentVideo;
      for (Member m : members.values()) {
        notify(m, e -> e.mediaState(member.id, sentAudio, sentVideo, screen));
      }
    } finally {
      unlock();
    }
  }

  void chat(Member member, String text) {
    lock.lock();
    try {
      checkLease();
      if (members.get(member.id) != member) {
        return;
      }
      long now = ctx.clock().millis();
      String name = member.request.displayName();
      for (Member m : members.values()) {
        notify(m, e -> e.chat(member.id, name, text, now));
      }
    } finally {
      unlock();
    }
  }

  /**
   * A moderator force-mutes a participant's audio or video at the bridge (Colibri2 force-mute, as
   * jicofo), or allows it again. Everyone is told the new state; the participant is also told that
   * a moderator muted it, and allowing its audio answers a raised hand (it is lowered).
   */
  void forceMute(Member moderator, String targetId, Moderation.Media media, boolean muted)
      throws FocusException {
    lock.lock();
    try {
      Member target = moderated(moderator, targetId);
      boolean audio = media == Moderation.Media.AUDIO ? muted : target.audioForceMuted;
      boolean video = media == Moderation.Media.VIDEO ? muted : target.videoForceMuted;
      if (audio != target.audioForceMuted || video != target.videoForceMuted) {
        target.audioForceMuted = audio;
        target.videoForceMuted = video;
        dirty = true;
        String id = target.id;
        queueBridge("force-mute " + id, b -> b.forceMute(id, audio, video));
        for (Member m : members.values()) {
          notify(m, e -> e.forceMuted(id, audio, video, moderator.id));
        }
      }
      if (muted) {
        if (media == Moderation.Media.AUDIO) {
          notify(target, e -> e.muted(moderator.id));
        }
        if (target.audio && audio || target.video && video) {
          target.audio &= !audio;
          target.video &= !video;
          for (Member m : members.values()) {
            notify(m, e -> e.mediaState(target.id, target.audio, target.video, target.screen));
          }
        }
      } else if (media == Moderation.Media.AUDIO && target.handRaisedAt != 0) {
        target.handRaisedAt = 0;
        for (Member m : members.values()) {
          notify(m, e -> e.handRaised(target.id, 0, moderator.id));
        }
      }
      // P2P media passes no server that could drop it: while anyone is force-muted the pair
      // talks through the bridge, which enforces the mute; once allowed again, back to P2P
      if (anyForceMuted()) {
        stopP2p("moderation");
      } else if (members.size() == 2) {
        maybeStartP2p();
      }
    } finally {
      unlock();
    }
  }

  private boolean anyForceMuted() {
    return members.values().stream().anyMatch(m -> m.audioForceMuted || m.videoForceMuted);
  }

  /** A participant raises or lowers its own hand; everyone is told, raised hands in order. */
  void raiseHand(Member member, boolean raised) {
    lock.lock();
    try {
      checkLease();
      if (members.get(member.id) != member) {
        return;
      }
      if (raised == (member.handRaisedAt != 0)) {
        return; // already so: the first raise keeps its place in the queue
      }
      long at = 0;
      if (raised) {
        // strictly increasing, so that two hands raised in the same millisecond keep their order
        lastHandRaisedAt = Math.max(lastHandRaisedAt + 1, ctx.clock().millis());
        at = lastHandRaisedAt;
      }
      member.handRaisedAt = at;
      dirty = true;
      long raisedAt = at;
      for (Member m : members.values()) {
        notify(m, e -> e.handRaised(member.id, raisedAt, member.id));
      }
    } finally {
      unlock();
    }
  }

  /** A moderator lowers another participant's hand. */
  void lowerHand(Member moderator, String targetId) throws FocusException {
    lock.lock();
    try {
      Member target = moderated(moderator, targetId);
      if (target.handRaisedAt == 0) {
        return;
      }
      target.handRaisedAt = 0;
      dirty = true;
      for (Member m : members.values()) {
        notify(m, e -> e.handRaised(target.id, 0, moderator.id));
      }
    } finally {
      unlock();
    }
  }

  /**
   * A moderator ends the meeting for everyone: the same path as closing the room ({@link #close}),
   * with reason {@code meeting-ended}.
   */
  void endMeeting(Member moderator) throws FocusException {
    lock.lock();
    try {
      requirePresent(moderator);
      if (!moderator.request.moderator()) {
        throw new FocusException(
            FocusException.Reason.NOT_MODERATOR, "only moderators may do this");
      }
      LOG.info("moderator {} ends conference {}", moderator.id, callId);
      close(LeaveReason.MEETING_ENDED);
    } finally {
      unlock();
    }
  }

  void kick(Member moderator, String targetId) throws FocusException {
    lock.lock();
    try {
      Member target = moderated(moderator, targetId);
      removeLocked(target, LeaveReason.KICKED);
      // after the lock: the session bans the kicked token in Redis
      afterUnlock.add(() -> notify(target, e -> e.removed(LeaveReason.KICKED)));
      endIfEmpty();
    } finally {
      unlock();
    }
  }

  void leave(Member member, LeaveReason reason) {
    lock.lock();
    try {
      checkLease();
      if (members.get(member.id) != member) {
        return;
      }
      removeLocked(member, reason);
      endIfEmpty();
    } finally {
      unlock();
    }
  }

  /** Takes a member out: its endpoint expires, presence and records follow, the others are told. */
  private void removeLocked(Member member, LeaveReason reason) {
    members.remove(member.id);
    detached.remove(member.id);
    dirty = true;
    String id = member.id;
    queueBridge("expire " + id, b -> b.expire(id));
    writePresence(id, () -> ctx.presence().left(roomId.toString(), id, member.request.subject()));
    if (member.recorded) {
      record(
          new CallRecordEvent.ParticipantLeft(
              callId,
              member.rowId,
              ctx.clock().instant(),
              reason.code(),
              member.everAudio,
              member.everVideo));
    }
    for (Member other : members.values()) {
      notify(other, e -> e.participantLeft(id, reason));
      if (!member.sources.isEmpty()) {
        reoffer(other);
      }
    }
    p2pAfterMembershipChange();
  }

  // --- peer-to-peer: two participants connect directly, the bridge serves three or more

  /** Starts a P2P session at exactly two members, ends it otherwise. */
  private void p2pAfterMembershipChange() {
    if (members.size() == 2) {
      maybeStartP2p();
    } else {
      stopP2p("participants");
    }
  }

  /**
   * Starts a P2P session between the two members, unless someone is still joining: the joiner would
   * end it at once (its allocation runs outside the lock, so back-to-back joins commit one by one).
   */
  private void maybeStartP2p() {
    if (p2p != null || state != State.ACTIVE || members.size() != 2 || !joining.isEmpty()) {
      return;
    }
    var it = members.values().iterator();
    Member a = it.next();
    Member b = it.next();
    if (!a.request.p2p()
        || !b.request.p2p()
        || pairKey(a, b).equals(p2pFailedPair)
        || anyForceMuted()) {
      return;
    }
    // deterministic whatever the join order: the smaller id offers
    Member initiator = a.id.compareTo(b.id) < 0 ? a : b;
    Member responder = initiator == a ? b : a;
    P2pSession s = new P2pSession(callId + "-p2p-" + (++p2pSessions), initiator, responder);
    p2p = s;
    dirty = true;
    LOG.info("conference {}: P2P session {} between {} and {}", callId, s.id, a.id, b.id);
    notify(initiator, e -> e.p2pStart(s.id, responder.id, true));
    notify(responder, e -> e.p2pStart(s.id, initiator.id, false));
  }

  /**
   * Ends the P2P session; members whose bridge endpoint was released get a new one and an offer.
   */
  private void stopP2p(String reason) {
    P2pSession s = p2p;
    if (s == null) {
      return;
    }
    p2p = null;
    dirty = true;
    LOG.info("conference {}: P2P session {} ends ({})", callId, s.id, reason);
    Set<String> back = new HashSet<>();
    for (Member m : List.of(s.initiator, s.responder)) {
      if (members.get(m.id) != m) {
        continue;
      }
      notify(m, e -> e.p2pStop(s.id, reason));
      if (m.offBridge) {
        back.add(m.id);
      }
    }
    if (!back.isEmpty()) {
      reallocate(back);
    }
  }

  /** The member's peer in P2P session {@code sessionId}. */
  private Member p2pPeer(Member member, String sessionId) throws FocusException {
    P2pSession s = p2p;
    Member peer = s == null || !s.id.equals(sessionId) ? null : s.peerOf(member);
    if (peer == null) {
      throw new FocusException(
          FocusException.Reason.NO_P2P_SESSION, "not in peer-to-peer session " + sessionId);
    }
    return peer;
  }

  void p2pDescription(Member member, String sessionId, String kind, String sdp)
      throws FocusException {
    try {
      SdpAnswer.checkPeerDescription(sdp, "offer".equals(kind));
    } catch (SdpParseException e) {
      throw invalidSdp(e);
    }
    lock.lock();
    try {
      requirePresent(member);
      Member peer = p2pPeer(member, sessionId);
      boolean initiator = p2p.initiator == member;
      if ("offer".equals(kind) != initiator) {
        throw new FocusException(
            FocusException.Reason.UNEXPECTED,
            initiator ? "the initiator sends the P2P offer" : "the responder sends the P2P answer");
      }
      notify(peer, e -> e.p2pDescription(sessionId, member.id, kind, sdp));
    } finally {
      unlock();
    }
  }

  void p2pCandidate(
      Member member, String sessionId, String candidate, String sdpMid, Integer sdpMLineIndex)
      throws FocusException {
    lock.lock();
    try {
      requirePresent(member);
      Member peer = p2pPeer(member, sessionId);
      notify(peer, e -> e.p2pCandidate(sessionId, member.id, candidate, sdpMid, sdpMLineIndex));
    } finally {
      unlock();
    }
  }

  /** Relays to the peer whether the member wants video over P2P (the bridge's lastN 0 in P2P). */
  void p2pVideo(Member member, String sessionId, boolean receive) throws FocusException {
    lock.lock();
    try {
      requirePresent(member);
      Member peer = p2pPeer(member, sessionId);
      notify(peer, e -> e.p2pVideo(sessionId, member.id, receive));
    } finally {
      unlock();
    }
  }

  /**
   * Once both ends say the P2P connection is up, their bridge endpoints are expired (the bridge
   * conference with them); a failure ends the session and the pair stays on (or returns to) the
   * bridge.
   */
  void p2pState(Member member, String sessionId, boolean connected) throws FocusException {
    lock.lock();
    try {
      requirePresent(member);
      Member peer = p2pPeer(member, sessionId);
      P2pSession s = p2p;
      if (!connected) {
        p2pFailedPair = pairKey(member, peer);
        stopP2p("failed");
        return;
      }
      dirty |= s.connected.add(member.id);
      releaseBridgeForP2p();
    } finally {
      unlock();
    }
  }

  /**
   * Expires the bridge endpoints of a P2P session both ends say is connected, and tells both
   * (`p2p-active`). Never while someone is joining: a third's join ends the session when it starts,
   * and the pair then goes on on the bridge connections it still has.
   */
  private void releaseBridgeForP2p() {
    P2pSession s = p2p;
    if (s == null
        || s.bridgeReleased
        || s.connected.size() < 2
        || !joining.isEmpty()
        || state != State.ACTIVE) {
      return;
    }
    s.bridgeReleased = true;
    dirty = true;
    for (Member m : List.of(s.initiator, s.responder)) {
      String id = m.id;
      m.offBridge = true;
      m.awaitingAnswer = false;
      m.reofferPending = false;
      queueBridge("expire " + id + " (P2P)", b -> b.expire(id));
      notify(m, e -> e.p2pActive(s.id));
    }
  }

  private static String pairKey(Member a, Member b) {
    return a.id.compareTo(b.id) < 0 ? a.id + "/" + b.id : b.id + "/" + a.id;
  }

  /** Two members' direct connection, from `p2p-start` to `p2p-stop`. */
  private static final class P2pSession {
    final String id;
    final Member initiator;
    final Member responder;
    final Set<String> connected = new HashSet<>();
    boolean bridgeReleased;

    P2pSession(String id, Member initiator, Member responder) {
      this.id = id;
      this.initiator = initiator;
      this.responder = responder;
    }

    Member peerOf(Member m) {
      return m == initiator ? responder : m == responder ? initiator : null;
    }
  }

  /**
   * The room was closed or a moderator ended the meeting: everyone is told ({@code
   * participant-left}, reason {@code room-closed} or {@code meeting-ended}), the bridge conference
   * with all its endpoints is expired and the call ends. Joins still on their way to the bridge
   * fail.
   */
  void close(LeaveReason reason) {
    lock.lock();
    try {
      if (state != State.ACTIVE) {
        return;
      }
      for (Member m : members.values()) {
        afterUnlock.add(() -> notify(m, e -> e.removed(reason)));
        String id = m.id;
        writePresence(id, () -> ctx.presence().left(roomId.toString(), id, m.request.subject()));
        if (m.recorded) {
          record(
              new CallRecordEvent.ParticipantLeft(
                  callId, m.rowId, ctx.clock().instant(), reason.code(), m.everAudio, m.everVideo));
        }
      }
      LOG.info("conference {} of room {} closed ({})", callId, roomId, reason.code());
      members.clear();
      p2p = null;
      end();
    } finally {
      unlock();
    }
  }

  /**
   * This node lost the conference's lease: it stops acting on it at once. Nothing goes to the
   * bridge or Redis for it any more (the node that takes it over uses them); its participants are
   * told the conference moved, so their sessions continue with whichever node hosts it now.
   */
  void abandon(String why) {
    lock.lock();
    try {
      abandonLocked(why);
    } finally {
      unlock();
    }
  }

  private void abandonLocked(String why) {
    if (state == State.ABANDONED) {
      return;
    }
    boolean wasActive = state == State.ACTIVE;
    state = State.ABANDONED;
    if (wasActive) {
      LOG.warn(
          "conference {} of room {} abandoned ({}): {} participants move on",
          callId,
          roomId,
          why,
          members.size());
      for (Member m : members.values()) {
        // after the lock: a session may go on with the node that hosts the room now
        afterUnlock.add(() -> notify(m, ParticipantEvents::conferenceMoved));
      }
    }
    members.clear();
    p2p = null;
    afterUnlock.add(() -> owner.abandoned(this));
  }

  /**
   * Writes every member's presence again (after Redis came back, maybe empty): the shared state
   * shows who is in the call without anyone joining again. Queued on the write-behind.
   */
  void republishPresence() {
    lock.lock();
    try {
      if (state != State.ACTIVE) {
        return;
      }
      for (Member m : members.values()) {
        var presence =
            new ParticipantPresence.Participant(
                roomId.toString(),
                m.id,
                m.request.subject(),
                m.request.displayName(),
                ctx.nodeId());
        writePresence(m.id, () -> ctx.presence().joined(presence));
      }
    } finally {
      unlock();
    }
  }

  /** Ends the session when the last participant left: the bridge conference and the call record. */
  private void endIfEmpty() {
    if (!members.isEmpty() || !joining.isEmpty() || state != State.ACTIVE) {
      return;
    }
    end();
  }

  private void end() {
    state = State.ENDED;
    if (bridge != null) {
      ConferenceBridge b = bridge;
      lane.execute(
          () -> {
            if (lease.valid()) {
              b.close();
            }
          });
      record(
          new CallRecordEvent.CallEnded(
              callId, ctx.clock().instant(), peak, total, List.copyOf(bridgesUsed)));
    }
    reportEndedWhenJoinsDrained();
  }

  /**
   * Tells the owner the conference ended once no join is on its way any more: the lease (which
   * every bridge request needs) is kept until the last joiner's endpoint is expired.
   */
  private void reportEndedWhenJoinsDrained() {
    if (state == State.ENDED && joining.isEmpty() && !endReported) {
      endReported = true;
      afterUnlock.add(() -> owner.ended(this));
    }
  }

  /** Queues a bridge request; see {@link #queueBridge(String, BridgeCall, Runnable)}. */
  private void queueBridge(String what, BridgeCall call) {
    queueBridge(what, call, () -> {});
  }

  /**
   * Queues a bridge request on the lane. It runs only while this node still holds the lease and has
   * not abandoned the conference; otherwise {@code skipped} runs instead (and a lapsed lease makes
   * the node abandon the conference).
   */
  private void queueBridge(String what, BridgeCall call, Runnable skipped) {
    ConferenceBridge b = bridge;
    if (b == null) {
      skipped.run();
      return;
    }
    lane.execute(
        () -> {
          if (state == State.ABANDONED) {
            skipped.run();
            return;
          }
          if (!lease.valid()) {
            abandon("its lease could not be confirmed before " + what);
            skipped.run();
            return;
          }
          try {
            call.run(b);
          } catch (FocusException e) {
            LOG.warn("{} in {} failed: {}", what, callId, e.getMessage());
          }
        });
  }

  /**
   * On the lane, right after a member got a new endpoint (ICE restart, a new bridge): a force-mute
   * belongs to the participant, not to its endpoint, so the new one gets it before any media.
   */
  private void reapplyForceMute(ConferenceBridge b, Member member) {
    boolean audio = member.audioForceMuted;
    boolean video = member.videoForceMuted;
    if (audio || video) {
      try {
        b.forceMute(member.id, audio, video);
      } catch (FocusException e) {
        LOG.warn("force-mute of {} in {} not renewed: {}", member.id, callId, e.getMessage());
      }
    }
  }

  /** A bridge request run on the lane. */
  @FunctionalInterface
  private interface BridgeCall {
    void run(ConferenceBridge bridge) throws FocusException;
  }

  private void writePresence(String participantId, Runnable write) {
    writes.submit(
        "presence:" + roomId + ":" + participantId,
        () -> {
          if (state == State.ABANDONED || state == State.ACTIVE && !lease.valid()) {
            // a node that was paused past its lease must not write for the room any more (an
            // ended conference's last writes go after its lease was given back)
            throw new WriteBehind.Refused("conference " + callId + " is no longer hosted here");
          }
          write.run();
        });
  }

  private void record(CallRecordEvent event) {
    try {
      ctx.recorder().record(event);
    } catch (RuntimeException e) {
      LOG.warn("call record {} of {} not kept", event.getClass().getSimpleName(), callId, e);
    }
  }

  /** Calls a member's events; a failing sink is logged and never breaks the conference. */
  private void notify(Member m, java.util.function.Consumer<ParticipantEvents> event) {
    try {
      event.accept(m.events);
    } catch (RuntimeException e) {
      LOG.warn("an event for participant {} failed", m.id, e);
    }
  }

  private Member moderated(Member moderator, String targetId) throws FocusException {
    requirePresent(moderator);
    if (!moderator.request.moderator()) {
      throw new FocusException(FocusException.Reason.NOT_MODERATOR, "only moderators may do this");
    }
    Member target = members.get(targetId);
    if (target == null) {
      throw new FocusException(
          FocusException.Reason.UNKNOWN_PARTICIPANT,
          "no participant " + targetId + " in this room");
    }
    return target;
  }

  private void requirePresent(Member member) throws FocusException {
    checkLease();
    if (members.get(member.id) != member) {
      throw new FocusException(FocusException.Reason.UNEXPECTED, "the participant has left");
    }
  }

  /**
   * Abandons the conference when this node can no longer tell that it holds the lease: whatever
   * runs first after a pause past the lease (or a cut to Redis) must not act on the room.
   */
  private void checkLease() {
    if (state == State.ACTIVE && !lease.valid()) {
      abandonLocked("its lease could not be confirmed in time");
    }
  }

  /** Offers now, or after the outstanding answer arrives (one offer in flight per participant). */
  private void reoffer(Member member) {
    if (member.offBridge) {
      return; // the offer that brings it back to the bridge carries every current source
    }
    if (member.awaitingAnswer) {
      member.reofferPending = true;
    } else {
      sendOffer(member);
    }
  }

  private void sendOffer(Member member) {
    List<MediaSource> remote = new ArrayList<>();
    for (Member other : members.values()) {
      if (other != member) {
        remote.addAll(other.sources);
      }
    }
    String sdp = SdpWriter.write(member.offer.next(remote));
    member.awaitingAnswer = true;
    dirty = true;
    String channel = member.allocation.bridgeChannelUrl().orElse(null);
    notify(member, e -> e.offer(sdp, channel));
  }

  private String newParticipantId() {
    String id;
    do {
      id = Long.toHexString(ThreadLocalRandom.current().nextLong(0x10000000L, 0xffffffffL));
    } while (members.containsKey(id) || joining.contains(id));
    return id;
  }

  /** The lease lapsed before a bridge request could be made. */
  private static final class LeaseGone extends Exception {
    LeaseGone() {
      super(null, null, false, false);
    }
  }

  /** A participant of this conference; its actions go through the conference's lock. */
  static final class Member implements FocusParticipant {
    final Conference conference;
    final String id;
    final JoinRequest request;
    final UnifiedPlanOffer offer;
    UUID rowId = UUID.randomUUID();
    volatile ParticipantEvents events;
    // the events it joined (or was taken over) with: a handle of a session resumed elsewhere since
    // then must not make it leave
    final ParticipantEvents initialEvents;
    ConferenceBridge.Allocation allocation;
    List<MediaSource> sources = List.of();
    boolean awaitingAnswer;
    boolean reofferPending;
    // in an active P2P session: its bridge endpoint is expired until the session ends
    boolean offBridge;
    boolean audio;
    boolean video;
    boolean screen;
    boolean everAudio;
    boolean everVideo;
    // set by moderators; read on the lane when the endpoint is allocated again
    volatile boolean audioForceMuted;
    volatile boolean videoForceMuted;
    long handRaisedAt;
    // its ParticipantJoined went to the call records, so a ParticipantLeft must follow
    boolean recorded;
    // the bridge connection's ICE credentials and candidates from its last answer (null before it
    // and after a new bridge endpoint): trickled candidates go to the bridge with these
    TransportDescription answeredIce;
    // trickled candidates not at the bridge yet: the lane's next request or the next answer takes
    // them; and how many it trickled since the last answer (capped)
    final List<IceCandidate> unsentCandidates = new ArrayList<>();
    int candidatesSinceAnswer;
    // the candidates sent to the bridge for its current endpoint (with answers or trickled)
    final Set<IceCandidate> candidatesAtBridge = new HashSet<>();

    Member(
        Conference conference,
        String id,
        JoinRequest request,
        ParticipantEvents events,
        UnifiedPlanOffer offer,
        ConferenceBridge.Allocation allocation) {
      this.conference = conference;
      this.id = id;
      this.request = request;
      this.events = events;
      this.initialEvents = events;
      this.offer = offer;
      this.allocation = allocation;
      this.audio = request.audio();
      this.video = request.video();
      this.everAudio = audio;
      this.everVideo = video;
    }

    /** A new endpoint on the bridge: the ICE session starts again with the next answer. */
    void newBridgeEndpoint() {
      answeredIce = null;
      unsentCandidates.clear();
      candidatesAtBridge.clear();
      candidatesSinceAnswer = 0;
    }

    ParticipantInfo info() {
      return new ParticipantInfo(
          id,
          request.displayName(),
          request.moderator(),
          audio,
          video,
          screen,
          audioForceMuted,
          videoForceMuted,
          handRaisedAt);
    }

    @Override
    public String id() {
      return id;
    }

    @Override
    public void answer(String sdp) throws FocusException {
      conference.answer(this, sdp);
    }

    @Override
    public void iceCandidate(String candidate, String sdpMid) throws FocusException {
      conference.trickle(this, candidate);
    }

    @Override
    public void mediaState(boolean audio, boolean video, boolean screen) {
      conference.mediaState(this, audio, video, screen);
    }

    @Override
    public void chat(String text) {
      conference.chat(this, text);
    }

    @Override
    public void mute(String participantId) throws FocusException {
      // a moderator's mute is enforced at the bridge
      conference.forceMute(this, participantId, Moderation.Media.AUDIO, true);
    }

    @Override
    public void forceMute(String participantId, Moderation.Media media, boolean muted)
        throws FocusException {
      conference.forceMute(this, participantId, media, muted);
    }

    @Override
    public void raiseHand(boolean raised) {
      conference.raiseHand(this, raised);
    }

    @Override
    public void lowerHand(String participantId) throws FocusException {
      conference.lowerHand(this, participantId);
    }

    @Override
    public void endMeeting() throws FocusException {
      conference.endMeeting(this);
    }

    @Override
    public void kick(String participantId) throws FocusException {
      conference.kick(this, participantId);
    }

    @Override
    public void iceRestart() throws FocusException {
      conference.iceRestart(this);
    }

    @Override
    public void offerAgain() throws FocusException {
      conference.offerAgain(this);
    }

    @Override
    public void leave(LeaveReason reason) {
      if (events == initialEvents) {
        conference.leave(this, reason);
      }
    }

    @Override
    public void p2pDescription(String sessionId, String kind, String sdp) throws FocusException {
      conference.p2pDescription(this, sessionId, kind, sdp);
    }

    @Override
    public void p2pCandidate(
        String sessionId, String candidate, String sdpMid, Integer sdpMLineIndex)
        throws FocusException {
      conference.p2pCandidate(this, sessionId, candidate, sdpMid, sdpMLineIndex);
    }

    @Override
    public void p2pState(String sessionId, boolean connected) throws FocusException {
      conference.p2pState(this, sessionId, connected);
    }

    @Override
    public void p2pVideo(String sessionId, boolean receive) throws FocusException {
      conference.p2pVideo(this, sessionId, receive);
    }
  }

  /**
   * A member as a resumed session drives it: every action goes to the member, but a leave counts
   * only while this session is still the member's latest (a later resume replaces it).
   */
  private static final class Resumed implements FocusParticipant {
    private final Member member;
    private final ParticipantEvents events;

    Resumed(Member member, ParticipantEvents events) {
      this.member = member;
      this.events = events;
    }

    @Override
    public String id() {
      return member.id;
    }

    @Override
    public void answer(String sdp) throws FocusException {
      member.answer(sdp);
    }

    @Override
    public void iceCandidate(String candidate, String sdpMid) throws FocusException {
      member.iceCandidate(candidate, sdpMid);
    }

    @Override
    public void mediaState(boolean audio, boolean video, boolean screen) {
      member.mediaState(audio, video, screen);
    }

    @Override
    public void chat(String text) {
      member.chat(text);
    }

    @Override
    public void mute(String participantId) throws FocusException {
      member.mute(participantId);
    }

    @Override
    public void forceMute(String participantId, Moderation.Media media, boolean muted)
        throws FocusException {
      member.forceMute(participantId, media, muted);
    }

    @Override
    public void raiseHand(boolean raised) {
      member.raiseHand(raised);
    }

    @Override
    public void lowerHand(String participantId) throws FocusException {
      member.lowerHand(participantId);
    }

    @Override
    public void endMeeting() throws FocusException {
      member.endMeeting();
    }

    @Override
    public void kick(String participantId) throws FocusException {
      member.kick(participantId);
    }

    @Override
    public void iceRestart() throws FocusException {
      member.iceRestart();
    }

    @Override
    public void offerAgain() throws FocusException {
      member.offerAgain();
    }

    @Override
    public void leave(LeaveReason reason) {
      if (member.events == events) {
        member.conference.leave(member, reason);
      }
    }

    @Override
    public void p2pDescription(String sessionId, String kind, String sdp) throws FocusException {
      member.p2pDescription(sessionId, kind, sdp);
    }

    @Override
    public void p2pCandidate(
        String sessionId, String candidate, String sdpMid, Integer sdpMLineIndex)
        throws FocusException {
      member.p2pCandidate(sessionId, candidate, sdpMid, sdpMLineIndex);
    }

    @Override
    public void p2pState(String sessionId, boolean connected) throws FocusException {
      member.p2pState(sessionId, connected);
    }
  }
}
