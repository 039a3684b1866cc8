package io.openmeet.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** lite-bridge's packaged jar as a child process in a room-api run's brewery. */
final class LiteBridgeProcess implements AutoCloseable {
  final String nickname;
  final int restPort;
  private final Process process;
  private final Path log;

  private LiteBridgeProcess(String nickname, int restPort, Process process, Path log) {
    this.nickname = nickname;
    this.restPort = restPort;
    this.process = process;
    this.log = log;
  }

  static LiteBridgeProcess start(String run, String name) throws Exception {
    Path jar = Path.of("..", "lite-bridge", "target", "lite-bridge.jar").toAbsolutePath();
    if (!Files.exists(jar)) {
      throw new IllegalStateException(jar + " is missing: build lite-bridge first");
    }
    String nickname = "bridge-" + name + "-" + run;
    int restPort = RoomApiProcess.freePort();
    Path log = Path.of("target", "lite-bridge-" + nickname + ".log").toAbsolutePath();
    Files.createDirectories(log.getParent());
    ProcessBuilder pb =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-jar",
                jar.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    var e = pb.environment();
    e.put("BREWERY_ROOM", "jvbbrewery-" + run);
    e.put("BRIDGE_MUC_NICKNAME", nickname);
    e.put("BRIDGE_BIND_ADDRESS", "127.0.0.1");
    e.put("BRIDGE_REST_PORT", Integer.toString(restPort));
    e.put("BRIDGE_MEDIA_PORT", "0");
    Process process = pb.start();
    var bridge = new LiteBridgeProcess(nickname, restPort, process, log);
    Eventually.within(
        Duration.ofSeconds(60),
        () -> {
          assertThat(process.isAlive()).as("lite-bridge " + nickname + " runs").isTrue();
          assertThat(bridge.answers()).as("lite-bridge " + nickname + " serves").isTrue();
        });
    return bridge;
  }

  private boolean answers() {
    try {
      return HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + restPort + "/about/health"))
                      .timeout(Duration.ofSeconds(2))
                      .build(),
                  HttpResponse.BodyHandlers.discarding())
              .statusCode()
          == 200;
    } catch (Exception notYet) {
      return false;
    }
  }

  /** SIGKILL: the process dies at once; the kernel closes its sockets (XMPP included). */
  void kill() throws Exception {
    signal("KILL");
    assertThat(process.waitFor(10, TimeUnit.SECONDS)).as("killed " + nickname).isTrue();
  }

  /** SIGSTOP: the process stays, with its sockets open, and does nothing. */
  void pause() throws Exception {
    signal("STOP");
  }

  private void signal(String name) throws Exception {
    Process kill =
        new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
    assertThat(kill.waitFor(5, TimeUnit.SECONDS) && kill.exitValue() == 0)
        .as("kill -" + name)
        .isTrue();
  }

  @Override
  public void close() throws Exception {
    if (process.isAlive()) {
      signal("CONT");
    }
    process.destroy();
    if (!process.waitFor(15, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
  }

  @Override
  public String toString() {
    return nickname + " (log " + log + ")";
  }
}
