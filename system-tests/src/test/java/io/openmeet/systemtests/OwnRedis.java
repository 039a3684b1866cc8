package io.openmeet.systemtests;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Redis server of the test's own (never the shared one on 6379) that the test stops and starts
 * again on the same port: no persistence, so a restart comes back empty, as a lost Redis pod would.
 */
final class OwnRedis implements AutoCloseable {

  final int port;
  private final Path dir;
  private Process process;

  private OwnRedis(int port, Path dir) {
    this.port = port;
    this.dir = dir;
  }

  static OwnRedis start() throws Exception {
    Path dir = Path.of("target", RoomApiProcess.random("own-redis-")).toAbsolutePath();
    Files.createDirectories(dir);
    OwnRedis redis = new OwnRedis(RoomApiProcess.freePort(), dir);
    redis.up();
    return redis;
  }

  /** room-api's REDIS_URL for this server. */
  String url() {
    return "redis://127.0.0.1:" + port;
  }

  /** Starts the server (again) and waits until it answers PING. */
  synchronized void up() throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                "redis-server",
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                dir.toString()));
    process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.log").toFile()))
            .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "redis-server exited: " + Files.readString(dir.resolve("redis.log")));
      }
      try {
        if (cli("PING").equals("PONG")) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("redis-server did not answer on port " + port);
  }

  /** Starts the server again unless it runs. */
  synchronized void upIfDown() throws Exception {
    if (process == null) {
      up();
    }
  }

  /** Stops the server at once (SIGKILL): its data is gone, clients see connections drop. */
  synchronized void down() throws InterruptedException {
    if (process != null) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
      process = null;
    }
  }

  /** One command over RESP (inline form); the reply as text, arrays joined by newlines. */
  String cli(String... words) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(2_000);
      StringBuilder request = new StringBuilder("*" + words.length + "\r\n");
      for (String w : words) {
        request.append('$').append(w.getBytes(StandardCharsets.UTF_8).length).append("\r\n");
        request.append(w).append("\r\n");
      }
      s.getOutputStream().write(request.toString().getBytes(StandardCharsets.UTF_8));
      var in = s.getInputStream();
      return readReply(in);
    }
  }

  private static String readReply(java.io.InputStream in) throws IOException {
    String line = readLine(in);
    char kind = line.charAt(0);
    String rest = line.substring(1);
    switch (kind) {
      case '+', ':':
        return rest;
      case '-':
        throw new IOException("redis error: " + rest);
      case '$':
        {
          int n = Integer.parseInt(rest);
          if (n < 0) {
            return "";
          }
          byte[] b = in.readNBytes(n + 2);
          return new String(b, 0, n, StandardCharsets.UTF_8);
        }
      case '*':
        {
          int n = Integer.parseInt(rest);
          List<String> items = new ArrayList<>();
          for (int i = 0; i < n; i++) {
            items.add(readReply(in));
          }
          return String.join("\n", items);
        }
      default:
        throw new IOException("unexpected reply: " + line);
    }
  }

  private static String readLine(java.io.InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\r') {
        in.read();
        return sb.toString();
      }
      sb.append((char) c);
    }
    throw new IOException("connection closed");
  }

  @Override
  public void close() throws InterruptedException {
    down();
  }
}
