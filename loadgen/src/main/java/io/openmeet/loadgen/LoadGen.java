package io.openmeet.loadgen;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * The load generator CLI. Two scenarios against a running stack on loopback:
 *
 * <pre>
 *   join  --url http://127.0.0.1:8080 --rate 100 --joins 1000 --room-size 3 --hold 2s [--warmup N]
 *         [--warmup-rate R]
 *         joins at a fixed rate; reports join → offer latency percentiles, rate and errors
 *         (after N warm-up joins at R per second, default half the rate, reported separately)
 *   hold  --url http://127.0.0.1:8080 --sessions 10000 --rate 500 --room-size 50
 *         opens and joins that many sessions, holds them, reports server heap and errors
 * </pre>
 *
 * Every run is bounded in count and time and stops by itself.
 */
public final class LoadGen {

  private final Map<String, String> options;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final ConcurrentHashMap<String, AtomicInteger> errors = new ConcurrentHashMap<>();

  /** The server's message with the first error frame of each code, printed with the report. */
  private final ConcurrentHashMap<String, String> firstMessages = new ConcurrentHashMap<>();

  LoadGen(Map<String, String> options) {
    this.options = options;
  }

  public static void main(String[] args) throws Exception {
    if (args.length == 0 || !(args[0].equals("join") || args[0].equals("hold"))) {
      System.err.println(
          "usage: loadgen join|hold [--url URL] [--metrics-url URL] [--rate N] [--joins N] ...");
      System.exit(2);
    }
    Map<String, String> options = new HashMap<>();
    for (int i = 1; i + 1 < args.length; i += 2) {
      options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    var gen = new LoadGen(options);
    Report report;
    try {
      report = args[0].equals("join") ? gen.join() : gen.hold();
    } catch (IllegalArgumentException e) {
      System.err.println("loadgen: " + e.getMessage());
      System.exit(2);
      return;
    }
    System.out.println(report.render());
    System.exit(report.failed() ? 1 : 0);
  }

  private String opt(String name, String fallback) {
    return options.getOrDefault(name, fallback);
  }

  private int intOpt(String name, int fallback) {
    return Integer.parseInt(opt(name, Integer.toString(fallback)));
  }

  /** A rate or size: checked before any room is created, so a typo fails at once. */
  private int positiveIntOpt(String name, int fallback) {
    String text = opt(name, Integer.toString(fallback));
    try {
      int value = Integer.parseInt(text);
      if (value > 0) {
        return value;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        "--" + name + " must be a positive whole number, not '" + text + "'");
  }

  private static Duration duration(String text) {
    if (text.endsWith("ms")) {
      return Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
    }
    if (text.endsWith("s")) {
      return Duration.ofMillis(
          (long) (Double.parseDouble(text.substring(0, text.length() - 1)) * 1000));
    }
    return Duration.ofSeconds(Long.parseLong(text));
  }

  /** A participant ready to join: where to connect and its token. */
  private record Seat(URI signallingUrl, String token, String name) {}

  private List<Seat> seats(RoomApiClient api, int count, int roomSize) throws Exception {
    List<Seat> seats = new ArrayList<>(count);
    String run = Long.toString(System.currentTimeMillis(), 36);
    for (int room = 0; seats.size() < count; room++) {
      var created =
          api.createRoom("loadgen " + run + " " + room, "public", null, Math.max(2, roomSize));
      URI signalling = URI.create(created.path("signallingUrl").asText());
      String slug = created.path("slug").asText();
      for (int p = 0; p < roomSize && seats.size() < count; p++) {
        String name = "lg-" + room + "-" + p;
        seats.add(new Seat(signalling, api.joinToken(slug, name, null), name));
      }
    }
    return seats;
  }

  /**
   * Names a timeout after what the client had received: {@code timeout-before-joined}, {@code
   * timeout-after-joined} (joined, but no offer), or {@code error:<code>} when the server refused.
   */
  private String timeoutKind(SignallingClient client) {
    if (client == null) {
      return "timeout-connect";
    }
    String kind = "timeout-before-joined";
    for (var frame : client.received()) {
      if (frame.type().equals("error")) {
        String refused = "error:" + frame.json().path("code").asText();
        firstMessages.putIfAbsent(refused, frame.json().path("message").asText());
        return refused;
      }
      if (frame.type().equals("joined")) {
        kind = "timeout-after-joined";
      }
    }
    return kind;
  }

  private void error(String code) {
    errors.computeIfAbsent(code, k -> new AtomicInteger()).incrementAndGet();
  }

  /**
   * Joins at a fixed rate and measures join sent → offer received. With {@code --warmup N}, first
   * runs N joins at {@code --warmup-rate} (default half the rate) in the same process (their report
   * is printed, not returned), so that neither the server nor this JVM is still compiling hot code
   * while the figure is measured.
   */
  Report join() throws Exception {
    URI url = URI.create(opt("url", "http://127.0.0.1:8080"));
    int rate = positiveIntOpt("rate", 100);
    int joins = intOpt("joins", 1000);
    int warmup = intOpt("warmup", 0);
    int warmupRate = positiveIntOpt("warmup-rate", Math.max(1, rate / 2));
    int roomSize = positiveIntOpt("room-size", 3);
    Duration hold = duration(opt("hold", "2s"));
    Duration timeout = duration(opt("timeout", "5s"));
    var api = new RoomApiClient(http, url, URI.create(opt("metrics-url", "http://127.0.0.1:9000")));
    // every room and token first: creating them between the warm-up and the measured joins would
    // put REST, Postgres (and its autovacuum) and freshly compiled code into the measured window
    List<Seat> warmupSeats = seats(api, warmup, roomSize);
    List<Seat> measuredSeats = seats(api, joins, roomSize);
    if (warmup > 0) {
      Report report = joinAtRate("join (warm-up)", api, warmupSeats, warmupRate, hold, timeout);
      System.out.println(report.render());
      errors.clear();
      firstMessages.clear();
    }
    return joinAtRate("join", api, measuredSeats, rate, hold, timeout);
  }

  private Report joinAtRate(
      String scenario,
      RoomApiClient api,
      List<Seat> seats,
      int rate,
      Duration hold,
      Duration timeout)
      throws InterruptedException {
    long heapBefore = heapUsed(api);
    ServerJoinLatency serverBefore = serverJoinLatency(api);
    Histogram latency = new ConcurrentHistogram(TimeUnit.SECONDS.toMicros(60), 3);
    ExecutorService workers = Executors.newFixedThreadPool(Math.min(512, rate * 4 + 8));
    var scheduler = Executors.newSingleThreadScheduledExecutor();
    long periodNanos = TimeUnit.SECONDS.toNanos(1) / rate;
    long start = System.nanoTime();
    java.time.Instant startedAt = java.time.Instant.now();
    AtomicInteger done = new AtomicInteger();
    // per second of the run: the slowest join sent in it (--timeline true prints them)
    java.util.concurrent.atomic.AtomicLongArray slowest =
        new java.util.concurrent.atomic.AtomicLongArray(seats.size() / rate + 2);
    for (int i = 0; i < seats.size(); i++) {
      Seat seat = seats.get(i);
      scheduler.schedule(
          () ->
              workers.submit(
                  () -> {
                    SignallingClient client = null;
                    try {
                      client = SignallingClient.connect(http, seat.signallingUrl(), timeout);
                      long sent = System.nanoTime();
                      client.send(
                          "type", "join", "token", seat.token(), "displayName", seat.name());
                      var offer = client.await("offer", timeout);
                      long micros = (offer.receivedNanos() - sent) / 1000;
                      latency.recordValue(micros);
                      int second =
                          (int) Math.min(slowest.length() - 1, (sent - start) / 1_000_000_000L);
                      slowest.accumulateAndGet(second, micros, Math::max);
                      Thread.sleep(hold.toMillis());
                      client.send("type", "leave");
                    } catch (java.util.concurrent.TimeoutException e) {
                      error(timeoutKind(client));
                    } catch (Exception e) {
                      error(e.getClass().getSimpleName());
                    } finally {
                      if (client != null) {
                        client.close();
                      }
                      done.incrementAndGet();
                    }
                  }),
          i * periodNanos,
          TimeUnit.NANOSECONDS);
    }
    long deadline = start + (seats.size() * periodNanos) + hold.toNanos() + timeout.toNanos() * 3;
    while (done.get() < seats.size() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    scheduler.shutdownNow();
    workers.shutdownNow();
    ServerJoinLatency server = serverJoinLatency(api).since(serverBefore);
    List<String> details = new ArrayList<>(firstErrorMessages());
    if (Boolean.parseBoolean(opt("timeline", "false"))) {
      var line =
          new StringBuilder("slowest join (ms) per second from ")
              .append(startedAt.truncatedTo(java.time.temporal.ChronoUnit.MILLIS))
              .append(':');
      for (int i = 0; i < slowest.length(); i++) {
        line.append(' ').append(slowest.get(i) / 1000);
      }
      details.add(line.toString());
    }
    return new Report(
        scenario,
        Map.of(
            "server_joins",
            server.count(),
            "server_p50_ms_at_most",
            server.percentileUpperBound(50),
            "server_p90_ms_at_most",
            server.percentileUpperBound(90),
            "server_p99_ms_at_most",
            server.percentileUpperBound(99),
            "joins",
            (double) seats.size(),
            "target_rate_per_s",
            (double) rate,
            "achieved_rate_per_s",
            latency.getTotalCount() / Math.max(0.001, seconds - hold.toSeconds()),
            "heap_before_mib",
            heapBefore / 1048576.0,
            "heap_after_mib",
            heapUsed(api) / 1048576.0),
        latency,
        Map.copyOf(errorCounts()),
        seats.size(),
        details);
  }

  /** Opens and holds many joined sessions; reports the server's heap while they are held. */
  Report hold() throws Exception {
    URI url = URI.create(opt("url", "http://127.0.0.1:8080"));
    int sessions = intOpt("sessions", 1000);
    int rate = positiveIntOpt("rate", 500);
    int roomSize = positiveIntOpt("room-size", 50);
    Duration timeout = duration(opt("timeout", "10s"));
    Duration holdFor = duration(opt("hold", "10s"));
    var api = new RoomApiClient(http, url, URI.create(opt("metrics-url", "http://127.0.0.1:9000")));
    long heapBefore = heapUsed(api);
    List<Seat> seats = seats(api, sessions, roomSize);
    Histogram latency = new ConcurrentHistogram(TimeUnit.SECONDS.toMicros(60), 3);
    List<SignallingClient> open = java.util.Collections.synchronizedList(new ArrayList<>());
    long periodNanos = TimeUnit.SECONDS.toNanos(1) / rate;
    long start = System.nanoTime();
    // held sessions ping like browsers do, or the server drops them at its ping timeout
    var pinger = Executors.newSingleThreadScheduledExecutor();
    pinger.scheduleWithFixedDelay(
        () -> {
          List<SignallingClient> snapshot;
          synchronized (open) {
            snapshot = List.copyOf(open);
          }
          for (SignallingClient c : snapshot) {
            try {
              c.send("{\"type\":\"ping\"}");
            } catch (RuntimeException e) {
              error("ping-" + e.getClass().getSimpleName());
            }
          }
        },
        10,
        10,
        TimeUnit.SECONDS);
    try {
      for (int i = 0; i < seats.size(); i++) {
        long due = start + i * periodNanos;
        long wait = due - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
        Seat seat = seats.get(i);
        try {
          var client = SignallingClient.connect(http, seat.signallingUrl(), timeout);
          open.add(client);
          long sent = System.nanoTime();
          client.send("type", "join", "token", seat.token(), "displayName", seat.name());
          var joined = client.await("joined", timeout);
          latency.recordValue((joined.receivedNanos() - sent) / 1000);
        } catch (Exception e) {
          error(e.getClass().getSimpleName());
        }
      }
      Thread.sleep(holdFor.toMillis());
      System.gc();
      long heapHeld = heapUsed(api);
      return new Report(
          "hold",
          Map.of(
              "sessions",
              (double) sessions,
              "open_sessions",
              (double) open.size(),
              "heap_before_mib",
              heapBefore / 1048576.0,
              "heap_held_mib",
              heapHeld / 1048576.0),
          latency,
          Map.copyOf(errorCounts()),
          sessions,
          firstErrorMessages());
    } finally {
      pinger.shutdownNow();
      open.forEach(SignallingClient::close);
    }
  }

  private Map<String, Integer> errorCounts() {
    Map<String, Integer> counts = new HashMap<>();
    errors.forEach((k, v) -> counts.put(k, v.get()));
    return counts;
  }

  /** "first error:<code>: <the server's message>" for each refusal code seen. */
  private List<String> firstErrorMessages() {
    List<String> lines = new ArrayList<>();
    firstMessages.forEach((kind, message) -> lines.add("first " + kind + ": " + message));
    return lines;
  }

  private static final Pattern HEAP =
      Pattern.compile(
          "^jvm_memory_used_bytes\\{[^}]*area=\"heap\"[^}]*} ([0-9.eE+]+)", Pattern.MULTILINE);

  /** The server's join → offer histogram; empty when it cannot be read. */
  static ServerJoinLatency serverJoinLatency(RoomApiClient api) {
    try {
      return ServerJoinLatency.parse(api.metrics());
    } catch (Exception e) {
      return ServerJoinLatency.parse("");
    }
  }

  /** The server's used heap, from its Prometheus metrics (sum of the heap pools). */
  static long heapUsed(RoomApiClient api) {
    try {
      Matcher m = HEAP.matcher(api.metrics());
      double sum = 0;
      while (m.find()) {
        sum += Double.parseDouble(m.group(1));
      }
      return (long) sum;
    } catch (Exception e) {
      return -1;
    }
  }

  /**
   * A run's figures, printed as a small table.
   *
   * @param details extra lines printed after the table (first error messages, the timeline)
   */
  record Report(
      String scenario,
      Map<String, Double> figures,
      Histogram latency,
      Map<String, Integer> errors,
      int attempts,
      List<String> details) {
    boolean failed() {
      return latency.getTotalCount() == 0;
    }

    String render() {
      var out = new StringBuilder("scenario: " + scenario + "\n");
      figures.entrySet().stream()
          .sorted(Map.Entry.comparingByKey())
          .forEach(e -> out.append(String.format("  %-22s %10.1f%n", e.getKey(), e.getValue())));
      out.append(
          String.format("  %-22s %10d of %d%n", "completed", latency.getTotalCount(), attempts));
      for (double p : new double[] {50, 90, 99, 99.9}) {
        out.append(
            String.format(
                "  %-22s %10.2f ms%n", "p" + p, latency.getValueAtPercentile(p) / 1000.0));
      }
      out.append(String.format("  %-22s %10.2f ms%n", "max", latency.getMaxValue() / 1000.0));
      out.append("  errors: ").append(errors.isEmpty() ? "none" : errors).append('\n');
      details.forEach(line -> out.append("  ").append(line).append('\n'));
      return out.toString();
    }
  }
}
