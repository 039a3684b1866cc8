package io.openmeet.focus.bridge;

/**
 * Settings of bridge selection and admission.
 *
 * @param strategy {@code region-aware} (default) or {@code single-bridge}
 * @param maxLoad effective stress a bridge may reach with a new conference's join, default 0.8
 * @param existingConferenceMaxLoad the same for a join to a conference already on the bridge,
 *     default 1.5 (conferences are not split, so they may push a bridge further)
 */
public record SelectionConfig(String strategy, double maxLoad, double existingConferenceMaxLoad) {

  /** The defaults above. */
  public static SelectionConfig defaults() {
    return new SelectionConfig("region-aware", 0.8, 1.5);
  }
}
