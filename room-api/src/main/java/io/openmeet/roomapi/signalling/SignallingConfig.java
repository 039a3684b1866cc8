package io.openmeet.roomapi.signalling;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Settings of the browser signalling WebSocket. */
@ConfigMapping(prefix = "openmeet.signalling")
public interface SignallingConfig {

  /**
   * Largest message accepted, in bytes (UTF-8, all fragments together): a bigger one gets a
   * `frame-too-large` error and close 1009. Frames over quarkus.websockets-next.server
   * .max-frame-size are closed with 1009 by the WebSocket decoder itself, before this is checked.
   */
  @WithDefault("65536")
  int maxFrameBytes();

  /**
   * Open signalling sockets allowed per client address on this node; one more gets a
   * `too-many-sockets` error and close 1008. 0 turns the cap off (load generators). Behind a proxy,
   * the address is the client's only when quarkus.http.proxy.* trusts the proxy.
   */
  @WithDefault("20")
  int maxSocketsPerAddress();

  /** A socket that has not joined (nor is joining) this long after it opened is closed (1008). */
  @WithDefault("10s")
  Duration joinTimeout();

  /** A session that sends no frame (a `ping` at least) for this long is removed from its room. */
  @WithDefault("30s")
  Duration pingTimeout();

  /**
   * How long a participant whose socket dropped without `leave` (or timed out) stays in its room,
   * for a new socket to resume it with the resume token from `joined`; 0 turns resuming off.
   */
  @WithDefault("20s")
  Duration resumeWindow();

  /** How often sessions are checked against the join and ping timeouts and the resume window. */
  @WithDefault("2s")
  Duration sweepInterval();

  /** Sustained frames per second allowed per session; more get `rate-limited` errors. */
  @WithDefault("20")
  double framesPerSecond();

  /** Frames a session may send in a burst above the sustained rate. */
  @WithDefault("60")
  int frameBurst();
}
