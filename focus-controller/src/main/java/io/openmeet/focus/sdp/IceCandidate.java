package io.openmeet.focus.sdp;

import java.util.Objects;

/**
 * An ICE candidate (RFC 8839 §5.1).
 *
 * @param address an IP address or, from browsers hiding their addresses, an mDNS name
 * @param relatedAddress null when absent
 * @param relatedPort -1 when absent
 * @param tcpType null when absent
 */
public record IceCandidate(
    String foundation,
    int component,
    String protocol,
    long priority,
    String address,
    int port,
    String type,
    String relatedAddress,
    int relatedPort,
    String tcpType,
    int generation) {

  public IceCandidate {
    Objects.requireNonNull(foundation, "foundation");
    Objects.requireNonNull(protocol, "protocol");
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(type, "type");
  }

  /** Whether the address is an IPv4 or IPv6 literal (not a host name such as an mDNS one). */
  public boolean hasIpAddress() {
    return SdpValues.isIpv4(address) || SdpValues.isIpv6(address);
  }

  /** The value of {@code a=candidate} (without the {@code candidate:} prefix). */
  public String render() {
    StringBuilder b =
        new StringBuilder()
            .append(foundation)
            .append(' ')
            .append(component)
            .append(' ')
            .append(protocol)
            .append(' ')
            .append(priority)
            .append(' ')
            .append(address)
            .append(' ')
            .append(port)
            .append(" typ ")
            .append(type);
    if (relatedAddress != null) {
      b.append(" raddr ").append(relatedAddress).append(" rport ").append(relatedPort);
    }
    if (tcpType != null) {
      b.append(" tcptype ").append(tcpType);
    }
    return b.append(" generation ").append(generation).toString();
  }

  /**
   * Parses a candidate as a browser trickles it ({@code candidate:...}), with or without the {@code
   * a=} prefix.
   */
  public static IceCandidate parse(String candidate) throws SdpParseException {
    if (candidate == null) {
      throw new SdpParseException(SdpParseException.Reason.BAD_CANDIDATE, 0, "candidate is null");
    }
    String value = candidate.strip();
    if (value.startsWith("a=")) {
      value = value.substring(2);
    }
    if (!value.startsWith("candidate:")) {
      throw new SdpParseException(
          SdpParseException.Reason.BAD_CANDIDATE, 0, "a candidate starts with 'candidate:'");
    }
    return SdpValues.candidate(value.substring("candidate:".length()), 0);
  }
}
