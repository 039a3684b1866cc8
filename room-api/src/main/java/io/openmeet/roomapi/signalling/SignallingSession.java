package io.openmeet.roomapi.signalling;

import io.openmeet.focus.conference.Focus;
import io.openmeet.focus.conference.FocusException;
import io.openmeet.focus.conference.FocusParticipant;
import io.openmeet.focus.conference.JoinRequest;
import io.openmeet.focus.conference.LeaveReason;
import io.openmeet.focus.conference.Moderation;
import io.openmeet.focus.conference.ParticipantEvents;
import io.openmeet.focus.conference.ParticipantInfo;
import io.openmeet.focus.text.InvalidTextException;
import io.openmeet.presence.redis.RedisReachability;
import io.openmeet.roomapi.audit.AuditEvent;
import io.openmeet.roomapi.lobby.LobbyException;
import io.openmeet.roomapi.lobby.LobbyService;
import io.openmeet.roomapi.service.RetryHint;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * One participant's signalling session: decodes its frames, drives its {@link FocusParticipant},
 * and turns focus events into frames. It outlives its socket: when the socket drops without
 * `leave`, the session is detached (parked) and a new socket may resume it with the resume token.
 * Frames arrive one at a time; events may come from any thread.
 */
final class SignallingSession implements ParticipantEvents {

  private static final Logger LOG = Logger.getLogger(SignallingSession.class);

  /** Where frames go, and how the socket is closed. */
  interface Transport {
    /** The socket's id. */
    String id();

    /** False once the socket is closed, whether or not its close event has been handled. */
    boolean isOpen();

    void send(String frame);

    /** Closes with an RFC 6455 status code and a short reason. */
    void close(int code, String reason);

    /** Closes normally (1000). */
    default void close(String reason) {
      close(1000, reason);
    }
  }

  /** The registry's side of resume tokens. */
  interface Resumption {
    /** A new single-use token for the session; null if off. The caller revokes the previous one. */
    String issue(SignallingSession session);

    /**
     * A new token for participant {@code participantId}, also redeemable on other nodes where the
     * registry shares tokens (Redis).
     */
    default String issue(SignallingSession session, String participantId) {
      return issue(session);
    }

    /**
     * This node forgets the token, but another node may still redeem it (the conference moved: the
     * browser resumes wherever it runs now).
     */
    default void forget(String token) {
      revoke(token);
    }

    /** The token stops working (the participant left). */
    void revoke(String token);

    /**
     * Moves the participant behind {@code token} onto {@code fresh}'s socket and sends it `joined`
     * and a new offer.
     *
     * @throws SignallingException INVALID_TOKEN when the token is unknown, used, expired, or for
     *     another room or user
     */
    void resume(String token, JoinRequest request, SignallingSession fresh)
        throws SignallingException, FocusException;
  }

  private final String room;
  private final MessageCodec codec;
  private final JoinAuthorizer authorizer;
  private final Focus focus;
  private final Clock clock;
  private final FrameRateLimiter rateLimiter;
  private final SignallingMetrics metrics;
  private final TurnCredentials turn;
  private final Resumption resumption;
  private final ConnectionAttempts attempts;
  private final Consumer<AuditEvent> audit;
  // the address of the socket the participant is on now (a resume moves it)
  private volatile String clientAddress;

  /** The others in the conference, kept current so that a resumed socket gets them in `joined`. */
  private final Map<String, ParticipantInfo> roster = new LinkedHashMap<>();

