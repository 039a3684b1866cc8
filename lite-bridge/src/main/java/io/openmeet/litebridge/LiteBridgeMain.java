package io.openmeet.litebridge;

import io.openmeet.litebridge.config.BridgeConfig;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Runs one lite-bridge until a graceful shutdown completes or the process is stopped. */
public final class LiteBridgeMain {
  private static final Logger LOG = Logger.getLogger(LiteBridgeMain.class.getName());

  /**
   * ice4j logs two INFO lines per endpoint (candidate gathering, agent terminated): at a few
   * hundred joins per second that is most of the log and a share of the CPU. Warnings still show.
   * Held here because java.util.logging keeps loggers only weakly.
   */
  private static final Logger ICE4J = Logger.getLogger("org.ice4j");

  private LiteBridgeMain() {}

  public static void main(String[] args) throws Exception {
    if (System.getProperty("java.util.logging.config.file") == null) {
      ICE4J.setLevel(Level.WARNING);
    }
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
