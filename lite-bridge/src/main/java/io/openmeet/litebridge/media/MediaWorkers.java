package io.openmeet.litebridge.media;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The threads that decrypt, route and re-encrypt media. ice4j's single-port harvester reads the
 * socket on one thread; handing packets off here keeps that thread reading (fewer kernel drops) and
 * spreads forwarding over the cores. Each endpoint is pinned to one worker, so its packets stay in
 * order.
 */
final class MediaWorkers {

  private static final int QUEUE_CAPACITY = 16_384;

  /** One received packet for one endpoint, and when it arrived (System.nanoTime). */
  private record Task(EndpointConnection endpoint, byte[] packet, long arrivalNanos) {}

  private final Worker[] workers;
  private final AtomicInteger next = new AtomicInteger();
  private final LongAdder overflows;

  MediaWorkers(int count, LongAdder overflows) {
    this.overflows = overflows;
    this.workers = new Worker[Math.max(1, count)];
    for (int i = 0; i < workers.length; i++) {
      workers[i] = new Worker("media-worker-" + (i + 1));
      workers[i].start();
    }
  }

  /** The worker for a new endpoint, round-robin. */
  int assign() {
    return Math.floorMod(next.getAndIncrement(), workers.length);
  }

  /** Queues a packet; drops it (counted) when that worker is more than a queue behind. */
  void submit(int worker, EndpointConnection endpoint, byte[] packet, long arrivalNanos) {
    if (!workers[worker].queue.offer(new Task(endpoint, packet, arrivalNanos))) {
      overflows.increment();
    }
  }

  void close() {
    for (Worker w : workers) {
      w.running = false;
      w.interrupt();
    }
  }

  private static final class Worker extends Thread {
    final BlockingQueue<Task> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    volatile boolean running = true;

    Worker(String name) {
      super(name);
      setDaemon(true);
    }

    @Override
    public void run() {
      while (running) {
        Task task;
        try {
          task = queue.poll(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          return;
        }
        if (task != null) {
          task.endpoint().process(task.packet(), task.arrivalNanos());
        }
      }
    }
  }
}
