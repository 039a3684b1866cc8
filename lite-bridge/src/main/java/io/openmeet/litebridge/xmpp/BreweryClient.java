package io.openmeet.litebridge.xmpp;

import io.openmeet.litebridge.colibri2.Colibri2RequestHandler;
import io.openmeet.litebridge.config.BridgeConfig;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jitsi.xmpp.extensions.colibri.ColibriStatsExtension;
import org.jitsi.xmpp.extensions.colibri2.ConferenceModifyIQ;
import org.jitsi.xmpp.extensions.health.HealthCheckIQ;
import org.jivesoftware.smack.ConnectionConfiguration.SecurityMode;
import org.jivesoftware.smack.SmackException;
import org.jivesoftware.smack.XMPPConnection;
import org.jivesoftware.smack.iqrequest.AbstractIqRequestHandler;
import org.jivesoftware.smack.iqrequest.IQRequestHandler;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smack.tcp.XMPPTCPConnectionConfiguration;
import org.jivesoftware.smackx.muc.MultiUserChat;
import org.jivesoftware.smackx.muc.MultiUserChatManager;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.EntityFullJid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Resourcepart;
import org.jxmpp.stringprep.XmppStringprepException;

/**
 * The bridge's XMPP side: logs in with its own account, joins the brewery room, publishes presence
 * with the `stats` extension every presence interval, answers `healthcheck` and Colibri2
 * `conference-modify` IQs, and reconnects/rejoins by itself when the server goes away.
 *
 * <p>Recovery is a supervisor task rather than Smack's ReconnectionManager, because it must also
 * cover a kicked session and a lost MUC membership, and it always starts from a fresh connection.
 */
