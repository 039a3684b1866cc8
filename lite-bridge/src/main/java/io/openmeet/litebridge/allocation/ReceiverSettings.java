package io.openmeet.litebridge.allocation;

import java.util.List;
import java.util.Map;

/**
 * What one receiver has asked for so far, kept as JVB keeps it: each message changes only the
 * fields it carries; the first message without `defaultConstraints` sets the configured default.
 *
 * @param constraintsReceived whether a `ReceiverVideoConstraints` arrived (initial-last-n from
 *     Colibri2 counts only before that)
 */
public record ReceiverSettings(
    int lastN,
    List<String> onStageSources,
    List<String> selectedSources,
    VideoConstraints defaultConstraints,
    Map<String, VideoConstraints> constraints,
    boolean constraintsReceived) {

  public ReceiverSettings {
    onStageSources = List.copyOf(onStageSources);
    selectedSources = List.copyOf(selectedSources);
    constraints = Map.copyOf(constraints);
  }

  /** Before the receiver said anything: no lastN limit, default = initial-max-height-px. */
  public static ReceiverSettings initial(AllocationConfig config) {
    return new ReceiverSettings(
        -1,
        List.of(),
        List.of(),
        VideoConstraints.ofHeight(config.initialMaxHeightPx()),
        Map.of(),
        false);
  }

  /** These settings after one `ReceiverVideoConstraints` message. */
  public ReceiverSettings apply(ReceiverVideoConstraints message, AllocationConfig config) {
    VideoConstraints newDefault = message.defaultConstraints();
    if (newDefault == null && !constraintsReceived) {
      newDefault = VideoConstraints.ofHeight(config.defaultMaxHeightPx());
    }
    return new ReceiverSettings(
        message.lastN() == null ? lastN : message.lastN(),
        message.onStageSources() == null ? onStageSources : message.onStageSources(),
        message.selectedSources() == null ? selectedSources : message.selectedSources(),
        newDefault == null ? defaultConstraints : newDefault,
        message.constraints() == null ? constraints : message.constraints(),
        true);
  }

  /** These settings with another lastN (Colibri2 `initial-last-n`, `LastNChangedEvent`). */
  public ReceiverSettings withLastN(int newLastN) {
    return new ReceiverSettings(
        newLastN,
        onStageSources,
        selectedSources,
        defaultConstraints,
        constraints,
        constraintsReceived);
  }

  /** The receiver's constraints for one source: its own entry, else the default. */
  public VideoConstraints constraintsFor(String sourceName) {
    return constraints.getOrDefault(sourceName, defaultConstraints);
  }
}
