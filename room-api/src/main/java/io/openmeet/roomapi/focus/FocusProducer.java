package io.openmeet.roomapi.focus;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.openmeet.focus.FocusAssembly;
import io.openmeet.focus.bridge.BridgeRegistry;
import io.openmeet.focus.bridge.SelectionConfig;
import io.openmeet.focus.conference.Conferences;
import io.openmeet.focus.conference.Focus;
import io.openmeet.focus.records.CallRecorder;
import io.openmeet.focus.relay.RelaySettings;
import io.openmeet.focus.relay.RelayingFocus;
import io.openmeet.focus.sdp.CodecSettings;
import io.openmeet.focus.xmpp.XmppSettings;
import io.openmeet.presence.relay.NodeLinkTls;
import io.openmeet.presence.relay.TcpNodeMessaging;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.enterprise.inject.Typed;
import jakarta.inject.Singleton;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import org.redisson.api.RedissonClient;

/**
 * CDI glue over {@link FocusAssembly}: builds this node's focus from {@link FocusConfig} and
 * exposes its parts as beans ({@link Focus} for the signalling socket, {@link Conferences} and
 * {@link BridgeRegistry} for metrics). XMPP connects in the background so that the REST API is up
 * even while Prosody is not.
 */
@ApplicationScoped
public class FocusProducer {

  /** The codecs announced to bridges; browsers' offers add a start-bitrate hint to them. */
  private static final CodecSettings CODECS = CodecSettings.defaults(false);

  private final FocusConfig config;
  private final String nodeId;

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

  /** The whole focus of this node, from {@link FocusConfig}. */
  @Produces
  @Singleton
  FocusAssembly assembly(RedissonClient redis, CallRecorder recorder) {
    var x = config.xmpp();
    var s = config.selection();
    var builder =
        FocusAssembly.builder(
                nodeId,
                redis,
                new XmppSettings(
                    x.host(),
                    x.port(),
                    x.domain(),
                    x.username(),
                    x.password().orElse(""),
                    "focus-" + nodeId,
                    x.requireTls(),
                    x.replyTimeout()))
            .brewery(
                config.breweryRoom(), config.healthCheckInterval(), config.healthCheckTimeout())
            .admission(
                s.redisPrefix().orElse(""),
                s.reservationCost(),
                s.reservationSettle(),
                s.reservationMaxAge())
            .selection(
                new SelectionConfig(s.strategy(), s.maxLoad(), s.existingConferenceMaxLoad()))
            .colibri(config.colibriTimeout(), 3)
            .codecs(CODECS)
            .conferences(config.conferenceMuc(), config.videoStartBitrateKbps(), config.leaseTtl())
            .takeoverWindow(config.takeoverWindow())
            .relay(
                new RelaySettings(
                    config.relay().replyTimeout(),
                    config.relay().heartbeatInterval(),
                    config.relay().heartbeatTimeout()))
            .nodeLink(nodeLink(config.nodeLink(), x.password().orElse("")))
            .callRecorder(recorder);
    if (config.capacityBenchmarkWithoutBridge()) {
      builder.conferenceBridges(new CapacityBenchmarkBridges());
    }
    return builder.build();
  }

  void closeAssembly(@Disposes FocusAssembly assembly) {
    assembly.close();
  }

  @Produces
  @Singleton
  BridgeRegistry registry(FocusAssembly assembly) {
    return assembly.registry();
  }

  /** Only as {@link Conferences}: the signalling socket joins through {@link #focus}. */
  @Produces
  @Singleton
  @Typed(Conferences.class)
  Conferences conferences(FocusAssembly assembly) {
    return assembly.conferences();
  }

  /**
   * The node's focus: its own conferences, or a relay to the node that owns the room. Gauge {@code
   * focus_relayed_participants}: {@code side="socket"} counts this node's sockets whose conference
   * runs elsewhere, {@code side="owner"} the participants this node hosts for other nodes' sockets;
   * counters {@code node_link_rejected_frames} and {@code node_link_refused_connections} what the
   * node link refused.
   */
  @Produces
  @Singleton
  Focus focus(FocusAssembly assembly, MeterRegistry meters) {
    RelayingFocus focus = assembly.focus();
    Gauge.builder("focus_relayed_participants", focus, RelayingFocus::relayedOut)
        .description("Participants whose socket is on this node and conference on another")
        .tag("side", "socket")
        .register(meters);
    Gauge.builder("focus_relayed_participants", focus, RelayingFocus::relayedIn)
        .description("Participants hosted on this node for sockets on other nodes")
        .tag("side", "owner")
        .register(meters);
    assembly
        .nodeLink()
        .ifPresent(
            link -> {
              FunctionCounter.builder(
                      "node_link_rejected_frames", link, TcpNodeMessaging::rejectedFrames)
                  .description(
                      "Frames from other nodes refused (length, MAC, content); each closed its connection")
                  .register(meters);
              FunctionCounter.builder(
                      "node_link_refused_connections", link, TcpNodeMessaging::refusedConnections)
                  .description(
                      "Connections to the node link refused (wrong secret, not the protocol, too many)")
                  .register(meters);
            });
    return focus;
  }

  /**
   * Connects XMPP and joins the brewery in the background (see {@link FocusAssembly#start}); opens
   * the node link now, so that a port another program holds stops the start, not the first join.
   */
  void start(@Observes StartupEvent event, FocusAssembly assembly, Focus focus) {
    assembly.start();
  }

  private static TcpNodeMessaging.Settings nodeLink(FocusConfig.NodeLink link, String password) {
    var settings =
        new TcpNodeMessaging.Settings(
            link.bindHost(),
            link.port(),
            link.advertisedHost(),
            FocusAssembly.nodeLinkSecret(password),
            link.maxFrameBytes(),
            link.timeout());
    FocusConfig.NodeLink.Tls tls = link.tls();
    if (tls.keyStore().filter(k -> !k.isBlank()).isEmpty()) {
      return settings;
    }
    return settings.withTls(
        NodeLinkTls.fromPkcs12(
            Path.of(tls.keyStore().get()),
            tls.keyStorePassword().orElse(""),
            tls.trustStore().filter(t -> !t.isBlank()).map(Path::of),
            tls.trustStorePassword().orElse("")));
  }
}