  private volatile Transport transport;
  private volatile long joinStartedNanos;
  private volatile boolean counted;
  private volatile FocusParticipant participant;
  private volatile JoinRequest request;
  // the join frame whose token admitted the participant (on a resume, the latest one)
  private volatile ClientMessage.Join admittedWith;
  private volatile Instant lastSeen;
  private final Instant openedAt;
  private volatile boolean joining;
  private volatile boolean ended;
  private volatile String resumeToken;
  // this node is shutting down (set before its conferences are handed over)
  private volatile boolean shuttingDown;
  private volatile String lastOfferUfrag = "";
  // the lobby, when the node has one (unit tests build sessions without it)
  private volatile LobbyService lobby;
  private final Object lobbyLock = new Object();
  // frames are handled one at a time; an admitted waiter's join (on a lobby thread) holds this too,
  // so that its `answer` is handled after the join made it a participant
  private final Object frameLock = new Object();
  // while waiting in the lobby: the waiter id (null otherwise)
  private volatile String waiterId;
  // while a moderator is in the conference: its presence for the lobby
  private volatile LobbyService.Presence moderatorPresence;
  // while detached: until when a resume is accepted, and why the participant leaves after that
  private Instant parkedUntil;
  private LeaveReason parkedReason;

  SignallingSession(
      String room,
      MessageCodec codec,
      JoinAuthorizer authorizer,
      Focus focus,
      Transport transport,
      Clock clock,
      FrameRateLimiter rateLimiter,
      SignallingMetrics metrics,
      TurnCredentials turn,
      Resumption resumption,
      String clientAddress,
      Consumer<AuditEvent> audit) {
    this.room = room;
    this.clientAddress = clientAddress;
    this.audit = audit;
    this.codec = codec;
    this.authorizer = authorizer;
    this.focus = focus;
    this.transport = transport;
    this.clock = clock;
    this.rateLimiter = rateLimiter;
    this.metrics = metrics;
    this.turn = turn;
    this.resumption = resumption;
    this.attempts = new ConnectionAttempts(metrics);
    this.lastSeen = clock.instant();
    this.openedAt = lastSeen;
  }

  /** Non-moderators of rooms with a lobby wait there before they join. */
  void useLobby(LobbyService lobby) {
    this.lobby = lobby;
  }

  /**
   * Whether the socket opened before {@code cutoff} and has neither joined nor is joining nor waits
   * in the lobby.
   */
  boolean notJoinedSince(Instant cutoff) {
    return participant == null
        && !joining
        && !ended
        && waiterId == null
        && openedAt.isBefore(cutoff);
  }

  /** This node shuts down: a `reconnect` that follows says so. */
  void shuttingDown() {
    shuttingDown = true;
  }

  /** The verified join of this session's participant; null before it joined. */
  JoinRequest request() {
    return request;
  }

  /** The socket did not join in time: tell the browser and close it (1008). */
  void joinTimedOut() {
    sendError(SignallingError.JOIN_TIMEOUT, "no join within the join timeout; closing");
    closeSocket(SignallingSessions.POLICY_VIOLATION, SignallingError.JOIN_TIMEOUT.code());
  }

  /** When the browser last sent a frame. */
  Instant lastSeen() {
    return lastSeen;
  }

  /** The participant id once joined, else null. */
  String participantId() {
    FocusParticipant p = participant;
    return p == null ? null : p.id();
  }

  /** The socket this session sends on, or null while detached. */
  Transport transport() {
    return transport;
  }

  /** Handles one text frame; every failure is answered with an `error` frame. */
  void onFrame(String frame) {
    lastSeen = clock.instant();
    try {
      if (!rateLimiter.tryAcquire()) {
        throw new SignallingException(SignallingError.RATE_LIMITED, "too many frames; slow down");
      }
      ClientMessage message = codec.decode(frame);
      synchronized (frameLock) {
        handle(message);
      }
    } catch (SignallingException e) {
      sendError(e.error(), e.getMessage());
    } catch (FocusException e) {
      sendError(errorFor(e.reason()), e.getMessage());
    } catch (InvalidTextException e) {
      // the focus holds names to the same policy again (JoinRequest)
      sendError(SignallingError.INVALID_TEXT, e.getMessage());
    } catch (RuntimeException e) {
      if (RedisReachability.unreachable(e)) {
        LOG.debugf("signalling frame in room %s failed, Redis is unreachable: %s", room, e);
        sendError(SignallingError.SERVICE_UNAVAILABLE, "shared state (Redis) is unreachable");
        return;
      }
      LOG.errorf(e, "signalling frame failed in room %s", room);
      sendError(SignallingError.INTERNAL, "the server failed to handle this frame");
    }
  }

