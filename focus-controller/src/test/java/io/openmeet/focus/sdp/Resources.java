package io.openmeet.focus.sdp;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Reads the captured SDP files under src/test/resources/sdp. */
final class Resources {

  static final String[] ANSWERS = {
    "chromium-answer-1-sendrecv.sdp",
    "chromium-answer-2-two-remotes.sdp",
    "chromium-answer-3-recycled.sdp",
    "chromium-answer-4-inactive.sdp",
    "chromium-answer-5-reused-inactive.sdp",
    "chromium-answer-recvonly.sdp"
  };

  private Resources() {}

  static String sdp(String name) {
    try (InputStream in = Resources.class.getResourceAsStream("/sdp/" + name)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource sdp/" + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
