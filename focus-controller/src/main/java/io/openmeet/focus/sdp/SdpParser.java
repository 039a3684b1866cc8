package io.openmeet.focus.sdp;

import io.openmeet.focus.sdp.SdpParseException.Reason;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads SDP text into a {@link SessionDescription}, checking the line syntax of RFC 8866. What the
 * values mean is checked by the readers built on top ({@link SdpAnswer}).
 */
public final class SdpParser {

  /** Largest SDP accepted, in characters; a real answer with many m-lines is a few KiB. */
  public static final int MAX_LENGTH = 256 * 1024;

  /** Most lines accepted. */
  public static final int MAX_LINES = 8192;

  private static final String LINE_TYPES = "vosiuepcbtrzkam";

  private SdpParser() {}

  /** Parses SDP with CRLF or LF line ends. */
  public static SessionDescription parse(String sdp) throws SdpParseException {
    if (sdp == null || sdp.isBlank()) {
      throw new SdpParseException(Reason.EMPTY, 0, "SDP is empty");
    }
    if (sdp.length() > MAX_LENGTH) {
      throw new SdpParseException(
          Reason.TOO_LARGE, 0, "SDP is longer than " + MAX_LENGTH + " characters");
    }
    String[] lines = sdp.split("\r?\n", -1);
    int count = lines.length;
    // One trailing line end is normal; anything after it is not.
    if (lines[count - 1].isEmpty()) {
      count--;
    }
    if (count > MAX_LINES) {
      throw new SdpParseException(Reason.TOO_LARGE, 0, "SDP has more than " + MAX_LINES + " lines");
    }
    String sessionId = null;
    long version = -1;
    List<Attribute> sessionAttributes = new ArrayList<>();
    List<MediaSection> media = new ArrayList<>();
    MediaBuilder current = null;
    for (int i = 0; i < count; i++) {
      int lineNo = i + 1;
      String line = lines[i];
      if (line.length() < 2 || line.charAt(1) != '=' || LINE_TYPES.indexOf(line.charAt(0)) < 0) {
        throw new SdpParseException(Reason.BAD_LINE, lineNo, "not an SDP line: " + excerpt(line));
      }
      int bad = unprintable(line);
      if (bad >= 0) {
        throw new SdpParseException(
            Reason.BAD_LINE,
            lineNo,
            String.format(
                java.util.Locale.ROOT,
                "U+%04X in line (a control or non-character)",
                (int) line.charAt(bad)));
      }
      char type = line.charAt(0);
      String value = line.substring(2);
      if (i == 0) {
        if (type != 'v' || !value.equals("0")) {
          throw new SdpParseException(Reason.BAD_VERSION, lineNo, "SDP must start with v=0");
        }
        continue;
      }
      switch (type) {
        case 'v' -> throw new SdpParseException(Reason.BAD_LINE, lineNo, "second v= line");
        case 'o' -> {
          if (sessionId != null || current != null) {
            throw new SdpParseException(Reason.BAD_ORIGIN, lineNo, "misplaced o= line");
          }
          String[] f = SdpValues.tokens(value, Reason.BAD_ORIGIN, lineNo, "o=");
          if (f.length != 6) {
            throw new SdpParseException(
                Reason.BAD_ORIGIN, lineNo, "o= must have 6 fields, has " + f.length);
          }
          SdpValues.unsigned(f[1], Long.MAX_VALUE, Reason.BAD_ORIGIN, lineNo, "session id");
          sessionId = f[1];
          version = SdpValues.unsigned(f[2], Long.MAX_VALUE, Reason.BAD_ORIGIN, lineNo, "version");
        }
        case 'm' -> {
          if (sessionId == null) {
            throw new SdpParseException(Reason.BAD_ORIGIN, lineNo, "m= before o=");
          }
          if (current != null) {
            media.add(current.build());
          }
          current = mediaLine(value, lineNo);
        }
        case 'a' -> {
          Attribute a = attribute(value, lineNo);
          if (current == null) {
            sessionAttributes.add(a);
          } else {
            current.attributes.add(a);
          }
        }
        default -> {
          // s=, t=, c=, b=, ...: only their syntax matters here.
        }
      }
    }
    if (sessionId == null) {
      throw new SdpParseException(Reason.BAD_ORIGIN, 0, "SDP has no o= line");
    }
    if (current != null) {
      media.add(current.build());
    }
    return new SessionDescription(sessionId, version, sessionAttributes, media);
  }

