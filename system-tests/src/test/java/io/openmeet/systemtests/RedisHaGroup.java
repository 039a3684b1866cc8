package io.openmeet.systemtests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A Redis master, one replica and three Sentinels of the test's own (scripts/lib/redis-ha.sh): free
 * ports on 127.0.0.1, a password everywhere and TLS only, like a production group. Never the shared
 * Redis.
 */
final class RedisHaGroup implements AutoCloseable {

  private static final Path SCRIPT = Path.of("..", "scripts", "lib", "redis-ha.sh");

  final Path dir;
  final String password;
  final int masterPort;
  final int replicaPort;
  final List<Integer> sentinelPorts;

  private RedisHaGroup(
      Path dir, String password, int masterPort, int replicaPort, List<Integer> sentinelPorts) {
    this.dir = dir;
    this.password = password;
    this.masterPort = masterPort;
    this.replicaPort = replicaPort;
    this.sentinelPorts = sentinelPorts;
  }

  static RedisHaGroup start() throws IOException, InterruptedException {
    String run = RoomApiProcess.random("redis-ha-");
    Path dir = Path.of("target", run).toAbsolutePath();
    List<Integer> sentinels = List.of(freePort(), freePort(), freePort());
    var group = new RedisHaGroup(dir, "pw-" + run, freePort(), freePort(), sentinels);
    List<String> command =
        new ArrayList<>(
            List.of(
                "bash",
                SCRIPT.toString(),
                "start",
                dir.toString(),
                "--tls",
                "--password",
                group.password,
                "--master",
                Integer.toString(group.masterPort),
                "--replica",
                Integer.toString(group.replicaPort)));
    for (int port : sentinels) {
      command.addAll(List.of("--sentinel", Integer.toString(port)));
    }
    try {
      run(command);
    } catch (IOException | RuntimeException e) {
      group.close();
      throw e;
    }
    return group;
  }

  /** The environment that points room-api at this group through its Sentinels. */
  Map<String, String> roomApiEnv() {
    return Map.of(
        "REDIS_MODE",
        "sentinel",
        "REDIS_SENTINEL_MASTER",
        "mymaster",
        "REDIS_SENTINEL_ADDRESSES",
        sentinelPorts.stream().map(p -> "rediss://127.0.0.1:" + p).collect(Collectors.joining(",")),
        "REDIS_PASSWORD",
        password,
        "REDIS_TLS_CA_FILE",
        dir.resolve("tls").resolve("ca.crt").toString());
  }

  /** The port the Sentinels name as the master now. */
  int currentMaster() throws IOException, InterruptedException {
    return Integer.parseInt(
        run(List.of("bash", SCRIPT.toString(), "master", dir.toString())).trim());
  }

  /** redis-cli against one member (password and TLS as the group runs); its output, trimmed. */
  String cli(int port, String... command) throws IOException, InterruptedException {
    List<String> c =
        new ArrayList<>(
            List.of("bash", SCRIPT.toString(), "cli", dir.toString(), Integer.toString(port)));
    c.addAll(List.of(command));
    return run(c).trim();
  }

  /** Kills the master process at once (SIGKILL), as a lost machine would vanish. */
  void killMaster() throws IOException {
    long pid =
        Long.parseLong(Files.readString(dir.resolve("master-" + masterPort + ".pid")).trim());
    ProcessHandle.of(pid)
        .ifPresent(
            p -> {
              p.destroyForcibly();
              p.onExit().join();
            });
  }

  @Override
  public void close() throws IOException, InterruptedException {
    run(List.of("bash", SCRIPT.toString(), "stop", dir.toString()));
  }

  private static String run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("timed out: " + command);
    }
    String text = new String(out, StandardCharsets.UTF_8);
    if (p.exitValue() != 0) {
      throw new IOException(command + " failed (" + p.exitValue() + "):\n" + text);
    }
    return text;
  }

  private static int freePort() throws IOException {
    return RoomApiProcess.freePort();
  }
}
