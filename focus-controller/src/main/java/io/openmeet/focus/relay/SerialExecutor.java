package io.openmeet.focus.relay;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the tasks of one key in the order they were submitted, one at a time, and tasks of different
 * keys in parallel on a shared pool (one relay session's requests must not overtake each other; one
 * slow join must not hold up the other sessions).
 */
final class SerialExecutor {

  private static final Logger LOG = LoggerFactory.getLogger(SerialExecutor.class);

  private final Executor pool;
  private final Map<String, Deque<Runnable>> waiting = new HashMap<>();

  SerialExecutor(Executor pool) {
    this.pool = pool;
  }

  void execute(String key, Runnable task) {
    synchronized (waiting) {
      Deque<Runnable> queue = waiting.get(key);
      if (queue != null) {
        queue.add(task); // the key's runner picks it up
        return;
      }
      waiting.put(key, new ArrayDeque<>());
    }
    try {
      pool.execute(() -> drain(key, task));
    } catch (RejectedExecutionException e) {
      synchronized (waiting) {
        waiting.remove(key);
      }
      LOG.debug("relay task for {} dropped: shutting down", key);
    }
  }

  private void drain(String key, Runnable first) {
    Runnable task = first;
    while (task != null) {
      try {
        task.run();
      } catch (RuntimeException e) {
        LOG.warn("relay task for {} failed", key, e);
      }
      synchronized (waiting) {
        Deque<Runnable> queue = waiting.get(key);
        task = queue == null ? null : queue.poll();
        if (task == null) {
          waiting.remove(key);
        }
      }
    }
  }
}
