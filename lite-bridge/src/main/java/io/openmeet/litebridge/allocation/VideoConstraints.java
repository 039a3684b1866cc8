package io.openmeet.litebridge.allocation;

/**
 * A receiver's limit for one video source, as JVB's: a height in pixels and a frame rate, each -1
 * for no limit; 0 in either means "send nothing".
 */
public record VideoConstraints(int maxHeight, double maxFrameRate) {

  public static final int UNLIMITED = -1;

  /** Nothing of the source. */
  public static final VideoConstraints NOTHING = new VideoConstraints(0, UNLIMITED);

  public VideoConstraints {
    if (maxHeight < UNLIMITED) {
      throw new IllegalArgumentException("maxHeight must be -1, 0 or positive: " + maxHeight);
    }
    if (maxFrameRate != UNLIMITED && !(maxFrameRate >= 0)) {
      throw new IllegalArgumentException("maxFrameRate must be -1 or >= 0: " + maxFrameRate);
    }
  }

  /** A height limit without a frame-rate limit. */
  public static VideoConstraints ofHeight(int maxHeight) {
    return new VideoConstraints(maxHeight, UNLIMITED);
  }

  /** Whether these constraints ask for nothing at all. */
  public boolean isDisabled() {
    return maxHeight == 0 || maxFrameRate == 0;
  }
}
