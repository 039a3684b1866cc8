package io.openmeet.presence.redis;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.redisson.client.RedisTimeoutException;

/**
 * Told about every Redis command made through a client from {@link RedissonTiming#timed}; the
 * application adapts it to its metrics library (presence itself stays free of one).
 */
@FunctionalInterface
public interface RedisCommandListener {

  /**
   * One command finished. Called on the caller's thread for blocking calls and on a Redisson thread
   * when an asynchronous one completes: it must be quick and must not block.
   *
   * @param command the Redisson object type and method, e.g. {@code RMap.put}, {@code
   *     RScript.eval}, {@code RBatch.execute}
   * @param nanos wall time from the call until the result (or failure) was there
   */
  void completed(String command, Outcome outcome, long nanos);

  /** A listener that ignores everything. */
  RedisCommandListener NONE = (command, outcome, nanos) -> {};

  /** How a command ended. */
  enum Outcome {
    SUCCESS,
    /** No answer within the client's timeout. */
    TIMEOUT,
    /** Any other failure: connection refused, a script error, a wrong type... */
    ERROR;

    /** The outcome for a call that threw {@code failure} ({@code null}: it succeeded). */
    public static Outcome of(Throwable failure) {
      Throwable t = failure;
      while ((t instanceof CompletionException || t instanceof ExecutionException)
          && t.getCause() != null) {
        t = t.getCause();
      }
      if (t == null) {
        return SUCCESS;
      }
      return t instanceof RedisTimeoutException ? TIMEOUT : ERROR;
    }

    /** Lower-case name, as metrics tags want it. */
    public String tag() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }
}
