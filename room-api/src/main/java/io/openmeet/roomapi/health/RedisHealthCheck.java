package io.openmeet.roomapi.health;

import io.openmeet.presence.redis.RedissonClientFactory.Mode;
import io.openmeet.roomapi.config.OpenmeetConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.redisson.api.RedissonClient;
import org.redisson.api.redisnode.RedisNodes;

/**
 * Ready only while the Redis master answers a PING (rate limits and room state live there); with
 * Sentinel, whichever server is the master now.
 */
@Readiness
@ApplicationScoped
public class RedisHealthCheck implements HealthCheck {

  private final RedissonClient redis;
  private final boolean sentinel;

  RedisHealthCheck(RedissonClient redis, OpenmeetConfig config) {
    this.redis = redis;
    this.sentinel = Mode.parse(config.redis().mode()) == Mode.SENTINEL;
  }

  @Override
  public HealthCheckResponse call() {
    var response = HealthCheckResponse.named("redis");
    try {
      boolean up =
          sentinel
              ? redis
                  .getRedisNodes(RedisNodes.SENTINEL_MASTER_SLAVE)
                  .getMaster()
                  .ping(2, TimeUnit.SECONDS)
              : redis.getRedisNodes(RedisNodes.SINGLE).getInstance().ping(2, TimeUnit.SECONDS);
      return response.status(up).build();
    } catch (RuntimeException e) {
      return response.down().withData("error", e.getClass().getSimpleName()).build();
    }
  }
}
