package io.openmeet.presence.relay;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.redisson.api.RTopic;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Node inboxes as Redis pub/sub channels {@code node:{id}:inbox}. Redisson hands a published
 * command to any pooled connection, so two publishes in flight may overtake each other; sends to
 * one node are therefore chained (the next goes out when Redis has taken the previous one), which
 * keeps their order at the cost of one round trip per message and target node. Whether a node
 * listens comes from {@code PUBLISH}'s receiver count, exact on one Redis server (what {@code
 * RedissonClientFactory} connects to); Redis Cluster would count only the receiving shard's
 * subscribers, so a cluster setup needs sharded pub/sub or another liveness check.
 */
public final class RedisNodeMessaging implements NodeMessaging {

  private static final Logger LOG = LoggerFactory.getLogger(RedisNodeMessaging.class);

  private final RedissonClient redis;
  private final Map<String, CompletableFuture<Boolean>> lastSendTo = new ConcurrentHashMap<>();

  public RedisNodeMessaging(RedissonClient redis) {
    this.redis = redis;
  }

  /** The pub/sub channel of a node's inbox. */
  public static String channel(String nodeId) {
    return "node:" + nodeId + ":inbox";
  }

  @Override
  public Inbox open(String nodeId, Consumer<String> handler) {
    RTopic topic = redis.getTopic(channel(nodeId), StringCodec.INSTANCE);
    int listener =
        topic.addListener(
            String.class,
            (channel, message) -> {
              try {
                handler.accept(message);
              } catch (RuntimeException e) {
                LOG.warn("a message to node {} failed: {}", nodeId, e.toString());
              }
            });
    return () -> topic.removeListener(listener);
  }

  @Override
  public CompletionStage<Boolean> send(String nodeId, String message) {
    CompletableFuture<Boolean> sent =
        lastSendTo.compute(
            nodeId,
            (node, previous) ->
                previous == null || previous.isDone()
                    ? publish(node, message)
                    : previous.handle((r, e) -> null).thenCompose(x -> publish(node, message)));
    // forget a finished chain so the map holds only nodes with sends in flight
    sent.whenComplete((r, e) -> lastSendTo.remove(nodeId, sent));
    return sent.thenApply(b -> b);
  }

  private CompletableFuture<Boolean> publish(String nodeId, String message) {
    try {
      return redis
          .getTopic(channel(nodeId), StringCodec.INSTANCE)
          .publishAsync(message)
          .toCompletableFuture()
          .thenApply(receivers -> receivers != null && receivers > 0);
    } catch (RuntimeException e) {
      // e.g. the client is shutting down: the caller sees a failed send, never a throw
      return CompletableFuture.failedFuture(e);
    }
  }
}
