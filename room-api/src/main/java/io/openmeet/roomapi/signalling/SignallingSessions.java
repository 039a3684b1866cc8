package io.openmeet.roomapi.signalling;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.openmeet.focus.conference.Focus;
import io.openmeet.focus.conference.LeaveReason;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.WebSocketConnection;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/** The open signalling sessions of this node, and the sweeper that enforces the ping timeout. */
@ApplicationScoped
public class SignallingSessions {

  private static final Logger LOG = Logger.getLogger(SignallingSessions.class);

  private final Map<String, SignallingSession> sessions = new ConcurrentHashMap<>();
  private final SignallingConfig config;
  private final MessageCodec codec;
  private final JoinAuthorizer authorizer;
  private final Focus focus;
  private final SignallingMetrics metrics;
  private final TurnCredentials turn;
  private final Clock clock = Clock.systemUTC();
  private ScheduledExecutorService sweeper;

  SignallingSessions(
      SignallingConfig config,
      ObjectMapper mapper,
      JoinAuthorizer authorizer,
      Focus focus,
      SignallingMetrics metrics,
      TurnCredentials turn) {
    this.config = config;
    this.codec = new MessageCodec(mapper, config.maxFrameChars());
    this.authorizer = authorizer;
    this.focus = focus;
    this.metrics = metrics;
    this.turn = turn;
  }

  void start(@Observes StartupEvent event) {
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
    sessions.values().forEach(s -> s.ended(LeaveReason.DISCONNECTED));
    sessions.clear();
  }

  /** Number of open sessions on this node. */
  public int open() {
    return sessions.size();
  }

  void opened(WebSocketConnection connection, String room) {
    var session =
        new SignallingSession(
            room,
            codec,
            authorizer,
            focus,
            new ConnectionTransport(connection),
            clock,
            new FrameRateLimiter(config.framesPerSecond(), config.frameBurst()),
            metrics,
            turn);
    sessions.put(connection.id(), session);
  }

  void frame(WebSocketConnection connection, String frame) {
    SignallingSession session = sessions.get(connection.id());
    if (session != null) {
      session.onFrame(frame);
    }
  }

  void closed(WebSocketConnection connection) {
    SignallingSession session = sessions.remove(connection.id());
    if (session != null) {
      session.ended(LeaveReason.DISCONNECTED);
    }
  }

  private void sweep() {
    Instant cutoff = clock.instant().minus(config.pingTimeout());
    sessions.forEach(
        (id, session) -> {
          if (session.lastSeen().isBefore(cutoff)) {
            sessions.remove(id);
            try {
              session.timedOut();
            } catch (RuntimeException e) {
              LOG.warnf(e, "closing timed-out session %s failed", id);
            }
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
    public void send(String frame) {
      if (connection.isOpen()) {
        connection
            .sendText(frame)
            .subscribe()
            .with(ok -> {}, e -> LOG.debugf("frame not sent to %s: %s", connection.id(), e));
      }
    }

    @Override
    public void close(String reason) {
      if (connection.isOpen()) {
        connection
            .close(new CloseReason(1000, reason))
            .subscribe()
            .with(ok -> {}, e -> LOG.debugf("close of %s failed: %s", connection.id(), e));
      }
    }
  }
}