  private void handle(ClientMessage message) throws SignallingException, FocusException {
    if (message instanceof ClientMessage.Ping ping) {
      send(new ServerMessage.Pong(ping.ts().orElse(null)));
      return;
    }
    if (message instanceof ClientMessage.Join join) {
      if (participant != null) {
        throw new SignallingException(SignallingError.UNEXPECTED_MESSAGE, "already joined");
      }
      if (waiterId != null || joining) {
        throw new SignallingException(
            SignallingError.UNEXPECTED_MESSAGE, "already waiting in the lobby or joining");
      }
      joining = true;
      try {
        join(join);
      } finally {
        joining = false;
      }
      return;
    }
    if (message instanceof ClientMessage.LobbyDecision
        || message instanceof ClientMessage.LobbyAdmitAll) {
      decideLobby(message);
      return;
    }
    if (participant == null && waiterId != null) {
      if (message instanceof ClientMessage.Leave) {
        finish();
        closeSocket("left");
        return;
      }
      throw new SignallingException(
          SignallingError.UNEXPECTED_MESSAGE,
          "you are waiting in the lobby: `" + typeOf(message) + "` after a moderator lets you in");
    }
    FocusParticipant p = participant;
    if (p == null) {
      throw new SignallingException(
          SignallingError.UNEXPECTED_MESSAGE, "send `join` before `" + typeOf(message) + "`");
    }
    if (message instanceof ClientMessage.Answer answer) {
      String ufrag = lastOfferUfrag;
      p.answer(answer.sdp());
      attempts.answered(ufrag);
    } else if (message instanceof ClientMessage.IceCandidate c) {
      p.iceCandidate(c.candidate(), c.sdpMid().orElse(null));
    } else if (message instanceof ClientMessage.IceState s) {
      attempts.reported(s.state());
    } else if (message instanceof ClientMessage.MediaState s) {
      p.mediaState(s.audio(), s.video(), s.screen());
    } else if (message instanceof ClientMessage.Chat chat) {
      p.chat(chat.text());
    } else if (message instanceof ClientMessage.Moderate m) {
      moderate(p, m);
    } else if (message instanceof ClientMessage.RaiseHand h) {
      p.raiseHand(h.raised());
    } else if (message instanceof ClientMessage.EndMeeting) {
      p.endMeeting();
      audited(AuditEvent.MEETING_END, null);
    } else if (message instanceof ClientMessage.P2pDescription d) {
      p.p2pDescription(d.sessionId(), d.kind(), d.sdp());
    } else if (message instanceof ClientMessage.P2pCandidate c) {
      p.p2pCandidate(
          c.sessionId(), c.candidate(), c.sdpMid().orElse(null), c.sdpMLineIndex().orElse(null));
    } else if (message instanceof ClientMessage.P2pState st) {
      p.p2pState(st.sessionId(), st.connected());
    } else if (message instanceof ClientMessage.P2pVideo v) {
      p.p2pVideo(v.sessionId(), v.receive());
    } else if (message instanceof ClientMessage.IceRestart) {
      attempts.restarted();
      p.iceRestart();
    } else if (message instanceof ClientMessage.Leave) {
      p.leave(LeaveReason.LEAVE);
      finish();
      closeSocket("left");
    }
  }

  private void moderate(FocusParticipant p, ClientMessage.Moderate m) throws FocusException {
    boolean video = m.media() == Moderation.Media.VIDEO;
    switch (m.action()) {
      case MUTE -> {
        p.forceMute(m.participantId(), m.media(), true);
        audited(
            video ? AuditEvent.PARTICIPANT_MUTE_VIDEO : AuditEvent.PARTICIPANT_MUTE,
            m.participantId());
      }
      case ALLOW_UNMUTE -> {
        p.forceMute(m.participantId(), m.media(), false);
        audited(AuditEvent.PARTICIPANT_UNMUTE_ALLOW, m.participantId());
      }
      case LOWER_HAND -> p.lowerHand(m.participantId());
      case KICK -> {
        p.kick(m.participantId());
        audited(AuditEvent.PARTICIPANT_KICK, m.participantId());
      }
    }
  }

