package io.openmeet.testkit;

import io.openmeet.litebridge.media.EndpointTransport;
import io.openmeet.litebridge.media.Ice4jMediaEngine;
import io.openmeet.litebridge.media.MediaConference;
import io.openmeet.litebridge.media.MediaConfig;
import io.openmeet.litebridge.media.MediaStats;
import io.openmeet.litebridge.media.TransportState;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * A bounded forwarding benchmark on loopback: one in-process Ice4jMediaEngine on 127.0.0.1 and N
 * synthetic endpoints (ICE + DTLS + SRTP) in one conference; every endpoint sends video packets at
 * a fixed rate and the bridge forwards each to the N-1 others. Reports forwarded packets/s, Mbit/s,
 * loss, and CPU per 1,000 forwarded packets/s. Stops by itself.
 *
 * <p>Arguments (all optional): {@code --sizes 3,6,12 --offered 20000,60000 --seconds 10 --payload
 * 1000}. {@code --offered} is the forwarded packet rate aimed at (senders' rate = offered / (N * (N
 * - 1))).
 */
public final class ForwardingBenchmark {

  private static final Duration WARMUP = Duration.ofSeconds(2);
  private static final Duration DRAIN = Duration.ofSeconds(1);
  private static final int MAX_ENDPOINTS = 32;
  private static final int MAX_SECONDS = 60;
  private static final int MAX_OFFERED = 500_000;

  /** One measured row. */
  public record Result(
      int endpoints,
      int offeredPps,
      int perSenderPps,
      double forwardedPps,
      double forwardedMbps,
      double lossPercent,
      double lossBeforeBridgePercent,
      double lossAfterBridgePercent,
      double processCores,
      double bridgeCores,
      double bridgeCpuPercentPer1000Pps,
      double forwardedPpsPerBridgeCore) {}

