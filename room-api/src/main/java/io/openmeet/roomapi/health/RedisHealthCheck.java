package io.openmeet.roomapi.health;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.redisson.api.RedissonClient;
import org.redisson.api.redisnode.RedisNodes;

/** Ready only while Redis answers a PING (rate limits and room state live there). */
@Readiness
@ApplicationScoped
public class RedisHealthCheck implements HealthCheck {

  private final RedissonClient redis;

  RedisHealthCheck(RedissonClient redis) {
    this.redis = redis;
  }

  @Override
  public HealthCheckResponse call() {
    var response = HealthCheckResponse.named("redis");
    try {
      boolean up = redis.getRedisNodes(RedisNodes.SINGLE).pingAll(2, TimeUnit.SECONDS);
      return response.status(up).build();
    } catch (RuntimeException e) {
      return response.down().withData("error", e.getClass().getSimpleName()).build();
    }
  }
}
