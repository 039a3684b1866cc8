package io.openmeet.litebridge;

import io.openmeet.litebridge.config.BridgeConfig;
import java.util.logging.Logger;

/** Runs one lite-bridge until a graceful shutdown completes or the process is stopped. */
public final class LiteBridgeMain {
  private static final Logger LOG = Logger.getLogger(LiteBridgeMain.class.getName());

  private LiteBridgeMain() {}

  public static void main(String[] args) throws Exception {
    BridgeConfig config;
    try {
      config = BridgeConfig.load();
    } catch (BridgeConfig.InvalidConfigException e) {
      System.err.println("lite-bridge: invalid configuration: " + e.getMessage());
      System.exit(2);
      return;
    }
    LiteBridge bridge = LiteBridge.create(config);
    Runtime.getRuntime().addShutdownHook(new Thread(bridge::close, "lite-bridge-shutdown"));
    bridge.start();
    LOG.info("lite-bridge joining " + config.xmpp().mucJid() + " as " + bridge.occupantJid());
    bridge.exited().join();
    bridge.close();
    System.exit(0);
  }
}