  private ForwardingBenchmark() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = parse(args);
    List<Integer> sizes = ints(opts.getOrDefault("sizes", "3,6,12"));
    List<Integer> offered = ints(opts.getOrDefault("offered", "20000,60000"));
    int seconds = Integer.parseInt(opts.getOrDefault("seconds", "10"));
    int payload = Integer.parseInt(opts.getOrDefault("payload", "1000"));
    if (seconds < 1 || seconds > MAX_SECONDS) {
      throw new IllegalArgumentException("--seconds must be 1.." + MAX_SECONDS);
    }
    if (payload < 20 || payload > 1200) {
      throw new IllegalArgumentException("--payload must be 20..1200 bytes");
    }
    for (int n : sizes) {
      if (n < 2 || n > MAX_ENDPOINTS) {
        throw new IllegalArgumentException("--sizes entries must be 2.." + MAX_ENDPOINTS);
      }
    }
    for (int o : offered) {
      if (o < 100 || o > MAX_OFFERED) {
        throw new IllegalArgumentException("--offered entries must be 100.." + MAX_OFFERED);
      }
    }
    System.out.printf(
        Locale.ROOT,
        "lite-bridge forwarding benchmark: 127.0.0.1, %d s per run, %d-byte payloads, %d CPUs%n",
        seconds,
        payload,
        Runtime.getRuntime().availableProcessors());
    List<Result> results = new ArrayList<>();
    for (int n : sizes) {
      for (int o : offered) {
        Result r = run(n, o, seconds, payload);
        results.add(r);
        System.out.println(row(r));
      }
    }
    System.out.println();
    System.out.println(
        "| endpoints | offered fwd pkt/s | per-sender pkt/s | forwarded pkt/s | forwarded Mbit/s"
            + " | loss (before / after bridge) | process CPU (cores) | bridge CPU (cores) | bridge CPU % per 1,000 pkt/s"
            + " | fwd pkt/s per bridge core |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|");
    for (Result r : results) {
      System.out.println(row(r));
    }
  }

  private static String row(Result r) {
    return String.format(
        Locale.ROOT,
        "| %d | %,d | %,d | %,.0f | %.1f | %.2f %% (%.2f / %.2f) | %.2f | %.2f | %.2f | %,.0f |",
        r.endpoints(),
        r.offeredPps(),
        r.perSenderPps(),
        r.forwardedPps(),
        r.forwardedMbps(),
        r.lossPercent(),
        r.lossBeforeBridgePercent(),
        r.lossAfterBridgePercent(),
        r.processCores(),
        r.bridgeCores(),
        r.bridgeCpuPercentPer1000Pps(),
        r.forwardedPpsPerBridgeCore());
  }

  /** Runs one configuration and tears everything down. */
  public static Result run(int endpoints, int offeredPps, int seconds, int payload)
      throws InterruptedException {
    int perSender = Math.max(1, offeredPps / (endpoints * (endpoints - 1)));
    List<SyntheticEndpoint> clients = new ArrayList<>();
    try (Ice4jMediaEngine engine =
        new Ice4jMediaEngine(new MediaConfig(0, List.of("127.0.0.1"), List.of()))) {
      MediaConference conference =
          engine.createConference("bench-" + endpoints + "-" + offeredPps, (id, previous) -> {});
      List<EndpointTransport> transports = new ArrayList<>();
      for (int i = 0; i < endpoints; i++) {
        String id = "ep" + i;
        EndpointTransport transport = conference.createEndpoint(id);
        SyntheticEndpoint client =
            SyntheticEndpoint.create(
                id, SyntheticEndpoint.Options.loopback().withRecordPackets(false));
        transport.setMediaFormats(SyntheticEndpoint.mediaFormats());
        transport.setSources(client.sources());
        transport.setRemoteTransport(client.transportDescription());
        client.connect(transport.localIce(), engine.localFingerprint());
        clients.add(client);
        transports.add(transport);
      }
      for (int i = 0; i < endpoints; i++) {
        if (!clients.get(i).awaitConnected(Duration.ofSeconds(30))) {
          throw new IllegalStateException(
              "endpoint " + i + " did not connect: " + clients.get(i).failure());
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (transports.get(i).state() != TransportState.CONNECTED) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("bridge side of endpoint " + i + " not connected");
          }
          Thread.sleep(10);
        }
      }

      // first packets pay for lazy initialisation (SRTP contexts, JIT): prime every path
      for (int round = 0; round < 20; round++) {
        for (SyntheticEndpoint c : clients) {
          c.sendVideo(payload, round == 0);
        }
        Thread.sleep(20);
      }
      long primed = 20L * (endpoints - 1);
      long primeDeadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (clients.stream().anyMatch(c -> c.receivedPackets() < primed)) {
        if (System.nanoTime() > primeDeadline) {
          throw new IllegalStateException("priming packets did not arrive");
        }
        Thread.sleep(20);
      }
      long receivedBeforeRun = clients.stream().mapToLong(SyntheticEndpoint::receivedPackets).sum();
      long bridgeInBeforeRun = engine.rtpPacketsReceived();
      long bridgeOutBeforeRun = engine.rtpPacketsForwarded();

      Sender sender = new Sender(clients, perSender, payload);
      Thread senderThread = new Thread(sender, "bench-sender");
      senderThread.setDaemon(true);
      senderThread.start();
      Thread.sleep(WARMUP.toMillis());

      ThreadMXBean threads = ManagementFactory.getThreadMXBean();
      com.sun.management.OperatingSystemMXBean os =
          (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
      Map<Long, Long> cpuBefore = threadCpu(threads);
      long processCpuBefore = os.getProcessCpuTime();
      MediaStats before = engine.stats();
      long t0 = System.nanoTime();
      Thread.sleep(seconds * 1000L);
      long t1 = System.nanoTime();
      MediaStats after = engine.stats();
      long processCpuAfter = os.getProcessCpuTime();
      Map<Long, Long> cpuAfter = threadCpu(threads);
      double generatorCpuNanos = generatorCpu(threads, cpuBefore, cpuAfter);

      sender.stop();
      senderThread.join();
      Thread.sleep(DRAIN.toMillis());

      double wall = (t1 - t0) / 1e9;
      if (Boolean.getBoolean("bench.debug")) {
        System.out.printf(
            Locale.ROOT,
            "debug: rtpSent=%d bridgeReceived=%d bridgeSent=%d bridgeDropped=%d clientsReceived=%d"
                + " undecryptable=%d%n",
            sender.sent(),
            engine.stats().totalPacketsReceived(),
            engine.stats().totalPacketsSent(),
            engine.droppedPackets(),
            clients.stream().mapToLong(SyntheticEndpoint::receivedPackets).sum(),
            clients.stream().mapToLong(SyntheticEndpoint::undecryptablePackets).sum());
        cpuAfter.entrySet().stream()
            .sorted(
                (x, y) ->
                    Long.compare(
                        y.getValue() - cpuBefore.getOrDefault(y.getKey(), 0L),
                        x.getValue() - cpuBefore.getOrDefault(x.getKey(), 0L)))
            .limit(12)
            .forEach(
                e -> {
                  ThreadInfo info = threads.getThreadInfo(e.getKey());
                  System.out.printf(
                      Locale.ROOT,
                      "debug: thread %-40s %.2f cores%n",
                      info == null ? "?" : info.getThreadName(),
                      (e.getValue() - cpuBefore.getOrDefault(e.getKey(), 0L)) / 1e9 / wall);
                });
      }
      long forwarded = after.totalPacketsSent() - before.totalPacketsSent();
      long forwardedBytes = after.totalBytesSent() - before.totalBytesSent();
      long sentTotal = clients.stream().mapToLong(SyntheticEndpoint::sentPackets).sum();
      if (Boolean.getBoolean("bench.debug")) {
        System.out.println("debug: skipped sender rounds " + sender.skippedRounds());
      }
      long rtpSent = sender.sent();
      long received =
          clients.stream().mapToLong(SyntheticEndpoint::receivedPackets).sum() - receivedBeforeRun;
      long expected = rtpSent * (endpoints - 1);
      double loss = expected == 0 ? 0 : Math.max(0, 100.0 * (expected - received) / expected);
      long bridgeIn = engine.rtpPacketsReceived() - bridgeInBeforeRun;
      long bridgeOut = engine.rtpPacketsForwarded() - bridgeOutBeforeRun;
      double lossBefore = rtpSent == 0 ? 0 : Math.max(0, 100.0 * (rtpSent - bridgeIn) / rtpSent);
      double lossAfter =
          bridgeOut == 0 ? 0 : Math.max(0, 100.0 * (bridgeOut - received) / bridgeOut);
      double processCores = (processCpuAfter - processCpuBefore) / 1e9 / wall;
      double bridgeCores =
          Math.max(0, (processCpuAfter - processCpuBefore) - generatorCpuNanos) / 1e9 / wall;
      double pps = forwarded / wall;
      if (sentTotal < rtpSent) {
        throw new IllegalStateException("inconsistent counters");
      }
      return new Result(
          endpoints,
          offeredPps,
          perSender,
          pps,
          forwardedBytes * 8 / wall / 1e6,
          loss,
          lossBefore,
          lossAfter,
          processCores,
          bridgeCores,
          pps == 0 ? 0 : 100.0 * bridgeCores / (pps / 1000.0),
          bridgeCores == 0 ? 0 : pps / bridgeCores);
    } finally {
      clients.forEach(SyntheticEndpoint::close);
    }
  }

  private static Map<Long, Long> threadCpu(ThreadMXBean threads) {
    Map<Long, Long> cpu = new HashMap<>();
    for (long id : threads.getAllThreadIds()) {
      long t = threads.getThreadCpuTime(id);
      if (t >= 0) {
        cpu.put(id, t);
      }
    }
    return cpu;
  }

  /** CPU time of the load generator's threads (synthetic endpoints and the sender). */
  private static double generatorCpu(
      ThreadMXBean threads, Map<Long, Long> before, Map<Long, Long> after) {
    double total = 0;
    for (Map.Entry<Long, Long> e : after.entrySet()) {
      ThreadInfo info = threads.getThreadInfo(e.getKey());
      if (info == null) {
        continue;
      }
      String name = info.getThreadName();
      if (name.startsWith("synthetic-") || name.equals("bench-sender")) {
        total += e.getValue() - before.getOrDefault(e.getKey(), 0L);
      }
    }
    return total;
  }

  /** Paces every endpoint's video at the same rate from one thread, in 1 ms ticks. */
  private static final class Sender implements Runnable {
    private final List<SyntheticEndpoint> clients;
    private final int perSenderPps;
    private final int payload;
    private volatile boolean running = true;
    private long sent;
    private volatile long skipped;

    Sender(List<SyntheticEndpoint> clients, int perSenderPps, int payload) {
      this.clients = clients;
      this.perSenderPps = perSenderPps;
      this.payload = payload;
    }

    @Override
    public void run() {
      long start = System.nanoTime();
      long perClient = 0;
      while (running) {
        double elapsed = (System.nanoTime() - start) / 1e9;
        long due = (long) (elapsed * perSenderPps);
        if (due - perClient > Math.max(2, perSenderPps / 20)) {
          // more than 50 ms behind (GC, a busy machine): skip rather than burst the backlog
          skipped += due - perClient;
          perClient = due - 1;
        }
        while (perClient < due && running) {
          for (SyntheticEndpoint c : clients) {
            c.sendVideo(payload, false);
          }
          perClient++;
          synchronized (this) {
            sent += clients.size();
          }
        }
        LockSupport.parkNanos(1_000_000);
      }
    }

    void stop() {
      running = false;
    }

    synchronized long sent() {
      return sent;
    }

    long skippedRounds() {
      return skipped;
    }
  }

  private static Map<String, String> parse(String[] args) {
    Map<String, String> out = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException(
            "usage: ForwardingBenchmark [--sizes 3,6,12] [--offered 20000,60000] [--seconds 10]"
                + " [--payload 1000]");
      }
      out.put(args[i].substring(2), args[++i]);
    }
    return out;
  }

  private static List<Integer> ints(String csv) {
    List<Integer> out = new ArrayList<>();
    for (String s : csv.split(",")) {
      out.add(Integer.parseInt(s.trim()));
    }
    return out;
  }
}
