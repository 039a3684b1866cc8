package io.openmeet.focus.conference;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One conference's bridge requests, run one at a time in the order they were queued, on a pool
 * shared by every conference of the node. The conference queues them under its lock and never waits
 * for them there: a slow bridge delays this conference's requests, never its lock. A task that
 * needs the bridge's answer (an allocation) holds the lane until it has it; one that does not (an
 * answer's update, trickled candidates) only puts its request on the connection, so the next
 * follows at once and the bridge, which applies a conference's requests in order, gets them back to
 * back.
 */
final class Lane {

  private static final Logger LOG = LoggerFactory.getLogger(Lane.class);

  private final Executor pool;
  private final String name;
  private final Deque<Runnable> queue = new ArrayDeque<>();
  private boolean running;

  Lane(Executor pool, String name) {
    this.pool = pool;
    this.name = name;
  }

  /** Queues a task behind the ones already queued. Never blocks. */
  void execute(Runnable task) {
    synchronized (queue) {
      queue.add(task);
      if (running) {
        return;
      }
      running = true;
    }
    try {
      pool.execute(this::drain);
    } catch (RejectedExecutionException e) {
      synchronized (queue) {
        queue.clear();
        running = false;
      }
      LOG.debug("bridge requests of {} dropped: the node is stopping", name);
    }
  }

  private void drain() {
    while (true) {
      Runnable task;
      synchronized (queue) {
        task = queue.poll();
        if (task == null) {
          running = false;
          return;
        }
      }
      try {
        task.run();
      } catch (RuntimeException e) {
        LOG.warn("a bridge request of {} failed", name, e);
      }
    }
  }
}
