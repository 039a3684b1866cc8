package io.openmeet.focus.testing;

import io.openmeet.focus.xmpp.XmppSettings;
import java.time.Duration;
import java.util.UUID;

/** Settings from the variables scripts/test exports; a missing one fails the test loudly. */
public final class TestEnv {

  private TestEnv() {}

  public static String require(String name) {
    String value = System.getenv(name);
    if (value == null || value.isBlank()) {
      throw new IllegalStateException(name + " is not set: run the tests through scripts/test");
    }
    return value;
  }

  /** The focus account, with a unique resource per call. */
  public static XmppSettings focus() {
    return account(require("FOCUS_USER"), require("FOCUS_PASSWORD"), "focus");
  }

  /** The bridge account, with a unique resource per call. */
  public static XmppSettings jvb() {
    return account(require("JVB_USER"), require("JVB_PASSWORD"), "bridge");
  }

  private static XmppSettings account(String user, String password, String resourcePrefix) {
    return new XmppSettings(
        require("XMPP_HOST"),
        Integer.parseInt(require("XMPP_PORT")),
        require("XMPP_AUTH_DOMAIN"),
        user,
        password,
        resourcePrefix + "-" + UUID.randomUUID().toString().substring(0, 8),
        false,
        Duration.ofSeconds(5));
  }

  /** A brewery room of its own for one test run, on the internal MUC component. */
  public static String uniqueBrewery() {
    return "jvbbrewery-test-"
        + UUID.randomUUID().toString().substring(0, 8)
        + "@"
        + require("XMPP_INTERNAL_MUC");
  }
}
