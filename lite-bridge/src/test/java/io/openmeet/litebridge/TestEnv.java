package io.openmeet.litebridge;

import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

/**
 * Settings of the real services, from the variables scripts/test exports; fails loudly if unset.
 */
public final class TestEnv {
  private static final SecureRandom RANDOM = new SecureRandom();

  private TestEnv() {}

  public static String require(String name) {
    String value = System.getenv(name);
    if (value == null || value.isBlank()) {
      throw new IllegalStateException(
          "environment variable "
              + name
              + " is not set: run the tests through scripts/test, or load scripts/lib/env.sh"
              + " (load_secrets; export_app_env openmeet_test) first");
    }
    return value;
  }

  public static String random(String prefix) {
    byte[] b = new byte[4];
    RANDOM.nextBytes(b);
    return prefix + HexFormat.of().formatHex(b);
  }

  /** A unique brewery room JID for one test run, on the real internal MUC component. */
  public static String uniqueBrewery() {
    return random("jvbbrewery-test-") + "@" + require("XMPP_INTERNAL_MUC");
  }

  /** Config overrides for an in-process bridge on free ports joining the given brewery. */
  public static Map<String, Object> bridgeOverrides(String brewery, String nickname) {
    for (String v :
        new String[] {"XMPP_HOST", "XMPP_PORT", "XMPP_AUTH_DOMAIN", "JVB_USER", "JVB_PASSWORD"}) {
      require(v);
    }
    String x = "lite-bridge.apis.xmpp-client.";
    Map<String, Object> o = new HashMap<>();
    o.put(x + "configs.test.muc_jids", brewery);
    o.put(x + "configs.test.muc_nickname", nickname);
    o.put(x + "presence-interval", "1 second");
    o.put(x + "reconnect-delay", "300 milliseconds");
    o.put("lite-bridge.http-servers.private.host", "127.0.0.1");
    o.put("lite-bridge.http-servers.private.port", 0);
    o.put("lite-bridge.ice.udp.port", 0);
    o.put("lite-bridge.ice.bind-addresses", java.util.List.of("127.0.0.1"));
    return o;
  }
}