  /**
   * The index of the first character no SDP line may hold, or -1: C0 controls (a stray CR too),
   * DEL, U+FFFE, U+FFFF and unpaired surrogates. Browsers send none, and values of an answer reach
   * the bridge in XML, which cannot carry most of them.
   */
  static int unprintable(String line) {
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c < 0x20 || c == 0x7F || c == 0xFFFE || c == 0xFFFF) {
        return i;
      }
      if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c)
            && i + 1 < line.length()
            && Character.isLowSurrogate(line.charAt(i + 1))) {
          i++;
        } else {
          return i;
        }
      }
    }
    return -1;
  }

  private static MediaBuilder mediaLine(String value, int lineNo) throws SdpParseException {
    String[] f = SdpValues.tokens(value, Reason.BAD_MEDIA_LINE, lineNo, "m=");
    if (f.length < 4) {
      throw new SdpParseException(
          Reason.BAD_MEDIA_LINE, lineNo, "m= must be '<media> <port> <proto> <fmt>...'");
    }
    if (!SdpValues.isToken(f[0])) {
      throw new SdpParseException(Reason.BAD_MEDIA_LINE, lineNo, "bad media type: " + f[0]);
    }
    String portField = f[1];
    int slash = portField.indexOf('/');
    if (slash >= 0) {
      SdpValues.unsigned(
          portField.substring(slash + 1), 65535, Reason.BAD_MEDIA_LINE, lineNo, "port count");
      portField = portField.substring(0, slash);
    }
    int port = SdpValues.port(portField, Reason.BAD_MEDIA_LINE, lineNo, "m= port");
    for (String token : f[2].split("/", -1)) {
      if (!SdpValues.isToken(token)) {
        throw new SdpParseException(Reason.BAD_MEDIA_LINE, lineNo, "bad protocol: " + f[2]);
      }
    }
    List<String> formats = new ArrayList<>();
    for (int i = 3; i < f.length; i++) {
      if (!SdpValues.isToken(f[i])) {
        throw new SdpParseException(Reason.BAD_MEDIA_LINE, lineNo, "bad format: " + f[i]);
      }
      formats.add(f[i]);
    }
    return new MediaBuilder(f[0], port, f[2], formats, lineNo);
  }

  private static Attribute attribute(String value, int lineNo) throws SdpParseException {
    int colon = value.indexOf(':');
    String name = colon < 0 ? value : value.substring(0, colon);
    if (!SdpValues.isToken(name)) {
      throw new SdpParseException(
          Reason.BAD_ATTRIBUTE, lineNo, "bad attribute name: " + excerpt(value));
    }
    return new Attribute(name, colon < 0 ? null : value.substring(colon + 1), lineNo);
  }

  private static String excerpt(String line) {
    return line.length() <= 40 ? "'" + line + "'" : "'" + line.substring(0, 40) + "...'";
  }

  private static final class MediaBuilder {
    final String media;
    final int port;
    final String proto;
    final List<String> formats;
    final int line;
    final List<Attribute> attributes = new ArrayList<>();

    MediaBuilder(String media, int port, String proto, List<String> formats, int line) {
      this.media = media;
      this.port = port;
      this.proto = proto;
      this.formats = formats;
      this.line = line;
    }

    MediaSection build() {
      return new MediaSection(media, port, proto, formats, attributes, line);
    }
  }
}
