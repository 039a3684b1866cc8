package io.openmeet.presence.relay;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Where each node's link listens ({@code host:port}), registered by the node itself with a TTL that
 * it keeps renewing, so that a node that died drops out on its own.
 */
public interface NodeAddresses {

  /** Registers (or renews) {@code nodeId}'s address for {@code ttl}. */
  CompletionStage<Void> register(String nodeId, String address, Duration ttl);

  /** The node's address; empty when no live node has that id. Fails when it cannot know. */
  CompletionStage<Optional<String>> lookup(String nodeId);

  /** Removes the node's address (it stops listening). */
  CompletionStage<Void> remove(String nodeId);
}
