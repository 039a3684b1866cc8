package io.openmeet.jvbtestkit;

import java.util.function.Function;

/**
 * The bridge account on the shared local Prosody, from the variables scripts/test exports (and
 * .local/secrets.env's JVB_PASSWORD): the same account lite-bridge and the focus tests' bridges
 * use.
 *
 * @param internalMuc the MUC component holding brewery rooms
 */
public record XmppAccount(
    String host, int port, String domain, String internalMuc, String username, String password) {

  /** Reads XMPP_HOST, XMPP_PORT, XMPP_AUTH_DOMAIN, XMPP_INTERNAL_MUC, JVB_USER, JVB_PASSWORD. */
  public static XmppAccount fromEnvironment() {
    return from(System::getenv);
  }

  static XmppAccount from(Function<String, String> env) {
    return new XmppAccount(
        require(env, "XMPP_HOST"),
        Integer.parseInt(require(env, "XMPP_PORT")),
        require(env, "XMPP_AUTH_DOMAIN"),
        require(env, "XMPP_INTERNAL_MUC"),
        require(env, "JVB_USER"),
        require(env, "JVB_PASSWORD"));
  }

  private static String require(Function<String, String> env, String name) {
    String value = env.apply(name);
    if (value == null || value.isBlank()) {
      throw new IllegalStateException(name + " is not set: run the tests through scripts/test");
    }
    return value;
  }

  @Override
  public String toString() {
    return "XmppAccount[" + username + "@" + domain + " via " + host + ":" + port + "]";
  }
}