  /** A moderator admits or denies a waiter, or admits all; the lobby audits the decisions. */
  private void decideLobby(ClientMessage message) throws SignallingException {
    JoinRequest r = request;
    if (participant == null || r == null || !r.moderator()) {
      throw new SignallingException(
          SignallingError.NOT_MODERATOR, "only moderators in the call may admit or deny");
    }
    LobbyService l = lobby;
    if (l == null) {
      throw new SignallingException(SignallingError.NO_LOBBY, "this server has no lobby");
    }
    var actor = new LobbyService.Actor(actorOf(r), clientAddress);
    try {
      if (message instanceof ClientMessage.LobbyDecision d && d.admit()) {
        l.admit(r.roomId(), d.participantId(), actor);
      } else if (message instanceof ClientMessage.LobbyDecision d) {
        l.deny(r.roomId(), d.participantId(), actor);
      } else {
        l.admitAll(r.roomId(), actor);
      }
    } catch (LobbyException e) {
      throw new SignallingException(
          e.reason() == LobbyException.Reason.NOT_IN_LOBBY
              ? SignallingError.NOT_IN_LOBBY
              : SignallingError.NO_LOBBY,
          e.getMessage());
    }
  }

  private static String actorOf(JoinRequest r) {
    return r.userId().map(java.util.UUID::toString).orElse(r.subject());
  }

  /** Records a moderator action that succeeded; the audit log never blocks or throws. */
  private void audited(String action, String targetParticipant) {
    JoinRequest r = request;
    String actor = r == null ? null : actorOf(r);
    audit.accept(
        AuditEvent.of(
            actor, action, r == null ? null : r.roomId(), targetParticipant, null, clientAddress));
  }

  private void join(ClientMessage.Join join) throws SignallingException, FocusException {
    Optional<String> resume = join.resumeToken();
    if (resume.isPresent() && resumption != null) {
      JoinRequest authorized = authorizer.authorize(room, join);
      admittedWith = join;
      resumption.resume(resume.get(), authorized, this);
      return;
    }
    joinStartedNanos = System.nanoTime();
    try {
      JoinRequest authorized = authorizer.authorize(room, join);
      request = authorized;
      admittedWith = join;
      LobbyService l = lobby;
      if (l != null && !authorized.moderator() && l.lobbyEnabled(authorized.roomId())) {
        waitInLobby(l, authorized);
        return;
      }
      FocusParticipant joined = focus.join(authorized, this);
      participant = joined;
      if (ended) {
        // the socket closed while the join was in progress: nobody can resume it
        joined.leave(LeaveReason.DISCONNECTED);
        finish();
      }
    } catch (SignallingException e) {
      metrics.joinFailed(e.error());
      throw e;
    } catch (FocusException e) {
      metrics.joinFailed(errorFor(e.reason()));
      throw e;
    } catch (RuntimeException e) {
      metrics.joinFailed(
          RedisReachability.unreachable(e)
              ? SignallingError.SERVICE_UNAVAILABLE
              : SignallingError.INTERNAL);
      throw e;
    }
  }

  /** Enters the room's lobby: no conference, no media, no chat until a moderator admits. */
  private void waitInLobby(LobbyService l, JoinRequest r) {
    synchronized (lobbyLock) {
      String id = l.enter(r.roomId(), r.displayName(), new Waiting());
      waiterId = id;
      send(
          new ServerMessage.LobbyWaiting(
              id, r.roomId().toString(), l.moderatorPresent(r.roomId())));
    }
    LOG.debugf("%s waits in the lobby of room %s", r.subject(), r.roomId());
  }

