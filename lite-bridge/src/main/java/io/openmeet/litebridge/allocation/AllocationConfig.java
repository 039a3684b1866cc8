package io.openmeet.litebridge.allocation;

/**
 * The bridge's side of video allocation, JVB's `videobridge.cc` keys.
 *
 * @param initialMaxHeightPx the default constraint before a receiver's first
 *     `ReceiverVideoConstraints` (JVB: 0, no video until the receiver says what it wants)
 * @param defaultMaxHeightPx the default constraint set by a first message that carries no
 *     `defaultConstraints` (JVB: 180)
 */
public record AllocationConfig(int initialMaxHeightPx, int defaultMaxHeightPx) {

  /** JVB's defaults. */
  public static final AllocationConfig JVB_DEFAULTS = new AllocationConfig(0, 180);

  public AllocationConfig {
    if (initialMaxHeightPx < VideoConstraints.UNLIMITED) {
      throw new IllegalArgumentException(
          "initial-max-height-px must be -1, 0 or positive: " + initialMaxHeightPx);
    }
    if (defaultMaxHeightPx < VideoConstraints.UNLIMITED) {
      throw new IllegalArgumentException(
          "default-max-height-px must be -1, 0 or positive: " + defaultMaxHeightPx);
    }
  }
}
