package io.openmeet.litebridge.media;

import java.util.List;

/**
 * Media-plane settings.
 *
 * @param port the single UDP port for ICE/DTLS/SRTP (JVB's default: 10000)
 * @param bindAddresses local addresses to harvest on; loopback is allowed (127.0.0.1 in tests and
 *     local runs)
 * @param publicAddresses extra addresses to advertise (NAT'd hosts); may be empty
 */
public record MediaConfig(int port, List<String> bindAddresses, List<String> publicAddresses) {
  public MediaConfig {
    bindAddresses = List.copyOf(bindAddresses);
    publicAddresses = List.copyOf(publicAddresses);
  }
}
