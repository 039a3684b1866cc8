package io.openmeet.roomapi.signalling;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.openmeet.focus.conference.Focus;
import io.openmeet.focus.conference.FocusException;
import io.openmeet.focus.conference.JoinRequest;
import io.openmeet.focus.conference.LeaveReason;
import io.openmeet.presence.session.RedisResumeTokens;
import io.openmeet.presence.session.ResumeTokens;
import io.openmeet.roomapi.audit.AuditEvent;
import io.openmeet.roomapi.audit.AuditLog;
import io.openmeet.roomapi.lobby.LobbyService;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.WebSocketConnection;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jboss.logging.Logger;
import org.redisson.api.RedissonClient;

/**
 * The signalling sessions of this node: those on an open socket, those detached within their resume
 * window, the resume tokens that lead back to them, and the sweeper that enforces the ping timeout
 * and the window. Tokens lead to this node's sessions and are shared through Redis, so that a
 * browser whose node died (or handed its conference on) resumes on any other node.
 */
@ApplicationScoped
public class SignallingSessions implements SignallingSession.Resumption {

  private static final Logger LOG = Logger.getLogger(SignallingSessions.class);

  /** RFC 6455 close code 1008: the peer broke a policy (a limit). */
  static final int POLICY_VIOLATION = 1008;

  /** RFC 6455 close codes of a socket closed on purpose. */
  static final int NORMAL_CLOSURE = 1000;

  static final int GOING_AWAY = 1001;

  /** RFC 6455 1006: the connection dropped without a close frame (never sent on the wire). */
  static final int ABNORMAL_CLOSURE = 1006;

  /**
   * RFC 6455 1012 (service restart): sent when this node stops hosting a participant's conference;
   * the browser reconnects, on any node, and resumes.
   */
  static final int SERVICE_RESTART = 1012;

  /** Sessions by the id of the socket they are on. */
  private final Map<String, SignallingSession> sessions = new ConcurrentHashMap<>();

  /** Detached sessions and the end of their resume window. */
  private final Map<SignallingSession, Instant> parked = new ConcurrentHashMap<>();

  private final Map<String, SignallingSession> byResumeToken = new ConcurrentHashMap<>();

  /** Sockets counted against the per-address cap, by socket id. */
  private final Map<String, Counted> counted = new ConcurrentHashMap<>();

  /** Open sockets per client address. */
  private final Map<String, Integer> socketsByAddress = new ConcurrentHashMap<>();

  private final SecureRandom random = new SecureRandom();
  private final SignallingConfig config;
  private final MessageCodec codec;
  private final JoinAuthorizer authorizer;
  private final Focus focus;
  private final SignallingMetrics metrics;
  private final TurnCredentials turn;
  private final Clock clock;
  // moderator actions go to the audit log when it is injected (unit tests build this without CDI)
  private Consumer<AuditEvent> audit = event -> {};
  private ScheduledExecutorService sweeper;
  // shutting down: sockets opened now are refused
  private volatile boolean draining;
  // held for the whole hand-over: the other shutdown path waits for it instead of ending sessions
  private final Object handOverLock = new Object();
  private boolean handedOver;
  // null in unit tests built without CDI: tokens are then redeemable on this node only
  private volatile ResumeTokens shared;

  /**
   * How long a shared token may be redeemed: tokens are issued at join and on every resume, and
   * revoked on leave, so this only bounds what a node that died leaves in Redis.
   */
  private static final Duration SHARED_TOKEN_TTL = Duration.ofHours(24);

  // null in unit tests built without CDI: nobody waits in a lobby there
  private LobbyService lobby;

  @Inject
  SignallingSessions(
      SignallingConfig config,
      ObjectMapper mapper,
      JoinAuthorizer authorizer,
      Focus focus,
      SignallingMetrics metrics,
      TurnCredentials turn) {
    this(config, mapper, authorizer, focus, metrics, turn, Clock.systemUTC());
  }

  SignallingSessions(
      SignallingConfig config,
      ObjectMapper mapper,
      JoinAuthorizer authorizer,
      Focus focus,
      SignallingMetrics metrics,
      TurnCredentials turn,
      Clock clock) {
    this.clock = clock;
    this.config = config;
    this.codec = new MessageCodec(mapper, config.maxFrameBytes());
    this.authorizer = authorizer;
    this.focus = focus;
    this.metrics = metrics;
    this.turn = turn;
  }

  /** Shares resume tokens through Redis, so that a browser may resume on any node. */
  @Inject
  void sharedTokens(RedissonClient redis) {
    this.shared = new RedisResumeTokens(redis);
  }

  @Inject
  void auditLog(AuditLog log) {
    this.audit = log::record;
  }

  @Inject
  void lobby(LobbyService lobby) {
    this.lobby = lobby;
  }