public final class BreweryClient implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(BreweryClient.class.getName());

  private final BridgeConfig.Xmpp config;
  private final Colibri2RequestHandler colibri;
  private final Supplier<Map<String, Object>> stats;
  private final BooleanSupplier healthy;
  private final ScheduledExecutorService scheduler;
  private final EntityBareJid mucJid;
  private final Resourcepart nickname;

  private volatile XMPPTCPConnection connection;
  private volatile MultiUserChat muc;
  private volatile boolean closed;
  private ScheduledFuture<?> supervisor;
  private ScheduledFuture<?> publisher;

  public BreweryClient(
      BridgeConfig.Xmpp config,
      Colibri2RequestHandler colibri,
      Supplier<Map<String, Object>> stats,
      BooleanSupplier healthy,
      ScheduledExecutorService scheduler) {
    XmppProviders.register();
    this.config = config;
    this.colibri = colibri;
    this.stats = stats;
    this.healthy = healthy;
    this.scheduler = scheduler;
    try {
      this.mucJid = JidCreate.entityBareFrom(config.mucJid());
      this.nickname = Resourcepart.from(config.nickname());
    } catch (XmppStringprepException e) {
      throw new IllegalArgumentException("invalid brewery JID or nickname: " + e.getMessage(), e);
    }
  }

  /** Starts connecting in the background; {@link #isJoined()} turns true once in the brewery. */
  public synchronized void start() {
    long reconnectMs = config.reconnectDelay().toMillis();
    supervisor =
        scheduler.scheduleWithFixedDelay(this::ensureOnline, 0, reconnectMs, TimeUnit.MILLISECONDS);
    long presenceMs = config.presenceInterval().toMillis();
    publisher =
        scheduler.scheduleAtFixedRate(
            this::publishPresence, presenceMs, presenceMs, TimeUnit.MILLISECONDS);
  }

  /** The bridge's occupant JID in the brewery, the address Colibri2 requests go to. */
  public EntityFullJid occupantJid() {
    return JidCreate.entityFullFrom(mucJid, nickname);
  }

  public boolean isJoined() {
    MultiUserChat m = muc;
    XMPPTCPConnection c = connection;
    return m != null && c != null && c.isAuthenticated() && m.isJoined();
  }

  /** Sends the current stats now (e.g. after drain or shutdown state changed). */
  public void publishPresence() {
    XMPPTCPConnection c = connection;
    if (!isJoined() || c == null) {
      return;
    }
    try {
      Presence presence =
          c.getStanzaFactory()
              .buildPresenceStanza()
              .to(occupantJid())
              .addExtension(statsExtension())
              .build();
      c.sendStanza(presence);
    } catch (Exception e) {
      LOG.log(Level.FINE, "presence not sent", e);
    }
  }

  private ColibriStatsExtension statsExtension() {
    ColibriStatsExtension ext = new ColibriStatsExtension();
    for (Map.Entry<String, Object> e : stats.get().entrySet()) {
      ext.addStat(e.getKey(), String.valueOf(e.getValue()));
    }
    return ext;
  }

  private synchronized void ensureOnline() {
    if (closed) {
      return;
    }
    try {
      if (connection == null || !connection.isConnected() || !connection.isAuthenticated()) {
        dropConnection();
        connection = connect();
      }
      if (muc == null || !muc.isJoined()) {
        join(connection);
      }
    } catch (Exception e) {
      LOG.warning(
          "brewery connection not ready, retrying in " + config.reconnectDelay() + ": " + e);
      if (connection != null && !connection.isAuthenticated()) {
        dropConnection();
      }
    }
  }

  private XMPPTCPConnection connect() throws Exception {
    XMPPTCPConnectionConfiguration.Builder builder =
        XMPPTCPConnectionConfiguration.builder()
            .setHost(config.host())
            .setPort(config.port())
            .setXmppDomain(config.domain())
            .setUsernameAndPassword(config.username(), config.password())
            .setResource(nickname)
            .setSocketFactory(new NoDelaySocketFactory())
            .setSecurityMode(securityMode())
            .setConnectTimeout(5000);
    if (config.disableCertificateVerification()) {
      builder.setCustomX509TrustManager(new TrustAnyServer());
      builder.setHostnameVerifier((hostname, session) -> true);
    }
    XMPPTCPConnectionConfiguration cfg = builder.build();
    XMPPTCPConnection c = new XMPPTCPConnection(cfg);
    c.setReplyTimeout(5000);
    // Smack's default drops the connection on an unparsable stanza; one bad stanza must not cut
    // the bridge off the brewery (malformed Colibri2 requests are answered, see
    // LenientConferenceModifyProvider).
    c.setParsingExceptionCallback(
        stanza -> LOG.warning("dropped an unparsable stanza: " + stanza.getParsingException()));
    c.registerIQRequestHandler(conferenceModifyHandler(IQ.Type.get));
    c.registerIQRequestHandler(conferenceModifyHandler(IQ.Type.set));
    c.registerIQRequestHandler(healthCheckHandler());
    c.connect().login();
    LOG.info("logged in to XMPP as " + c.getUser());
    return c;
  }

  /** Plaintext on loopback (nothing to protect); STARTTLS when the server offers it elsewhere. */
  private SecurityMode securityMode() {
    try {
      return java.net.InetAddress.getByName(config.host()).isLoopbackAddress()
          ? SecurityMode.disabled
          : SecurityMode.ifpossible;
    } catch (java.net.UnknownHostException e) {
      return SecurityMode.ifpossible;
    }
  }

  /** Accepts any server certificate: only with disable_certificate_verification (labs). */
  private static final class TrustAnyServer implements javax.net.ssl.X509TrustManager {
    @Override
    public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {}

    @Override
    public java.security.cert.X509Certificate[] getAcceptedIssuers() {
      return new java.security.cert.X509Certificate[0];
    }
  }

  private void join(XMPPTCPConnection c) throws Exception {
    MultiUserChat room = MultiUserChatManager.getInstanceFor(c).getMultiUserChat(mucJid);
    room.addPresenceInterceptor(builder -> builder.overrideExtension(statsExtension()));
    // Assigned first: the join presence (with stats) can reach others before createOrJoin returns.
    muc = room;
    MultiUserChat.MucCreateConfigFormHandle created = room.createOrJoin(nickname);
    if (created != null) {
      created.makeInstant();
    }
    LOG.info("joined the brewery as " + occupantJid());
  }

  private void dropConnection() {
    MultiUserChat m = muc;
    muc = null;
    XMPPTCPConnection c = connection;
    connection = null;
    if (c != null) {
      try {
        if (m != null && m.isJoined() && c.isAuthenticated()) {
          m.leave();
        }
      } catch (Exception e) {
        LOG.log(Level.FINE, "leaving the brewery failed", e);
      }
      c.disconnect();
    }
  }

  private AbstractIqRequestHandler conferenceModifyHandler(IQ.Type type) {
    return new AbstractIqRequestHandler(
        ConferenceModifyIQ.ELEMENT,
        ConferenceModifyIQ.NAMESPACE,
        type,
        IQRequestHandler.Mode.sync) {
      @Override
      public IQ handleIQRequest(IQ iq) {
        // Like JVB, Colibri2 is only accepted through the brewery room (from an occupant).
        if (iq.getFrom() == null || !mucJid.equals(iq.getFrom().asBareJid())) {
          return IQ.createErrorResponse(
              iq,
              StanzaError.getBuilder(StanzaError.Condition.forbidden)
                  .setDescriptiveEnText("Colibri2 requests are accepted only from the brewery room")
                  .build());
        }
        if (iq instanceof MalformedColibri2Iq malformed) {
          return IQ.createErrorResponse(
              iq,
              StanzaError.getBuilder(StanzaError.Condition.bad_request)
                  .setDescriptiveEnText("Malformed request: " + malformed.problem())
                  .build());
        }
        // Answered from the request's lane (its meeting's queue), in the reader's order here.
        XMPPTCPConnection c = connection;
        colibri.handleInOrder((ConferenceModifyIQ) iq, response -> reply(c, response));
        return null;
      }
    };
  }

  private static void reply(XMPPTCPConnection c, IQ response) {
    if (c == null) {
      return; // dropped meanwhile
    }
    try {
      c.sendStanza(response);
    } catch (SmackException.NotConnectedException e) {
      // the focus re-sends or gives up on its own timeout; a later connection has other requests
      LOG.fine("connection lost before a Colibri2 answer went out");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private AbstractIqRequestHandler healthCheckHandler() {
    return new AbstractIqRequestHandler(
        HealthCheckIQ.ELEMENT, HealthCheckIQ.NAMESPACE, IQ.Type.get, IQRequestHandler.Mode.async) {
      @Override
      public IQ handleIQRequest(IQ iq) {
        if (healthy.getAsBoolean()) {
          return IQ.createResultIQ(iq);
        }
        return IQ.createErrorResponse(
            iq,
            StanzaError.getBuilder(StanzaError.Condition.internal_server_error)
                .setDescriptiveEnText("lite-bridge is not healthy")
                .build());
      }
    };
  }

  /** The current connection (tests and diagnostics), or null while reconnecting. */
  public XMPPConnection connection() {
    return connection;
  }

  /** Leaves the brewery (the focus then stops using this bridge) and disconnects. */
  @Override
  public synchronized void close() {
    closed = true;
    if (supervisor != null) {
      supervisor.cancel(false);
    }
    if (publisher != null) {
      publisher.cancel(false);
    }
    dropConnection();
  }
}
