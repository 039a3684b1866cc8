package io.openmeet.systemtests;

import io.openmeet.loadgen.RoomApiClient;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

  /** The management interface: /q/metrics is there, on a free port of its own. */
  final URI managementUrl;

  private final Process process;
  private final Path log;

  private RoomApiProcess(
      int port, int managementPort, String run, String breweryJid, Process process, Path log) {
    this.port = port;
    this.run = run;
    this.breweryJid = breweryJid;
    this.baseUrl = URI.create("http://127.0.0.1:" + port);
    this.managementUrl = URI.create("http://127.0.0.1:" + managementPort);
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

  /** A REST client of this node that reads metrics from its management interface. */
  RoomApiClient client(HttpClient http) {
    return new RoomApiClient(http, baseUrl, managementUrl);
  }

  /**
   * This node's {@code focus_relayed_participants} gauge for one side: {@code socket} (its sockets
   * whose conference runs elsewhere) or {@code owner} (participants it hosts for other nodes).
   */
  double relayedParticipants(HttpClient http, String side) throws Exception {
    String tag = "side=\"" + side + "\"";
    for (String line : client(http).metrics().split("\n")) {
      if (line.startsWith("focus_relayed_participants{") && line.contains(tag)) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    throw new AssertionError("no focus_relayed_participants{" + tag + "} on port " + port);
  }

  /** The ports {@link #freePort} handed out in this test run. */
  private static final java.util.Set<Integer> HANDED_OUT =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  /**
   * A port nothing listens on now, never one this test run handed out before: the kernel may give a
   * port it just gave again (a node once got the same port for its HTTP and its management
   * interface; Vert.x then shares the socket between the two servers and half the signalling
   * upgrades got the management server's 404), and the two lanes pick ports at the same time.
   */
  static int freePort() throws IOException {
    while (true) {
      try (ServerSocket s = new ServerSocket(0)) {
        if (HANDED_OUT.add(s.getLocalPort())) {
          return s.getLocalPort();
        }
      }
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
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx512m");
    coverageAgent().ifPresent(command::add);
    command.add("-jar");
    command.add(jar.toString());
    ProcessBuilder pb =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    var e = pb.environment();
    int managementPort = freePort();
    e.put("ROOM_API_PORT", Integer.toString(port));
    e.put("ROOM_API_MANAGEMENT_PORT", Integer.toString(managementPort));
    e.put("PUBLIC_URL", "http://127.0.0.1:" + port);
    e.put("BREWERY_ROOM", brewery);
    e.put("OPENMEET_FOCUS_SELECTION_REDIS_PREFIX", run + ":");
    e.put("OPENMEET_FOCUS_HEALTH_CHECK_INTERVAL", "2s");
    e.put(
        "OPENMEET_FOCUS_CALL_RECORDS_JOURNAL_FILE",
        "target/call-records-" + run + "-" + port + ".jsonl");
    // every node of a test listens for the others on a port of its own (the default is one per pod)
    e.put("OPENMEET_FOCUS_NODE_LINK_PORT", Integer.toString(freePort()));
    e.put("OPENMEET_FOCUS_NODE_LINK_ADVERTISED_HOST", "127.0.0.1");
    e.put("OPENMEET_RATE_LIMIT_NAMESPACE", "ratelimit-" + run);
    e.put("OPENMEET_RATE_LIMIT_ROOM_CREATES", "100000");
    e.put("OPENMEET_RATE_LIMIT_TOKEN_REQUESTS", "100000");
    e.putAll(overrides);
    var process = pb.start();
    var api =
        new RoomApiProcess(
            port, managementPort, run, brewery + "@" + env("XMPP_INTERNAL_MUC"), process, log);
    api.awaitReady(Duration.ofSeconds(90));
    return api;
  }

  /**
   * The JaCoCo agent of this test JVM (when the build measures coverage), for the node too: it
   * writes to target/jacoco-room-api-process.exec, which module coverage/ merges. Classes that
   * Quarkus rewrote at build time do not match room-api's class files and count as not run.
   */
  private static Optional<String> coverageAgent() {
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("-javaagent:") && arg.contains("jacoco")) {
        int options = arg.indexOf('=');
        String jarPath = options < 0 ? arg : arg.substring(0, options);
        Path data = Path.of("target", "jacoco-room-api-process.exec").toAbsolutePath();
        return Optional.of(jarPath + "=destfile=" + data + ",append=true,includes=io.openmeet.*");
      }
    }
    return Optional.empty();
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

  /** The node's log file (stdout and stderr). */
  Path log() {
    return log;
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

  /** The node's process id. */
  long pid() {
    return process.pid();
  }

  /** Kills the node at once (SIGKILL): no shutdown hook runs, nothing is handed over. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  /** Freezes the node (SIGSTOP): its sockets stay open, it answers nothing. */
  void pause() throws Exception {
    signal("STOP");
  }

  /** Thaws a node frozen by {@link #pause()} (SIGCONT). */
  void unpause() throws Exception {
    signal("CONT");
  }

  private void signal(String name) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start();
    if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(15, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
  }
}
