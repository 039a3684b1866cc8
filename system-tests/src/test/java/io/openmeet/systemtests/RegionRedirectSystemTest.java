package io.openmeet.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two regions on one machine: two packaged room-api processes, each with its own PostgreSQL
 * database (created for the test, so no other branch's migrations are in the way; region B also
 * with its own Redis server), that know each other as peers. A room created in one region resolves
 * from the other: its link and its API read answer a 307 to the home region.
 */
class RegionRedirectSystemTest {
  private static final Pattern SLUG = Pattern.compile("\"slug\"\\s*:\\s*\"([^\"]+)\"");
  private static final Pattern REGION = Pattern.compile("\"region\"\\s*:\\s*\"([^\"]+)\"");

  static RoomApiProcess regionA;
  static RoomApiProcess regionB;
  static Process redisB;
  static String databaseA;
  static String databaseB;

  /** Generous for a loaded 2-core machine (the default is 2 s). */
  static final String LOOKUP_TIMEOUT = "4s";

  static final HttpClient HTTP =
      HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

  @BeforeAll
  static void twoRegions() throws Exception {
    String run = RoomApiProcess.random("rg-");
    databaseA = "openmeet_" + run.replace('-', '_') + "_a";
    databaseB = "openmeet_" + run.replace('-', '_') + "_b";
    psql("CREATE DATABASE \"" + databaseA + "\"");
    psql("CREATE DATABASE \"" + databaseB + "\"");
    int redisPort = RoomApiProcess.freePort();
    redisB = startRedis(redisPort);

    int portA = RoomApiProcess.freePort();
    int portB = RoomApiProcess.freePort();
    String peers = "region-a=http://127.0.0.1:" + portA + ",region-b=http://127.0.0.1:" + portB;
    String jdbc = RoomApiProcess.env("DB_URL");
    String jdbcBase = jdbc.substring(0, jdbc.lastIndexOf('/') + 1);
    Map<String, String> envA =
        Map.of(
            "OPENMEET_ROOMS_DEFAULT_REGION",
            "region-a",
            "OPENMEET_REGIONS_PEERS",
            peers,
            "OPENMEET_REGIONS_LOOKUP_TIMEOUT",
            LOOKUP_TIMEOUT,
            "DB_URL",
            jdbcBase + databaseA);
    Map<String, String> envB =
        Map.of(
            "OPENMEET_ROOMS_DEFAULT_REGION",
            "region-b",
            "OPENMEET_REGIONS_PEERS",
            peers,
            "OPENMEET_REGIONS_LOOKUP_TIMEOUT",
            LOOKUP_TIMEOUT,
            "DB_URL",
            jdbcBase + databaseB,
            "REDIS_URL",
            "redis://127.0.0.1:" + redisPort);
    var a = CompletableFuture.supplyAsync(() -> start(run + "-a", portA, envA));
    var b = CompletableFuture.supplyAsync(() -> start(run + "-b", portB, envB));
    regionA = a.get(180, TimeUnit.SECONDS);
    regionB = b.get(180, TimeUnit.SECONDS);
    // a freshly started JVM answers its first room reads slowly; real regions are warm
    for (RoomApiProcess api : new RoomApiProcess[] {regionA, regionB}) {
      String slug = createRoom(api);
      for (int i = 0; i < 20; i++) {
        get(api, "/api/rooms/" + slug);
      }
    }
  }

  @AfterAll
  static void stop() throws Exception {
    for (RoomApiProcess api : new RoomApiProcess[] {regionA, regionB}) {
      if (api != null) {
        api.close();
      }
    }
    if (redisB != null) {
      redisB.destroy();
      redisB.waitFor(10, TimeUnit.SECONDS);
    }
    for (String db : new String[] {databaseA, databaseB}) {
      if (db != null) {
        psql("DROP DATABASE IF EXISTS \"" + db + "\" WITH (FORCE)");
      }
    }
  }

  @Test
  void aRoomLinkOpenedInTheOtherRegionIsSentToTheRoomsHomeRegion() throws Exception {
    String slug = createRoom(regionA);

    HttpResponse<String> page = get(regionB, "/" + slug + "?from=mail");
    HttpResponse<String> shortLink = get(regionB, "/r/" + slug);

    assertThat(page.statusCode()).as(page.body()).isEqualTo(307);
    assertThat(page.headers().firstValue("Location"))
        .hasValue(regionA.baseUrl + "/" + slug + "?from=mail");
    assertThat(shortLink.statusCode()).isEqualTo(307);
    assertThat(shortLink.headers().firstValue("Location")).hasValue(regionA.baseUrl + "/r/" + slug);
    // at home the link serves the web app
    assertThat(get(regionA, "/" + slug).statusCode()).isEqualTo(200);
  }

