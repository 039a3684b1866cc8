package io.openmeet.focus.xmpp;

import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jivesoftware.smack.ConnectionConfiguration.SecurityMode;
import org.jivesoftware.smack.ReconnectionManager;
import org.jivesoftware.smack.ReconnectionManager.ReconnectionPolicy;
import org.jivesoftware.smack.SmackException;
import org.jivesoftware.smack.XMPPException;
import org.jivesoftware.smack.sasl.SASLErrorException;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smack.tcp.XMPPTCPConnectionConfiguration;
import org.jxmpp.jid.parts.Resourcepart;
import org.jxmpp.stringprep.XmppStringprepException;

/**
 * The node's one XMPP connection. {@link #connect} retries with exponential backoff until it is
 * logged in; after that, Smack's reconnection manager reconnects with increasing random delays and
 * the MUC manager re-joins rooms.
 */
public final class FocusXmppConnection implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(FocusXmppConnection.class.getName());

  private final XmppSettings settings;
  private final XMPPTCPConnection connection;

  public FocusXmppConnection(XmppSettings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
    SmackSetup.registerProviders();
    try {
      XMPPTCPConnectionConfiguration config =
          XMPPTCPConnectionConfiguration.builder()
              .setHost(settings.host())
              .setPort(settings.port())
              .setXmppDomain(settings.domain())
              .setUsernameAndPassword(settings.username(), settings.password())
              .setResource(Resourcepart.from(settings.resource()))
              .setSocketFactory(new NoDelaySocketFactory())
              .setSecurityMode(
                  settings.requireTls() ? SecurityMode.required : SecurityMode.disabled)
              .build();
      this.connection = new XMPPTCPConnection(config);
    } catch (XmppStringprepException e) {
      throw new IllegalArgumentException("bad XMPP domain or resource: " + e.getMessage(), e);
    }
    connection.setReplyTimeout(settings.replyTimeout().toMillis());
    ReconnectionManager reconnection = ReconnectionManager.getInstanceFor(connection);
    reconnection.setReconnectionPolicy(ReconnectionPolicy.RANDOM_INCREASING_DELAY);
    reconnection.enableAutomaticReconnection();
  }

  /**
   * Connects and logs in, retrying failures with backoff from {@code initialDelay} doubling up to
   * {@code maxDelay}, for at most {@code attempts} attempts.
   *
   * @throws XmppUnavailableException when every attempt failed (the cause is the last failure)
   */
  public void connect(int attempts, Duration initialDelay, Duration maxDelay)
      throws XmppUnavailableException, InterruptedException {
    long delay = initialDelay.toMillis();
    Exception last = null;
    for (int attempt = 1; attempt <= attempts; attempt++) {
      try {
        if (!connection.isConnected()) {
          connection.connect();
        }
        if (!connection.isAuthenticated()) {
          connection.login();
        }
        return;
      } catch (SASLErrorException e) {
        // A refused login does not fix itself: report it at once.
        throw new XmppUnavailableException(
            "XMPP refused the login of " + settings.username() + "@" + settings.domain(), e);
      } catch (SmackException | IOException | XMPPException e) {
        last = e;
        LOG.log(
            Level.WARNING,
            "XMPP connect attempt {0}/{1} to {2}:{3} failed: {4}",
            new Object[] {attempt, attempts, settings.host(), settings.port(), e.toString()});
        if (attempt < attempts) {
          Thread.sleep(delay);
          delay = Math.min(delay * 2, maxDelay.toMillis());
        }
      }
    }
    throw new XmppUnavailableException(
        "could not log in to XMPP "
            + settings.host()
            + ":"
            + settings.port()
            + " as "
            + settings.username()
            + "@"
            + settings.domain()
            + " after "
            + attempts
            + " attempts",
        last);
  }

  /** The Smack connection, for the MUC and IQ machinery. */
  public XMPPTCPConnection smack() {
    return connection;
  }

  @Override
  public void close() {
    ReconnectionManager.getInstanceFor(connection).disableAutomaticReconnection();
    connection.disconnect();
  }

  /** XMPP could not be reached or refused the login. */
  public static final class XmppUnavailableException extends Exception {
    public XmppUnavailableException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
