package io.openmeet.testkit;

import io.openmeet.jvbtestkit.HostAddresses;
import io.openmeet.jvbtestkit.JvbProcess;
import io.openmeet.litebridge.FocusClient;
import io.openmeet.litebridge.TestEnv;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.jitsi.xmpp.extensions.colibri2.Colibri2Endpoint;
import org.jitsi.xmpp.extensions.colibri2.ConferenceModifiedIQ;
import org.jitsi.xmpp.extensions.colibri2.ConferenceModifyIQ;
import org.jitsi.xmpp.extensions.jingle.IceUdpTransportPacketExtension;
import org.jivesoftware.smack.packet.IQ;

/**
 * Benchmark P6 (docs/BENCHMARKS.md): the CPU a bridge process spends per 1,000 forwarded packets/s,
 * lite-bridge against the stock Jitsi Videobridge under the same synthetic load. Each bridge runs
 * as a child process joined to one brewery on the shared Prosody; N synthetic endpoints are
 * allocated on it through Colibri2 over XMPP as the focus would, connect over ICE/DTLS/SRTP on this
 * machine's first non-loopback IPv4 address (JVB's ice4j never binds loopback; lite-bridge is bound
 * to the same address), and every endpoint sends 80-byte audio packets (Opus payload type, loud
 * audio level) at a fixed rate, which both bridges forward to all others with no bandwidth
 * estimation or video constraints involved. The bridge's CPU time (all its threads, from the OS)
 * over the measured window is divided by the packets the receivers decrypted in it.
 *
 * <p>Arguments (all optional): {@code --bridges lite,jvb --endpoints 6 --rates 100,400 --seconds
 * 20}; {@code --rates} are per-sender packets/s. Needs the environment of scripts/lib/env.sh and,
 * for JVB, {@code JVB_HOME}; run through {@code scripts/bench-bridge --vs-jvb}.
 */
public final class BridgeCpuBenchmark {

  private static final Duration WARMUP = Duration.ofSeconds(5);
  private static final Duration CONNECT = Duration.ofSeconds(60);

  /** One measured row. */
  record Row(
      String bridge,
      int endpoints,
      int perSenderPps,
      double offeredPps,
      double forwardedPps,
      double lossPercent,
      double idleCores,
      double cores) {

    /** Per cent of one core per 1,000 forwarded packets/s, everything the process did included. */
    double percentPer1000() {
      return forwardedPps == 0 ? 0 : 100 * cores / (forwardedPps / 1000);
    }

    /** The same with the process's idle CPU (timers, stats, keepalives) taken out. */
    double netPercentPer1000() {
      return forwardedPps == 0 ? 0 : 100 * Math.max(0, cores - idleCores) / (forwardedPps / 1000);
    }
  }

  /** A bridge process in the brewery. */
  private interface Bridge extends AutoCloseable {
    String kind();

    /** Its nickname in the brewery, where Colibri2 requests go. */
    String nickname();

    ProcessHandle process();

    @Override
    void close();
  }

