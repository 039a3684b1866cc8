package io.openmeet.systemtests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL cluster of the test's own (initdb on a free port, never the shared 5432) that the
 * test stops and starts again, with the project's role and one database. As root the server runs as
 * the {@code postgres} user (Postgres refuses root), otherwise as the test's user.
 */
final class OwnPostgres implements AutoCloseable {

  private static final String DATABASE = "openmeet_chaos";

  final int port;
  private final Path dir;
  private final Path bin;
  private final boolean root;

  private OwnPostgres(int port, Path dir, Path bin, boolean root) {
    this.port = port;
    this.dir = dir;
    this.bin = bin;
    this.root = root;
  }

  /** Creates and starts the cluster, with role DB_USER (password DB_PASSWORD) and a database. */
  static OwnPostgres start() throws Exception {
    boolean root = "root".equals(System.getProperty("user.name"));
    Path dir = Path.of("/var/tmp", RoomApiProcess.random("openmeet-own-pg-"));
    Files.createDirectories(dir);
    OwnPostgres pg = new OwnPostgres(RoomApiProcess.freePort(), dir, binDir(), root);
    if (root) {
      run(List.of("chown", "postgres:postgres", dir.toString()));
    }
    pg.asOwner(
        pg.bin.resolve("initdb").toString(),
        "--pgdata",
        dir.resolve("data").toString(),
        "--auth",
        "trust",
        "--username",
        "postgres",
        "--no-sync",
        "--no-instructions");
    pg.up();
    String user = RoomApiProcess.env("DB_USER");
    String password = RoomApiProcess.env("DB_PASSWORD").replace("'", "''");
    pg.sql("CREATE ROLE \"" + user + "\" LOGIN PASSWORD '" + password + "'");
    pg.sql("CREATE DATABASE " + DATABASE + " OWNER \"" + user + "\"");
    return pg;
  }

  /** The environment that points room-api at this cluster. */
  Map<String, String> roomApiEnv() {
    return Map.of("DB_URL", "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE);
  }

  /** Starts the server (again) and waits until it accepts connections. */
  void up() throws IOException, InterruptedException {
    asOwner(
        bin.resolve("pg_ctl").toString(),
        "--pgdata",
        dir.resolve("data").toString(),
        "--log",
        dir.resolve("postgres.log").toString(),
        "--wait",
        "--options",
        "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off",
        "start");
  }

  /** Stops the server (fast shutdown: sessions are cut, nothing is accepted until {@link #up}). */
  void down() throws IOException, InterruptedException {
    asOwner(
        bin.resolve("pg_ctl").toString(),
        "--pgdata",
        dir.resolve("data").toString(),
        "--mode",
        "fast",
        "--wait",
        "stop");
  }

  /** Runs SQL in the project's database as the superuser; psql's unaligned output, trimmed. */
  String query(String sql) throws IOException, InterruptedException {
    return psql(DATABASE, sql);
  }

  private void sql(String sql) throws IOException, InterruptedException {
    psql("postgres", sql);
  }

  private String psql(String database, String sql) throws IOException, InterruptedException {
    return run(List.of(
            bin.resolve("psql").toString(),
            "-h",
            "127.0.0.1",
            "-p",
            Integer.toString(port),
            "-U",
            "postgres",
            "-d",
            database,
            "-v",
            "ON_ERROR_STOP=1",
            "-qtA",
            "-c",
            sql))
        .trim();
  }

  private String asOwner(String... command) throws IOException, InterruptedException {
    List<String> c = new ArrayList<>();
    if (root) {
      c.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    c.addAll(List.of(command));
    return run(c);
  }

  private static Path binDir() throws IOException {
    Path versions = Path.of("/usr/lib/postgresql");
    try (Stream<Path> s = Files.list(versions)) {
      return s.map(v -> v.resolve("bin"))
          .filter(b -> Files.isExecutable(b.resolve("initdb")))
          .max(Comparator.naturalOrder())
          .orElseThrow(() -> new IOException("no PostgreSQL server under " + versions));
    }
  }

  private static String run(List<String> command) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .directory(Path.of("/").toFile())
            .start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("timed out: " + command);
    }
    String text = new String(out, StandardCharsets.UTF_8);
    if (p.exitValue() != 0) {
      throw new IOException(command + " failed (" + p.exitValue() + "):\n" + text);
    }
    return text;
  }

  @Override
  public void close() throws IOException, InterruptedException {
    try {
      down();
    } catch (IOException alreadyDown) {
      // stopped already
    }
    run(List.of("rm", "-rf", dir.toString()));
  }
}
