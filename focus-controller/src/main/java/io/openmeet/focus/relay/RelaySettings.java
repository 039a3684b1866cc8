package io.openmeet.focus.relay;

import java.time.Duration;

/**
 * Timing of the cross-node relay.
 *
 * @param replyTimeout how long the origin waits for the owner's answer to a join or a request
 *     before failing it (INTERNAL); longer than a Colibri2 request, so that a slow bridge is
 *     reported as the bridge's error rather than as a silent owner
 * @param heartbeatInterval how often the origin pings each owner that hosts its participants
 * @param heartbeatTimeout silence after which the owner removes an origin's participants (leave
 *     reason {@code timeout}) and the origin drops those hosted by a silent owner
 */
public record RelaySettings(
    Duration replyTimeout, Duration heartbeatInterval, Duration heartbeatTimeout) {

  public RelaySettings {
    if (replyTimeout.isNegative() || replyTimeout.isZero()) {
      throw new IllegalArgumentException("replyTimeout must be positive, was " + replyTimeout);
    }
    if (heartbeatInterval.isNegative() || heartbeatInterval.isZero()) {
      throw new IllegalArgumentException(
          "heartbeatInterval must be positive, was " + heartbeatInterval);
    }
    if (heartbeatTimeout.compareTo(heartbeatInterval.multipliedBy(2)) < 0) {
      throw new IllegalArgumentException(
          "heartbeatTimeout ("
              + heartbeatTimeout
              + ") must cover at least two heartbeats ("
              + heartbeatInterval
              + " each)");
    }
  }

  /** 15 s replies (Colibri2 requests time out after 10 s), a ping every second, 5 s of silence. */
  public static RelaySettings defaults() {
    return new RelaySettings(Duration.ofSeconds(15), Duration.ofSeconds(1), Duration.ofSeconds(5));
  }
}