  /** What the lobby tells this session while it waits. */
  private final class Waiting implements LobbyService.WaitingSession {
    @Override
    public void moderatorPresent(boolean present) {
      synchronized (lobbyLock) {
        String id = waiterId;
        JoinRequest r = request;
        if (id != null && r != null) {
          send(new ServerMessage.LobbyWaiting(id, r.roomId().toString(), present));
        }
      }
    }

    @Override
    public void admitted() {
      admittedFromLobby();
    }

    @Override
    public void denied() {
      deniedFromLobby();
    }
  }

  /** A moderator let this waiter in: it joins the conference like any join. */
  private void admittedFromLobby() {
    synchronized (lobbyLock) {
      if (waiterId == null || ended) {
        return;
      }
      waiterId = null;
      joining = true;
    }
    joinStartedNanos = System.nanoTime();
    try {
      synchronized (frameLock) {
        FocusParticipant joined = focus.join(request, this);
        participant = joined;
        if (ended) {
          joined.leave(LeaveReason.DISCONNECTED);
          finish();
        }
      }
    } catch (FocusException e) {
      metrics.joinFailed(errorFor(e.reason()));
      sendError(errorFor(e.reason()), "admitted, but the join failed: " + e.getMessage());
      finish();
      closeSocket(errorFor(e.reason()).code());
    } catch (RuntimeException e) {
      SignallingError error =
          RedisReachability.unreachable(e)
              ? SignallingError.SERVICE_UNAVAILABLE
              : SignallingError.INTERNAL;
      LOG.errorf(e, "joining an admitted waiter to room %s failed", room);
      sendError(error, "admitted, but the join failed");
      finish();
      closeSocket(error.code());
    } finally {
      joining = false;
    }
  }

  /** A moderator turned this waiter away: its token is refused for the room, the socket closes. */
  private void deniedFromLobby() {
    synchronized (lobbyLock) {
      if (waiterId == null || ended) {
        return;
      }
      waiterId = null;
    }
    ClientMessage.Join with = admittedWith;
    if (with != null) {
      try {
        authorizer.denied(room, with);
      } catch (RuntimeException e) {
        LOG.warnf(e, "could not refuse the token of a denied waiter in room %s", room);
      }
    }
    send(new ServerMessage.LobbyDenied("a moderator did not let you in"));
    finish();
    closeSocket("lobby-denied");
  }

  /** What the lobby tells a moderator. */
  private final class Moderating implements LobbyService.ModeratorSession {
    @Override
    public void knocked(String id, String displayName) {
      send(new ServerMessage.LobbyRequest(id, displayName));
    }

    @Override
    public void left(String id, String reason) {
      send(new ServerMessage.LobbyLeft(id, reason));
    }
  }

  /** The participant leaves now (idempotent): the socket closed for good, or the window passed. */
  void ended(LeaveReason reason) {
    FocusParticipant p = participant;
    if (p != null) {
      p.leave(reason);
    }
    finish();
  }

  /**
   * The socket {@code connectionId} went away without `leave`. With a resume window ({@code until}
   * not null) a joined participant stays in the conference, detached, and this answers true;
   * otherwise it leaves now. A socket already replaced by a resumed one changes nothing.
   */
  boolean detach(String connectionId, LeaveReason reason, Instant until) {
    synchronized (this) {
      Transport t = transport;
      if (t == null || !t.id().equals(connectionId)) {
        return false;
      }
      transport = null;
      if (ended) {
        return false;
      }
      if (participant != null && until != null) {
        parkedUntil = until;
        parkedReason = reason;
        return true;
      }
    }
    ended(reason);
    return false;
  }

  /**
   * The browser closed socket {@code connectionId} on purpose (close 1000 or 1001) without sending
   * `leave` first: that is a leave, and the seat is free at once. A socket already replaced by a
   * resumed one changes nothing.
   */
  void closedCleanly(String connectionId) {
    synchronized (this) {
      Transport t = transport;
      if (t == null || !t.id().equals(connectionId)) {
        return;
      }
      transport = null;
      if (ended) {
        return;
      }
    }
    ended(LeaveReason.LEAVE);
  }

