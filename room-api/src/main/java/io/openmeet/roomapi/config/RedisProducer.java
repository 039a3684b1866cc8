package io.openmeet.roomapi.config;

import io.openmeet.presence.lobby.RedisRoomLobby;
import io.openmeet.presence.lobby.RoomLobby;
import io.openmeet.presence.ratelimit.RateLimiter;
import io.openmeet.presence.ratelimit.RedisRateLimiter;
import io.openmeet.presence.redis.RedisReachability;
import io.openmeet.presence.redis.RedissonClientFactory;
import io.openmeet.presence.room.RedisRoomBans;
import io.openmeet.presence.room.RedisRoomDirectory;
import io.openmeet.presence.room.RoomBans;
import io.openmeet.presence.room.RoomDirectory;
import io.openmeet.roomapi.metrics.RedisCommandMetrics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.redisson.api.RedissonClient;

/**
 * CDI wiring of the presence module: one Redisson client per application, its commands timed, shut
 * down on stop.
 */
@ApplicationScoped
public class RedisProducer {

  @Produces
  @ApplicationScoped
  RedissonClient redisson(
      OpenmeetConfig config, RedisCommandMetrics metrics, RedisReachability reachability) {
    // every command is timed into redis_command_duration_ms (see presence's RedissonTiming), and
    // refused at once while Redis is known to be down
    return RedissonClientFactory.create(RedisSettings.from(config.redis()), metrics, reachability);
  }

  void close(@Disposes RedissonClient redisson) {
    redisson.shutdown();
  }

  @Produces
  @Singleton
  RedisReachability reachability(OpenmeetConfig config) {
    return new RedisReachability(config.redis().probeInterval());
  }

  void close(@Disposes RedisReachability reachability) {
    reachability.close();
  }

  @Produces
  @ApplicationScoped
  RoomDirectory roomDirectory(RedissonClient redisson) {
    return new RedisRoomDirectory(redisson);
  }

  @Produces
  @ApplicationScoped
  RoomBans roomBans(RedissonClient redisson) {
    return new RedisRoomBans(redisson);
  }

  @Produces
  @ApplicationScoped
  RoomLobby roomLobby(RedissonClient redisson) {
    return new RedisRoomLobby(redisson);
  }

  @Produces
  @ApplicationScoped
  RateLimiter rateLimiter(RedissonClient redisson, OpenmeetConfig config) {
    return new RedisRateLimiter(redisson, config.rateLimit().namespace());
  }
}
