package io.openmeet.focus.bridge;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the brewery and of bridge health.
 *
 * @param breweryRoom the brewery MUC's bare JID, default {@code jvbbrewery@internal.auth.<domain>}
 * @param nickname this node's nickname in the brewery; unique per node
 * @param healthCheckInterval time between {@code healthcheck} IQs to each bridge, default 1 s
 * @param healthCheckTimeout how long one health check may take before it counts as a timeout,
 *     default 2 s
 * @param healthCheckRetryDelay after a timeout the check is retried once after this, default 0:
 *     with the defaults a bridge that goes silent is unhealthy (and its conferences move) within
 *     interval + 2 x timeout = 5 s
 * @param presenceTimeout a bridge whose last presence is older than this is unhealthy, default 45 s
 * @param snapshotTtl how long a bridge snapshot lives in Redis unless refreshed, default 30 s
 */
public record BridgeRegistryConfig(
    String breweryRoom,
    String nickname,
    Duration healthCheckInterval,
    Duration healthCheckTimeout,
    Duration healthCheckRetryDelay,
    Duration presenceTimeout,
    Duration snapshotTtl) {

  public BridgeRegistryConfig {
    Objects.requireNonNull(breweryRoom, "breweryRoom");
    Objects.requireNonNull(nickname, "nickname");
    Objects.requireNonNull(healthCheckInterval, "healthCheckInterval");
    Objects.requireNonNull(healthCheckTimeout, "healthCheckTimeout");
    Objects.requireNonNull(healthCheckRetryDelay, "healthCheckRetryDelay");
    Objects.requireNonNull(presenceTimeout, "presenceTimeout");
    Objects.requireNonNull(snapshotTtl, "snapshotTtl");
  }

  /** The defaults above for a brewery room and node nickname. */
  public static BridgeRegistryConfig defaults(String breweryRoom, String nickname) {
    return new BridgeRegistryConfig(
        breweryRoom,
        nickname,
        Duration.ofSeconds(1),
        Duration.ofSeconds(2),
        Duration.ZERO,
        Duration.ofSeconds(45),
        Duration.ofSeconds(30));
  }
}
