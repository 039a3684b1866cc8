package io.openmeet.focus.relay;

import io.openmeet.focus.conference.FocusException;
import io.openmeet.presence.relay.NodeMessaging;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's end of the relay's messaging: encodes and sends messages, and matches the owner's
 * replies to the requests waiting for them (each with a bounded wait).
 */
final class RelayLink {

  private static final Logger LOG = LoggerFactory.getLogger(RelayLink.class);

  private final NodeMessaging messaging;
  private final RelayCodec codec;
  private final String nodeId;
  private final Duration replyTimeout;
  private final AtomicLong calls = new AtomicLong();
  private final Map<String, CompletableFuture<RelayMessage.JoinResult>> joins =
      new ConcurrentHashMap<>();
  private final Map<String, CompletableFuture<Optional<RelayMessage.Failure>>> requests =
      new ConcurrentHashMap<>();

  RelayLink(NodeMessaging messaging, RelayCodec codec, String nodeId, Duration replyTimeout) {
    this.messaging = messaging;
    this.codec = codec;
    this.nodeId = nodeId;
    this.replyTimeout = replyTimeout;
  }

  String nodeId() {
    return nodeId;
  }

  Duration replyTimeout() {
    return replyTimeout;
  }

  /** Sends without waiting; a failure is only logged (heartbeats notice a lost peer). */
  void post(String node, RelayMessage message) {
    post(node, message, () -> {});
  }

  /**
   * Sends without waiting; {@code nobodyListens} runs when no node listens on that inbox (no
   * address registered, nothing listening there, or a node there that has no such inbox).
   */
  void post(String node, RelayMessage message, Runnable nobodyListens) {
    CompletionStage<Boolean> sent;
    try {
      sent = messaging.send(node, codec.encode(nodeId, message));
    } catch (RuntimeException e) {
      LOG.warn("relay message to {} not sent: {}", node, e.toString());
      return;
    }
    sent.whenComplete(
        (delivered, e) -> {
          if (e != null) {
            LOG.warn("relay message to {} not sent: {}", node, e.toString());
          } else if (!delivered) {
            LOG.debug("nobody listens for relay messages on node {}", node);
            nobodyListens.run();
          }
        });
  }

  /**
   * Sends a join (or a resume) and waits for its result.
   *
   * @throws OwnerUnreachableException when nothing listens on the owner's inbox or it does not
   *     answer within the reply timeout
   */
  RelayMessage.JoinResult join(String owner, RelayMessage.ToOwner join) throws FocusException {
    return join(owner, join, replyTimeout);
  }

  /** {@link #join(String, RelayMessage.ToOwner)} waiting at most {@code timeout}. */
  RelayMessage.JoinResult join(String owner, RelayMessage.ToOwner join, Duration timeout)
      throws FocusException {
    var result = new CompletableFuture<RelayMessage.JoinResult>();
    joins.put(join.session(), result);
    try {
      long deadline = sendAndAwait(owner, join, result, timeout);
      return await(owner, result, "the join", deadline);
    } finally {
      joins.remove(join.session());
    }
  }

  /**
   * Sends a request and waits for its result; the owner's refusal comes back as the same {@link
   * FocusException} reason.
   */
  void request(String owner, String session, LongFunction<RelayMessage.Request> build)
      throws FocusException {
    long call = calls.incrementAndGet();
    RelayMessage.Request request = build.apply(call);
    String key = session + "/" + call;
    var result = new CompletableFuture<Optional<RelayMessage.Failure>>();
    requests.put(key, result);
    try {
      long deadline = sendAndAwait(owner, request, result);
      Optional<RelayMessage.Failure> failure =
          await(owner, result, "a " + request.getClass().getSimpleName(), deadline);
      if (failure.isPresent()) {
        throw failure.get().toException();
      }
    } finally {
      requests.remove(key);
    }
  }

  /** The owner's answer to a join; false when nobody waits for it any more. */
  boolean joinResult(RelayMessage.JoinResult result) {
    var waiting = joins.get(result.session());
    return waiting != null && waiting.complete(result);
  }

  /** The owner's answer to a request. */
  void result(RelayMessage.Result result) {
    var waiting = requests.get(result.session() + "/" + result.call());
    if (waiting != null) {
      waiting.complete(Optional.ofNullable(result.failure()));
    }
  }

  /** Sends; returns the deadline (System.nanoTime) of the reply. */
  private long sendAndAwait(String owner, RelayMessage message, CompletableFuture<?> result)
      throws FocusException {
    return sendAndAwait(owner, message, result, replyTimeout);
  }

  private long sendAndAwait(
      String owner, RelayMessage message, CompletableFuture<?> result, Duration timeout)
      throws FocusException {
    long deadline = System.nanoTime() + timeout.toNanos();
    boolean delivered =
        await(
            owner,
            messaging.send(owner, codec.encode(nodeId, message)).toCompletableFuture(),
            "(the node link did not take the message)",
            deadline);
    if (!delivered) {
      result.cancel(false);
      throw new OwnerUnreachableException(
          owner,
          "node "
              + owner
              + " hosts this room but is not listening (stopped?); retry, its lease lapses soon");
    }
    return deadline;
  }

  private <T> T await(String owner, CompletableFuture<T> future, String what, long deadline)
      throws FocusException {
    try {
      return future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new OwnerUnreachableException(
          owner,
          "node "
              + owner
              + " hosting this room did not answer "
              + what
              + " within "
              + replyTimeout.toMillis()
              + " ms; retry");
    } catch (ExecutionException e) {
      throw new FocusException(
          FocusException.Reason.INTERNAL,
          "relaying to node " + owner + " failed: " + e.getCause(),
          e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FocusException(FocusException.Reason.INTERNAL, "interrupted while relaying");
    }
  }
}
