package io.openmeet.litebridge.media;

import java.util.List;

/**
 * Media-plane settings.
 *
 * @param port the single UDP port for ICE/DTLS/SRTP (JVB's default: 10000)
 * @param bindAddresses local addresses to harvest on; loopback is allowed (127.0.0.1 in tests and
 *     local runs)
 * @param publicAddresses extra addresses to advertise (NAT'd hosts); may be empty
 * @param trustBwe whether receivers' bandwidth estimates limit the simulcast layers they get and
 *     drive probing (JVB's {@code cc.trust-bwe}); false: layers by height alone, no probing
 */
public record MediaConfig(
    int port, List<String> bindAddresses, List<String> publicAddresses, boolean trustBwe) {
  public MediaConfig {
    bindAddresses = List.copyOf(bindAddresses);
    publicAddresses = List.copyOf(publicAddresses);
  }

  /** Settings with bandwidth estimation trusted (the default). */
  public MediaConfig(int port, List<String> bindAddresses, List<String> publicAddresses) {
    this(port, bindAddresses, publicAddresses, true);
  }
}
