package io.openmeet.focus.sdp;

import io.openmeet.focus.sdp.SdpParseException.Reason;
import java.util.ArrayList;
import java.util.List;

/** Parsers for attribute values; each either returns a valid value or throws with a reason. */
final class SdpValues {

  static final long MAX_SSRC = 0xFFFF_FFFFL;

  private SdpValues() {}

  /** Splits on single spaces, rejecting empty tokens (double spaces, leading/trailing space). */
  static String[] tokens(String value, Reason reason, int line, String what)
      throws SdpParseException {
    if (value == null || value.isEmpty()) {
      throw new SdpParseException(reason, line, what + " has no value");
    }
    String[] parts = value.split(" ", -1);
    for (String p : parts) {
      if (p.isEmpty()) {
        throw new SdpParseException(reason, line, what + " has an empty field: '" + value + "'");
      }
    }
    return parts;
  }

  static long unsigned(String s, long max, Reason reason, int line, String what)
      throws SdpParseException {
    if (s.isEmpty() || s.length() > 19) {
      throw new SdpParseException(reason, line, what + " is not a number: '" + s + "'");
    }
    long v = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        throw new SdpParseException(reason, line, what + " is not a number: '" + s + "'");
      }
      v = v * 10 + (c - '0');
      if (v > max || v < 0) {
        throw new SdpParseException(reason, line, what + " is out of range: '" + s + "'");
      }
    }
    return v;
  }

  static int port(String s, Reason reason, int line, String what) throws SdpParseException {
    return (int) unsigned(s, 65535, reason, line, what);
  }

  static long ssrc(String s, int line) throws SdpParseException {
    return unsigned(s, MAX_SSRC, Reason.BAD_SSRC, line, "SSRC");
  }

  /** RFC 4566 token characters, used for attribute names, hashes and the like. */
  static boolean isToken(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || "!#$%&'*+-.^_`{|}~".indexOf(c) >= 0;
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** RFC 8839 ice-char: ALPHA / DIGIT / "+" / "/". */
  static boolean isIceChars(String s, int min, int max) {
    if (s.length() < min || s.length() > max) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '+'
              || c == '/';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** {@code <hash> <hex>:<hex>:...}. */
  static DtlsFingerprint fingerprint(String value, Setup setup, int line) throws SdpParseException {
    String[] parts = tokens(value, Reason.BAD_FINGERPRINT, line, "a=fingerprint");
    if (parts.length != 2 || !isToken(parts[0])) {
      throw new SdpParseException(
          Reason.BAD_FINGERPRINT, line, "a=fingerprint must be '<hash> <hex pairs>'");
    }
    String hex = parts[1];
    String[] pairs = hex.split(":", -1);
    if (pairs.length < 16 || pairs.length > 64) {
      throw new SdpParseException(
          Reason.BAD_FINGERPRINT, line, "a=fingerprint has " + pairs.length + " bytes");
    }
    for (String pair : pairs) {
      if (pair.length() != 2 || !isHexDigit(pair.charAt(0)) || !isHexDigit(pair.charAt(1))) {
        throw new SdpParseException(
            Reason.BAD_FINGERPRINT, line, "a=fingerprint is not colon-separated hex: " + hex);
      }
    }
    return new DtlsFingerprint(parts[0].toLowerCase(java.util.Locale.ROOT), hex, setup);
  }

  /** The part of {@code a=candidate:} after the colon. */
  static IceCandidate candidate(String value, int line) throws SdpParseException {
    String[] f = tokens(value, Reason.BAD_CANDIDATE, line, "a=candidate");
    if (f.length < 8 || !"typ".equals(f[6])) {
      throw new SdpParseException(
          Reason.BAD_CANDIDATE,
          line,
          "a=candidate must be '<foundation> <component> <transport> <priority> <address> <port>"
              + " typ <type> ...'");
    }
    String foundation = f[0];
    if (foundation.length() > 32 || !isIceChars(foundation, 1, 32)) {
      throw new SdpParseException(Reason.BAD_CANDIDATE, line, "bad candidate foundation");
    }
    int component = (int) unsigned(f[1], 256, Reason.BAD_CANDIDATE, line, "candidate component");
    if (component < 1) {
      throw new SdpParseException(Reason.BAD_CANDIDATE, line, "candidate component must be >= 1");
    }
    String protocol = f[2].toLowerCase(java.util.Locale.ROOT);
    if (!protocol.equals("udp") && !protocol.equals("tcp")) {
      throw new SdpParseException(
          Reason.BAD_CANDIDATE, line, "candidate transport must be udp or tcp: " + f[2]);
    }
    // RFC 8445 5.1.2.1: at most 2^31 - 1; bridges read it as a signed int (a larger one made
    // lite-bridge answer internal-server-error to the update; found by the fuzzer)
    long priority = unsigned(f[3], 0x7FFF_FFFFL, Reason.BAD_CANDIDATE, line, "candidate priority");
    String address = f[4];
    if (!isConnectionAddress(address)) {
      throw new SdpParseException(
          Reason.BAD_CANDIDATE, line, "candidate address is no IP address or host name");
    }
    int port = port(f[5], Reason.BAD_CANDIDATE, line, "candidate port");
    String type = f[7];
    if (!type.equals("host")
        && !type.equals("srflx")
        && !type.equals("prflx")
        && !type.equals("relay")) {
      throw new SdpParseException(Reason.BAD_CANDIDATE, line, "unknown candidate type: " + type);
    }
    String raddr = null;
    int rport = -1;
    String tcpType = null;
    int generation = 0;
    // Extensions come as name/value pairs; unknown ones (ufrag, network-id, ...) are skipped.
    if ((f.length - 8) % 2 != 0) {
      throw new SdpParseException(
          Reason.BAD_CANDIDATE, line, "candidate extensions must be name/value pairs");
    }
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (int i = 8; i + 1 < f.length; i += 2) {
      String name = f[i];
      String v = f[i + 1];
      if (!seen.add(name)) {
        throw new SdpParseException(Reason.BAD_CANDIDATE, line, "candidate repeats " + name);
      }
      switch (name) {
        case "raddr" -> {
          if (!isConnectionAddress(v)) {
            throw new SdpParseException(
                Reason.BAD_CANDIDATE, line, "candidate raddr is no IP address or host name");
          }
          raddr = v;
        }
        case "rport" -> rport = port(v, Reason.BAD_CANDIDATE, line, "candidate rport");
        case "tcptype" -> {
          if (!v.equals("active") && !v.equals("passive") && !v.equals("so")) {
            throw new SdpParseException(
                Reason.BAD_CANDIDATE, line, "candidate tcptype must be active, passive or so");
          }
          tcpType = v;
        }
        case "generation" ->
            generation =
                (int) unsigned(v, Integer.MAX_VALUE, Reason.BAD_CANDIDATE, line, "generation");
        default -> {
          // unknown extensions (ufrag, network-id, network-cost) are skipped, but only when they
          // keep to the grammar: a token name and a value of visible ASCII (RFC 8839 non-ws-string)
          if (!isToken(name) || !isVisibleAscii(v)) {
            throw new SdpParseException(Reason.BAD_CANDIDATE, line, "bad candidate extension");
          }
        }
      }
    }
    if ((raddr == null) != (rport < 0)) {
      throw new SdpParseException(
          Reason.BAD_CANDIDATE, line, "candidate raddr and rport come together");
    }
    return new IceCandidate(
        foundation,
        component,
        protocol,
        priority,
        address,
        port,
        type,
        raddr,
        rport,
        tcpType,
        generation);
  }

  /**
   * RFC 8839 connection-address: an IPv4 or IPv6 literal, or a host name (browsers that hide their
   * addresses give mDNS names such as {@code 1f4c….local}).
   */
  static boolean isConnectionAddress(String s) {
    return isIpv4(s) || isIpv6(s) || isHostName(s);
  }

  /** Dotted-quad IPv4 without leading zeros (RFC 3986 IPv4address). */
  static boolean isIpv4(String s) {
    String[] parts = s.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    for (String p : parts) {
      if (p.isEmpty() || p.length() > 3 || (p.length() > 1 && p.charAt(0) == '0')) {
        return false;
      }
      int v = 0;
      for (int i = 0; i < p.length(); i++) {
        char c = p.charAt(i);
        if (c < '0' || c > '9') {
          return false;
        }
        v = v * 10 + (c - '0');
      }
      if (v > 255) {
        return false;
      }
    }
    return true;
  }

  /**
   * An IPv6 literal (RFC 4291 section 2.2): eight groups, one {@code ::}, an IPv4 tail; no zone.
   */
  static boolean isIpv6(String s) {
    if (s.length() < 2 || s.length() > 45 || s.indexOf(':') < 0) {
      return false;
    }
    String hex = s;
    if (s.indexOf('.') >= 0) {
      // an IPv4 tail stands for the last two groups
      int colon = s.lastIndexOf(':');
      if (!isIpv4(s.substring(colon + 1))) {
        return false;
      }
      hex = s.substring(0, colon + 1) + "0:0";
    }
    int gap = hex.indexOf("::");
    if (gap >= 0 && hex.indexOf("::", gap + 1) >= 0) {
      return false;
    }
    String[] parts =
        gap < 0 ? new String[] {hex} : new String[] {hex.substring(0, gap), hex.substring(gap + 2)};
    int groups = 0;
    for (String part : parts) {
      if (part.isEmpty()) {
        continue;
      }
      for (String group : part.split(":", -1)) {
        if (group.isEmpty() || group.length() > 4) {
          return false;
        }
        for (int i = 0; i < group.length(); i++) {
          if (!isHexDigit(group.charAt(i))) {
            return false;
          }
        }
        groups++;
      }
    }
    return gap >= 0 ? groups <= 7 : groups == 8;
  }

  /**
   * A host name (RFC 1123): dot-separated labels of letters, digits and inner hyphens, at most 63
   * characters each and 253 in all; the last label holds a letter, so no IP-like name passes.
   */
  static boolean isHostName(String s) {
    if (s.isEmpty() || s.length() > 253) {
      return false;
    }
    String[] labels = s.split("\\.", -1);
    for (String label : labels) {
      if (label.isEmpty()
          || label.length() > 63
          || label.charAt(0) == '-'
          || label.charAt(label.length() - 1) == '-') {
        return false;
      }
      for (int i = 0; i < label.length(); i++) {
        char c = label.charAt(i);
        boolean ok =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
        if (!ok) {
          return false;
        }
      }
    }
    String last = labels[labels.length - 1];
    return last.chars().anyMatch(Character::isLetter);
  }

  /** 0-9, a-f, A-F (Character.digit would also take other scripts' digits). */
  static boolean isHexDigit(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  /** One or more characters from {@code !} to {@code ~}. */
  static boolean isVisibleAscii(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x21 || c > 0x7E) {
        return false;
      }
    }
    return true;
  }

  /** {@code <semantics> <ssrc> <ssrc>...}. */
  static SsrcGroup ssrcGroup(String value, int line) throws SdpParseException {
    String[] f = tokens(value, Reason.BAD_SSRC, line, "a=ssrc-group");
    if (f.length < 2 || !isToken(f[0])) {
      throw new SdpParseException(
          Reason.BAD_SSRC, line, "a=ssrc-group must be '<semantics> <ssrc>...'");
    }
    List<Long> ssrcs = new ArrayList<>();
    for (int i = 1; i < f.length; i++) {
      ssrcs.add(ssrc(f[i], line));
    }
    return new SsrcGroup(f[0], ssrcs);
  }
}
