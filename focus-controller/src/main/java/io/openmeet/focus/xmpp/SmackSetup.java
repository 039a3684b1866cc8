package io.openmeet.focus.xmpp;

import org.jitsi.xmpp.extensions.DefaultPacketExtensionProvider;
import org.jitsi.xmpp.extensions.colibri.ColibriStatsExtension;
import org.jitsi.xmpp.extensions.colibri2.IqProviderUtils;
import org.jitsi.xmpp.extensions.health.HealthCheckIQProvider;
import org.jitsi.xmpp.extensions.jingle.DtlsFingerprintPacketExtension;
import org.jitsi.xmpp.extensions.jingle.IceCandidatePacketExtension;
import org.jitsi.xmpp.extensions.jingle.IceRtcpmuxPacketExtension;
import org.jitsi.xmpp.extensions.jingle.IceUdpTransportPacketExtension;
import org.jivesoftware.smack.provider.ProviderManager;

/** Registers the Smack providers the focus needs (Colibri2, stats, health checks), once. */
public final class SmackSetup {

  private static boolean done;

  private SmackSetup() {}

  /** Idempotent; call before the first connection or parse. */
  public static synchronized void registerProviders() {
    if (done) {
      return;
    }
    IqProviderUtils.registerProviders();
    HealthCheckIQProvider.registerIQProvider();
    ProviderManager.addExtensionProvider(
        ColibriStatsExtension.ELEMENT,
        ColibriStatsExtension.NAMESPACE,
        new DefaultPacketExtensionProvider<>(ColibriStatsExtension.class));
    ProviderManager.addExtensionProvider(
        ColibriStatsExtension.Stat.ELEMENT,
        ColibriStatsExtension.NAMESPACE,
        new DefaultPacketExtensionProvider<>(ColibriStatsExtension.Stat.class));
    // The ICE transport inside Colibri2 <transport>, as JVB registers them.
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
        IceRtcpmuxPacketExtension.NAMESPACE,
        new DefaultPacketExtensionProvider<>(IceRtcpmuxPacketExtension.class));
    ProviderManager.addExtensionProvider(
        DtlsFingerprintPacketExtension.ELEMENT,
        DtlsFingerprintPacketExtension.NAMESPACE,
        new DefaultPacketExtensionProvider<>(DtlsFingerprintPacketExtension.class));
    done = true;
  }
}