  /** A detached session whose window has passed leaves; answers whether it is done with. */
  boolean expireIfDue(Instant now) {
    LeaveReason reason;
    synchronized (this) {
      if (ended) {
        return true;
      }
      if (transport != null) {
        return true; // resumed: no longer parked
      }
      if (now.isBefore(parkedUntil)) {
        return false;
      }
      reason = parkedReason;
    }
    metrics.resume("expired");
    ended(reason);
    return true;
  }

  /** Whether this session's participant may be resumed by a join with {@code other}'s token. */
  boolean resumableBy(JoinRequest other) {
    JoinRequest r = request;
    return participant != null
        && r != null
        && r.roomId().equals(other.roomId())
        && r.subject().equals(other.subject());
  }

  /**
   * Puts the session on a new socket; answers the socket it was on (still open when the browser
   * gave up on it before the server noticed), or null when it was detached.
   *
   * @throws SignallingException INVALID_TOKEN when the participant has left or the window passed
   */
  /** The join frame that admitted {@code fresh}'s socket now stands for this participant. */
  void admittedBy(SignallingSession fresh) {
    if (fresh.admittedWith != null) {
      admittedWith = fresh.admittedWith;
    }
    clientAddress = fresh.clientAddress;
  }

  synchronized Transport reattach(Transport fresh, Instant now) throws SignallingException {
    Transport previous = transport;
    if (ended || (previous == null && !now.isBefore(parkedUntil))) {
      throw new SignallingException(
          SignallingError.INVALID_TOKEN, "the resume token has expired; join without it");
    }
    transport = fresh;
    parkedUntil = null;
    parkedReason = null;
    lastSeen = now;
    return previous;
  }

  /**
   * A resume token from another node (shared in Redis) names {@code participantId}: the focus
   * continues that participant on this socket (`joined` and an offer follow as events).
   */
  void resumeShared(String participantId, JoinRequest authorized) throws FocusException {
    joinStartedNanos = System.nanoTime();
    request = authorized;
    FocusParticipant resumed =
        focus.resume(authorized.roomId(), participantId, authorized.subject(), this);
    participant = resumed;
    if (ended) {
      resumed.leave(LeaveReason.DISCONNECTED);
      finish();
    }
  }

  /** After {@link #reattach}: `joined` with who is here now, then the current offer again. */
  void resumed() throws FocusException {
    FocusParticipant p = participant;
    List<ParticipantInfo> others;
    synchronized (roster) {
      others = new ArrayList<>(roster.values());
    }
    sendJoined(p.id(), others);
    p.offerAgain();
  }

  private void finish() {
    ended = true;
    leaveLobby();
    attempts.ended();
    String token = resumeToken;
    if (token != null && resumption != null) {
      resumption.revoke(token);
    }
    uncount();
  }

  /** A waiter leaves the lobby, a moderator stops counting as present; never throws. */
  private void leaveLobby() {
    LobbyService l = lobby;
    if (l == null) {
      return;
    }
    String id;
    synchronized (lobbyLock) {
      id = waiterId;
      waiterId = null;
    }
    JoinRequest r = request;
    try {
      if (id != null && r != null) {
        l.leave(r.roomId(), id);
      }
    } catch (RuntimeException e) {
      LOG.warnf("could not take waiter %s out of the lobby (it lapses): %s", id, e.toString());
    }
    LobbyService.Presence presence = moderatorPresence;
    if (presence != null) {
      moderatorPresence = null;
      presence.close();
    }
  }

  private synchronized void uncount() {
    if (counted) {
      counted = false;
      metrics.left(region());
    }
  }

  private String region() {
    JoinRequest r = request;
    return r == null ? "unknown" : r.region().orElse("default");
  }

  /** The session saw no frame within the ping timeout: tell the browser and close the socket. */
  void timedOut() {
    sendError(SignallingError.INVALID_MESSAGE, "no ping within the timeout; closing");
    Transport t = transport;
    if (t != null) {
      t.close("ping timeout");
    }
  }

