package io.openmeet.litebridge.xmpp;

import org.jitsi.xmpp.extensions.DefaultPacketExtensionProvider;
import org.jitsi.xmpp.extensions.colibri.ColibriStatsExtension;
import org.jitsi.xmpp.extensions.colibri.WebSocketPacketExtension;
import org.jitsi.xmpp.extensions.colibri2.ConferenceModifyIQ;
import org.jitsi.xmpp.extensions.colibri2.IqProviderUtils;
import org.jitsi.xmpp.extensions.health.HealthCheckIQProvider;
import org.jitsi.xmpp.extensions.jingle.DtlsFingerprintPacketExtension;
import org.jitsi.xmpp.extensions.jingle.IceCandidatePacketExtension;
import org.jitsi.xmpp.extensions.jingle.IceRtcpmuxPacketExtension;
import org.jitsi.xmpp.extensions.jingle.IceUdpTransportPacketExtension;
import org.jivesoftware.smack.provider.ProviderManager;

/**
 * Registers the Smack providers a Colibri2 peer needs (the same set JVB and jicofo register): the
 * colibri2 IQs and elements, the ICE-UDP transport children, the web-socket element, the stats
 * presence extension and the health-check IQ. Idempotent.
 */
public final class XmppProviders {
  private static boolean registered;

  private XmppProviders() {}

  public static synchronized void register() {
    if (registered) {
      return;
    }
    IqProviderUtils.registerProviders();
    HealthCheckIQProvider.registerIQProvider();
    ProviderManager.addIQProvider(
        ConferenceModifyIQ.ELEMENT,
        ConferenceModifyIQ.NAMESPACE,
        new LenientConferenceModifyProvider());
    ProviderManager.addExtensionProvider(
        IceUdpTransportPacketExtension.ELEMENT,
        IceUdpTransportPacketExtension.NAMESPACE,
        new DefaultPacketExtensionProvider<>(IceUdpTransportPacketExtension.class));
    ProviderManager.addExtensionProvider(
        IceCandidatePacketExtension.ELEMENT,
        IceCandidatePacketExtension.NAMESPACE,
        new DefaultPacketExtensionProvider<>(IceCandidatePacketExtension.class));
    ProviderManager.addExtensionProvider(
        IceRtcpmuxPacketExtension.ELEMENT,
        IceUdpTransportPacketExtension.NAMESPACE,
        new DefaultPacketExtensionProvider<>(IceRtcpmuxPacketExtension.class));
    ProviderManager.addExtensionProvider(
        DtlsFingerprintPacketExtension.ELEMENT,
        DtlsFingerprintPacketExtension.NAMESPACE,
        new DefaultPacketExtensionProvider<>(DtlsFingerprintPacketExtension.class));
    ProviderManager.addExtensionProvider(
        WebSocketPacketExtension.ELEMENT,
        WebSocketPacketExtension.NAMESPACE,
        new DefaultPacketExtensionProvider<>(WebSocketPacketExtension.class));
    ProviderManager.addExtensionProvider(
        ColibriStatsExtension.ELEMENT,
        ColibriStatsExtension.NAMESPACE,
        new DefaultPacketExtensionProvider<>(ColibriStatsExtension.class));
    ProviderManager.addExtensionProvider(
        ColibriStatsExtension.Stat.ELEMENT,
        ColibriStatsExtension.NAMESPACE,
        new DefaultPacketExtensionProvider<>(ColibriStatsExtension.Stat.class));
    registered = true;
  }
}
