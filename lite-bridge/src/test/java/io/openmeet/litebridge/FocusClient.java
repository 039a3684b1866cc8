package io.openmeet.litebridge;

import io.openmeet.litebridge.xmpp.XmppProviders;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jitsi.xmpp.extensions.colibri.ColibriStatsExtension;
import org.jivesoftware.smack.ConnectionConfiguration.SecurityMode;
import org.jivesoftware.smack.StanzaCollector;
import org.jivesoftware.smack.filter.StanzaIdFilter;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smack.tcp.XMPPTCPConnectionConfiguration;
import org.jivesoftware.smackx.muc.MultiUserChat;
import org.jivesoftware.smackx.muc.MultiUserChatManager;
import org.jxmpp.jid.Jid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Resourcepart;

/**
 * A jicofo-shaped XMPP client for tests: logs in as the focus account on the real Prosody, joins
 * the test brewery and talks to bridges through their occupant JIDs.
 */
public final class FocusClient implements AutoCloseable {
  final XMPPTCPConnection connection;
  final MultiUserChat brewery;

  /** The latest stats presence per occupant nickname; a null value means the occupant left. */
  final Map<String, ColibriStatsExtension> stats = new ConcurrentHashMap<>();

  public FocusClient(String breweryJid) throws Exception {
    XmppProviders.register();
    XMPPTCPConnectionConfiguration cfg =
        XMPPTCPConnectionConfiguration.builder()
            .setHost(TestEnv.require("XMPP_HOST"))
            .setPort(Integer.parseInt(TestEnv.require("XMPP_PORT")))
            .setXmppDomain(TestEnv.require("XMPP_AUTH_DOMAIN"))
            .setUsernameAndPassword(
                TestEnv.require("FOCUS_USER"), TestEnv.require("FOCUS_PASSWORD"))
            .setResource(TestEnv.random("litebridge-test-"))
            .setSecurityMode(SecurityMode.disabled)
            .build();
    connection = new XMPPTCPConnection(cfg);
    connection.setReplyTimeout(10_000);
    connection.connect().login();
    brewery =
        MultiUserChatManager.getInstanceFor(connection)
            .getMultiUserChat(JidCreate.entityBareFrom(breweryJid));
    brewery.addParticipantListener(this::onPresence);
    MultiUserChat.MucCreateConfigFormHandle created =
        brewery.createOrJoin(Resourcepart.from(TestEnv.random("focus-")));
    if (created != null) {
      created.makeInstant();
    }
  }

  private void onPresence(Presence presence) {
    if (presence.getFrom() == null || presence.getFrom().getResourceOrNull() == null) {
      return;
    }
    String nick = presence.getFrom().getResourceOrThrow().toString();
    ColibriStatsExtension ext = presence.getExtension(ColibriStatsExtension.class);
    if (presence.getType() == Presence.Type.unavailable) {
      stats.remove(nick);
    } else if (ext != null) {
      stats.put(nick, ext);
    }
  }

  /** Sends an IQ and returns the response (result or error). */
  public IQ request(IQ iq) throws Exception {
    try (StanzaCollector collector =
        connection.createStanzaCollectorAndSend(new StanzaIdFilter(iq.getStanzaId()), iq)) {
      IQ response = collector.nextResult(10_000);
      if (response == null) {
        throw new AssertionError("no response to " + iq.toXML());
      }
      return response;
    }
  }

  /** Waits until the occupant's stats presence satisfies the check. */
  public ColibriStatsExtension awaitStats(
      String nick, java.util.function.Predicate<ColibriStatsExtension> check, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      ColibriStatsExtension s = stats.get(nick);
      if (s != null && check.test(s)) {
        return s;
      }
      Thread.sleep(50);
    }
    throw new AssertionError(
        "stats presence of " + nick + " never matched; last: " + stats.get(nick));
  }

  public Jid occupant(String nick) throws Exception {
    return JidCreate.entityFullFrom(brewery.getRoom(), Resourcepart.from(nick));
  }

  @Override
  public void close() {
    try {
      brewery.leave();
    } catch (Exception ignored) {
      // the test is over; the server drops the occupant with the connection anyway
    }
    connection.disconnect();
  }
}