  @Test
  void theApiReadOfARoomRedirectsAndTheHomeRegionAnswersIt() throws Exception {
    String slug = createRoom(regionB);

    HttpResponse<String> redirected = get(regionA, "/api/rooms/" + slug);
    String location = redirected.headers().firstValue("Location").orElseThrow();
    HttpResponse<String> atHome =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(location)).build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(redirected.statusCode()).isEqualTo(307);
    assertThat(location).isEqualTo(regionB.baseUrl + "/api/rooms/" + slug);
    assertThat(atHome.statusCode()).isEqualTo(200);
    assertThat(field(REGION, atHome.body())).isEqualTo("region-b");
    assertThat(field(SLUG, atHome.body())).isEqualTo(slug);
  }

  @Test
  void aRoomNoRegionHasIsNotFoundEverywhereWithinTheLookupTimeout() throws Exception {
    long start = System.nanoTime();
    HttpResponse<String> api = get(regionB, "/api/rooms/no-such-room-" + System.nanoTime());
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    assertThat(api.statusCode()).isEqualTo(404);
    assertThat(api.body()).contains("room-not-found");
    assertThat(millis).isLessThan(8_000);
  }

  @Test
  void aLookupFromAnotherRegionIsAnsweredLocallyAndNeverForwarded() throws Exception {
    String slug = createRoom(regionA);

    HttpResponse<String> lookup =
        HTTP.send(
            HttpRequest.newBuilder(regionB.baseUrl.resolve("/api/rooms/" + slug))
                .header("X-Openmeet-Region-Lookup", "region-a")
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(lookup.statusCode()).isEqualTo(404);
  }

  private static RoomApiProcess start(String run, int port, Map<String, String> env) {
    try {
      return RoomApiProcess.start(run, port, env);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String createRoom(RoomApiProcess api) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(api.baseUrl.resolve("/api/rooms"))
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"name\":\"regions\",\"access\":\"public\",\"displayName\":\"Ada\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return field(SLUG, r.body());
  }

  private static HttpResponse<String> get(RoomApiProcess api, String pathAndQuery)
      throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(api.baseUrl + pathAndQuery))
            .timeout(Duration.ofSeconds(20))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String field(Pattern pattern, String json) {
    Matcher m = pattern.matcher(json);
    assertThat(m.find()).as(json).isTrue();
    return m.group(1);
  }

  /** Runs one statement as the application's database user, against its usual database. */
  private static void psql(String sql) throws Exception {
    URI db = URI.create(RoomApiProcess.env("DB_URL").substring("jdbc:".length()));
    ProcessBuilder pb =
        new ProcessBuilder(
                "psql",
                "-h",
                db.getHost(),
                "-p",
                Integer.toString(db.getPort() < 0 ? 5432 : db.getPort()),
                "-U",
                RoomApiProcess.env("DB_USER"),
                "-d",
                db.getPath().substring(1),
                "-v",
                "ON_ERROR_STOP=1",
                "-qc",
                sql)
            .redirectErrorStream(true);
    pb.environment().put("PGPASSWORD", RoomApiProcess.env("DB_PASSWORD"));
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("psql " + sql + ": " + out).isZero();
  }

  /** A Redis server of region B's own, on loopback, until the test ends. */
  private static Process startRedis(int port) throws Exception {
    Path log = Path.of("target", "redis-" + port + ".log").toAbsolutePath();
    Process p =
        new ProcessBuilder(
                List.of(
                    "redis-server",
                    "--port",
                    Integer.toString(port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no"))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        OutputStream out = s.getOutputStream();
        out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = s.getInputStream();
        byte[] reply = in.readNBytes(7);
        if (new String(reply, StandardCharsets.US_ASCII).equals("+PONG\r\n")) {
          return p;
        }
      } catch (java.io.IOException notYet) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    p.destroy();
    throw new IllegalStateException("redis-server did not start on " + port + " (log " + log + ")");
  }
}
