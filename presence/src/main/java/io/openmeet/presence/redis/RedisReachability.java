package io.openmeet.presence.redis;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.redisson.client.RedisConnectionException;
import org.redisson.client.RedisException;
import org.redisson.client.RedisTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether Redis answers, as this node can tell: a PING every {@code probeInterval} and the outcome
 * of every command. While Redis is down, commands through a client from {@link RedissonTiming} fail
 * at once with {@link RedisUnavailableException} instead of each waiting out Redisson's retries
 * (about 10 s), so joins and REST requests get a quick typed answer; the first PING that succeeds
 * opens the gate again and tells the {@link #onReachable} listeners.
 */
public final class RedisReachability implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RedisReachability.class);

  /**
   * Failed PINGs that mark Redis down when no command failed first: one, since each waits up to a
   * second and a join made meanwhile waits out Redisson's retries (about 6 s); a false alarm costs
   * at most one probe interval of refusals.
   */
  private static final int FAILED_PINGS = 1;

  /** Thrown instead of a command while Redis is known to be down. */
  public static final class RedisUnavailableException extends RedisConnectionException {
    RedisUnavailableException(String message) {
      super(message);
    }
  }

  private volatile BooleanSupplier ping = () -> true;
  private final long retryAfterMillis;
  private final List<Runnable> reachable = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService prober;
  private volatile long downSinceNanos;
  private volatile boolean down;
  private int failedPings;

  /**
   * @param probeInterval time between PINGs; four of them (at least 1 s) is the retry hint
   */
  public RedisReachability(Duration probeInterval) {
    this.retryAfterMillis = Math.max(1_000, probeInterval.toMillis() * 4);
    this.prober =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "redis-reachability");
              t.setDaemon(true);
              return t;
            });
    long every = probeInterval.toMillis();
    prober.scheduleWithFixedDelay(this::probe, every, every, TimeUnit.MILLISECONDS);
  }

  /** The PING to probe with: one round trip with a short timeout, true when Redis answered. */
  public void pingWith(BooleanSupplier ping) {
    this.ping = ping;
  }

  /** Whether Redis is known to be down now. */
  public boolean down() {
    return down;
  }

  /** How long a caller should wait before retrying what failed because Redis is down. */
  public long retryAfterMillis() {
    return retryAfterMillis;
  }

  /** Runs {@code listener} (on the probe thread) each time Redis answers again after an outage. */
  public void onReachable(Runnable listener) {
    reachable.add(listener);
  }

  /** Fails at once while Redis is known to be down. */
  void check(String command) {
    if (down) {
      throw new RedisUnavailableException(
          "Redis is unreachable (for "
              + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - downSinceNanos)
              + " s); "
              + command
              + " not sent");
    }
  }

  /** A command's outcome: a connection failure or timeout marks Redis down. */
  void completed(Throwable failure) {
    if (failure != null && unreachable(failure)) {
      markDown(failure.toString());
    }
  }

  /**
   * Whether {@code failure} says Redis could not be reached (not, e.g., a script error): a
   * connection failure or timeout anywhere in its causes.
   */
  public static boolean unreachable(Throwable failure) {
    java.util.Set<Throwable> seen =
        java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    for (Throwable t = failure; t != null && seen.add(t); t = t.getCause()) {
      if (t instanceof RedisConnectionException
          || t instanceof RedisTimeoutException
          || t instanceof java.net.ConnectException
          || t instanceof java.nio.channels.ClosedChannelException
          || (t instanceof RedisException
              && t.getMessage() != null
              && t.getMessage().startsWith("Unable to"))) {
        return true;
      }
    }
    return false;
  }

  private synchronized void markDown(String why) {
    if (!down) {
      downSinceNanos = System.nanoTime();
      down = true;
      LOG.warn("Redis is unreachable ({}): Redis commands fail at once until a PING answers", why);
    }
  }

  private void probe() {
    boolean answered;
    try {
      answered = ping.getAsBoolean();
    } catch (RuntimeException e) {
      answered = false;
    }
    if (!answered) {
      if (++failedPings >= FAILED_PINGS) {
        markDown("no answer to " + failedPings + " PINGs");
      }
      return;
    }
    failedPings = 0;
    boolean wasDown;
    synchronized (this) {
      wasDown = down;
      down = false;
    }
    if (wasDown) {
      LOG.info(
          "Redis answers again after {} s",
          TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - downSinceNanos));
      for (Runnable r : reachable) {
        try {
          r.run();
        } catch (RuntimeException e) {
          LOG.warn("a listener of Redis coming back failed", e);
        }
      }
    }
  }

  @Override
  public void close() {
    prober.shutdownNow();
  }
}