  // --- focus events → frames

  @Override
  public void joined(String participantId, List<ParticipantInfo> others) {
    synchronized (roster) {
      roster.clear();
      others.forEach(o -> roster.put(o.participantId(), o));
    }
    sendJoined(participantId, others);
  }

  private void sendJoined(String participantId, List<ParticipantInfo> others) {
    JoinRequest r = request;
    String token = null;
    if (resumption != null) {
      String previous = resumeToken;
      if (previous != null) {
        resumption.revoke(previous); // single use: the previous token stops working
      }
      token = resumption.issue(this, participantId);
    }
    resumeToken = token;
    send(
        new ServerMessage.Joined(
            MessageCodec.PROTOCOL_VERSION,
            participantId,
            r.roomId().toString(),
            r.moderator(),
            others.stream().map(SignallingSession::view).toList(),
            turn.forUser(r.subject()),
            token));
    LobbyService l = lobby;
    if (l != null && r.moderator() && moderatorPresence == null && !ended) {
      // after `joined`: the moderator hears of those waiting as `lobby-request`s
      moderatorPresence = l.moderatorArrived(r.roomId(), participantId, new Moderating());
    }
  }

  @Override
  public void offer(String sdp, String bridgeChannelUrl) {
    lastOfferUfrag = ConnectionAttempts.iceUfrag(sdp);
    send(new ServerMessage.Offer(sdp, bridgeChannelUrl));
    synchronized (this) {
      if (!counted && joinStartedNanos != 0) {
        counted = true;
        metrics.joined(region(), (System.nanoTime() - joinStartedNanos) / 1e6);
        joinStartedNanos = 0;
      }
    }
  }

  @Override
  public void participantJoined(ParticipantInfo p) {
    synchronized (roster) {
      roster.put(p.participantId(), p);
    }
    send(new ServerMessage.ParticipantJoined(view(p)));
  }

  @Override
  public void participantLeft(String participantId, LeaveReason reason) {
    synchronized (roster) {
      roster.remove(participantId);
    }
    send(new ServerMessage.ParticipantLeft(participantId, reason.code()));
  }

  @Override
  public void mediaState(String participantId, boolean audio, boolean video, boolean screen) {
    synchronized (roster) {
      roster.computeIfPresent(participantId, (id, p) -> p.withMedia(audio, video, screen));
    }
    send(new ServerMessage.MediaState(participantId, audio, video, screen));
  }

  @Override
  public void forceMuted(
      String participantId, boolean audio, boolean video, String byParticipantId) {
    synchronized (roster) {
      roster.computeIfPresent(participantId, (id, p) -> p.withForceMute(audio, video));
    }
    send(new ServerMessage.ForceMuted(participantId, audio, video, byParticipantId));
  }

  @Override
  public void handRaised(String participantId, long raisedAt, String byParticipantId) {
    synchronized (roster) {
      roster.computeIfPresent(participantId, (id, p) -> p.withHand(raisedAt));
    }
    send(
        new ServerMessage.HandRaised(
            participantId, raisedAt != 0, raisedAt == 0 ? null : raisedAt, byParticipantId));
  }

  @Override
  public void chat(String from, String displayName, String text, long timestampMillis) {
    send(new ServerMessage.Chat(from, displayName, text, timestampMillis));
  }

  @Override
  public void p2pStart(String sessionId, String peerId, boolean initiator) {
    send(new ServerMessage.P2pStart(sessionId, peerId, initiator));
  }

  @Override
  public void p2pActive(String sessionId) {
    send(new ServerMessage.P2pActive(sessionId));
  }

  @Override
  public void p2pStop(String sessionId, String reason) {
    send(new ServerMessage.P2pStop(sessionId, reason));
  }

  @Override
  public void p2pDescription(String sessionId, String from, String kind, String sdp) {
    send(new ServerMessage.P2pDescription("p2p-" + kind, sessionId, from, sdp));
  }

