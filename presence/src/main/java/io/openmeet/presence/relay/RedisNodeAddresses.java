package io.openmeet.presence.relay;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.redisson.api.RBucket;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * Node addresses as Redis keys {@code node:{id}:link} with a TTL (Redis 7.0 has no expiry per hash
 * field, so one key per node): a node that stops renewing drops out within the TTL.
 */
public final class RedisNodeAddresses implements NodeAddresses {

  private final RedissonClient redis;

  public RedisNodeAddresses(RedissonClient redis) {
    this.redis = redis;
  }

  /** The key of a node's address. */
  public static String key(String nodeId) {
    return "node:" + nodeId + ":link";
  }

  private RBucket<String> bucket(String nodeId) {
    return redis.getBucket(key(nodeId), StringCodec.INSTANCE);
  }

  @Override
  public CompletionStage<Void> register(String nodeId, String address, Duration ttl) {
    return call(() -> bucket(nodeId).setAsync(address, ttl).toCompletableFuture());
  }

  @Override
  public CompletionStage<Optional<String>> lookup(String nodeId) {
    return call(
        () -> bucket(nodeId).getAsync().toCompletableFuture().thenApply(Optional::ofNullable));
  }

  @Override
  public CompletionStage<Void> remove(String nodeId) {
    return call(
        () -> bucket(nodeId).deleteAsync().toCompletableFuture().thenApply(deleted -> null));
  }

  private static <T> CompletableFuture<T> call(Supplier<CompletableFuture<T>> command) {
    try {
      return command.get();
    } catch (RuntimeException e) {
      // e.g. the client is shutting down: the caller sees a failed stage, never a throw
      return CompletableFuture.failedFuture(e);
    }
  }
}
