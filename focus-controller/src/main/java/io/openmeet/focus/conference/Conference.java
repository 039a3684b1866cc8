package io.openmeet.focus.conference;

import io.openmeet.focus.records.CallRecordEvent;
import io.openmeet.focus.sdp.MediaKind;
import io.openmeet.focus.sdp.MediaSource;
import io.openmeet.focus.sdp.SdpAnswer;
import io.openmeet.focus.sdp.SdpParseException;
import io.openmeet.focus.sdp.SdpWriter;
import io.openmeet.focus.sdp.TransportDescription;
import io.openmeet.focus.sdp.UnifiedPlanOffer;
import io.openmeet.presence.conference.ParticipantPresence;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One room's conference session on the node that owns it: its participants, their offers, and the
 * bridge conference. Changes happen under one lock per conference, so joins, answers and leaves of
 * one room are applied in order; the events sent under it never block.
 */
final class Conference {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Conference.class);

  /** The tracks a participant may send: microphone, camera, and a screen share. */
  static final List<MediaKind> OWN_SENDS =
      List.of(MediaKind.AUDIO, MediaKind.VIDEO, MediaKind.VIDEO);

  private final ConferenceContext ctx;
  private final UUID roomId;
  private final String roomName;
  private final Runnable onEmpty;
  private final ReentrantLock lock = new ReentrantLock();
  private final Map<String, Member> members = new LinkedHashMap<>();

  /** Participants between their join and their bridge allocation (they hold a place). */
  private final java.util.Set<String> joining = new java.util.HashSet<>();

  /** Joining participants whose endpoint was on a bridge that went away meanwhile. */
  private final java.util.Set<String> movedWhileJoining = new java.util.HashSet<>();

  private final UUID callId = UUID.randomUUID();

  private ConferenceBridge bridge;
  private boolean ended;
  private int peak;
  private int total;

  Conference(ConferenceContext ctx, UUID roomId, String roomName, Runnable onEmpty) {
    this.ctx = ctx;
    this.roomId = roomId;
    this.roomName = roomName;
    this.onEmpty = onEmpty;
  }

  UUID callId() {
    return callId;
  }

  int size() {
    lock.lock();
    try {
      return members.size();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Adds a participant; null when the conference already ended (the caller retries on a new one).
   * The bridge allocation runs without the conference's lock, so that the room's other joins,
   * answers and leaves do not wait for this participant's bridge round trip; the participant counts
   * toward the room's limit from the start, and the conference does not end while it is joining.
   */
  Member join(JoinRequest request, ParticipantEvents events) throws FocusException {
    String id;
    ConferenceBridge joinedBridge;
    lock.lock();
    try {
      if (ended) {
        return null;
      }
      if (members.size() + joining.size() >= request.maxParticipants()) {
        throw new FocusException(
            FocusException.Reason.ROOM_FULL,
            "the room is full (" + request.maxParticipants() + " participants)");
      }
      if (bridge == null) {
        bridge = ctx.bridges().open(callId.toString(), roomName, request.region());
        ctx.recorder()
            .record(
                new CallRecordEvent.CallStarted(
                    callId, roomId, request.region().orElse("default"), ctx.clock().instant()));
      }
      id = newParticipantId();
      joining.add(id);
      joinedBridge = bridge;
    } finally {
      lock.unlock();
    }
    ConferenceBridge.Allocation allocation;
    try {
      allocation = joinedBridge.allocate(id, request.displayName());
    } catch (FocusException e) {
      lock.lock();
      try {
        joining.remove(id);
        movedWhileJoining.remove(id);
        endIfEmpty();
      } finally {
        lock.unlock();
      }
      throw e;
    }
    lock.lock();
    try {
      joining.remove(id);
      if (movedWhileJoining.remove(id)) {
        // its bridge went away while it was joining: it starts on the conference's new bridge
        try {
          allocation = bridge.allocate(id, request.displayName());
        } catch (FocusException e) {
          endIfEmpty();
          throw e;
        }
      }
      var offer =
          new UnifiedPlanOffer(
              ctx.codecs(), allocation.transport(), allocation.feedbackSources(), OWN_SENDS);
      var member = new Member(this, id, request, events, offer, allocation);
      List<ParticipantInfo> others = members.values().stream().map(Member::info).toList();
      members.put(id, member);
      peak = Math.max(peak, members.size());
      total++;

      events.joined(id, others);
      sendOffer(member);
      for (Member other : members.values()) {
        if (other != member) {
          other.events.participantJoined(member.info());
        }
      }
      ctx.presence()
          .joined(
              new ParticipantPresence.Participant(
                  roomId.toString(), id, request.subject(), request.displayName(), ctx.nodeId()));
      ctx.recorder()
          .record(
              new CallRecordEvent.ParticipantJoined(
                  callId,
                  member.rowId,
                  request.userId().orElse(null),
                  request.displayName(),
                  ctx.clock().instant(),
                  request.audio(),
                  request.video()));
      return member;
    } finally {
      lock.unlock();
    }
  }

  void answer(Member member, String sdp) throws FocusException {
    SdpAnswer answer;
    try {
      answer = SdpAnswer.parse(sdp);
    } catch (SdpParseException e) {
      throw new FocusException(FocusException.Reason.INVALID_SDP, e.getMessage(), e);
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
        throw new FocusException(FocusException.Reason.INVALID_SDP, e.getMessage(), e);
      }
      List<MediaSource> sources = answer.sources(member.id);
      bridge.update(member.id, answer.transport(), sources);
      member.remoteTransport = answer.transport();
      member.awaitingAnswer = false;
      boolean changed = !sources.equals(member.sources);
      member.sources = sources;
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
      lock.unlock();
    }
  }

  void iceRestart(Member member) throws FocusException {
    lock.lock();
    try {
      requirePresent(member);
      // a fresh endpoint on the bridge gives fresh ICE credentials; the browser re-answers
      bridge.expire(member.id);
      ConferenceBridge.Allocation allocation =
          bridge.allocate(member.id, member.request.displayName());
      member.allocation = allocation;
      member.offer.updateTransport(allocation.transport(), allocation.feedbackSources());
      member.awaitingAnswer = false;
      sendOffer(member);
    } finally {
      lock.unlock();
    }
  }

  void offerAgain(Member member) throws FocusException {
    lock.lock();
    try {
      requirePresent(member);
      // whatever was in flight is superseded: this offer carries every current source
      member.awaitingAnswer = false;
      member.reofferPending = false;
      sendOffer(member);
    } finally {
      lock.unlock();
    }
  }

  /**
   * The bridge hosting these endpoints is gone: each participant still here gets an endpoint on a
   * new bridge and a new offer with its transport; their answers carry their sources to the new
   * bridge. Nobody leaves the call.
   */
  void moveToNewBridge(java.util.Set<String> endpointIds) {
    lock.lock();
    try {
      for (String id : endpointIds) {
        Member member = members.get(id);
        if (member == null) {
          if (joining.contains(id)) {
            movedWhileJoining.add(id);
          }
          continue;
        }
        try {
          ConferenceBridge.Allocation allocation =
              bridge.allocate(member.id, member.request.displayName());
          member.allocation = allocation;
          member.offer.updateTransport(allocation.transport(), allocation.feedbackSources());
          member.awaitingAnswer = false;
          member.reofferPending = false;
          sendOffer(member);
        } catch (FocusException e) {
          // no bridge can take it now: the participant keeps its socket and may retry (ice-restart)
          LOG.warn("could not move {} to a new bridge: {}", member.id, e.getMessage());
        }
      }
    } finally {
      lock.unlock();
    }
  }

  void mediaState(Member member, boolean audio, boolean video, boolean screen) {
    lock.lock();
    try {
      if (!members.containsKey(member.id)) {
        return;
      }
      member.audio = audio;
      member.video = video;
      member.screen = screen;
      member.everAudio |= audio;
      member.everVideo |= video;
      for (Member m : members.values()) {
        m.events.mediaState(member.id, audio, video, screen);
      }
    } finally {
      lock.unlock();
    }
  }

  void chat(Member member, String text) {
    lock.lock();
    try {
      if (!members.containsKey(member.id)) {
        return;
      }
      long now = ctx.clock().millis();
      for (Member m : members.values()) {
        m.events.chat(member.id, member.request.displayName(), text, now);
      }
    } finally {
      lock.unlock();
    }
  }

  void mute(Member moderator, String targetId) throws FocusException {
    lock.lock();
    try {
      Member target = moderated(moderator, targetId);
      target.events.muted(moderator.id);
      target.audio = false;
      for (Member m : members.values()) {
        m.events.mediaState(target.id, false, target.video, target.screen);
      }
    } finally {
      lock.unlock();
    }
  }

  void kick(Member moderator, String targetId) throws FocusException {
    Member target;
    lock.lock();
    try {
      target = moderated(moderator, targetId);
    } finally {
      lock.unlock();
    }
    target.events.removed(LeaveReason.KICKED);
    leave(target, LeaveReason.KICKED);
  }

  void leave(Member member, LeaveReason reason) {
    lock.lock();
    try {
      if (members.remove(member.id) == null) {
        return;
      }
      bridge.expire(member.id);
      ctx.presence().left(roomId.toString(), member.id, member.request.subject());
      ctx.recorder()
          .record(
              new CallRecordEvent.ParticipantLeft(
                  callId,
                  member.rowId,
                  ctx.clock().instant(),
                  reason.code(),
                  member.everAudio,
                  member.everVideo));
      for (Member other : members.values()) {
        other.events.participantLeft(member.id, reason);
        if (!member.sources.isEmpty()) {
          reoffer(other);
        }
      }
      endIfEmpty();
    } finally {
      lock.unlock();
    }
  }

  /** Ends the session when the last participant left: the bridge conference and the call record. */
  private void endIfEmpty() {
    if (!members.isEmpty() || !joining.isEmpty() || ended) {
      return;
    }
    ended = true;
    if (bridge != null) {
      bridge.close();
      ctx.recorder()
          .record(new CallRecordEvent.CallEnded(callId, ctx.clock().instant(), peak, total));
    }
    onEmpty.run();
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
    if (members.get(member.id) != member) {
      throw new FocusException(FocusException.Reason.UNEXPECTED, "the participant has left");
    }
  }

  /** Offers now, or after the outstanding answer arrives (one offer in flight per participant). */
  private void reoffer(Member member) {
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
    member.events.offer(sdp, member.allocation.bridgeChannelUrl().orElse(null));
  }

  private String newParticipantId() {
    String id;
    do {
      id = Long.toHexString(ThreadLocalRandom.current().nextLong(0x10000000L, 0xffffffffL));
    } while (members.containsKey(id) || joining.contains(id));
    return id;
  }

  /** A participant of this conference; its actions go through the conference's lock. */
  static final class Member implements FocusParticipant {
    final Conference conference;
    final String id;
    final JoinRequest request;
    final ParticipantEvents events;
    final UnifiedPlanOffer offer;
    final UUID rowId = UUID.randomUUID();
    ConferenceBridge.Allocation allocation;
    TransportDescription remoteTransport;
    List<MediaSource> sources = List.of();
    boolean awaitingAnswer;
    boolean reofferPending;
    boolean audio;
    boolean video;
    boolean screen;
    boolean everAudio;
    boolean everVideo;

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
      this.offer = offer;
      this.allocation = allocation;
      this.audio = request.audio();
      this.video = request.video();
      this.everAudio = audio;
      this.everVideo = video;
    }

    ParticipantInfo info() {
      return new ParticipantInfo(
          id, request.displayName(), request.moderator(), audio, video, screen);
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
      // the bridge learns the browser's address from its connectivity checks (peer-reflexive), as
      // JVB's single-port harvester does; trickled candidates need no round trip to the bridge
      conference.lock.lock();
      try {
        conference.requirePresent(this);
      } finally {
        conference.lock.unlock();
      }
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
      conference.mute(this, participantId);
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
      conference.leave(this, reason);
    }
  }
}
