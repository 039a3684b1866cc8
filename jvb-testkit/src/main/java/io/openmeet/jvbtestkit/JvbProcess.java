package io.openmeet.jvbtestkit;

import io.openmeet.bridgeconfig.ConfigTemplate;
import io.openmeet.bridgeconfig.LocalDefaults;
import io.openmeet.bridgeconfig.TemplateRenderer;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A stock Jitsi Videobridge as a child process of a test: jvb.conf rendered from bridge-config's
 * JVB template (as the Helm chart renders it) with a random bridge id, free ports, the shared local
 * Prosody's bridge account and a brewery room; started from {@code JVB_HOME}; ready once its stats
 * presence is in the brewery; always stopped (on {@link #close()} and at JVM exit). Its config and
 * log stay in {@code target/<bridge id>/}.
 */
public final class JvbProcess implements AutoCloseable {

  /** Cold start on a busy 2-core machine: ~3 s idle, well over 10 s while others build. */
  static final Duration START_TIMEOUT = Duration.ofSeconds(120);

  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

  /**
   * Runs JVB under a shell that holds a pipe from this JVM as its stdin: end of file there means
   * the test JVM closed it or died (even by SIGKILL, where no shutdown hook runs), and JVB gets
   * SIGTERM either way.
   */
  static final String WATCHDOG =
      "\"$@\" </dev/null & jvb=$!; read -r _; kill -TERM \"$jvb\" 2>/dev/null; wait \"$jvb\"";

  private final String bridgeId;
  private final String breweryJid;
  private final int privatePort;
  private final int publicPort;
  private final int mediaPort;
  private final Path directory;
  private final Path log;
  // the watchdog shell, and JVB, its child
  private final Process process;
  private final ProcessHandle jvb;
  private final Thread killAtExit;
  private final HttpClient http = HttpClient.newHttpClient();
  private volatile Duration startup = Duration.ZERO;

  private JvbProcess(
      Settings settings, Path directory, Path log, Process process, ProcessHandle jvb) {
    this.bridgeId = settings.bridgeId();
    this.breweryJid = settings.breweryJid();
    this.privatePort = settings.privatePort();
    this.publicPort = settings.publicPort();
    this.mediaPort = settings.mediaPort();
    this.directory = directory;
    this.log = log;
    this.process = process;
    this.jvb = jvb;
    this.killAtExit = new Thread(this::kill, "jvb-testkit-kill-" + bridgeId);
    Runtime.getRuntime().addShutdownHook(killAtExit);
  }

  /**
   * What one JVB is rendered with.
   *
   * @param breweryJid the brewery room's bare JID, room@internal-muc
   * @param bridgeId the occupant nickname, WebSocket server id and relay id
   */
  public record Settings(
      XmppAccount account,
      String breweryJid,
      String bridgeId,
      int privatePort,
      int publicPort,
      int mediaPort) {

    /** Free ports, a random bridge id, in the given brewery. */
    public static Settings random(XmppAccount account, String breweryJid) {
      return new Settings(
          account,
          breweryJid,
          "jvb-" + Names.randomHex(),
          freeTcpPort(),
          freeTcpPort(),
          freeUdpPort());
    }

    /** The template's values: the one-machine defaults, overlaid with this run's. */
    Map<String, String> values() {
      int at = breweryJid.indexOf('@');
      if (at < 1 || at == breweryJid.length() - 1) {
        throw new IllegalArgumentException("not a room JID: " + breweryJid);
      }
      Map<String, String> v = new HashMap<>(LocalDefaults.values());
      v.put("XMPP_HOST", account.host());
      v.put("XMPP_PORT", Integer.toString(account.port()));
      v.put("XMPP_AUTH_DOMAIN", account.domain());
      v.put("JVB_USER", account.username());
      v.put("JVB_PASSWORD", account.password());
      v.put("BREWERY_ROOM", breweryJid.substring(0, at));
      v.put("XMPP_INTERNAL_MUC", breweryJid.substring(at + 1));
      v.put("JVB_BRIDGE_ID", bridgeId);
      v.put("JVB_PRESENCE_INTERVAL", "1 second");
      v.put("JVB_PRIVATE_HOST", "127.0.0.1");
      v.put("JVB_PRIVATE_PORT", Integer.toString(privatePort));
      v.put("JVB_PUBLIC_PORT", Integer.toString(publicPort));
      v.put("JVB_WEBSOCKET_DOMAIN", "127.0.0.1:" + publicPort);
      v.put("JVB_WEBSOCKET_TLS", "false");
      v.put("JVB_MEDIA_PORT", Integer.toString(mediaPort));
      v.put("JVB_REQUIRE_VALID_ADDRESS", "false");
      v.put("JVB_STUN_ADDRESSES", "");
      v.put("JVB_AWS_HARVESTER", "false");
      v.put("JVB_GRACEFUL_SHUTDOWN_MAX", "1 minute");
      // JVB's default stress is CPU usage / 0.9: on a test machine the build itself pushes that
      // over
      // the focus's 0.8 limit and the bridge would be refused for reasons unrelated to it
      v.put("JVB_LOAD_MEASUREMENT", "packet-rate");
      return v;
    }

    /** The jvb.conf for these settings. */
    public String render() {
      return TemplateRenderer.render(ConfigTemplate.JVB, values());
    }

    @Override
    public String toString() {
      return "Settings[" + bridgeId + " in " + breweryJid + ", " + account + "]";
    }
  }

  /** A JVB in a brewery room of its own (JUnit-skipped without {@code JVB_HOME}). */
  public static JvbProcess start() throws Exception {
    XmppAccount account = XmppAccount.fromEnvironment();
    return start(account, "jvbbrewery-test-" + Names.randomHex() + "@" + account.internalMuc());
  }

  /** A JVB in {@code breweryJid} (JUnit-skipped without {@code JVB_HOME}). */
  public static JvbProcess start(String breweryJid) throws Exception {
    return start(XmppAccount.fromEnvironment(), breweryJid);
  }

  private static JvbProcess start(XmppAccount account, String breweryJid) throws Exception {
    return start(JvbHome.requireOrSkip("a JVB test"), Settings.random(account, breweryJid));
  }

  /**
   * Starts the JVB of {@code home} with {@code settings} and waits for its stats presence in the
   * brewery.
   *
   * @throws IllegalStateException with the end of its log when it exits or never shows up
   */
  public static JvbProcess start(Path home, Settings settings) throws Exception {
    home = JvbHome.validate(home);
    Path directory = Path.of("target", settings.bridgeId()).toAbsolutePath();
    Files.createDirectories(directory);
    Path config = directory.resolve("jvb.conf");
    // it holds the bridge account's password
    Files.deleteIfExists(config);
    Files.createFile(
        config, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(config, settings.render(), StandardCharsets.UTF_8);
    Path log = directory.resolve("jvb.log");
    ProcessBuilder pb =
        new ProcessBuilder(
                "/bin/sh",
                "-c",
                WATCHDOG,
                "jvb-watchdog",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                "-Djava.util.logging.config.file=" + home.resolve("lib/logging.properties"),
                "-Dconfig.file=" + config,
                "-cp",
                home.resolve("jitsi-videobridge.jar") + ":" + home.resolve("lib") + "/*",
                "org.jitsi.videobridge.MainKt")
            .directory(directory.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    long started = System.nanoTime();
    Process watchdog = pb.start();
    JvbProcess jvb = new JvbProcess(settings, directory, log, watchdog, childOf(watchdog));
    try {
      BreweryWatch.awaitStatsPresence(
          settings.account(),
          settings.breweryJid(),
          settings.bridgeId(),
          START_TIMEOUT,
          jvb::isAlive);
      // the private REST server starts a moment after the brewery join
      jvb.awaitHealthy(START_TIMEOUT);
    } catch (Exception | Error e) {
      String tail = jvb.logTail(40);
      jvb.close();
      throw new IllegalStateException(
          "JVB "
              + settings.bridgeId()
              + " did not come up ("
              + e.getMessage()
              + "); log "
              + log
              + ":\n"
              + tail,
          e);
    }
    jvb.startup = Duration.ofNanos(System.nanoTime() - started);
    System.out.println(
        "JVB "
            + jvb.bridgeId
            + " in "
            + jvb.breweryJid
            + " ready after "
            + jvb.startup.toMillis()
            + " ms (log "
            + log
            + ")");
    return jvb;
  }

  private void awaitHealthy(Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        HttpResponse<Void> r =
            http.send(
                HttpRequest.newBuilder(privateUri("/about/health"))
                    .timeout(Duration.ofSeconds(5))
                    .build(),
                HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      if (!isAlive()) {
        throw new IllegalStateException("the bridge exited");
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("/about/health did not answer 200 within " + timeout);
      }
      Thread.sleep(50);
    }
  }

  /** The JVB process itself (not the watchdog shell around it), e.g. for its CPU time. */
  public ProcessHandle process() {
    return jvb;
  }

  /** The brewery nickname, WebSocket server id and relay id. */
  public String bridgeId() {
    return bridgeId;
  }

  /** The brewery room's bare JID. */
  public String breweryJid() {
    return breweryJid;
  }

  /** The bridge's occupant JID in the brewery (where Colibri2 requests go). */
  public String occupantJid() {
    return breweryJid + "/" + bridgeId;
  }

  /** The UDP port of its single-port ICE harvester. */
  public int mediaPort() {
    return mediaPort;
  }

  /** The public HTTP port serving colibri-ws. */
  public int publicPort() {
    return publicPort;
  }

  /** How long the start took until the bridge was in the brewery. */
  public Duration startup() {
    return startup;
  }

  /** Its log file. */
  public Path log() {
    return log;
  }

  /** Its run directory (config and log). */
  public Path directory() {
    return directory;
  }

  /** A URL on the private REST server (health, stats, debug, drain). */
  public URI privateUri(String path) {
    return URI.create("http://127.0.0.1:" + privatePort + path);
  }

  /** GETs a private REST path and returns the body; any status but 200 fails. */
  public String get(String path) throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(privateUri(path)).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("GET " + path + " answered " + r.statusCode() + ": " + r.body());
    }
    return r.body();
  }

  /** Turns drain on or off over the private REST API, as an operator (or the chart) would. */
  public void setDrain(boolean drain) throws IOException, InterruptedException {
    String path = "/colibri/drain/" + (drain ? "enable" : "disable");
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(privateUri(path))
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("POST " + path + " answered " + r.statusCode() + ": " + r.body());
    }
  }

  /** The JVB process's id (not its watchdog shell's), for signals such as SIGKILL or SIGSTOP. */
  public long pid() {
    return jvb.pid();
  }

  /** Whether the JVB process runs. */
  public boolean isAlive() {
    return jvb.isAlive();
  }

  /** The JVB the watchdog shell started (it forks at once). */
  private static ProcessHandle childOf(Process watchdog) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      var child = watchdog.children().findFirst();
      if (child.isPresent()) {
        return child.get();
      }
      if (!watchdog.isAlive()) {
        break;
      }
      Thread.sleep(5);
    }
    watchdog.destroyForcibly();
    throw new IllegalStateException("the JVB watchdog shell started no JVB");
  }

  /** The last {@code lines} lines of its log. */
  public String logTail(int lines) {
    try {
      List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /**
   * Stops it like an operator would (SIGTERM: it leaves the brewery and closes its ports), killing
   * it when that takes longer than 10 s.
   */
  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(killAtExit);
    } catch (IllegalStateException exiting) {
      // the JVM is shutting down: the hook kills it
    }
    try {
      process.getOutputStream().close(); // the watchdog's cue: SIGTERM to JVB
    } catch (IOException e) {
      kill();
      return;
    }
    try {
      if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        kill();
      }
    } catch (InterruptedException e) {
      kill();
      Thread.currentThread().interrupt();
    }
  }

  private void kill() {
    jvb.destroyForcibly();
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    try {
      process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      jvb.onExit().get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      // reported by isAlive()
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static int freeTcpPort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("0.0.0.0"))) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("no free TCP port", e);
    }
  }

  private static int freeUdpPort() {
    try (DatagramSocket s = new DatagramSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("no free UDP port", e);
    }
  }

  @Override
  public String toString() {
    return "JVB " + bridgeId + " (" + occupantJid() + ", log " + log + ")";
  }
}
