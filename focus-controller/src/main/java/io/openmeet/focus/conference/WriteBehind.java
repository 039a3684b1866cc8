package io.openmeet.focus.conference;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes shared state (Redis) for the conferences off their locks: {@link #submit} never blocks,
 * one worker writes in submission order, and a newer write for the same key replaces one not yet
 * made (only the latest state matters). A failed write is retried with back-off while the store is
 * down, up to {@code giveUpAfter}, unless a newer write for its key replaces it.
 */
public final class WriteBehind implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(WriteBehind.class);

  /** One write to the store; may throw when the store cannot be reached. */
  @FunctionalInterface
  public interface Write {
    void run() throws Exception;
  }

  /** A write refused for good (e.g. fenced: the lease it was made under is gone): not retried. */
  public static final class Refused extends RuntimeException {
    public Refused(String message) {
      super(message);
    }
  }

  private final int capacity;
  private final Duration retryMin;
  private final Duration retryMax;
  private final Duration giveUpAfter;
  private final Map<String, Write> pending = new LinkedHashMap<>();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final Thread worker;
  private volatile boolean closed;
  private boolean busy;

  /**
   * @param capacity keys waiting at most; writes beyond are dropped (counted, logged)
   * @param retryMin first delay after a failed write; doubles up to {@code retryMax}
   * @param giveUpAfter a write failing this long is dropped (counted, logged)
   */
  public WriteBehind(
      String name, int capacity, Duration retryMin, Duration retryMax, Duration giveUpAfter) {
    this.capacity = capacity;
    this.retryMin = retryMin;
    this.retryMax = retryMax;
    this.giveUpAfter = giveUpAfter;
    this.worker = new Thread(this::work, name);
    worker.setDaemon(true);
    worker.start();
  }

  /** The defaults: 100,000 keys, retries from 100 ms to 2 s, given up after 2 minutes. */
  public static WriteBehind defaults(String name) {
    return new WriteBehind(
        name, 100_000, Duration.ofMillis(100), Duration.ofSeconds(2), Duration.ofMinutes(2));
  }

  /** Queues a write, replacing one for the same key that has not been made yet. Never blocks. */
  public void submit(String key, Write write) {
    synchronized (pending) {
      if (closed) {
        return;
      }
      if (!pending.containsKey(key) && pending.size() >= capacity) {
        if (dropped.getAndIncrement() % 1000 == 0) {
          LOG.warn(
              "shared-state writes dropped: {} keys are waiting (the store is slow)", capacity);
        }
        return;
      }
      pending.put(key, write);
      pending.notifyAll();
    }
  }

  /** Writes waiting or in progress. */
  public int pending() {
    synchronized (pending) {
      return pending.size() + (busy ? 1 : 0);
    }
  }

  /** Writes dropped (full, or failing for too long) since start. */
  public long lost() {
    return dropped.get() + failed.get();
  }

  /** Waits until every write queued so far was made or given up (tests, shutdown). */
  public boolean awaitIdle(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (pending) {
      while (!pending.isEmpty() || busy) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        pending.wait(Math.max(1, left / 1_000_000));
      }
      return true;
    }
  }

  private void work() {
    while (!closed) {
      String key;
      Write write;
      synchronized (pending) {
        while (pending.isEmpty() && !closed) {
          try {
            pending.wait();
          } catch (InterruptedException e) {
            return;
          }
        }
        if (closed) {
          return;
        }
        Iterator<Map.Entry<String, Write>> first = pending.entrySet().iterator();
        Map.Entry<String, Write> e = first.next();
        key = e.getKey();
        write = e.getValue();
        first.remove();
        busy = true;
      }
      try {
        writeWithRetries(key, write);
      } finally {
        synchronized (pending) {
          busy = false;
          pending.notifyAll();
        }
      }
    }
  }

  private void writeWithRetries(String key, Write write) {
    long started = System.nanoTime();
    long delay = retryMin.toMillis();
    while (true) {
      try {
        write.run();
        return;
      } catch (Refused e) {
        LOG.info("shared-state write {} refused: {}", key, e.getMessage());
        return;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (Exception e) {
        if (System.nanoTime() - started > giveUpAfter.toNanos()) {
          failed.incrementAndGet();
          LOG.warn("shared-state write {} given up after {}: {}", key, giveUpAfter, e.toString());
          return;
        }
        LOG.debug("shared-state write {} failed, retrying in {} ms: {}", key, delay, e.toString());
      }
      long retryAt = System.nanoTime() + delay * 1_000_000;
      synchronized (pending) {
        while (true) {
          if (closed || pending.containsKey(key)) {
            return; // a newer write for this key replaces this one
          }
          long left = retryAt - System.nanoTime();
          if (left <= 0) {
            break;
          }
          try {
            pending.wait(Math.max(1, left / 1_000_000));
          } catch (InterruptedException e) {
            return;
          }
        }
      }
      delay = Math.min(retryMax.toMillis(), delay * 2);
    }
  }

  @Override
  public void close() {
    synchronized (pending) {
      closed = true;
      pending.notifyAll();
    }
    worker.interrupt();
  }
}
