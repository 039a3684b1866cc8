package io.openmeet.roomapi.focus;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.openmeet.focus.bridge.BridgeRegistry;
import io.openmeet.focus.bridge.BridgeRegistryConfig;
import io.openmeet.focus.bridge.BridgeSelectionStrategy;
import io.openmeet.focus.bridge.BridgeSelector;
import io.openmeet.focus.bridge.SelectionConfig;
import io.openmeet.focus.colibri.Colibri2SessionManager;
import io.openmeet.focus.colibri.ColibriSessionManager;
import io.openmeet.focus.conference.ColibriConferenceBridges;
import io.openmeet.focus.conference.ConferenceContext;
import io.openmeet.focus.conference.Conferences;
import io.openmeet.focus.conference.Focus;
import io.openmeet.focus.records.CallRecorder;
import io.openmeet.focus.relay.RelaySettings;
import io.openmeet.focus.relay.RelayingFocus;
import io.openmeet.focus.sdp.CodecSettings;
import io.openmeet.focus.xmpp.FocusXmppConnection;
import io.openmeet.focus.xmpp.XmppSettings;
import io.openmeet.presence.bridge.RedisBridgeAdmission;
import io.openmeet.presence.bridge.RedisBridgeStateStore;
import io.openmeet.presence.conference.RedisConferenceLeases;
import io.openmeet.presence.conference.RedisConferenceStateStore;
import io.openmeet.presence.conference.RedisParticipantPresence;
import io.openmeet.presence.relay.RedisNodeMessaging;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.enterprise.inject.Typed;
import jakarta.inject.Singleton;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import org.jboss.logging.Logger;
import org.redisson.api.RedissonClient;

/**
 * CDI wiring of focus-controller: one XMPP connection per node, the bridge registry on the brewery,
 * selection with Redis admission, Colibri2 conferences (the {@link Conferences} this node owns),
 * and the {@link Focus} the signalling socket joins: a {@link RelayingFocus} that hosts rooms here
 * or relays to the node that owns them. XMPP connects in the background so that the REST API is up
 * even while Prosody is not.
 */
@ApplicationScoped
public class FocusProducer {

  private static final Logger LOG = Logger.getLogger(FocusProducer.class);

  /** The codecs announced to bridges; browsers' offers add a start-bitrate hint to them. */
  private static final CodecSettings CODECS = CodecSettings.defaults(false);

  private final FocusConfig config;
  private final String nodeId;
  private final Clock clock = Clock.systemUTC();
  private Thread connector;

  FocusProducer(FocusConfig config) {
    this.config = config;
    this.nodeId = config.nodeId().filter(s -> !s.isBlank()).orElseGet(FocusProducer::defaultNodeId);
  }

