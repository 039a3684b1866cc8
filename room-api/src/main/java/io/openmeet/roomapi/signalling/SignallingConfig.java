package io.openmeet.roomapi.signalling;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Settings of the browser signalling WebSocket. */
@ConfigMapping(prefix = "openmeet.signalling")
public interface SignallingConfig {

  /**
   * Largest text frame accepted, in characters; bigger frames get a `frame-too-large` error (the
   * socket itself refuses frames over quarkus.websockets-next.server.max-message-size).
   */
  @WithDefault("65536")
  int maxFrameChars();

  /** A session that sends no frame (a `ping` at least) for this long is removed from its room. */
  @WithDefault("30s")
  Duration pingTimeout();

  /**
   * How long a participant whose socket dropped without `leave` (or timed out) stays in its room,
   * for a new socket to resume it with the resume token from `joined`; 0 turns resuming off.
   */
  @WithDefault("20s")
  Duration resumeWindow();

  /** How often sessions are checked against the ping timeout and the resume window. */
  @WithDefault("2s")
  Duration sweepInterval();

  /** Sustained frames per second allowed per session; more get `rate-limited` errors. */
  @WithDefault("20")
  double framesPerSecond();

  /** Frames a session may send in a burst above the sustained rate. */
  @WithDefault("60")
  int frameBurst();
}
