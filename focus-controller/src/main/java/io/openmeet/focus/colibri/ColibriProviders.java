package io.openmeet.focus.colibri;

import org.jitsi.xmpp.extensions.DefaultPacketExtensionProvider;
import org.jitsi.xmpp.extensions.colibri.WebSocketPacketExtension;
import org.jitsi.xmpp.extensions.colibri2.IqProviderUtils;
import org.jitsi.xmpp.extensions.jingle.DtlsFingerprintPacketExtension;
import org.jitsi.xmpp.extensions.jingle.IceCandidatePacketExtension;
import org.jitsi.xmpp.extensions.jingle.IceRtcpmuxPacketExtension;
import org.jitsi.xmpp.extensions.jingle.IceUdpTransportPacketExtension;
import org.jivesoftware.smack.provider.ProviderManager;

/**
 * Registers the Smack providers for reading Colibri2 answers: the colibri2 IQs and elements and the
 * ICE-UDP transport children (candidates, rtcp-mux, fingerprint, web-socket), as jicofo does.
 * Idempotent.
 */
public final class ColibriProviders {
  private static boolean registered;

  private ColibriProviders() {}

  public static synchronized void register() {
    if (registered) {
      return;
    }
    IqProviderUtils.registerProviders();
    add(
        IceUdpTransportPacketExtension.ELEMENT,
        IceUdpTransportPacketExtension.NAMESPACE,
        IceUdpTransportPacketExtension.class);
    add(
        IceCandidatePacketExtension.ELEMENT,
        IceCandidatePacketExtension.NAMESPACE,
        IceCandidatePacketExtension.class);
    add(
        IceRtcpmuxPacketExtension.ELEMENT,
        IceUdpTransportPacketExtension.NAMESPACE,
        IceRtcpmuxPacketExtension.class);
    add(
        DtlsFingerprintPacketExtension.ELEMENT,
        DtlsFingerprintPacketExtension.NAMESPACE,
        DtlsFingerprintPacketExtension.class);
    add(
        WebSocketPacketExtension.ELEMENT,
        WebSocketPacketExtension.NAMESPACE,
        WebSocketPacketExtension.class);
    registered = true;
  }

  private static <T extends org.jitsi.xmpp.extensions.AbstractPacketExtension> void add(
      String element, String namespace, Class<T> type) {
    ProviderManager.addExtensionProvider(
        element, namespace, new DefaultPacketExtensionProvider<>(type));
  }
}