  private static String defaultNodeId() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      host = "node";
    }
    byte[] b = new byte[3];
    ThreadLocalRandom.current().nextBytes(b);
    return host.replaceAll("[^A-Za-z0-9-]", "") + "-" + HexFormat.of().formatHex(b);
  }

  /** This node's id. */
  public String nodeId() {
    return nodeId;
  }

  @Produces
  @Singleton
  FocusXmppConnection xmpp() {
    var x = config.xmpp();
    return new FocusXmppConnection(
        new XmppSettings(
            x.host(),
            x.port(),
            x.domain(),
            x.username(),
            x.password().orElse(""),
            "focus-" + nodeId,
            x.requireTls(),
            x.replyTimeout()));
  }

  void closeXmpp(@Disposes FocusXmppConnection xmpp) {
    xmpp.close();
  }

  @Produces
  @Singleton
  RedisBridgeStateStore bridgeStore(RedissonClient redis) {
    return new RedisBridgeStateStore(redis, config.selection().redisPrefix().orElse(""));
  }

  @Produces
  @Singleton
  RedisBridgeAdmission admission(RedissonClient redis, RedisBridgeStateStore store) {
    var s = config.selection();
    return new RedisBridgeAdmission(
        redis, store, clock, s.reservationCost(), s.reservationSettle(), s.reservationMaxAge());
  }

  @Produces
  @Singleton
  BridgeRegistry registry(
      FocusXmppConnection xmpp, RedisBridgeStateStore store, RedisBridgeAdmission admission) {
    BridgeRegistryConfig defaults =
        BridgeRegistryConfig.defaults(config.breweryRoom(), "focus-" + nodeId);
    return new BridgeRegistry(
        xmpp,
        store,
        admission,
        new BridgeRegistryConfig(
            defaults.breweryRoom(),
            defaults.nickname(),
            config.healthCheckInterval(),
            config.healthCheckTimeout(),
            defaults.healthCheckRetryDelay(),
            defaults.presenceTimeout(),
            defaults.snapshotTtl()),
        clock);
  }

  void closeRegistry(@Disposes BridgeRegistry registry) {
    registry.close();
  }

  @Produces
  @Singleton
  BridgeSelector selector(BridgeRegistry registry, RedisBridgeAdmission admission) {
    var s = config.selection();
    return new BridgeSelector(
        registry::bridges,
        BridgeSelectionStrategy.named(s.strategy()),
        admission,
        new SelectionConfig(s.strategy(), s.maxLoad(), s.existingConferenceMaxLoad()));
  }

  @Produces
  @Singleton
  ColibriSessionManager colibri(
      FocusXmppConnection xmpp,
      BridgeSelector selector,
      RedisBridgeAdmission admission,
      BridgeRegistry registry) {
    var manager =
        new Colibri2SessionManager(
            xmpp.smack(),
            selector,
            admission,
            registry::markUnhealthy,
            CODECS,
            config.colibriTimeout(),
            3);
    // a bridge that leaves the brewery loses its conferences here too
    registry.addListener(manager.bridgeListener());
    return manager;
  }

  /** Only as {@link Conferences}: the signalling socket joins through {@link #focus}. */
  @Produces
  @Singleton
  @Typed(Conferences.class)
  Conferences conferences(
      ColibriSessionManager colibri, RedissonClient redis, CallRecorder recorder) {
    var conferences =
        new Conferences(
            new ConferenceContext(
                config.capacityBenchmarkWithoutBridge()
                    ? new CapacityBenchmarkBridges()
                    : new ColibriConferenceBridges(colibri, config.conferenceMuc()),
                CODECS.withVideoStartBitrate(config.videoStartBitrateKbps()),
                new RedisParticipantPresence(redis),
                recorder,
                clock,
                nodeId,
                new RedisConferenceStateStore(redis),
                config.takeoverWindow()),
            new RedisConferenceLeases(redis),
            config.leaseTtl());
    // participants of a lost bridge are re-invited to another one without leaving the call
    colibri.addListener(
        (bridgeId, endpointsByMeeting) -> endpointsByMeeting.forEach(conferences::reinvite));
    return conferences;
  }

  void closeConferences(@Disposes Conferences conferences) {
    conferences.close();
  }

  /**
   * The node's focus: its own conferences, or a relay to the node that owns the room. Gauge {@code
   * focus_relayed_participants}: {@code side="socket"} counts this node's sockets whose conference
   * runs elsewhere, {@code side="owner"} the participants this node hosts for other nodes' sockets.
   */
  @Produces
  @Singleton
  Focus focus(Conferences conferences, RedissonClient redis, MeterRegistry meters) {
    var r = config.relay();
    var focus =
        new RelayingFocus(
            conferences,
            new RedisNodeMessaging(redis),
            nodeId,
            new RelaySettings(r.replyTimeout(), r.heartbeatInterval(), r.heartbeatTimeout()),
            clock);
    Gauge.builder("focus_relayed_participants", focus, RelayingFocus::relayedOut)
        .description("Participants whose socket is on this node and conference on another")
        .tag("side", "socket")
        .register(meters);
    Gauge.builder("focus_relayed_participants", focus, RelayingFocus::relayedIn)
        .description("Participants hosted on this node for sockets on other nodes")
        .tag("side", "owner")
        .register(meters);
    return focus;
  }

  void closeFocus(@Disposes Focus focus) {
    if (focus instanceof RelayingFocus relaying) {
      relaying.close();
    }
  }

  /** Connects XMPP and joins the brewery in the background, retrying until it works or we stop. */
  void start(@Observes StartupEvent event, FocusXmppConnection xmpp, BridgeRegistry registry) {
    connector =
        new Thread(
            () -> {
              while (!Thread.currentThread().isInterrupted()) {
                try {
                  xmpp.connect(Integer.MAX_VALUE, Duration.ofMillis(250), Duration.ofSeconds(10));
                  registry.start();
                  LOG.infof("focus %s joined the brewery %s", nodeId, config.breweryRoom());
                  return;
                } catch (InterruptedException e) {
                  return;
                } catch (Exception e) {
                  LOG.warnf("focus could not join the brewery yet: %s", e.toString());
                  try {
                    Thread.sleep(2000);
                  } catch (InterruptedException ie) {
                    return;
                  }
                }
              }
            },
            "focus-xmpp-connector");
    connector.setDaemon(true);
    connector.start();
  }

  void stop(@Observes ShutdownEvent event) {
    if (connector != null) {
      connector.interrupt();
    }
  }
}
