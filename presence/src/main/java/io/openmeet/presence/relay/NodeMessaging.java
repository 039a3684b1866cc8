package io.openmeet.presence.relay;

import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * Text messages between control-plane nodes, addressed by node id. Delivery is at most once (a node
 * that is down or whose connection broke misses what was sent meanwhile), so users add their own
 * timeouts and heartbeats; messages from one sender to one node arrive in the order they were sent.
 */
public interface NodeMessaging {

  /**
   * Starts delivering the messages sent to {@code nodeId} to {@code handler}, one at a time. The
   * handler must not block: it runs on the messaging client's threads.
   */
  Inbox open(String nodeId, Consumer<String> handler);

  /**
   * Sends a message to a node's inbox without blocking. Completes with true once the node's inbox
   * took it, with false when no node listens on that inbox (the node is gone or not started), and
   * exceptionally when it cannot know (the node or, for a node not contacted before, Redis cannot
   * be reached).
   */
  CompletionStage<Boolean> send(String nodeId, String message);

  /** An open inbox; closing it stops the delivery. */
  interface Inbox extends AutoCloseable {
    @Override
    void close();
  }
}
