package io.openmeet.roomapi.signalling;

/**
 * A token bucket per session: a burst of frames is fine, a flood is answered with `rate-limited`.
 */
final class FrameRateLimiter {

  private final double ratePerNano;
  private final double burst;
  private double tokens;
  private long last;

  FrameRateLimiter(double framesPerSecond, int burst) {
    this.ratePerNano = framesPerSecond / 1e9;
    this.burst = burst;
    this.tokens = burst;
    this.last = System.nanoTime();
  }

  synchronized boolean tryAcquire() {
    long now = System.nanoTime();
    tokens = Math.min(burst, tokens + (now - last) * ratePerNano);
    last = now;
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }
}
