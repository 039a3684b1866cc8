package io.openmeet.systemtests;

import io.openmeet.litebridge.LiteBridge;
import io.openmeet.litebridge.config.BridgeConfig;
import io.openmeet.litebridge.media.Ice4jMediaEngine;
import io.openmeet.testkit.SyntheticEndpoint;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** lite-bridge in this JVM, on loopback, in a room-api's brewery. */
final class LiteSystemBridge implements SystemBridge {

  final LiteBridge bridge;
  final Ice4jMediaEngine engine;

  private LiteSystemBridge(LiteBridge bridge, Ice4jMediaEngine engine) {
    this.bridge = bridge;
    this.engine = engine;
  }

  static LiteSystemBridge start(String breweryJid) throws Exception {
    Map<String, Object> o = new HashMap<>();
    String x = "lite-bridge.apis.xmpp-client.";
    o.put(x + "configs.test.muc_jids", breweryJid);
    o.put(x + "configs.test.muc_nickname", RoomApiProcess.random("bridge-"));
    o.put(x + "presence-interval", "1 second");
    o.put("lite-bridge.http-servers.private.host", "127.0.0.1");
    o.put("lite-bridge.http-servers.private.port", 0);
    o.put("lite-bridge.ice.udp.port", 0);
    o.put("lite-bridge.ice.bind-addresses", List.of("127.0.0.1"));
    BridgeConfig config = BridgeConfig.load(o);
    Ice4jMediaEngine engine = new Ice4jMediaEngine(config.media());
    LiteBridge bridge = new LiteBridge(config, engine, Clock.systemUTC(), () -> 0.0).start();
    return new LiteSystemBridge(bridge, engine);
  }

  @Override
  public String kind() {
    return "lite-bridge";
  }

  @Override
  public String fingerprint() {
    return engine.localFingerprint().value();
  }

  @Override
  public Set<String> endpoints() {
    return bridge.conferences().all().stream()
        .flatMap(c -> c.endpoints().stream())
        .map(e -> e.id())
        .collect(Collectors.toSet());
  }

  @Override
  public int conferenceCount() {
    return bridge.conferences().all().size();
  }

  @Override
  public Optional<SyntheticEndpoint.Options> mediaOptions() {
    return Optional.of(SyntheticEndpoint.Options.loopback());
  }

  @Override
  public String noMediaReason() {
    return "";
  }

  @Override
  public void close() {
    bridge.close();
  }
}
