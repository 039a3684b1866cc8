package io.openmeet.litebridge;

import io.openmeet.litebridge.bridgechannel.ColibriWebSocketService;
import io.openmeet.litebridge.colibri2.Colibri2RequestHandler;
import io.openmeet.litebridge.conference.Conference;
import io.openmeet.litebridge.conference.Conferences;
import io.openmeet.litebridge.conference.Endpoint;
import io.openmeet.litebridge.config.BridgeConfig;
import io.openmeet.litebridge.media.MediaEngine;
import io.openmeet.litebridge.rest.RestServer;
import io.openmeet.litebridge.stats.BridgeStats;
import io.openmeet.litebridge.stats.StressLevel;
import io.openmeet.litebridge.xmpp.BreweryClient;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jxmpp.jid.EntityFullJid;

/**
 * One lite-bridge: wires the conferences, the media engine, the brewery XMPP client (Colibri2,
 * health checks, presence stats) and the REST/colibri-ws server. {@link #start()} and {@link
 * #close()} let tests and the focus run bridges in-process.
 */
public final class LiteBridge implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(LiteBridge.class.getName());

  private final BridgeConfig config;
  private final MediaEngine engine;
  private final Clock clock;
  private final Conferences conferences;
  private final BridgeStats stats;
  private final ColibriWebSocketService webSockets;
  private final ScheduledExecutorService scheduler;
  private final CompletableFuture<Void> exited = new CompletableFuture<>();
  private final Vertx vertx;
  private BreweryClient brewery;
  private Colibri2RequestHandler colibri;
  private RestServer rest;
  private int restPort;
  private volatile boolean drain;
  private volatile boolean shuttingDown;
  private volatile boolean closed;
  private volatile Instant gracefulShutdownStarted;

  /**
   * @param engine the media plane (owned: closed with the bridge)
   * @param clock drives endpoint and conference expiry
   * @param cpuLoad this process's CPU load for the stress level
   */
  public LiteBridge(BridgeConfig config, MediaEngine engine, Clock clock, DoubleSupplier cpuLoad) {
    this.config = config;
    this.engine = engine;
    this.clock = clock;
    this.scheduler =
        Executors.newScheduledThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "lite-bridge-scheduler");
              t.setDaemon(true);
              return t;
            });
    this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(2));
    Conferences.Listener listener =
        new Conferences.Listener() {
          @Override
          public void endpointExpired(Conference conference, Endpoint endpoint) {
            webSockets().endpointExpired(conference, endpoint);
          }

          @Override
          public void conferenceExpired(Conference conference) {
            runLater(LiteBridge.this::exitIfShutdownComplete);
          }

          @Override
          public void dominantSpeakerChanged(
              Conference conference, String endpointId, List<String> previous) {
            webSockets().dominantSpeakerChanged(conference, endpointId, previous);
          }

          @Override
          public void forwardedSourcesChanged(
              Conference conference, String endpointId, List<String> sources) {
            webSockets().forwardedSourcesChanged(conference, endpointId, sources);
          }

          @Override
          public void senderSourceConstraintsChanged(
              Conference conference, String endpointId, String sourceName, int maxHeight) {
            webSockets()
                .senderSourceConstraintsChanged(conference, endpointId, sourceName, maxHeight);
          }
        };
    this.conferences =
        new Conferences(
            engine,
            clock,
            config.endpointTimeout(),
            config.emptyConferenceTimeout(),
            config.allocation(),
            listener);
    this.stats =
        new BridgeStats(
            conferences,
            engine,
            new StressLevel(config.packetRateLoadThreshold(), cpuLoad),
            new BridgeStats.State() {
              @Override
              public boolean drain() {
                return drain;
              }

              @Override
              public boolean gracefulShutdown() {
                return conferences.isGracefulShutdown();
              }

              @Override
              public boolean shuttingDown() {
                return shuttingDown;
              }

              @Override
              public boolean healthy() {
                return isHealthy();
              }
            },
            () -> brewery != null && brewery.isJoined(),
            clock,
            config.version(),
            config.region(),
            config.relayId());
    this.webSockets =
        new ColibriWebSocketService(
            conferences,
            config.webSockets().serverId(),
            config.version(),
            stats.webSocketMessagesReceived,
            stats.webSocketMessagesSent);
  }

  /** A bridge on the real media engine and the system clock (what LiteBridgeMain runs). */
  public static LiteBridge create(BridgeConfig config) {
    return new LiteBridge(
        config,
        new io.openmeet.litebridge.media.Ice4jMediaEngine(config.media()),
        Clock.systemUTC(),
        StressLevel.jvmProcessCpuLoad());
  }

  private ColibriWebSocketService webSockets() {
    return webSockets;
  }

  /** Binds the REST server, starts the brewery client and the expiry sweep. */
  public synchronized LiteBridge start() throws Exception {
    rest =
        new RestServer(
            vertx,
            config.restHost(),
            config.restPort(),
            config.controlSecret(),
            stats::snapshot,
            new RestServer.Controls() {
              @Override
              public boolean healthy() {
                return isHealthy();
              }

              @Override
              public void setDrain(boolean value) {
                LiteBridge.this.setDrain(value);
              }

              @Override
              public void gracefulShutdown() {
                startGracefulShutdown();
              }

              @Override
              public void shutdownNow() {
                shuttingDown = true;
                exited.complete(null);
              }
            },
            webSockets,
            config.version());
    restPort = rest.start();
    String authority =
        config.webSockets().domain().isBlank()
            ? config.restHost() + ":" + restPort
            : config.webSockets().domain();
    String scheme = config.webSockets().tls() ? "wss://" : "ws://";
    colibri =
        new Colibri2RequestHandler(
            conferences,
            engine::localFingerprint,
            (meetingId, endpointId, pwd) ->
                config.webSockets().enabled()
                    ? scheme + authority + webSockets.pathFor(meetingId, endpointId, pwd)
                    : null);
    brewery =
        new BreweryClient(config.xmpp(), colibri, stats::snapshot, this::isHealthy, scheduler);
    brewery.start();
    long checkMs = config.expiryCheckInterval().toMillis();
    scheduler.scheduleWithFixedDelay(this::sweep, checkMs, checkMs, TimeUnit.MILLISECONDS);
    LOG.info("lite-bridge started: REST on " + config.restHost() + ":" + restPort);
    return this;
  }

  private void sweep() {
    try {
      conferences.expireIdle();
      exitIfShutdownComplete();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "expiry sweep failed", e);
    }
  }

  /** Turns drain on or off (the focus stops placing new conferences here) and tells the brewery. */
  public void setDrain(boolean value) {
    drain = value;
    publishPresence();
  }

  /** Refuses new conferences from now on and exits once the last conference ended. */
  public void startGracefulShutdown() {
    if (gracefulShutdownStarted == null) {
      gracefulShutdownStarted = clock.instant();
    }
    conferences.startGracefulShutdown();
    publishPresence();
    runLater(this::exitIfShutdownComplete);
  }

  private synchronized void exitIfShutdownComplete() {
    Instant started = gracefulShutdownStarted;
    if (started == null || exited.isDone()) {
      return;
    }
    boolean overdue = clock.instant().isAfter(started.plus(config.gracefulShutdownMaxDuration()));
    if (conferences.conferenceCount() == 0 || overdue) {
      shuttingDown = true;
      publishPresence();
      LOG.info("graceful shutdown complete; exiting");
      exited.complete(null);
    }
  }

  private void publishPresence() {
    BreweryClient b = brewery;
    if (b != null) {
      runLater(b::publishPresence);
    }
  }

  /** Runs a task on the bridge's scheduler; after close() there is nothing left to do. */
  private void runLater(Runnable task) {
    try {
      scheduler.execute(task);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      LOG.fine("bridge closed; task dropped");
    }
  }

  private boolean isHealthy() {
    return !closed;
  }

  /** Completes when the bridge wants its process to exit (graceful shutdown done, or forced). */
  public CompletableFuture<Void> exited() {
    return exited;
  }

  /** The media plane this bridge runs on. */
  public MediaEngine mediaEngine() {
    return engine;
  }

  public Conferences conferences() {
    return conferences;
  }

  /** The current stats (what presence and `/colibri/stats` carry). */
  public Map<String, Object> stats() {
    return stats.snapshot();
  }

  /** The bridge's occupant JID in the brewery (where Colibri2 requests go). */
  public EntityFullJid occupantJid() {
    return brewery.occupantJid();
  }

  public boolean isJoined() {
    return brewery != null && brewery.isJoined();
  }

  /** The REST/colibri-ws port actually bound. */
  public int restPort() {
    return restPort;
  }

  /** Expires every conference, leaves the brewery and stops the servers and the media engine. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (brewery != null) {
      brewery.close();
    }
    if (colibri != null) {
      colibri.close();
    }
    conferences.expireAll();
    if (rest != null) {
      rest.close();
    }
    scheduler.shutdownNow();
    vertx.close();
    engine.close();
    exited.complete(null);
  }
}
