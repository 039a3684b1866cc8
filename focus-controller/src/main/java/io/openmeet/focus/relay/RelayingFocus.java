package io.openmeet.focus.relay;

import io.openmeet.focus.conference.Focus;
import io.openmeet.focus.conference.FocusException;
import io.openmeet.focus.conference.FocusParticipant;
import io.openmeet.focus.conference.JoinRequest;
import io.openmeet.focus.conference.LeaveReason;
import io.openmeet.focus.conference.OwnedByAnotherNodeException;
import io.openmeet.focus.conference.ParticipantEvents;
import io.openmeet.presence.relay.NodeMessaging;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's {@link Focus} when there are several nodes: a join is hosted here when this node owns
 * the room's conference or can take its lease (the local {@code Conferences}), and otherwise
 * relayed to the owner over {@link NodeMessaging}, which runs the participant and sends its events
 * back. Both ends ping: the owner drops participants of a silent origin, the origin drops those of
 * a silent owner (their sockets close and the browsers join again, wherever the room lives then).
 */
public final class RelayingFocus implements Focus, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RelayingFocus.class);

  /** Joins redirected more often than this (the room keeps moving) fail. */
  private static final int MAX_ATTEMPTS = 3;

  /** How long a resume waits for the lease of a room whose owner went away to lapse. */
  static final java.time.Duration RESUME_WAIT = java.time.Duration.ofSeconds(20);

  private static final java.time.Duration RESUME_POLL = java.time.Duration.ofMillis(100);

  /**
   * How long a relayed resume waits for the owner's answer before it looks at the lease again: a
   * live owner answers at once (no bridge request), a hung one must not hold the resume past the
   * lapse of its lease (the reply timeout is 15 s by default, the lease 3 s).
   */
  static final java.time.Duration RESUME_REPLY_TIMEOUT = java.time.Duration.ofSeconds(1);

  /** Threads that run relayed requests on the owner (each session's in order). */
  private static final int HOST_THREADS = 16;

  private final Focus local;
  private final String nodeId;
  private final RelaySettings settings;
  private final Clock clock;
  private final RelayCodec codec = new RelayCodec();
  private final RelayLink link;
  private final RelayHost host;
  private final Map<String, RelayedParticipant> relayed = new ConcurrentHashMap<>();
  private final Map<String, Instant> lastHeardFrom = new ConcurrentHashMap<>();

  /**
   * Relayed resumes this node stopped waiting for: their late answer and events are dropped, not
   * answered with a leave that could overtake the next attempt and end the participant.
   */
  private final Map<String, Instant> givenUpResumes = new ConcurrentHashMap<>();

  private final ExecutorService hostPool;
  private final SerialExecutor bySession;
  private final ScheduledExecutorService timer;
  private final NodeMessaging.Inbox inbox;

  /**
   * Opens this node's inbox and starts the heartbeats.
   *
   * @param local this node's own conferences ({@code Conferences}); it must throw {@link
   *     OwnedByAnotherNodeException} for a room another node owns
   * @param nodeId this node's id, the same as in the conference leases
   */
  public RelayingFocus(
      Focus local, NodeMessaging messaging, String nodeId, RelaySettings settings, Clock clock) {
    this.local = local;
    this.nodeId = nodeId;
    this.settings = settings;
    this.clock = clock;
    this.link = new RelayLink(messaging, codec, nodeId, settings.replyTimeout());
    this.host = new RelayHost(local, link, clock, settings.heartbeatTimeout());
    this.hostPool = Executors.newFixedThreadPool(HOST_THREADS, daemon("focus-relay-host-"));
    this.bySession = new SerialExecutor(hostPool);
    this.inbox = messaging.open(nodeId, this::received);
    this.timer = Executors.newSingleThreadScheduledExecutor(daemon("focus-relay-heartbeat-"));
    long every = settings.heartbeatInterval().toMillis();
    timer.scheduleWithFixedDelay(this::heartbeatSafely, every, every, TimeUnit.MILLISECONDS);
  }

  private static ThreadFactory daemon(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  @Override
  public FocusParticipant join(JoinRequest request, ParticipantEvents events)
      throws FocusException {
    OwnerUnreachableException unreachable = null;
    for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      String owner;
      try {
        return local.join(request, events);
      } catch (OwnedByAnotherNodeException e) {
        owner = e.owner();
      }
      if (owner.equals(nodeId)) {
        throw new FocusException(
            FocusException.Reason.INTERNAL,
            "this node's lease of the room from before a restart has not lapsed yet; retry");
      }
      if (unreachable != null && unreachable.owner().equals(owner)) {
        throw unreachable; // still its lease, still silent
      }
      try {
        FocusParticipant participant = relayJoin(owner, request, events);
        if (participant != null) {
          return participant;
        }
      } catch (OwnerUnreachableException e) {
        // once more: if its lease lapsed meanwhile, this node takes the room
        unreachable = e;
      }
    }
    if (unreachable != null) {
      throw unreachable;
    }
    throw new FocusException(
        FocusException.Reason.INTERNAL, "the room's conference kept moving between nodes; retry");
  }

  /**
   * {@inheritDoc}
   *
   * <p>Resumes here when this node hosts the conference or can take it over. While another live
   * node holds the room's lease, the resume is relayed there (the participant goes on as a relayed
   * one, whichever node its socket was on before). While the lease holder does not answer (it died,
   * or it is handing the conference over), it waits for that lease to lapse or be given up, then
   * takes the conference over here; after {@link #RESUME_WAIT} it fails (the browser joins afresh).
   */
  @Override
  public FocusParticipant resume(
      UUID roomId, String participantId, String subject, ParticipantEvents events)
      throws FocusException {
    long deadline = System.nanoTime() + RESUME_WAIT.toNanos();
    while (true) {
      String owner;
      try {
        return local.resume(roomId, participantId, subject, events);
      } catch (OwnedByAnotherNodeException e) {
        owner = e.owner();
      }
      boolean movedOn = false;
      if (!owner.equals(nodeId)) {
        try {
          FocusParticipant relayed = relayResume(owner, roomId, participantId, subject, events);
          if (relayed != null) {
            return relayed;
          }
          movedOn = true; // the owner says the room moved on: ask again where it is now
        } catch (OwnerUnreachableException e) {
          LOG.debug(
              "resume of {}: node {} does not answer; waiting for its lease", participantId, owner);
        } catch (FocusException e) {
          if (!transientRefusal(e)) {
            throw e;
          }
          LOG.debug(
              "resume of {} refused by node {} for now: {}", participantId, owner, e.getMessage());
        }
      }
      if (System.nanoTime() > deadline) {
        throw new FocusException(
            FocusException.Reason.UNEXPECTED,
            "the room's conference runs on node "
                + owner
                + ", which did not take the resume; join again");
      }
      if (movedOn) {
        continue;
      }
      try {
        Thread.sleep(RESUME_POLL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new FocusException(FocusException.Reason.INTERNAL, "interrupted");
      }
    }
  }

  /** A refusal that says "retry": the owner is shutting down or failed for a moment. */
  private static boolean transientRefusal(FocusException e) {
    return switch (e.reason()) {
      case NO_BRIDGE, INTERNAL, UNAVAILABLE -> true;
      default -> false;
    };
  }

  /**
   * Ends the room's conference: here when this node hosts it, else on the node that holds its lease
   * (told without waiting for an answer; a node that does not host it any more forwards it once).
   */
  @Override
  public void closeRoom(UUID roomId) throws FocusException {
    try {
      local.closeRoom(roomId);
    } catch (OwnedByAnotherNodeException e) {
      link.post(e.owner(), new RelayMessage.CloseRoom(roomId.toString()));
    }
  }

  private void closeRoomHere(String from, String roomId) {
    try {
      local.closeRoom(UUID.fromString(roomId));
    } catch (OwnedByAnotherNodeException e) {
      if (!e.owner().equals(from)) {
        link.post(e.owner(), new RelayMessage.CloseRoom(roomId));
      }
    } catch (FocusException | IllegalArgumentException e) {
      LOG.warn("closing room {} for node {} failed: {}", roomId, from, e.toString());
    }
  }

  /** The participant on the owner, or null when the owner says the room has moved on. */
  private FocusParticipant relayJoin(String owner, JoinRequest request, ParticipantEvents events)
      throws FocusException {
    return relay(
        owner,
        events,
        true,
        session -> new RelayMessage.Join(session, RelayMessage.JoinSpec.of(request)));
  }

  /** The resumed participant on the owner, or null when the owner says the room has moved on. */
  private FocusParticipant relayResume(
      String owner, UUID roomId, String participantId, String subject, ParticipantEvents events)
      throws FocusException {
    // no leave after a failed attempt: it could overtake the next attempt and end the participant
    return relay(
        owner,
        events,
        false,
        session -> new RelayMessage.Resume(session, roomId.toString(), participantId, subject));
  }

  private java.time.Duration resumeReplyTimeout() {
    return RESUME_REPLY_TIMEOUT.compareTo(link.replyTimeout()) < 0
        ? RESUME_REPLY_TIMEOUT
        : link.replyTimeout();
  }

  /**
   * Sends a join or resume to the owner under a new relay session and waits for its result; with
   * {@code leaveOnFailure}, a participant the owner may still add after a failure is dropped.
   */
  private FocusParticipant relay(
      String owner,
      ParticipantEvents events,
      boolean leaveOnFailure,
      java.util.function.Function<String, RelayMessage.ToOwner> message)
      throws FocusException {
    String session = UUID.randomUUID().toString();
    var participant =
        new RelayedParticipant(session, owner, events, link, p -> relayed.remove(p.session(), p));
    // registered first: the owner's first events (joined, offer) come before its join result
    relayed.put(session, participant);
    RelayMessage.JoinResult result;
    try {
      RelayMessage.ToOwner m = message.apply(session);
      result = leaveOnFailure ? link.join(owner, m) : link.join(owner, m, resumeReplyTimeout());
    } catch (FocusException e) {
      relayed.remove(session);
      if (leaveOnFailure) {
        // should the owner still run the join, it drops the participant at once
        link.post(owner, new RelayMessage.Leave(session, LeaveReason.DISCONNECTED));
      } else {
        givenUpResumes.put(session, clock.instant());
      }
      throw e;
    }
    if (result.participantId() != null) {
      participant.established(result.participantId());
      LOG.debug("participant {} joined or resumed through node {}", result.participantId(), owner);
      return participant;
    }
    relayed.remove(session);
    if (result.failure() != null) {
      throw result.failure().toException();
    }
    if (result.owner() == null) {
      throw new FocusException(FocusException.Reason.INTERNAL, "node " + owner + " sent no result");
    }
    return null;
  }

  /** One message from the inbox, on the messaging client's thread: must not block. */
  private void received(String text) {
    RelayCodec.Envelope envelope;
    try {
      envelope = codec.decode(text);
    } catch (RelayCodec.UnreadableMessageException e) {
      LOG.warn("unreadable relay message dropped: {}", e.getMessage());
      return;
    }
    String from = envelope.from();
    lastHeardFrom.put(from, clock.instant());
    RelayMessage message = envelope.message();
    if (message instanceof RelayMessage.ToOwner request) {
      bySession.execute(request.session(), () -> host.handle(from, request));
    } else if (message instanceof RelayMessage.Event event) {
      RelayedParticipant p = relayed.get(event.session());
      if (p != null && p.owner().equals(from)) {
        p.deliver(event.event());
      } else if (!(event.event() instanceof RelayEvent.Removed)
          && !(event.event() instanceof RelayEvent.Moved)
          && !givenUpResumes.containsKey(event.session())) {
        // a participant this node no longer has (it left, or its join timed out)
        link.post(from, new RelayMessage.Leave(event.session(), LeaveReason.DISCONNECTED));
      }
    } else if (message instanceof RelayMessage.JoinResult result) {
      if (!link.joinResult(result)
          && result.participantId() != null
          && !givenUpResumes.containsKey(result.session())) {
        link.post(from, new RelayMessage.Leave(result.session(), LeaveReason.DISCONNECTED));
      }
    } else if (message instanceof RelayMessage.Result result) {
      link.result(result);
    } else if (message instanceof RelayMessage.CloseRoom close) {
      hostPool.execute(() -> closeRoomHere(from, close.roomId()));
    } else if (message instanceof RelayMessage.Ping ping) {
      link.post(from, host.ping(from, ping));
    } else if (message instanceof RelayMessage.Pong pong) {
      for (String session : pong.unknown()) {
        RelayedParticipant p = relayed.get(session);
        if (p != null && p.owner().equals(from)) {
          LOG.info("node {} no longer hosts participant {}", from, p.id());
          p.lost(LeaveReason.DISCONNECTED);
        }
      }
    }
  }

  private void heartbeatSafely() {
    try {
      heartbeat();
    } catch (RuntimeException e) {
      LOG.warn("relay heartbeat failed", e);
    }
  }

  /**
   * Pings every owner that hosts participants of this node, drops those of owners silent longer
   * than the heartbeat timeout, and removes hosted participants whose origin went silent.
   */
  void heartbeat() {
    Instant cutoff = clock.instant().minus(settings.heartbeatTimeout());
    // by now the owner dropped what a given-up resume left there (no pings name it)
    givenUpResumes.values().removeIf(at -> at.isBefore(cutoff));
    Map<String, List<RelayedParticipant>> byOwner = new HashMap<>();
    for (RelayedParticipant p : relayed.values()) {
      if (p.established()) {
        byOwner.computeIfAbsent(p.owner(), o -> new ArrayList<>()).add(p);
      }
    }
    byOwner.forEach(
        (owner, participants) -> {
          Instant heard = lastHeardFrom.getOrDefault(owner, Instant.MIN);
          if (heard.isBefore(cutoff)) {
            LOG.warn(
                "node {} has been silent since {}: its {} relayed participants reconnect",
                owner,
                heard,
                participants.size());
            for (RelayedParticipant p : participants) {
              // their media goes on; their sessions resume wherever the conference runs next
              p.moved();
              link.post(owner, new RelayMessage.Leave(p.session(), LeaveReason.TIMEOUT));
            }
          } else {
            link.post(
                owner,
                new RelayMessage.Ping(
                    participants.stream().map(RelayedParticipant::session).toList()),
                () -> ownerGone(owner));
          }
        });
    host.sweep(bySession::execute);
  }

  /**
   * Nobody listens on the owner's inbox any more: its process is gone (a killed node's port refuses
   * connections, and its address is gone from Redis), so its participants need not wait out the
   * heartbeat timeout. Their sockets reconnect and resume wherever the conference runs next.
   */
  private void ownerGone(String owner) {
    List<RelayedParticipant> gone =
        relayed.values().stream().filter(p -> p.established() && p.owner().equals(owner)).toList();
    if (!gone.isEmpty()) {
      LOG.warn(
          "nobody listens on node {}'s inbox (it died): its {} relayed participants reconnect",
          owner,
          gone.size());
    }
    gone.forEach(RelayedParticipant::moved);
  }

  /**
   * {@inheritDoc}
   *
   * <p>The participants whose sockets are here and whose conferences run elsewhere are told to
   * reconnect too, without leaving: they resume on another node.
   */
  @Override
  public void handOver() {
    local.handOver();
    for (RelayedParticipant p : List.copyOf(relayed.values())) {
      p.moved();
    }
  }

  /** Participants whose sockets are on this node and whose conferences run on other nodes. */
  public int relayedOut() {
    return relayed.size();
  }

  /** Participants hosted here for sockets on other nodes. */
  public int relayedIn() {
    return host.size();
  }

  @Override
  public void close() {
    timer.shutdownNow();
    host.close();
    relayed.values().forEach(p -> p.leave(LeaveReason.DISCONNECTED));
    try {
      inbox.close();
    } catch (RuntimeException e) {
      LOG.debug("closing the relay inbox failed: {}", e.toString());
    }
    hostPool.shutdownNow();
  }
}
