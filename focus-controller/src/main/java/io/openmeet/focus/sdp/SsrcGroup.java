package io.openmeet.focus.sdp;

import java.util.List;
import java.util.Objects;

/**
 * An SSRC group: {@code FID} (a stream and its RTX) or {@code SIM} (simulcast layers).
 *
 * @param ssrcs in the order written, the primary first
 */
public record SsrcGroup(String semantics, List<Long> ssrcs) {

  /** A stream and its retransmissions (RFC 4588 over RFC 5576). */
  public static final String FID = "FID";

  /** Simulcast layers, lowest resolution first (Chromium's and Jitsi's usage). */
  public static final String SIM = "SIM";

  /** The most simulcast layers a source may signal (Jitsi's ladder has three). */
  public static final int MAX_SIMULCAST_LAYERS = 3;

  public SsrcGroup {
    Objects.requireNonNull(semantics, "semantics");
    ssrcs = List.copyOf(ssrcs);
  }
}