  @Override
  public void p2pCandidate(
      String sessionId, String from, String candidate, String sdpMid, Integer sdpMLineIndex) {
    send(new ServerMessage.P2pCandidate(sessionId, from, candidate, sdpMid, sdpMLineIndex));
  }

  @Override
  public void p2pVideo(String sessionId, String from, boolean receive) {
    send(new ServerMessage.P2pVideo(sessionId, from, receive));
  }

  @Override
  public void muted(String byParticipantId) {
    send(new ServerMessage.Muted(byParticipantId));
  }

  @Override
  public void removed(LeaveReason reason) {
    if (reason == LeaveReason.KICKED && admittedWith != null) {
      try {
        authorizer.kicked(room, admittedWith); // the same token may not come back
      } catch (RuntimeException e) {
        LOG.warnf(e, "could not ban the token of kicked participant %s", participantId());
      }
    }
    send(new ServerMessage.ParticipantLeft(participantId(), reason.code()));
    finish();
    closeSocket(reason.code());
  }

  /**
   * This node no longer hosts the participant's conference; the participant did not leave and its
   * media goes on. The socket closes with 1012 (service restart): the browser reconnects and
   * resumes with its token wherever the conference runs now.
   */
  @Override
  public void conferenceMoved() {
    send(new ServerMessage.Reconnect(shuttingDown ? "node-shutdown" : "conference-moved"));
    String token = resumeToken;
    if (token != null && resumption != null) {
      resumeToken = null;
      resumption.forget(token); // redeemable on the node that hosts the conference next
    }
    finish();
    closeSocket(SignallingSessions.SERVICE_RESTART, "conference moved; reconnect");
  }

  private static ServerMessage.Participant view(ParticipantInfo p) {
    return new ServerMessage.Participant(
        p.participantId(),
        p.displayName(),
        p.moderator(),
        p.audio(),
        p.video(),
        p.screen(),
        p.audioForceMuted(),
        p.videoForceMuted(),
        p.handRaisedAt() == 0 ? null : p.handRaisedAt());
  }

  private void sendError(SignallingError error, String message) {
    send(
        error == SignallingError.SERVICE_UNAVAILABLE
            ? ServerMessage.Error.retryable(
                error, message, RetryHint.SERVICE_UNAVAILABLE.toMillis())
            : ServerMessage.Error.of(error, message));
  }

  private void send(ServerMessage message) {
    Transport t = transport;
    if (t != null && !ended) {
      t.send(codec.encode(message));
    }
  }

  private void closeSocket(String reason) {
    closeSocket(1000, reason);
  }

  private void closeSocket(int code, String reason) {
    ended = true;
    Transport t = transport;
    if (t != null) {
      t.close(code, reason);
    }
  }

  static SignallingError errorFor(FocusException.Reason reason) {
    return switch (reason) {
      case ROOM_FULL -> SignallingError.ROOM_FULL;
      case ROOM_CLOSED -> SignallingError.ROOM_NOT_FOUND;
      case NO_BRIDGE -> SignallingError.NO_BRIDGE;
      case INVALID_SDP -> SignallingError.INVALID_SDP;
      case UNEXPECTED -> SignallingError.UNEXPECTED_MESSAGE;
      case NOT_MODERATOR -> SignallingError.NOT_MODERATOR;
      case NO_P2P_SESSION -> SignallingError.NO_P2P_SESSION;
      case UNKNOWN_PARTICIPANT, INVALID_INPUT -> SignallingError.INVALID_MESSAGE;
      case UNAVAILABLE -> SignallingError.SERVICE_UNAVAILABLE;
      case INTERNAL -> SignallingError.INTERNAL;
    };
  }

  private static String typeOf(ClientMessage m) {
    // record names map to the wire types: IceCandidate -> ice-candidate
    return m.getClass()
        .getSimpleName()
        .replaceAll("([a-z])([A-Z])", "$1-$2")
        .toLowerCase(Locale.ROOT);
  }
}