  private BridgeCpuBenchmark() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = parse(args);
    List<String> bridges = List.of(opts.getOrDefault("bridges", "lite,jvb").split(","));
    int endpoints = Integer.parseInt(opts.getOrDefault("endpoints", "6"));
    List<Integer> rates = new ArrayList<>();
    for (String r : opts.getOrDefault("rates", "100,400").split(",")) {
      rates.add(Integer.parseInt(r.trim()));
    }
    int seconds = Integer.parseInt(opts.getOrDefault("seconds", "20"));
    if (endpoints < 2 || endpoints > 16 || seconds < 5 || seconds > 120) {
      throw new IllegalArgumentException("--endpoints 2..16, --seconds 5..120");
    }
    for (int r : rates) {
      if (r < 10 || r > 2000) {
        throw new IllegalArgumentException("--rates entries must be 10..2000 packets/s");
      }
    }
    InetAddress address =
        HostAddresses.firstIpv4()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "no non-loopback IPv4 address: JVB's ice4j cannot be reached here"));
    String brewery = TestEnv.uniqueBrewery();
    System.out.printf(
        Locale.ROOT,
        "P6 bridge CPU benchmark: %d endpoints on %s, per-sender %s pkt/s, %d s windows, %d CPUs,"
            + " load average %.1f%n",
        endpoints,
        address.getHostAddress(),
        rates,
        seconds,
        Runtime.getRuntime().availableProcessors(),
        loadAverage());
    List<Row> rows = new ArrayList<>();
    try (FocusClient focus = new FocusClient(brewery)) {
      for (String kind : bridges) {
        try (Bridge bridge = start(kind.trim(), brewery, address)) {
          focus.awaitStats(bridge.nickname(), s -> true, Duration.ofSeconds(120));
          rows.addAll(measure(focus, bridge, address, endpoints, rates, seconds));
        }
      }
    }
    System.out.printf(Locale.ROOT, "load average at the end %.1f%n%n", loadAverage());
    System.out.println(
        "| bridge | endpoints | per-sender pkt/s | forwarded pkt/s (received) | loss | bridge CPU"
            + " idle (cores) | bridge CPU (cores) | % of a core per 1,000 pkt/s | idle taken out |");
    System.out.println("|---|---|---|---|---|---|---|---|---|");
    for (Row r : rows) {
      System.out.printf(
          Locale.ROOT,
          "| %s | %d | %,d | %,.0f | %.2f %% | %.3f | %.3f | **%.2f** | %.2f |%n",
          r.bridge(),
          r.endpoints(),
          r.perSenderPps(),
          r.forwardedPps(),
          r.lossPercent(),
          r.idleCores(),
          r.cores(),
          r.percentPer1000(),
          r.netPercentPer1000());
    }
  }

  private static List<Row> measure(
      FocusClient focus,
      Bridge bridge,
      InetAddress address,
      int n,
      List<Integer> rates,
      int seconds)
      throws Exception {
    String meetingId = UUID.randomUUID().toString();
    List<SyntheticEndpoint> endpoints = new ArrayList<>();
    try {
      SyntheticEndpoint.Options loopback = SyntheticEndpoint.Options.loopback();
      SyntheticEndpoint.Options options =
          new SyntheticEndpoint.Options(
                  address.getHostAddress(), false, loopback.srtpProfiles(), false)
              .withRecordPackets(false);
      for (int i = 0; i < n; i++) {
        endpoints.add(allocate(focus, bridge, meetingId, "ep" + i, i == 0, options));
      }
      for (SyntheticEndpoint e : endpoints) {
        if (!e.awaitConnected(CONNECT)) {
          throw new IllegalStateException(
              bridge.kind() + ": " + e.id() + " did not connect: " + e.failure());
        }
      }
      prime(bridge, endpoints);
      double idle = cores(bridge, Duration.ofSeconds(seconds));
      List<Row> rows = new ArrayList<>();
      for (int rate : rates) {
        rows.add(run(bridge, endpoints, rate, seconds, idle));
        System.out.println("  " + rows.get(rows.size() - 1));
      }
      return rows;
    } finally {
      endpoints.forEach(SyntheticEndpoint::close);
    }
  }

  /** Every endpoint hears every other before anything is measured. */
  private static void prime(Bridge bridge, List<SyntheticEndpoint> endpoints)
      throws InterruptedException {
    long deadline = System.nanoTime() + CONNECT.toNanos();
    while (true) {
      boolean all = true;
      for (SyntheticEndpoint receiver : endpoints) {
        for (SyntheticEndpoint sender : endpoints) {
          if (sender != receiver && receiver.receivedCount(sender.audioSsrc()) == 0) {
            all = false;
          }
        }
      }
      if (all) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(bridge.kind() + ": audio did not reach every endpoint");
      }
      for (SyntheticEndpoint e : endpoints) {
        e.sendAudio(30);
      }
      Thread.sleep(20);
    }
  }

  private static Row run(
      Bridge bridge, List<SyntheticEndpoint> endpoints, int perSender, int seconds, double idle)
      throws InterruptedException {
    int n = endpoints.size();
    Pacer pacer = new Pacer(endpoints, perSender);
    Thread thread = new Thread(pacer, "bench-sender");
    thread.setDaemon(true);
    thread.start();
    try {
      Thread.sleep(WARMUP.toMillis());
      long sent0 = pacer.sent();
      long received0 = received(endpoints);
      long cpu0 = cpuNanos(bridge);
      long t0 = System.nanoTime();
      Thread.sleep(seconds * 1000L);
      long cpu1 = cpuNanos(bridge);
      long t1 = System.nanoTime();
      long sent1 = pacer.sent();
      long received1 = received(endpoints);
      double wall = (t1 - t0) / 1e9;
      double offered = (sent1 - sent0) * (n - 1) / wall;
      double forwarded = (received1 - received0) / wall;
      return new Row(
          bridge.kind(),
          n,
          perSender,
          offered,
          forwarded,
          offered == 0 ? 0 : Math.max(0, 100 * (offered - forwarded) / offered),
          idle,
          (cpu1 - cpu0) / 1e9 / wall);
    } finally {
      pacer.stop();
      thread.join();
      Thread.sleep(500); // let the last packets drain before the next window
    }
  }

  private static long received(List<SyntheticEndpoint> endpoints) {
    return endpoints.stream().mapToLong(SyntheticEndpoint::receivedPackets).sum();
  }

  /** The process's CPU use in cores over a window in which nothing is sent. */
  private static double cores(Bridge bridge, Duration window) throws InterruptedException {
    long cpu0 = cpuNanos(bridge);
    long t0 = System.nanoTime();
    Thread.sleep(window.toMillis());
    return (cpuNanos(bridge) - cpu0) / 1e9 / ((System.nanoTime() - t0) / 1e9);
  }

  private static long cpuNanos(Bridge bridge) {
    return bridge
        .process()
        .info()
        .totalCpuDuration()
        .orElseThrow(() -> new IllegalStateException("the OS reports no CPU time for the bridge"))
        .toNanos();
  }

  /** Allocates one endpoint (create, then its transport and sources) and starts connecting. */
  private static SyntheticEndpoint allocate(
      FocusClient focus,
      Bridge bridge,
      String meetingId,
      String id,
      boolean first,
      SyntheticEndpoint.Options options)
      throws Exception {
    SyntheticEndpoint endpoint = SyntheticEndpoint.create(id, options);
    try {
      ConferenceModifyIQ.Builder create = request(focus, bridge, meetingId);
      if (first) {
        create.setCreate(true).setConferenceName("bench-p6@conference.meet.local");
      }
      IQ created = focus.request(create.addEndpoint(SyntheticColibri2.create(id)).build());
      if (!(created instanceof ConferenceModifiedIQ modified)) {
        throw new IllegalStateException(bridge.kind() + " refused " + id + ": " + created.toXML());
      }
      IceUdpTransportPacketExtension transport =
          modified.getEndpoints().get(0).getTransport().getIceUdpTransport();
      Colibri2Endpoint update = SyntheticColibri2.update(id, endpoint);
      IQ updated = focus.request(request(focus, bridge, meetingId).addEndpoint(update).build());
      if (!(updated instanceof ConferenceModifiedIQ)) {
        throw new IllegalStateException(
            bridge.kind() + " refused the update of " + id + ": " + updated.toXML());
      }
      endpoint.connect(
          SyntheticColibri2.localIce(transport), SyntheticColibri2.fingerprint(transport));
      return endpoint;
    } catch (Exception | Error e) {
      endpoint.close();
      throw e;
    }
  }

  private static ConferenceModifyIQ.Builder request(
      FocusClient focus, Bridge bridge, String meetingId) throws Exception {
    ConferenceModifyIQ.Builder b = ConferenceModifyIQ.builder("p6-" + UUID.randomUUID());
    b.to(focus.occupant(bridge.nickname()));
    b.ofType(IQ.Type.set);
    return b.setMeetingId(meetingId);
  }

  private static Bridge start(String kind, String brewery, InetAddress address) throws Exception {
    return switch (kind) {
      case "lite" -> LiteBridgeProcess.start(brewery, address);
      case "jvb" -> {
        JvbProcess jvb = JvbProcess.start(brewery);
        yield new Bridge() {
          @Override
          public String kind() {
            return "JVB";
          }

          @Override
          public String nickname() {
            return jvb.bridgeId();
          }

          @Override
          public ProcessHandle process() {
            return jvb.process();
          }

          @Override
          public void close() {
            jvb.close();
          }
        };
      }
      default -> throw new IllegalArgumentException("--bridges takes lite and/or jvb: " + kind);
    };
  }

  /** The packaged lite-bridge (lite-bridge/target/lite-bridge.jar) as a child process. */
  private static final class LiteBridgeProcess implements Bridge {
    private final Process process;
    private final String nickname;

    private LiteBridgeProcess(Process process, String nickname) {
      this.process = process;
      this.nickname = nickname;
    }

    static LiteBridgeProcess start(String brewery, InetAddress address) throws IOException {
      Path jar = Path.of("lite-bridge", "target", "lite-bridge.jar").toAbsolutePath();
      if (!Files.isRegularFile(jar)) {
        throw new IllegalStateException("no " + jar + ": build lite-bridge first");
      }
      Path log = Path.of("media-testkit", "target", "bench-lite-bridge.log").toAbsolutePath();
      Files.createDirectories(log.getParent());
      String nickname = TestEnv.random("lite-bench-");
      ProcessBuilder pb =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  // the same heap limit as jvb-testkit gives JVB
                  "-Xmx512m",
                  "-jar",
                  jar.toString())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile());
      Map<String, String> env = pb.environment();
      env.put("BREWERY_ROOM", brewery.substring(0, brewery.indexOf('@')));
      env.put("XMPP_INTERNAL_MUC", brewery.substring(brewery.indexOf('@') + 1));
      env.put("BRIDGE_MUC_NICKNAME", nickname);
      env.put("BRIDGE_BIND_ADDRESS", address.getHostAddress());
      env.put("BRIDGE_REST_PORT", Integer.toString(freeTcpPort()));
      env.put("BRIDGE_MEDIA_PORT", Integer.toString(freeUdpPort()));
      System.out.println("lite-bridge " + nickname + " starting (log " + log + ")");
      return new LiteBridgeProcess(pb.start(), nickname);
    }

    @Override
    public String kind() {
      return "lite-bridge";
    }

    @Override
    public String nickname() {
      return nickname;
    }

    @Override
    public ProcessHandle process() {
      return process.toHandle();
    }

    @Override
    public void close() {
      process.destroy();
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }
  }

  private static int freeTcpPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static int freeUdpPort() throws IOException {
    try (DatagramSocket s = new DatagramSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static double loadAverage() {
    return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  /** Paces every endpoint's audio at the same rate from one thread, in 1 ms ticks. */
  private static final class Pacer implements Runnable {
    private final List<SyntheticEndpoint> endpoints;
    private final int perSender;
    private volatile boolean running = true;
    private volatile long sent;

    Pacer(List<SyntheticEndpoint> endpoints, int perSender) {
      this.endpoints = endpoints;
      this.perSender = perSender;
    }

    @Override
    public void run() {
      long start = System.nanoTime();
      long rounds = 0;
      while (running) {
        long due = (long) ((System.nanoTime() - start) / 1e9 * perSender);
        if (due - rounds > Math.max(2, perSender / 20)) {
          rounds = due - 1; // more than 50 ms behind: skip rather than burst the backlog
        }
        while (rounds < due && running) {
          for (SyntheticEndpoint e : endpoints) {
            e.sendAudio(30);
          }
          rounds++;
          sent += endpoints.size();
        }
        LockSupport.parkNanos(1_000_000);
      }
    }

    long sent() {
      return sent;
    }

    void stop() {
      running = false;
    }
  }

  private static Map<String, String> parse(String[] args) {
    Map<String, String> out = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException(
            "usage: BridgeCpuBenchmark [--bridges lite,jvb] [--endpoints 6] [--rates 100,400]"
                + " [--seconds 20]");
      }
      out.put(args[i].substring(2), args[++i]);
    }
    return out;
  }
}
