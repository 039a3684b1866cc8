package io.openmeet.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Every peer sends audio every 20 ms from one thread, and for every ordered pair the longest time
 * the receiver heard nothing new from the sender is measured on every tick; re-offers (someone came
 * or went) are answered on the same thread.
 */
final class MediaWatch implements AutoCloseable {
  private final List<Peer> peers;
  private final Map<String, long[]> pairs = new LinkedHashMap<>(); // count, lastHeard, longest
  private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
  private final List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
  private long ticks;

  MediaWatch(List<Peer> peers) {
    this.peers = new ArrayList<>(peers);
    ticker.scheduleAtFixedRate(this::tick, 0, 20, TimeUnit.MILLISECONDS);
  }

  private synchronized void tick() {
    try {
      measure();
    } catch (Throwable t) {
      // a scheduled task that throws is never run again: keep measuring, say what happened
      failures.add(t.toString());
    }
  }

  private void measure() {
    long now = System.nanoTime();
    // the web app pings every few seconds; a silent socket is closed after 30 s (docs/API.md)
    boolean ping = ticks++ % 250 == 0;
    for (Peer p : peers) {
      try {
        p.media.sendAudio(40);
        p.answerReoffers();
        if (ping) {
          p.signalling.send("type", "ping");
        }
      } catch (Exception e) {
        // a closed peer; dropped below by the test
      }
    }
    for (Peer to : peers) {
      for (Peer from : peers) {
        if (to == from) {
          continue;
        }
        long count = to.media.receivedCount(from.media.audioSsrc());
        long[] s = pairs.computeIfAbsent(to.id + "<-" + from.id, k -> new long[] {-1, now, 0, 0});
        if (count > s[0]) {
          if (s[0] >= 0 && now - s[1] > s[2]) {
            s[2] = now - s[1];
            s[3] = now;
          }
          s[0] = count;
          s[1] = now;
        }
      }
    }
  }

  /** Waits until every pair hears each other, then starts measuring gaps from zero. */
  void awaitFlowing(Duration timeout) throws Exception {
    Eventually.within(
        timeout,
        () -> {
          synchronized (this) {
            for (Peer to : peers) {
              for (Peer from : peers) {
                if (to != from) {
                  assertThat(to.media.receivedCount(from.media.audioSsrc()))
                      .as(to.id + " hears " + from.id)
                      .isPositive();
                }
              }
            }
          }
        });
    synchronized (this) {
      long now = System.nanoTime();
      pairs.clear();
      tick();
      pairs.values().forEach(s -> s[1] = now);
    }
  }

  synchronized void add(Peer p) {
    peers.add(p);
  }

  synchronized void drop(Peer p) {
    peers.remove(p);
    pairs.keySet().removeIf(k -> k.startsWith(p.id + "<-") || k.endsWith("<-" + p.id));
  }

  /** The longest gap of any pair so far, counting a silence still going on. */
  synchronized long longestGapMs() {
    long now = System.nanoTime();
    long longest = 0;
    for (long[] s : pairs.values()) {
      longest = Math.max(longest, Math.max(s[2], now - s[1]));
    }
    return TimeUnit.NANOSECONDS.toMillis(longest);
  }

  /**
   * The pairs measured, and where and when (ms after {@code originNanos}) the longest gap ended.
   */
  synchronized String describe(long originNanos) {
    String worst = "";
    long longest = -1;
    for (Map.Entry<String, long[]> e : pairs.entrySet()) {
      long[] s = e.getValue();
      if (s[2] > longest) {
        longest = s[2];
        worst =
            e.getKey()
                + " "
                + TimeUnit.NANOSECONDS.toMillis(s[2])
                + " ms, ended "
                + TimeUnit.NANOSECONDS.toMillis(s[3] - originNanos)
                + " ms after the outage began";
      }
    }
    long now = System.nanoTime();
    StringBuilder silent = new StringBuilder();
    pairs.forEach(
        (k, s) ->
            silent
                .append(' ')
                .append(k)
                .append('=')
                .append(TimeUnit.NANOSECONDS.toMillis(now - s[1]))
                .append("ms/")
                .append(s[0]));
    return pairs.size()
        + " sender-receiver pairs; longest "
        + worst
        + "; silent now (ms/packets):"
        + silent
        + (failures.isEmpty() ? "" : "; tick failures " + failures);
  }

  @Override
  public void close() {
    ticker.shutdownNow();
  }
}
