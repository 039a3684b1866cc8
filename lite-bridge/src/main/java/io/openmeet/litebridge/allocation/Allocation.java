package io.openmeet.litebridge.allocation;

import java.util.List;
import java.util.Map;

/**
 * The result of {@link VideoAllocator#allocate}: what each receiver gets and what each sender needs
 * to send.
 *
 * @param forwarded per receiver, the video sources forwarded to it in rank order, with the
 *     effective maxHeight it gets each at (-1 = no limit)
 * @param senderMaxHeights per video source, the largest effective maxHeight any receiver gets it at
 *     (-1 = no limit, 0 = nobody gets it); every known source has an entry
 */
public record Allocation(
    Map<String, Map<String, Integer>> forwarded, Map<String, Integer> senderMaxHeights) {

  public static final Allocation EMPTY = new Allocation(Map.of(), Map.of());

  /** The sources forwarded to a receiver, in rank order; empty for an unknown receiver. */
  public List<String> forwardedSources(String receiverId) {
    Map<String, Integer> sources = forwarded.get(receiverId);
    return sources == null ? List.of() : List.copyOf(sources.keySet());
  }
}
