package io.openmeet.roomapi.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.openmeet.focus.bridge.BridgeListener;
import io.openmeet.focus.bridge.BridgeRegistry;
import io.openmeet.focus.xmpp.FocusXmppConnection;
import io.openmeet.presence.bridge.BridgeSnapshot;
import io.openmeet.roomapi.focus.FocusConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.jitsi.xmpp.extensions.colibri.ColibriStatsExtension;
import org.jivesoftware.smack.packet.ExtensionElement;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smackx.muc.MultiUserChat;
import org.jivesoftware.smackx.muc.MultiUserChatManager;
import org.jxmpp.jid.EntityFullJid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.stringprep.XmppStringprepException;

/**
 * Per-bridge gauges ({@link BridgeGauges}) fed by the focus's {@link BridgeRegistry}. The
 * registry's snapshots carry no participant count, so the {@code participants} stat is read from
 * the same brewery presence the registry reads (passively: no stanza is sent).
 */
@Singleton
public class BridgeMetrics implements BridgeListener {

  private final BridgeRegistry bridgeRegistry;
  private final FocusXmppConnection xmpp;
  private final String breweryRoom;
  private final BridgeGauges gauges;

  /** Kept so that Smack's weakly cached MUC object stays the one the registry uses too. */
  @SuppressWarnings("unused")
  private MultiUserChat brewery;

  BridgeMetrics(
      MeterRegistry meters,
      BridgeRegistry bridgeRegistry,
      FocusXmppConnection xmpp,
      FocusConfig config) {
    this.bridgeRegistry = bridgeRegistry;
    this.xmpp = xmpp;
    this.breweryRoom = config.breweryRoom();
    this.gauges = new BridgeGauges(meters, bridgeRegistry::bridges);
  }

  void start(@Observes StartupEvent event) throws XmppStringprepException {
    bridgeRegistry.addListener(this);
    brewery =
        MultiUserChatManager.getInstanceFor(xmpp.smack())
            .getMultiUserChat(JidCreate.entityBareFrom(breweryRoom));
    brewery.addParticipantListener(this::onBreweryPresence);
    // bridges the registry found before this listener was added
    gauges.refresh();
  }

  @Override
  public void bridgeUpdated(BridgeSnapshot bridge) {
    gauges.refresh();
  }

  @Override
  public void bridgeRemoved(String bridgeId) {
    gauges.refresh();
  }

  @Override
  public void bridgeUnhealthy(String bridgeId) {
    gauges.refresh();
  }

  private void onBreweryPresence(Presence presence) {
    EntityFullJid from =
        presence.getFrom() == null ? null : presence.getFrom().asEntityFullJidIfPossible();
    if (from == null) {
      return;
    }
    String id = from.getResourcepart().toString();
    if (presence.getType() == Presence.Type.unavailable) {
      gauges.participants(id, -1);
      return;
    }
    ExtensionElement ext =
        presence.getExtensionElement(
            ColibriStatsExtension.ELEMENT, ColibriStatsExtension.NAMESPACE);
    if (ext instanceof ColibriStatsExtension stats) {
      Integer count = parse(stats.getValueAsString("participants"));
      if (count != null) {
        gauges.participants(id, count);
      }
    }
  }

  private static Integer parse(String value) {
    if (value == null) {
      return null;
    }
    try {
      int n = Integer.parseInt(value.trim());
      return n >= 0 ? n : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
