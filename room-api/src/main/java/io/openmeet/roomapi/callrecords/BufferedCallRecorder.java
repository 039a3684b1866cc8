package io.openmeet.roomapi.callrecords;

import io.openmeet.focus.records.CallRecordEvent;
import io.openmeet.focus.records.CallRecorder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Writes call facts in the background so a slow or down database never delays a call, and loses
 * none:
 *
 * <ul>
 *   <li>events go to a bounded in-memory buffer; one worker stores them in batches, retrying with
 *       exponential back-off while the store fails (the batch is kept, order is kept);
 *   <li>when the buffer is full, events go to an on-disk journal instead, and keep going there
 *       until the journal is replayed, so their order is kept too;
 *   <li>at shutdown whatever is still buffered is put in front of the journal; at start the journal
 *       is replayed.
 * </ul>
 *
 * Only a journal that cannot be written (disk full) loses events; each loss is logged and counted.
 */
public final class BufferedCallRecorder implements CallRecorder, AutoCloseable {

  private static final Logger LOG = Logger.getLogger(BufferedCallRecorder.class);

  private final CallRecordStore store;
  private final CallRecordJournal journal;
  private final ArrayBlockingQueue<CallRecordEvent> buffer;
  private final int batchSize;
  private final Duration retryMin;
  private final Duration retryMax;
  private final Duration shutdownGrace;
  private final Object lock = new Object();
  private final Thread worker;

  /**
   * Guarded by {@link #lock}: while true, new events go to the journal to stay behind older ones.
   */
  private boolean spilling;

  private volatile boolean running = true;
  private volatile List<CallRecordEvent> inFlight = List.of();

  private final AtomicLong stored = new AtomicLong();
  private final AtomicLong spilled = new AtomicLong();
  private final AtomicLong failedWrites = new AtomicLong();
  private final AtomicLong lost = new AtomicLong();

  BufferedCallRecorder(
      CallRecordStore store,
      CallRecordJournal journal,
      int capacity,
      int batchSize,
      Duration retryMin,
      Duration retryMax,
      Duration shutdownGrace) {
    this.store = store;
    this.journal = journal;
    this.buffer = new ArrayBlockingQueue<>(capacity);
    this.batchSize = batchSize;
    this.retryMin = retryMin;
    this.retryMax = retryMax;
    this.shutdownGrace = shutdownGrace;
    journal.recover();
    this.spilling = !journal.isEmpty();
    this.worker = new Thread(this::run, "call-record-writer");
    this.worker.setDaemon(true);
    this.worker.start();
  }

  @Override
  public void record(CallRecordEvent event) {
    synchronized (lock) {
      if (!spilling && buffer.offer(event)) {
        return;
      }
      spilling = true;
      try {
        journal.append(List.of(event));
        spilled.incrementAndGet();
      } catch (RuntimeException e) {
        lost.incrementAndGet();
        LOG.errorf(e, "call record LOST (buffer full and journal not writable): %s", event);
      }
    }
  }

  /** Events waiting in memory. */
  public int buffered() {
    return buffer.size();
  }

  /** Events stored so far. */
  public long stored() {
    return stored.get();
  }

  /** Events that went to the on-disk journal because the buffer was full. */
  public long spilled() {
    return spilled.get();
  }

  /** Store writes that failed and were retried. */
  public long failedWrites() {
    return failedWrites.get();
  }

  /** Events that could be neither buffered nor journaled. */
  public long lost() {
    return lost.get();
  }

  private void run() {
    while (running || !buffer.isEmpty()) {
      try {
        List<CallRecordEvent> batch = new ArrayList<>(batchSize);
        CallRecordEvent first = buffer.poll(100, TimeUnit.MILLISECONDS);
        if (first != null) {
          batch.add(first);
          buffer.drainTo(batch, batchSize - 1);
          if (!storeWithRetry(batch, true)) {
            return; // shutting down: close() moves the in-flight batch to the journal
          }
          continue;
        }
        replayJournalIfIdle();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Replays the journal once the buffer is empty; stops spilling when the journal stayed empty. */
  private void replayJournalIfIdle() throws InterruptedException {
    List<CallRecordEvent> replay;
    synchronized (lock) {
      if (!spilling || !buffer.isEmpty()) {
        return;
      }
      replay = journal.takeForReplay();
      if (replay.isEmpty()) {
        spilling = false;
        return;
      }
    }
    for (int from = 0; from < replay.size(); from += batchSize) {
      if (!storeWithRetry(replay.subList(from, Math.min(replay.size(), from + batchSize)), false)) {
        return; // shutting down: journal.recover() at the next start puts them back in front
      }
    }
    journal.replayed();
  }

  /**
   * Stores a batch, retrying with back-off; false only when asked to stop before it succeeded. A
   * batch taken from the buffer is tracked so close() can journal it; a replayed one is still in
   * the replay file.
   */
  private boolean storeWithRetry(List<CallRecordEvent> batch, boolean fromBuffer)
      throws InterruptedException {
    inFlight = fromBuffer ? batch : List.of();
    long delay = retryMin.toMillis();
    while (true) {
      try {
        store.write(batch);
        stored.addAndGet(batch.size());
        inFlight = List.of();
        return true;
      } catch (Exception e) {
        failedWrites.incrementAndGet();
        LOG.warnf(
            "storing %d call record(s) failed, retrying in %d ms: %s", batch.size(), delay, e);
        if (!running) {
          return false;
        }
        Thread.sleep(delay);
        delay = Math.min(retryMax.toMillis(), delay * 2);
      }
    }
  }

  /** Stores what it can within the grace period and journals the rest. */
  @Override
  public void close() {
    running = false;
    try {
      worker.join(shutdownGrace.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    worker.interrupt();
    try {
      worker.join(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (lock) {
      List<CallRecordEvent> pending = new ArrayList<>(inFlight);
      buffer.drainTo(pending);
      if (!pending.isEmpty()) {
        journal.prepend(pending);
        LOG.infof("journaled %d unstored call record(s) at shutdown", pending.size());
      }
    }
  }
}
