package io.openmeet.systemtests;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The packaged room-api (room-api/target/quarkus-app) as a child process on a free port, with a
 * brewery room, Redis prefixes and rate-limit namespace of its own, against the real services that
 * scripts/test started (their settings come from the inherited environment).
 */
final class RoomApiProcess implements AutoCloseable {

  final int port;

  /** The run's id: brewery, Redis prefixes and rate-limit namespace are named after it. */
  final String run;

  final String breweryJid;
  final URI baseUrl;
  private final Process process;
  private final Path log;

  private RoomApiProcess(int port, String run, String breweryJid, Process process, Path log) {
    this.port = port;
    this.run = run;
    this.breweryJid = breweryJid;
    this.baseUrl = URI.create("http://127.0.0.1:" + port);
    this.process = process;
    this.log = log;
  }

  static String env(String name) {
    String value = System.getenv(name);
    if (value == null || value.isBlank()) {
      throw new IllegalStateException(name + " is not set: run the tests through scripts/test");
    }
    return value;
  }

  static String random(String prefix) {
    byte[] b = new byte[4];
    ThreadLocalRandom.current().nextBytes(b);
    return prefix + HexFormat.of().formatHex(b);
  }

  static RoomApiProcess start() throws Exception {
    return start(random("it-"));
  }

  /**
   * A room-api node of the run {@code run}: give another node's {@link #run} to start a second node
   * of the same deployment (same brewery, Redis prefixes, rate limits; its own port and node id).
   */
  static RoomApiProcess start(String run) throws Exception {
    return start(run, freePort(), Map.of());
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /**
   * A node of the run {@code run} on {@code port}, with {@code overrides} added to (or replacing)
   * its environment: another database, Redis or region, for a second deployment on this machine.
   */
  static RoomApiProcess start(String run, int port, Map<String, String> overrides)
      throws Exception {
    Path jar =
        Path.of("..", "room-api", "target", "quarkus-app", "quarkus-run.jar").toAbsolutePath();
    if (!Files.exists(jar)) {
      throw new IllegalStateException(jar + " is missing: build room-api first (mvn package)");
    }
    String brewery = "jvbbrewery-" + run;
    Path log = Path.of("target", "room-api-" + run + "-" + port + ".log").toAbsolutePath();
    Files.createDirectories(log.getParent());
    ProcessBuilder pb =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                "-jar",
                jar.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    var e = pb.environment();
    e.put("ROOM_API_PORT", Integer.toString(port));
    e.put("PUBLIC_URL", "http://127.0.0.1:" + port);
    e.put("BREWERY_ROOM", brewery);
    e.put("OPENMEET_FOCUS_SELECTION_REDIS_PREFIX", run + ":");
    e.put("OPENMEET_FOCUS_HEALTH_CHECK_INTERVAL", "2s");
    e.put(
        "OPENMEET_FOCUS_CALL_RECORDS_JOURNAL_FILE",
        "target/call-records-" + run + "-" + port + ".jsonl");
    e.put("OPENMEET_RATE_LIMIT_NAMESPACE", "ratelimit-" + run);
    e.put("OPENMEET_RATE_LIMIT_ROOM_CREATES", "100000");
    e.put("OPENMEET_RATE_LIMIT_TOKEN_REQUESTS", "100000");
    e.putAll(overrides);
    var process = pb.start();
    var api = new RoomApiProcess(port, run, brewery + "@" + env("XMPP_INTERNAL_MUC"), process, log);
    api.awaitReady(Duration.ofSeconds(90));
    return api;
  }

  private void awaitReady(Duration timeout) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("room-api exited:\n" + tail());
      }
      try {
        var r =
            http.send(
                HttpRequest.newBuilder(baseUrl.resolve("/q/health/ready")).build(),
                HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("room-api not ready in " + timeout + ":\n" + tail());
  }

  String tail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** The room's signalling socket. */
  URI socket(String slug) {
    return URI.create("ws://127.0.0.1:" + port + "/api/signalling/" + slug);
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(15, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
  }
}
