package io.openmeet.focus.testing;

import io.openmeet.focus.xmpp.FocusXmppConnection;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jitsi.xmpp.extensions.colibri.ColibriStatsExtension;
import org.jitsi.xmpp.extensions.health.HealthCheckIQ;
import org.jivesoftware.smack.iqrequest.AbstractIqRequestHandler;
import org.jivesoftware.smack.iqrequest.IQRequestHandler;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smackx.muc.MultiUserChat;
import org.jivesoftware.smackx.muc.MultiUserChatManager;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Resourcepart;

/**
 * A real XMPP occupant of a brewery that behaves like a bridge towards the focus's registry: it
 * publishes {@code <stats>} presence and answers {@code healthcheck} IQs as told. It speaks no
 * Colibri2; it exists for discovery, health and selection tests only.
 */
public final class BreweryBridge implements AutoCloseable {

  /** How the occupant answers health checks. */
  public enum Health {
    OK,
    ERROR,
    SILENT
  }

  private final FocusXmppConnection connection;
  private final MultiUserChat muc;
  private final String nickname;
  private final AtomicReference<Health> health = new AtomicReference<>(Health.OK);
  private final AtomicInteger healthChecks = new AtomicInteger();

  public BreweryBridge(String breweryRoom, String nickname) throws Exception {
    this.nickname = nickname;
    connection = new FocusXmppConnection(TestEnv.jvb());
    connection.connect(3, Duration.ofMillis(200), Duration.ofSeconds(1));
    connection
        .smack()
        .registerIQRequestHandler(
            new AbstractIqRequestHandler(
                HealthCheckIQ.ELEMENT,
                HealthCheckIQ.NAMESPACE,
                IQ.Type.get,
                IQRequestHandler.Mode.async) {
              @Override
              public IQ handleIQRequest(IQ request) {
                healthChecks.incrementAndGet();
                return switch (health.get()) {
                  case OK -> IQ.createResultIQ(request);
                  case ERROR ->
                      IQ.createErrorResponse(
                          request,
                          StanzaError.getBuilder(StanzaError.Condition.internal_server_error)
                              .build());
                  case SILENT -> null;
                };
              }
            });
    EntityBareJid room = JidCreate.entityBareFrom(breweryRoom);
    muc = MultiUserChatManager.getInstanceFor(connection.smack()).getMultiUserChat(room);
    MultiUserChat.MucCreateConfigFormHandle created = muc.createOrJoin(Resourcepart.from(nickname));
    if (created != null) {
      created.makeInstant();
    }
  }

  /** Publishes a stats presence in the brewery with these stats. */
  public void publish(Map<String, Object> stats) throws Exception {
    ColibriStatsExtension ext = new ColibriStatsExtension();
    stats.forEach(ext::addStat);
    Presence presence =
        connection
            .smack()
            .getStanzaFactory()
            .buildPresenceStanza()
            .to(JidCreate.entityFullFrom(muc.getRoom(), Resourcepart.from(nickname)))
            .addExtension(ext)
            .build();
    connection.smack().sendStanza(presence);
  }

  /** Publishes presence without stats (the registry must ignore it). */
  public void publishWithoutStats() throws Exception {
    Presence presence =
        connection
            .smack()
            .getStanzaFactory()
            .buildPresenceStanza()
            .to(JidCreate.entityFullFrom(muc.getRoom(), Resourcepart.from(nickname)))
            .build();
    connection.smack().sendStanza(presence);
  }

  public void answerHealthChecks(Health how) {
    health.set(how);
  }

  public int healthChecksReceived() {
    return healthChecks.get();
  }

  public String nickname() {
    return nickname;
  }

  /** Leaves the brewery (the registry must drop the bridge) and disconnects. */
  @Override
  public void close() {
    try {
      if (muc.isJoined()) {
        muc.leave();
      }
    } catch (Exception e) {
      // closing anyway
    }
    connection.close();
  }
}