  void start(@Observes StartupEvent event) {
    if (io.quarkus.runtime.LaunchMode.current() == io.quarkus.runtime.LaunchMode.NORMAL) {
      Runtime.getRuntime().addShutdownHook(new Thread(this::handOver, "signalling-handover"));
    }
    sweeper =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "signalling-ping-sweeper");
              t.setDaemon(true);
              return t;
            });
    long every = config.sweepInterval().toMillis();
    sweeper.scheduleWithFixedDelay(this::sweep, every, every, TimeUnit.MILLISECONDS);
  }

  void stop(@Observes ShutdownEvent event) {
    if (sweeper != null) {
      sweeper.shutdownNow();
    }
    handOver();
    sessions.values().forEach(s -> s.ended(LeaveReason.DISCONNECTED));
    sessions.clear();
    parked.keySet().forEach(s -> s.ended(LeaveReason.DISCONNECTED));
    parked.clear();
  }

  /**
   * Graceful handover (SIGTERM): the conferences go to other nodes and the browsers reconnect and
   * resume there (their media goes on); what is left after it leaves as before. Runs once, from a
   * JVM shutdown hook registered at start, so that it comes before Quarkus closes the sockets (a
   * socket the server closes reads as a clean close, which would be a leave), and again from the
   * shutdown event. The JVM runs that hook and Quarkus's own (which fires the shutdown event) at
   * the same time: the second call waits until the hand-over is done, else the shutdown event ended
   * the sessions (a leave, their resume tokens revoked) while their conferences were still being
   * handed over, and every browser joined again as a new participant.
   */
  void handOver() {
    synchronized (handOverLock) {
      if (handedOver) {
        return;
      }
      handedOver = true;
      draining = true;
      sessions.values().forEach(SignallingSession::shuttingDown);
      parked.keySet().forEach(SignallingSession::shuttingDown);
      try {
        focus.handOver();
        LOG.info("conferences handed over; sockets told to reconnect elsewhere");
      } catch (RuntimeException e) {
        LOG.warnf(e, "handing the conferences over failed; their participants leave");
      }
    }
  }

  /** Number of open sessions on this node. */
  public int open() {
    return sessions.size();
  }

  /** Number of detached sessions waiting to be resumed. */
  public int detached() {
    return parked.size();
  }

  void opened(WebSocketConnection connection, String room, String clientAddress) {
    opened(new ConnectionTransport(connection), room, clientAddress);
  }

  /**
   * A socket opened: it gets a session, or, when its address is at the cap, a {@code
   * too-many-sockets} error and close 1008.
   */
  void opened(SignallingSession.Transport socket, String room, String clientAddress) {
    if (draining) {
      // the browser reconnects with back-off; the load balancer sends it to another node
      socket.close(SERVICE_RESTART, "node shutting down");
      return;
    }
    if (!admit(socket, clientAddress)) {
      metrics.socketClosed(SignallingError.TOO_MANY_SOCKETS.code());
      LOG.debugf("refused a signalling socket from %s: at the cap", clientAddress);
      socket.send(
          codec.encode(
              ServerMessage.Error.of(
                  SignallingError.TOO_MANY_SOCKETS,
                  "at most "
                      + config.maxSocketsPerAddress()
                      + " signalling sockets per address; close another first")));
      socket.close(POLICY_VIOLATION, SignallingError.TOO_MANY_SOCKETS.code());
      return;
    }
    var session =
        new SignallingSession(
            room,
            codec,
            authorizer,
            focus,
            socket,
            clock,
            new FrameRateLimiter(config.framesPerSecond(), config.frameBurst()),
            metrics,
            turn,
            config.resumeWindow().isZero() ? null : this,
            clientAddress,
            audit);
    if (lobby != null) {
      session.useLobby(lobby);
    }
    sessions.put(socket.id(), session);
  }

  void frame(WebSocketConnection connection, String frame) {
    frame(connection.id(), frame);
  }

  void frame(String connectionId, String frame) {
    SignallingSession session = sessions.get(connectionId);
    if (session != null) {
      session.onFrame(frame);
    }
  }

  void closed(WebSocketConnection connection, int code) {
    closed(connection.id(), code);
  }

  /** The socket closed abnormally (no close frame): the participant may resume. */
  void closed(String connectionId) {
    closed(connectionId, ABNORMAL_CLOSURE);
  }

  /**
   * The socket closed with RFC 6455 status {@code code}. A browser that closes on purpose (1000
   * normal, 1001 going away: the tab closed or navigated) has left, and its seat is free at once;
   * any other close (1006 a dropped connection, 4000 the app's keep-alive timeout) opens the resume
   * window.
   */
  void closed(String connectionId, int code) {
    uncount(connectionId);
    SignallingSession session = sessions.remove(connectionId);
    if (session != null) {
      if ((code == NORMAL_CLOSURE || code == GOING_AWAY) && !draining) {
        session.closedCleanly(connectionId);
      } else {
        release(session, connectionId, LeaveReason.DISCONNECTED);
      }
    }
  }

  /**
   * Counts the socket against its address's cap; false (and nothing counted) at the cap. At the
   * cap, sockets of that address that are closed but whose close event never came stop counting
   * first.
   */
  private boolean admit(SignallingSession.Transport socket, String address) {
    int max = config.maxSocketsPerAddress();
    if (max <= 0) {
      return true;
    }
    if (count(socket, address, max)) {
      return true;
    }
    int stale = 0;
    for (var e : counted.entrySet()) {
      if (e.getValue().address().equals(address) && !e.getValue().socket().isOpen()) {
        stale += uncount(e.getKey()) ? 1 : 0;
      }
    }
    if (stale > 0) {
      LOG.infof(
          "%d closed sockets of %s were still counted (no close event): not any more",
          stale, address);
    }
    return count(socket, address, max);
  }

  private boolean count(SignallingSession.Transport socket, String address, int max) {
    boolean[] admitted = {false};
    socketsByAddress.compute(
        address,
        (a, n) -> {
          int open = n == null ? 0 : n;
          if (open >= max) {
            return n;
          }
          admitted[0] = true;
          return open + 1;
        });
    if (admitted[0]) {
      counted.put(socket.id(), new Counted(address, socket));
    }
    return admitted[0];
  }

  /** The socket no longer counts against its address's cap; false if it did not count. */
  private boolean uncount(String socketId) {
    Counted c = counted.remove(socketId);
    if (c == null) {
      return false;
    }
    socketsByAddress.computeIfPresent(c.address(), (a, n) -> n <= 1 ? null : n - 1);
    return true;
  }

  /** A socket counted against its address's cap. */
  private record Counted(String address, SignallingSession.Transport socket) {}

  /** Open sockets of this address counted against the cap. */
  int socketsFrom(String address) {
    return socketsByAddress.getOrDefault(address, 0);
  }

  /** The socket is gone without `leave`: park the participant for the window, or it leaves. */
  private void release(SignallingSession session, String connectionId, LeaveReason reason) {
    Duration window = config.resumeWindow();
    Instant until = window.isZero() ? null : clock.instant().plus(window);
    if (session.detach(connectionId, reason, until)) {
      parked.put(session, until);
    }
  }

  @Override
  public String issue(SignallingSession session) {
    byte[] bytes = new byte[16];
    random.nextBytes(bytes);
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    byResumeToken.put(token, session);
    return token;
  }

  @Override
  public String issue(SignallingSession session, String participantId) {
    String token = issue(session);
    ResumeTokens tokens = shared;
    JoinRequest r = session.request();
    if (tokens != null && r != null && participantId != null) {
      try {
        tokens.put(
            token,
            new ResumeTokens.Grant(r.roomId().toString(), participantId, r.subject()),
            SHARED_TOKEN_TTL);
      } catch (RuntimeException e) {
        LOG.infof("a resume token was not shared: %s", e.toString());
      }
    }
    return token;
  }

  @Override
  public void revoke(String token) {
    byResumeToken.remove(token);
    ResumeTokens tokens = shared;
    if (tokens != null) {
      try {
        tokens.revoke(token);
      } catch (RuntimeException e) {
        LOG.debugf("a shared resume token was not revoked (it expires): %s", e.toString());
      }
    }
  }

  @Override
  public void forget(String token) {
    byResumeToken.remove(token);
  }

  /**
   * Redeems a token another node issued (or this node before its conference moved): the participant
   * continues on {@code fresh}, wherever the conference runs now.
   */
  private void resumeShared(String token, JoinRequest request, SignallingSession fresh)
      throws SignallingException, FocusException {
    ResumeTokens tokens = shared;
    Optional<ResumeTokens.Grant> grant;
    try {
      grant = tokens == null ? Optional.empty() : tokens.take(token);
    } catch (RuntimeException e) {
      LOG.infof("a shared resume token could not be read: %s", e.toString());
      grant = Optional.empty();
    }
    if (grant.isEmpty()
        || !grant.get().roomId().equals(request.roomId().toString())
        || !grant.get().subject().equals(request.subject())) {
      metrics.resume("refused");
      throw new SignallingException(
          SignallingError.INVALID_TOKEN,
          "the resume token is unknown, used, expired or not yours; join without it");
    }
    try {
      fresh.resumeShared(grant.get().participantId(), request);
    } catch (FocusException e) {
      if (e.reason() != FocusException.Reason.UNEXPECTED) {
        giveBack(tokens, token, grant.get());
        throw e;
      }
      // the participant is gone, or its conference runs on a node that never took the resume:
      // the client joins afresh, as after any refused token
      metrics.resume("refused");
      throw new SignallingException(SignallingError.INVALID_TOKEN, e.getMessage());
    } catch (RuntimeException e) {
      giveBack(tokens, token, grant.get());
      throw e;
    }
    metrics.resume("resumed");
    LOG.debugf("participant %s resumed from a shared token", grant.get().participantId());
  }

  /**
   * A resume failed in a way the browser retries (no bridge, Redis down, the takeover failed): its
   * token is stored again, else the retry found it used and the browser joined as someone new.
   */
  private static void giveBack(ResumeTokens tokens, String token, ResumeTokens.Grant grant) {
    try {
      tokens.put(token, grant, SHARED_TOKEN_TTL);
    } catch (RuntimeException e) {
      LOG.infof("a resume token was not given back after a failed resume: %s", e.toString());
    }
  }

  /**
   * Shares resume tokens through {@code tokens} (tests: an in-memory store several nodes share).
   */
  void sharedTokens(ResumeTokens tokens) {
    this.shared = tokens;
  }

  @Override
  public void resume(String token, JoinRequest request, SignallingSession fresh)
      throws SignallingException, FocusException {
    SignallingSession session = byResumeToken.get(token);
    if (session == null) {
      resumeShared(token, request, fresh);
      return;
    }
    if (!session.resumableBy(request) || !byResumeToken.remove(token, session)) {
      metrics.resume("refused");
      throw new SignallingException(
          SignallingError.INVALID_TOKEN,
          "the resume token is unknown, used, expired or not yours; join without it");
    }
    SignallingSession.Transport socket = fresh.transport();
    SignallingSession.Transport previous;
    try {
      previous = session.reattach(socket, clock.instant());
    } catch (SignallingException e) {
      metrics.resume("refused");
      throw e;
    }
    session.admittedBy(fresh);
    parked.remove(session);
    sessions.put(socket.id(), session);
    if (previous != null) {
      // the browser gave up on a socket the server still thought open: close that one
      sessions.remove(previous.id(), session);
      previous.close("resumed on another socket");
    }
    metrics.resume("resumed");
    ResumeTokens tokens = shared;
    if (tokens != null) {
      tokens.revoke(token); // single use on every node
    }
    LOG.debugf("participant %s resumed on socket %s", session.participantId(), socket.id());
    session.resumed();
  }

  void sweep() {
    Instant now = clock.instant();
    Instant cutoff = now.minus(config.pingTimeout());
    Instant joinCutoff = now.minus(config.joinTimeout());
    sessions.forEach(
        (id, session) -> {
          if (session.notJoinedSince(joinCutoff) && sessions.remove(id, session)) {
            // pings keep a socket alive, not a seat: a socket that never joins is closed
            try {
              metrics.socketClosed(SignallingError.JOIN_TIMEOUT.code());
              session.joinTimedOut();
              release(session, id, LeaveReason.TIMEOUT);
            } catch (RuntimeException e) {
              LOG.warnf(e, "closing unjoined session %s failed", id);
            }
            return;
          }
          if (session.lastSeen().isBefore(cutoff) && sessions.remove(id, session)) {
            try {
              session.timedOut();
              release(session, id, LeaveReason.TIMEOUT);
            } catch (RuntimeException e) {
              LOG.warnf(e, "closing timed-out session %s failed", id);
            }
          }
        });
    parked.forEach(
        (session, until) -> {
          try {
            if (session.expireIfDue(now)) {
              parked.remove(session, until);
            }
          } catch (RuntimeException e) {
            LOG.warnf(e, "ending detached session %s failed", session.participantId());
            parked.remove(session, until);
          }
        });
  }

  /** Sends frames on a websockets-next connection without blocking the caller. */
  private static final class ConnectionTransport implements SignallingSession.Transport {
    private final WebSocketConnection connection;

    ConnectionTransport(WebSocketConnection connection) {
      this.connection = connection;
    }

    @Override
    public String id() {
      return connection.id();
    }

    @Override
    public boolean isOpen() {
      return connection.isOpen();
    }

    @Override
    public void send(String frame) {
      if (connection.isOpen()) {
        connection
            .sendText(frame)
            .subscribe()
            .with(ok -> {}, e -> LOG.debugf("frame not sent to %s: %s", connection.id(), e));
      }
    }

    @Override
    public void close(int code, String reason) {
      if (connection.isOpen()) {
        connection
            .close(new CloseReason(code, reason))
            .subscribe()
            .with(ok -> {}, e -> LOG.debugf("close of %s failed: %s", connection.id(), e));
      }
    }
  }
}
