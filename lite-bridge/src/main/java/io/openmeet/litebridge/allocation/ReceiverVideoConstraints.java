package io.openmeet.litebridge.allocation;

import java.util.List;
import java.util.Map;

/**
 * One `ReceiverVideoConstraints` bridge-channel message as received. Every field is optional: null
 * means "keep the previous value".
 *
 * @param lastN the most video sources the receiver wants (-1 = no limit, 0 = none)
 * @param onStageSources sources shown large, ranked first
 * @param selectedSources sources ranked right after the on-stage ones
 * @param defaultConstraints the constraints of every source not named in {@code constraints}
 * @param constraints per-source constraints; replaces the previous map as a whole
 */
public record ReceiverVideoConstraints(
    Integer lastN,
    List<String> onStageSources,
    List<String> selectedSources,
    VideoConstraints defaultConstraints,
    Map<String, VideoConstraints> constraints) {

  public ReceiverVideoConstraints {
    onStageSources = onStageSources == null ? null : List.copyOf(onStageSources);
    selectedSources = selectedSources == null ? null : List.copyOf(selectedSources);
    constraints = constraints == null ? null : Map.copyOf(constraints);
  }

  /** A message that sets only lastN (also the legacy `LastNChangedEvent`). */
  public static ReceiverVideoConstraints lastNOnly(int lastN) {
    return new ReceiverVideoConstraints(lastN, null, null, null, null);
  }
}
