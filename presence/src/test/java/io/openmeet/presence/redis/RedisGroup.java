package io.openmeet.presence.redis;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A Redis group of this test's own (scripts/lib/redis-ha.sh): a master, replicas and Sentinels on
 * free ports of 127.0.0.1, each with a password, optionally TLS only. Never the shared Redis.
 */
public final class RedisGroup implements AutoCloseable {

  private static final Path SCRIPT = Path.of("..", "scripts", "lib", "redis-ha.sh");

  public final Path dir;
  public final String password;
  public final boolean tls;
  public final int masterPort;
  public final List<Integer> replicaPorts;
  public final List<Integer> sentinelPorts;

  private RedisGroup(
      Path dir,
      String password,
      boolean tls,
      int masterPort,
      List<Integer> replicaPorts,
      List<Integer> sentinelPorts) {
    this.dir = dir;
    this.password = password;
    this.tls = tls;
    this.masterPort = masterPort;
    this.replicaPorts = replicaPorts;
    this.sentinelPorts = sentinelPorts;
  }

  /** Starts a group and waits until replicas are in sync and the Sentinels know each other. */
  public static RedisGroup start(String name, boolean tls, int replicas, int sentinels)
      throws IOException, InterruptedException {
    byte[] b = new byte[4];
    ThreadLocalRandom.current().nextBytes(b);
    String id = HexFormat.of().formatHex(b);
    Path dir = Path.of("target", "redis-groups", name + "-" + id).toAbsolutePath();
    String password = "test-password-" + id;
    int master = freePort();
    List<Integer> replicaPorts = new ArrayList<>();
    List<Integer> sentinelPorts = new ArrayList<>();
    List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString(), "start"));
    command.addAll(List.of(dir.toString(), "--master", Integer.toString(master)));
    command.addAll(List.of("--password", password));
    for (int i = 0; i < replicas; i++) {
      replicaPorts.add(freePort());
      command.addAll(List.of("--replica", replicaPorts.get(i).toString()));
    }
    for (int i = 0; i < sentinels; i++) {
      sentinelPorts.add(freePort());
      command.addAll(List.of("--sentinel", sentinelPorts.get(i).toString()));
    }
    if (tls) {
      command.add("--tls");
    }
    var group = new RedisGroup(dir, password, tls, master, replicaPorts, sentinelPorts);
    try {
      run(command);
    } catch (IOException | RuntimeException e) {
      group.close();
      throw e;
    }
    return group;
  }

  /** The URL of one member. */
  public String url(int port) {
    return (tls ? "rediss" : "redis") + "://127.0.0.1:" + port;
  }

  /** The URLs of the Sentinels. */
  public List<String> sentinelUrls() {
    return sentinelPorts.stream().map(this::url).toList();
  }

  /** The group's CA certificate (PEM), with TLS. */
  public Path caFile() {
    return dir.resolve("tls").resolve("ca.crt");
  }

  /** The port the Sentinels name as the master now. */
  public int currentMaster() throws IOException, InterruptedException {
    String out = run(List.of("bash", SCRIPT.toString(), "master", dir.toString())).trim();
    return Integer.parseInt(out);
  }

  /** Kills one member at once (SIGKILL), as a crashed machine would vanish. */
  public void kill(int port) throws IOException {
    Path pidFile =
        Files.list(dir)
            .filter(p -> p.getFileName().toString().endsWith("-" + port + ".pid"))
            .findFirst()
            .orElseThrow(() -> new IllegalStateException("no pid file for port " + port));
    long pid = Long.parseLong(Files.readString(pidFile).trim());
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
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
