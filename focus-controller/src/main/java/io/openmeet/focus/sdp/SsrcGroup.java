package io.openmeet.focus.sdp;

import java.util.List;
import java.util.Objects;

/**
 * An SSRC group: {@code FID} (a stream and its RTX) or {@code SIM} (simulcast layers).
 *
 * @param ssrcs in the order written, the primary first
 */
public record SsrcGroup(String semantics, List<Long> ssrcs) {

  public SsrcGroup {
    Objects.requireNonNull(semantics, "semantics");
    ssrcs = List.copyOf(ssrcs);
  }
}
