package io.openmeet.jvbtestkit;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.jivesoftware.smack.ConnectionConfiguration.SecurityMode;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smack.tcp.XMPPTCPConnectionConfiguration;
import org.jivesoftware.smackx.muc.MultiUserChat;
import org.jivesoftware.smackx.muc.MultiUserChatManager;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.EntityFullJid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Resourcepart;

/**
 * Joins a brewery for a moment to see a bridge there the way the focus does: an occupant with the
 * bridge's nickname whose presence carries {@code <stats
 * xmlns='http://jitsi.org/protocol/colibri'>}.
 */
final class BreweryWatch {

  static final String STATS_ELEMENT = "stats";
  static final String STATS_NAMESPACE = "http://jitsi.org/protocol/colibri";

  private BreweryWatch() {}

  /**
   * Waits until {@code nickname} publishes stats in {@code breweryJid}.
   *
   * @param alive false once waiting is pointless (the bridge process exited)
   * @throws IllegalStateException when the bridge does not appear in time or {@code alive} fails
   */
  static void awaitStatsPresence(
      XmppAccount account,
      String breweryJid,
      String nickname,
      Duration timeout,
      BooleanSupplier alive)
      throws Exception {
    XMPPTCPConnection connection =
        new XMPPTCPConnection(
            XMPPTCPConnectionConfiguration.builder()
                .setHost(account.host())
                .setPort(account.port())
                .setXmppDomain(account.domain())
                .setUsernameAndPassword(account.username(), account.password())
                .setResource(Resourcepart.from("jvb-testkit-" + Names.randomHex()))
                // the shared local Prosody serves plaintext c2s on loopback only
                .setSecurityMode(SecurityMode.disabled)
                .setConnectTimeout(10_000)
                .build());
    try {
      connection.connect().login();
      EntityBareJid room = JidCreate.entityBareFrom(breweryJid);
      EntityFullJid bridge = JidCreate.entityFullFrom(room, Resourcepart.from(nickname));
      MultiUserChat muc = MultiUserChatManager.getInstanceFor(connection).getMultiUserChat(room);
      CountDownLatch seen = new CountDownLatch(1);
      muc.addParticipantListener(
          presence -> {
            if (bridge.equals(presence.getFrom()) && withStats(presence)) {
              seen.countDown();
            }
          });
      MultiUserChat.MucCreateConfigFormHandle created =
          muc.createOrJoin(Resourcepart.from("jvb-testkit-" + Names.randomHex()));
      if (created != null) {
        created.makeInstant();
      }
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!seen.await(100, TimeUnit.MILLISECONDS)) {
        Presence current = muc.getOccupantPresence(bridge);
        if (current != null && withStats(current)) {
          break;
        }
        if (!alive.getAsBoolean()) {
          throw new IllegalStateException("the bridge exited before it joined " + breweryJid);
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "bridge " + nickname + " published no stats in " + breweryJid + " within " + timeout);
        }
      }
      muc.leave();
    } finally {
      connection.disconnect();
    }
  }

  private static boolean withStats(Presence presence) {
    return presence.isAvailable() && presence.hasExtension(STATS_ELEMENT, STATS_NAMESPACE);
  }
}
