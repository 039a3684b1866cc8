package io.openmeet.focus.xmpp;

import java.time.Duration;
import java.util.Objects;

/**
 * How the focus reaches Prosody.
 *
 * @param host the c2s host, e.g. {@code 127.0.0.1}
 * @param port the c2s port, default 5222
 * @param domain the XMPP domain of the account, e.g. {@code auth.meet.local}
 * @param username the focus account, e.g. {@code focus}
 * @param resource unique per node, so several nodes can share the account
 * @param requireTls false only for loopback test set-ups (Prosody's plaintext c2s)
 * @param replyTimeout how long to wait for an IQ reply
 */
public record XmppSettings(
    String host,
    int port,
    String domain,
    String username,
    String password,
    String resource,
    boolean requireTls,
    Duration replyTimeout) {

  public XmppSettings {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(domain, "domain");
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(resource, "resource");
    Objects.requireNonNull(replyTimeout, "replyTimeout");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("XMPP port out of range: " + port);
    }
  }

  /** The settings without the password (they get logged). */
  @Override
  public String toString() {
    return "XmppSettings[host="
        + host
        + ", port="
        + port
        + ", domain="
        + domain
        + ", username="
        + username
        + ", password="
        + (password.isEmpty() ? "" : "***")
        + ", resource="
        + resource
        + ", requireTls="
        + requireTls
        + ", replyTimeout="
        + replyTimeout
        + "]";
  }
}
