package io.openmeet.focus.sdp;

/** Writes a {@link SessionDescription} as SDP text with CRLF line ends. */
public final class SdpWriter {

  private SdpWriter() {}

  /** The SDP text; m-lines get {@code c=IN IP4 0.0.0.0} since all media is bundled over ICE. */
  public static String write(SessionDescription sdp) {
    StringBuilder b = new StringBuilder(4096);
    line(b, "v=0");
    line(b, "o=- " + sdp.sessionId() + " " + sdp.sessionVersion() + " IN IP4 0.0.0.0");
    line(b, "s=-");
    line(b, "t=0 0");
    for (Attribute a : sdp.attributes()) {
      line(b, "a=" + a.render());
    }
    for (MediaSection m : sdp.media()) {
      line(
          b,
          "m="
              + m.media()
              + " "
              + m.port()
              + " "
              + m.proto()
              + " "
              + String.join(" ", m.formats()));
      line(b, "c=IN IP4 0.0.0.0");
      for (Attribute a : m.attributes()) {
        line(b, "a=" + a.render());
      }
    }
    return b.toString();
  }

  private static void line(StringBuilder b, String line) {
    b.append(line).append("\r\n");
  }
}
