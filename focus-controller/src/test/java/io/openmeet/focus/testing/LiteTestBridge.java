package io.openmeet.focus.testing;

import io.openmeet.litebridge.LiteBridge;
import io.openmeet.litebridge.config.BridgeConfig;
import io.openmeet.litebridge.media.Ice4jMediaEngine;
import io.openmeet.litebridge.media.MediaEngine;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/** lite-bridge in this JVM, in a brewery, on loopback, with free ports. */
public final class LiteTestBridge implements TestBridge {

  private final LiteBridge bridge;
  private final String id;

  private LiteTestBridge(LiteBridge bridge, String id) {
    this.bridge = bridge;
    this.id = id;
  }

  /** Starts one with the real media engine. */
  public static LiteTestBridge start(String brewery, String id) throws Exception {
    return start(brewery, id, Function.identity());
  }

  /** Starts one whose media engine the test wraps (to hold or fail what the bridge does). */
  public static LiteTestBridge start(
      String brewery, String id, Function<MediaEngine, MediaEngine> wrapEngine) throws Exception {
    BridgeConfig config = config(brewery, id);
    LiteBridge bridge =
        new LiteBridge(
                config,
                wrapEngine.apply(new Ice4jMediaEngine(config.media())),
                Clock.systemUTC(),
                () -> 0.0)
            .start();
    return new LiteTestBridge(bridge, id);
  }

  private static BridgeConfig config(String brewery, String id) {
    Map<String, Object> o = new HashMap<>();
    String x = "lite-bridge.apis.xmpp-client.";
    o.put(x + "configs.test.muc_jids", brewery);
    o.put(x + "configs.test.muc_nickname", id);
    o.put(x + "presence-interval", "1 second");
    o.put("lite-bridge.http-servers.private.host", "127.0.0.1");
    o.put("lite-bridge.http-servers.private.port", 0);
    o.put("lite-bridge.ice.udp.port", 0);
    o.put("lite-bridge.ice.bind-addresses", List.of("127.0.0.1"));
    return BridgeConfig.load(o);
  }

  /** The bridge itself, for tests of lite-bridge's own state. */
  public LiteBridge bridge() {
    return bridge;
  }

  @Override
  public String kind() {
    return "lite-bridge";
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public String occupantJid() {
    return bridge.occupantJid().toString();
  }

  @Override
  public Set<String> candidateAddresses() {
    return Set.of("127.0.0.1");
  }

  @Override
  public void setDrain(boolean drain) {
    bridge.setDrain(drain);
  }

  @Override
  public void close() {
    bridge.close();
  }
}
