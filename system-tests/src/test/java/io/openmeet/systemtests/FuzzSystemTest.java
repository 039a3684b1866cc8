package io.openmeet.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.openmeet.litebridge.LiteBridge;
import io.openmeet.litebridge.config.BridgeConfig;
import io.openmeet.litebridge.media.Ice4jMediaEngine;
import io.openmeet.loadgen.RoomApiClient;
import io.openmeet.loadgen.SdpExchange;
import io.openmeet.loadgen.SignallingClient;
import io.openmeet.testkit.SyntheticEndpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Fuzzing the packaged room-api with the real Postgres, Redis and Prosody, its focus connected to a
 * real lite-bridge: generated REST bodies (room create/patch, join tokens, invites, users, user
 * tokens, paging), signalling frames (every client message type mutated, plus garbage: binary,
 * fragments, invalid UTF-8, oversize, deep nesting, huge numbers, control characters) and SDP
 * answers (real answers and captured Chromium answers, mutated). On every input: no 5xx, every
 * error frame has a documented code (never internal-error), a frame any server must refuse gets an
 * error or a documented close; during the run (every {@code fuzz.check-seconds}) and after it a
 * normal join gets its offer, so the focus stayed connected to XMPP; and the server log has no
 * ERROR line. The signalling and REST rate limits are lifted, room passwords hashed at bcrypt cost
 * 4 and a join reserves 0.0001 of a bridge (not 0.02), so that inputs reach the parsers and the
 * session logic rather than wait or fill one bridge's admission (those have their own tests).
 *
 * <p>Sizes: by default the CI run (6,000 REST inputs, 12,000 frames, 3,000 answers); {@code
 * -Dfuzz.inputs=N} in total, split 20 % REST, 60 % frames, 20 % SDP; or per target {@code
 * -Dfuzz.rest=}, {@code -Dfuzz.frames=}, {@code -Dfuzz.sdp=}. {@code -Dfuzz.seed=} repeats a run,
 * {@code -Dfuzz.workers=} sets the concurrent clients per target (3); scripts/fuzz runs the
 * benchmark (docs/BENCHMARKS.md, "Fuzzing"). Every target prints a summary line starting "FUZZ "
 * and appends it to target/fuzz-summary.txt.
 */
class FuzzSystemTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final long SEED = Long.getLong("fuzz.seed", System.nanoTime());

  /** All targets' inputs together; unset: each target's CI size (see {@link #count}). */
  private static final Long TOTAL = Long.getLong("fuzz.inputs");

  private static final int WORKERS = Integer.getInteger("fuzz.workers", 3);
  private static final Duration CHECK_EVERY =
      Duration.ofSeconds(Long.getLong("fuzz.check-seconds", 15));

  /** docs/API.md: every error code a frame carries must be documented there. */
  private static String apiDoc;

  /**
   * The close codes a socket may end with: 1000 after `leave`, 1007 for invalid UTF-8, 1008 for the
   * join timeout, 1009 for an oversized frame (docs/API.md).
   */
  private static final Set<Integer> CLOSES = Set.of(1000, 1007, 1008, 1009);

  private static final Pattern ERROR_LINE = Pattern.compile("^\\S+ \\S+ (ERROR|FATAL) .*");
  private static final Pattern WARN_LINE =
      Pattern.compile("^\\S+ \\S+ WARN(ING)? +\\[([^\\]]+)\\].*");

  private static RoomApiProcess api;
  private static LiteBridge bridge;
  private static RoomApiClient rest;
  private static HttpClient http;
  private static String adminToken;
  private static List<String> chromiumAnswers;

  /**
   * A target's inputs: {@code -Dfuzz.<target>}, else its share of {@code -Dfuzz.inputs}, else its
   * CI size (about 70 s for all three on 2 cores).
   */
  private static long count(String target, double share, long ci) {
    return Long.getLong("fuzz." + target, TOTAL == null ? ci : Math.round(TOTAL * share));
  }

  @BeforeAll
  static void start() throws Exception {
    api =
        RoomApiProcess.start(
            RoomApiProcess.random("fuzz-"),
            RoomApiProcess.freePort(),
            Map.of(
                "OPENMEET_SIGNALLING_FRAMES_PER_SECOND", "1000000000",
                "OPENMEET_SIGNALLING_FRAME_BURST", "1000000000",
                "OPENMEET_SIGNALLING_MAX_SOCKETS_PER_ADDRESS", "0",
                "OPENMEET_RATE_LIMIT_ROOM_CREATES", "1000000000",
                "OPENMEET_RATE_LIMIT_TOKEN_REQUESTS", "1000000000",
                // hashing room passwords at the default cost (10) would take most of the CPU
                "OPENMEET_ROOMS_PASSWORD_HASH_COST", "4",
                // fuzzed joins come faster than real ones: at the default reservation per join
                // (0.02) one bridge admits ~40 unsettled joins and then says no-bridge-available
                "OPENMEET_FOCUS_SELECTION_RESERVATION_COST", "0.0001"));
    Map<String, Object> o = new HashMap<>();
    String x = "lite-bridge.apis.xmpp-client.";
    o.put(x + "configs.test.muc_jids", api.breweryJid);
    o.put(x + "configs.test.muc_nickname", RoomApiProcess.random("bridge-"));
    o.put(x + "presence-interval", "1 second");
    o.put("lite-bridge.http-servers.private.host", "127.0.0.1");
    o.put("lite-bridge.http-servers.private.port", 0);
    o.put("lite-bridge.ice.udp.port", 0);
    o.put("lite-bridge.ice.bind-addresses", List.of("127.0.0.1"));
    BridgeConfig config = BridgeConfig.load(o);
    bridge =
        new LiteBridge(config, new Ice4jMediaEngine(config.media()), Clock.systemUTC(), () -> 0.0)
            .start();
    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    rest = api.client(http);
    adminToken = SecuritySystemTest.jwt(adminClaims());
    List<String> answers = new ArrayList<>();
    try (var files = Files.list(Path.of("..", "focus-controller", "src", "test", "resources"))) {
      for (Path dir : files.filter(Files::isDirectory).toList()) {
        try (var sdps = Files.list(dir)) {
          for (Path f : sdps.filter(p -> p.toString().endsWith(".sdp")).sorted().toList()) {
            if (f.getFileName().toString().startsWith("chromium-answer")) {
              answers.add(Files.readString(f).replace("\r\n", "\n").replace("\n", "\r\n"));
            }
          }
        }
      }
    }
    assertThat(answers).as("the captured Chromium answers").isNotEmpty();
    chromiumAnswers = answers;
    apiDoc = Files.readString(Path.of("..", "docs", "API.md"));
    // the focus has found the bridge before the clock starts
    Peer.join(http, api, room(), "Warm-up").close();
  }

  @AfterAll
  static void stop() throws Exception {
    Closing.inOrder(bridge, api);
  }

  private static Map<String, Object> adminClaims() {
    long now = Instant.now().getEpochSecond();
    Map<String, Object> claims = new HashMap<>();
    claims.put("iss", "openmeet");
    claims.put("aud", "openmeet");
    claims.put("sub", "meet.local");
    claims.put("iat", now - 60);
    claims.put("nbf", now - 60);
    claims.put("exp", now + 3600);
    claims.put("room", "*");
    claims.put("moderator", false);
    claims.put("groups", List.of("admin"));
    claims.put("context", Map.of("user", Map.of("id", "fuzz-admin", "name", "Fuzz admin")));
    return claims;
  }

  private static String room() throws Exception {
    return rest.createRoom("Fuzz " + RoomApiProcess.random(""), "public", null, 100)
        .path("slug")
        .asText();
  }

  // --- what every target counts and checks

  /** Counters and the first failures of one target. */
  private static final class Stats {
    final String target;
    final AtomicLong inputs = new AtomicLong();
    final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
    final List<String> failures = new CopyOnWriteArrayList<>();
    final LongAdder focusChecks = new LongAdder();
    final Map<String, LongAdder> nanos = new ConcurrentHashMap<>();
    final Map<String, LongAdder> timed = new ConcurrentHashMap<>();

    void time(String kind, long started) {
      nanos.computeIfAbsent(kind, k -> new LongAdder()).add(System.nanoTime() - started);
      timed.computeIfAbsent(kind, k -> new LongAdder()).increment();
    }

    /** Mean milliseconds per input kind. */
    String meanMillis() {
      Map<String, String> out = new TreeMap<>();
      timed.forEach(
          (k, n) -> out.put(k, String.format("%.1f", nanos.get(k).sum() / 1e6 / n.sum())));
      return out.toString();
    }

    Stats(String target) {
      this.target = target;
    }

    void count(String outcome) {
      outcomes.computeIfAbsent(outcome, k -> new LongAdder()).increment();
    }

    void fail(String what, byte[] input) {
      count("FAILURE");
      if (failures.size() < 20) {
        String shown = new String(input, StandardCharsets.UTF_8);
        failures.add(
            what
                + " <- "
                + (shown.length() > 300 ? shown.substring(0, 300) + "…" : shown)
                    .replaceAll("\\p{Cc}", "?"));
      }
    }

    Map<String, Long> sorted() {
      Map<String, Long> out = new TreeMap<>();
      outcomes.forEach((k, v) -> out.put(k, v.sum()));
      return out;
    }
  }

  /**
   * Runs {@code n} inputs over {@link #WORKERS} workers while a normal join is checked every {@link
   * #CHECK_EVERY}, then checks once more and reads the server log; fails on any failure.
   */
  private void run(String target, long n, Worker worker) throws Exception {
    Stats stats = new Stats(target);
    long logFrom = lines(api.log());
    long started = System.nanoTime();
    ScheduledExecutorService checker = Executors.newSingleThreadScheduledExecutor();
    String checkRoom = room();
    checker.scheduleWithFixedDelay(
        () -> focusCheck(stats, checkRoom, "during"),
        CHECK_EVERY.toMillis(),
        CHECK_EVERY.toMillis(),
        TimeUnit.MILLISECONDS);
    ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
    List<Future<?>> done = new ArrayList<>();
    for (int w = 0; w < WORKERS; w++) {
      long share = n / WORKERS + (w < n % WORKERS ? 1 : 0);
      int index = w;
      done.add(
          pool.submit(
              () -> {
                worker.run(
                    new FuzzInputs(new SplittableRandom(SEED * 1_000_003 + index * 7919L)),
                    share,
                    stats);
                return null;
              }));
    }
    for (Future<?> f : done) {
      f.get();
    }
    pool.shutdown();
    checker.shutdown();
    checker.awaitTermination(60, TimeUnit.SECONDS);
    focusCheck(stats, checkRoom, "after");
    double seconds = (System.nanoTime() - started) / 1e9;
    List<String> log = Files.readAllLines(api.log());
    List<String> fresh = log.subList((int) Math.min(logFrom, log.size()), log.size());
    List<String> errors = fresh.stream().filter(l -> ERROR_LINE.matcher(l).matches()).toList();
    Map<String, Long> warnings =
        fresh.stream()
            .map(WARN_LINE::matcher)
            .filter(java.util.regex.Matcher::matches)
            .collect(Collectors.groupingBy(m -> m.group(2), TreeMap::new, Collectors.counting()));
    String line =
        String.format(
            "FUZZ %s: %d inputs in %.0f s (%.0f/s), seed %d, workers %d: outcomes %s;"
                + " mean ms by kind %s; focus checks %d; server log ERROR lines %d,"
                + " WARN by logger %s",
            target,
            stats.inputs.get(),
            seconds,
            stats.inputs.get() / seconds,
            SEED,
            WORKERS,
            stats.sorted(),
            stats.meanMillis(),
            stats.focusChecks.sum(),
            errors.size(),
            warnings);
    System.out.println(line);
    Path summary = Path.of("target", "fuzz-summary.txt");
    Files.writeString(summary, line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    assertThat(stats.failures).as(line).isEmpty();
    assertThat(errors).as("ERROR lines in the server log during " + target).isEmpty();
    assertThat(stats.inputs.get()).isEqualTo(n);
    assertThat(stats.focusChecks.sum()).isPositive();
  }

  private static long lines(Path file) throws IOException {
    try (var l = Files.lines(file, StandardCharsets.ISO_8859_1)) {
      return l.count();
    }
  }

  /** A normal participant joins and gets its offer: the focus's XMPP connection is up. */
  private static void focusCheck(Stats stats, String slug, String when) {
    try (SignallingClient ok = SignallingClient.connect(http, api.socket(slug), WAIT)) {
      ok.send("type", "join", "token", rest.joinToken(slug, "Ada", null), "displayName", "Ada");
      SignallingClient.Frame f = ok.next(WAIT);
      if (!f.type().equals("joined")) {
        stats.fail("focus check " + when + ": " + f.json(), new byte[0]);
        return;
      }
      String sdp = ok.await("offer", WAIT).json().path("sdp").asText();
      if (!sdp.contains("a=fingerprint:")) {
        stats.fail("focus check " + when + ": offer without fingerprint", new byte[0]);
        return;
      }
      ok.send("type", "leave");
      stats.focusChecks.increment();
    } catch (Exception e) {
      stats.fail("focus check " + when + ": " + e, new byte[0]);
    }
  }

  @FunctionalInterface
  private interface Worker {
    void run(FuzzInputs g, long n, Stats stats) throws Exception;
  }

  // --- REST

  @Test
  void rest_bodies_never_get_a_5xx() throws Exception {
    run("rest", count("rest", 0.2, 6_000), this::restWorker);
  }

  private void restWorker(FuzzInputs g, long n, Stats stats) throws Exception {
    JsonNode created = rest.createRoom("Fuzz " + RoomApiProcess.random(""), "public", null, 100);
    String roomId = created.path("id").asText();
    String slug = created.path("slug").asText();
    String moderator = created.path("moderatorToken").asText();
    String userId = createUser();
    for (long i = 0; i < n; i++) {
      int k = g.nextInt(100);
      String method;
      String path;
      String token = null;
      Map<String, String> template = new LinkedHashMap<>();
      if (k < 30) {
        method = "POST";
        path = "/api/rooms";
        template.put("name", "\"Fuzz room\"");
        template.put("access", g.pick(List.of("\"public\"", "\"password\"", "\"invite_only\"")));
        template.put("password", "\"secret-pw\"");
        template.put("maxParticipants", "12");
        template.put("region", "\"eu\"");
        template.put("lobbyEnabled", "false");
        template.put("displayName", "\"Host\"");
      } else if (k < 50) {
        method = "PATCH";
        path = "/api/rooms/" + (g.chance(0.9) ? roomId : segment(g));
        token = moderator;
        template.put("name", "\"Fuzz room\"");
        template.put("access", "\"public\"");
        template.put("password", "\"secret-pw\"");
        template.put("maxParticipants", "100");
        template.put("lobbyEnabled", "false");
      } else if (k < 70) {
        method = "POST";
        path = "/api/rooms/" + (g.chance(0.9) ? slug : segment(g)) + "/tokens";
        template.put("displayName", "\"Guest\"");
        template.put("password", "\"secret-pw\"");
      } else if (k < 80) {
        method = "POST";
        path = "/api/users";
        token = adminToken;
        template.put("email", "\"fuzz-" + g.nextInt(1_000_000_000) + "@example.org\"");
        template.put("name", "\"Fuzz User\"");
        template.put("avatarUrl", "\"https://example.org/a.png\"");
      } else if (k < 87) {
        method = "POST";
        path = "/api/users/" + (g.chance(0.8) ? userId : segment(g)) + "/tokens";
        token = adminToken;
        template.put("admin", "false");
      } else if (k < 92) {
        method = "POST";
        path = "/api/rooms/" + roomId + "/invites";
        token = moderator;
        template.put("userId", "\"" + userId + "\"");
        template.put("email", "\"guest@example.org\"");
      } else {
        method = "GET";
        token = adminToken;
        path =
            g.pick(
                    List.of(
                        "/api/audit?limit=%s&offset=%s",
                        "/api/users?page=%s&size=%s",
                        "/api/rooms?active=%s&page=%s",
                        "/api/rooms/" + roomId + "/calls?page=%s&size=%s",
                        "/api/calls/%s?x=%s",
                        "/api/rooms/%s?x=%s",
                        "/api/stats?x=%s&y=%s"))
                .formatted(segment(g), segment(g));
      }
      byte[] body = null;
      if (!method.equals("GET")) {
        String json = g.mutateObject(template, g.nextInt(4));
        body = g.chance(0.15) ? g.breakWhole(json) : null;
        if (body == null) {
          body = json.getBytes(StandardCharsets.UTF_8);
        }
      }
      HttpRequest.Builder req =
          HttpRequest.newBuilder(URI.create(api.baseUrl + path)).timeout(Duration.ofSeconds(30));
      if (token != null && g.chance(0.97)) {
        req.header(
            "Authorization",
            g.chance(0.97)
                ? "Bearer " + token
                : g.pick(List.of("Bearer ", "Basic eDp5", "Bearer x.y.z")));
      }
      int ct = g.nextInt(20);
      if (body != null && ct > 0) {
        req.header(
            "Content-Type",
            ct < 17
                ? "application/json"
                : g.pick(List.of("text/plain", "application/json; charset=latin1", "x/y")));
      }
      req.method(
          method,
          body == null
              ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofByteArray(body));
      byte[] shown =
          (method
                  + " "
                  + path
                  + " "
                  + (body == null ? "" : new String(body, StandardCharsets.UTF_8)))
              .getBytes(StandardCharsets.UTF_8);
      String kind =
          k < 30
              ? "room create"
              : k < 50
                  ? "room patch"
                  : k < 70
                      ? "join token"
                      : k < 80 ? "user" : k < 87 ? "user token" : k < 92 ? "invite" : "get";
      long t0 = System.nanoTime();
      HttpRequest request = req.build();
      HttpResponse<byte[]> r;
      try {
        r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
      } catch (IOException e) {
        // about 3 in 10,000 requests meet a pooled connection that room-api closed without an
        // answer (open: docs/BENCHMARKS.md, "Fuzzing"); counted, and sent once more
        stats.count("no answer, sent again");
        try {
          r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException again) {
          stats.fail("no HTTP answer, twice: " + again, shown);
          stats.inputs.incrementAndGet();
          continue;
        }
      }
      stats.time(kind, t0);
      stats.count(r.statusCode() / 100 + "xx");
      if (r.statusCode() >= 500) {
        stats.fail(
            "HTTP " + r.statusCode() + " " + new String(r.body(), StandardCharsets.UTF_8), shown);
      }
      stats.inputs.incrementAndGet();
    }
  }

  /** A path or query segment from the string generator, percent-encoded. */
  private static String segment(FuzzInputs g) {
    String s = g.string();
    return URLEncoder.encode(s.substring(1, s.length() - 1), StandardCharsets.UTF_8)
        .replace("+", "%20");
  }

  private static String createUser() throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(api.baseUrl + "/api/users"))
                .header("Authorization", "Bearer " + adminToken)
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"email\":\""
                            + RoomApiProcess.random("fuzz-")
                            + "@example.org\",\"name\":\"Fuzz\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return JSON.readTree(r.body()).path("id").asText();
  }

  // --- signalling frames

  @Test
  void signalling_frames_get_typed_errors_and_documented_closes() throws Exception {
    run("frames", count("frames", 0.6, 12_000), this::framesWorker);
  }

  /** One frame to send and what must come back. */
  private record Send(int opcode, byte[] bytes, boolean mustFail, boolean fragmented, String kind) {
    Send(int opcode, byte[] bytes, boolean mustFail, boolean fragmented) {
      this(opcode, bytes, mustFail, fragmented, "opcode " + opcode);
    }
  }

  private static final List<String> TYPES =
      List.of(
          "join",
          "join",
          "answer",
          "ice-candidate",
          "media-state",
          "chat",
          "chat",
          "moderate",
          "ice-restart",
          "ice-state",
          "leave",
          "ping");

  private void framesWorker(FuzzInputs g, long n, Stats stats) throws Exception {
    String slug = room();
    List<String> tokens = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      tokens.add(rest.joinToken(slug, "Fuzz", null));
    }
    Session s = null;
    long seq = 0;
    for (long i = 0; i < n; i++) {
      if (s == null) {
        s = new Session(RawSocket.open(api.socket(slug), new SplittableRandom(i)));
      }
      Send send = frame(g, s.joined, tokens);
      long t0 = System.nanoTime();
      Outcome o = s.exchange(send, ++seq);
      stats.time(send.kind() + (s.joined ? " (joined)" : ""), t0);
      check(stats, send.bytes(), send.mustFail(), o);
      if (o.joined) {
        s.joined = true;
      }
      stats.inputs.incrementAndGet();
      if (o.closeCode != 0 || ++s.sent >= 400) {
        s.end();
        s = null;
      }
    }
    if (s != null) {
      s.end();
    }
  }

  private Send frame(FuzzInputs g, boolean joined, List<String> tokens) {
    int k = g.nextInt(100);
    // frames that close the socket are rarer on a joined one (each leaves a resumable ghost)
    boolean closing = !joined || g.chance(0.05);
    if (k < 3) {
      return new Send(RawSocket.TEXT, g.randomBytes(1 + g.nextInt(99)), true, false);
    }
    if (k < 5 && closing) {
      return new Send(
          RawSocket.TEXT, g.invalidUtf8(jsonFrame(g, joined, tokens).text()), true, false);
    }
    if (k < 7 && closing) {
      String big =
          "{\"type\":\"chat\",\"text\":\""
              + "a".repeat(g.pick(List.of(65_537, 70_000, 200_000)))
              + "\"}";
      return new Send(RawSocket.TEXT, big.getBytes(StandardCharsets.UTF_8), true, false);
    }
    if (k < 9) {
      return new Send(RawSocket.BINARY, jsonFrame(g, joined, tokens).bytes(), true, false);
    }
    if (k < 10) {
      return new Send(RawSocket.PING, g.randomBytes(g.nextInt(100)), false, false);
    }
    FuzzInputs.Input in = jsonFrame(g, joined, tokens);
    return new Send(RawSocket.TEXT, in.bytes(), in.mustFail(), k < 15, in.kind());
  }

  private FuzzInputs.Input jsonFrame(FuzzInputs g, boolean joined, List<String> tokens) {
    String type;
    boolean mustFail = false;
    int t = g.nextInt(100);
    String typeValue;
    if (t < 5) {
      typeValue = g.value(1);
      // a value that is a string might still name a type; only non-strings must fail
      mustFail = !typeValue.startsWith("\"");
      type = "?";
    } else if (t < 10) {
      type = g.pick(List.of("Join", "pong", "offer", "error", "joined", "", "join ", "x"));
      typeValue = "\"" + type + "\"";
      mustFail = true;
    } else {
      type = g.pick(TYPES);
      typeValue = "\"" + type + "\"";
      mustFail = !joined && !type.equals("join") && !type.equals("ping");
    }
    Map<String, String> f = new LinkedHashMap<>();
    switch (type) {
      case "join" -> {
        f.put("token", g.chance(0.4) ? "\"" + g.pick(tokens) + "\"" : g.string());
        f.put("displayName", "\"Fuzz\"");
        f.put("audio", "true");
        f.put("video", "false");
        if (g.chance(0.2)) {
          f.put("resumeToken", g.string());
        }
      }
      case "answer" -> f.put("sdp", "\"v=0\\r\\no=- 1 2 IN IP4 127.0.0.1\\r\\n\"");
      case "ice-candidate" -> {
        f.put("candidate", "\"candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host\"");
        f.put("sdpMid", "\"0\"");
        f.put("sdpMLineIndex", "0");
      }
      case "media-state" -> {
        f.put("audio", "true");
        f.put("video", "false");
        f.put("screen", "false");
      }
      case "chat" -> f.put("text", "\"hello\"");
      case "moderate" -> {
        f.put("action", g.chance(0.5) ? "\"mute\"" : "\"kick\"");
        f.put("participantId", "\"nobody\"");
      }
      case "ice-state" -> f.put("state", "\"connected\"");
      case "ping" -> f.put("ts", "1");
      default -> {
        // ice-restart, leave and unknown types carry no fields
      }
    }
    String body = g.mutateObject(f, g.nextInt(4));
    String json =
        t < 5 && g.chance(0.2)
            ? body // the type is missing altogether
            : "{\"type\":" + typeValue + (body.equals("{}") ? "}" : "," + body.substring(1));
    if (t < 5 && !json.contains("\"type\"")) {
      mustFail = true;
    }
    if (g.chance(0.1)) {
      byte[] broken = g.breakWhole(json);
      if (broken != null) {
        // json + json is read as its first value; the rest must fail
        boolean doubled = broken.length == 2 * json.getBytes(StandardCharsets.UTF_8).length;
        return new FuzzInputs.Input(broken, !doubled, "broken");
      }
    }
    return new FuzzInputs.Input(json.getBytes(StandardCharsets.UTF_8), mustFail, type);
  }

  /** What came back for one input, up to the barrier's `pong`. */
  private static final class Outcome {
    final List<JsonNode> texts = new ArrayList<>();
    int closeCode;
    String closeReason = "";
    boolean joined;
    boolean noAnswer;
    String unexpected;
  }

  /** A raw signalling socket and its state. */
  private static final class Session {
    final RawSocket socket;
    boolean joined;
    boolean closed;
    int sent;
    String lastOffer;

    Session(RawSocket socket) {
      this.socket = socket;
    }

    /**
     * Sends {@code send}, then a ping barrier {"type":"ping","ts":seq}, and reads until its pong
     * (or a close): what came in between is the server's answer to the input.
     */
    Outcome exchange(Send send, long seq) {
      Outcome o = new Outcome();
      try {
        if (send.fragmented() && send.bytes().length > 2) {
          int cut = send.bytes().length / 2;
          socket.send(send.opcode(), false, Arrays.copyOfRange(send.bytes(), 0, cut));
          socket.send(
              RawSocket.CONTINUATION,
              true,
              Arrays.copyOfRange(send.bytes(), cut, send.bytes().length));
        } else {
          socket.send(send.opcode(), true, send.bytes());
        }
        socket.sendText("{\"type\":\"ping\",\"ts\":" + seq + "}");
      } catch (IOException e) {
        // the server may have closed already (an oversized frame): its close frame is read below
      }
      return read(o, seq, "pong");
    }

    /** Reads until a `pong` with ts {@code seq} (or a frame of {@code type} when seq < 0). */
    Outcome read(Outcome o, long seq, String type) {
      long deadline = System.nanoTime() + WAIT.toNanos();
      try {
        while (System.nanoTime() < deadline) {
          RawSocket.Frame f = socket.read(WAIT);
          if (f == null) {
            o.noAnswer = true;
            return o;
          }
          if (f.opcode() == RawSocket.CLOSE) {
            o.closeCode = f.closeCode();
            o.closeReason = f.closeReason();
            closed = true;
            try {
              // answer the close as a client does, so that the server ends the connection now
              socket.send(
                  RawSocket.CLOSE,
                  true,
                  Arrays.copyOf(f.payload(), Math.min(2, f.payload().length)));
              socket.flush();
            } catch (IOException gone) {
              // the server ended it already
            }
            return o;
          }
          if (f.opcode() == RawSocket.PONG) {
            continue;
          }
          if (f.opcode() != RawSocket.TEXT) {
            o.unexpected = "opcode " + f.opcode();
            continue;
          }
          JsonNode node = JSON.readTree(f.payload());
          o.texts.add(node);
          String t = node.path("type").asText();
          if (t.equals("joined")) {
            o.joined = true;
          }
          if (t.equals("offer")) {
            lastOffer = node.path("sdp").asText();
          }
          if (t.equals(type) && (seq < 0 || node.path("ts").asLong() == seq)) {
            return o;
          }
        }
        o.noAnswer = true;
        return o;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** Leaves (a joined socket) or drops the connection. */
    void end() {
      try {
        if (joined && !closed) {
          socket.sendText("{\"type\":\"leave\"}");
          read(new Outcome(), -1, "-");
        }
      } catch (IOException | UncheckedIOException e) {
        // gone already
      } finally {
        socket.close();
      }
    }
  }

  /** The checks every signalling input gets. */
  private static void check(Stats stats, byte[] input, boolean mustFail, Outcome o) {
    boolean error = false;
    for (JsonNode t : o.texts) {
      String type = t.path("type").asText();
      if (type.equals("error")) {
        error = true;
        String code = t.path("code").asText();
        stats.count("error " + code);
        if (!code.matches("[a-z]+(-[a-z]+)*")
            || !apiDoc.contains("`" + code + "`")
            || code.equals("internal-error")) {
          stats.fail("error frame with code " + code + ": " + t, input);
        }
        if (t.path("message").asText().isBlank()) {
          stats.fail("error frame without a message: " + t, input);
        }
      }
    }
    if (o.closeCode != 0) {
      stats.count("close " + o.closeCode + " " + o.closeReason);
      if (!CLOSES.contains(o.closeCode)) {
        stats.fail("undocumented close " + o.closeCode + " " + o.closeReason, input);
      }
    } else if (o.noAnswer) {
      stats.fail("no pong and no close within " + WAIT + " (got " + o.texts + ")", input);
    }
    if (o.unexpected != null) {
      stats.fail("unexpected frame " + o.unexpected, input);
    }
    if (mustFail && !error && o.closeCode == 0) {
      stats.fail("a frame any server must refuse got no error (got " + o.texts + ")", input);
    }
    if (!error && o.closeCode == 0) {
      stats.count("no error");
    }
  }

  // --- SDP answers

  @Test
  void sdp_answers_are_refused_with_typed_errors_and_the_focus_stays_up() throws Exception {
    run("sdp", count("sdp", 0.2, 3_000), this::sdpWorker);
  }

  private void sdpWorker(FuzzInputs g, long n, Stats stats) throws Exception {
    String slug = room();
    SyntheticEndpoint media =
        SyntheticEndpoint.create(
            RoomApiProcess.random("fuzz-"), SyntheticEndpoint.Options.loopback());
    try {
      Session s = null;
      String base = null;
      long seq = 0;
      for (long i = 0; i < n; i++) {
        if (s == null) {
          s = new Session(RawSocket.open(api.socket(slug), new SplittableRandom(i)));
          s.socket.sendText(
              JSON.writeValueAsString(
                  Map.of("type", "join", "token", rest.joinToken(slug, "Fuzz", null))));
          Outcome joined = s.read(new Outcome(), -1, "offer");
          if (s.lastOffer == null) {
            stats.fail("no offer after a join: " + joined.texts, new byte[0]);
            return;
          }
          s.joined = true;
          base = SdpExchange.answer(s.lastOffer, media);
        }
        String seed = g.chance(0.8) ? base : g.pick(chromiumAnswers);
        String sdp = g.chance(0.02) ? seed : g.mutateSdp(seed, chromiumAnswers);
        byte[] frame = JSON.writeValueAsBytes(Map.of("type", "answer", "sdp", sdp));
        String offerBefore = s.lastOffer;
        long t0 = System.nanoTime();
        Outcome o = s.exchange(new Send(RawSocket.TEXT, frame, false, false), ++seq);
        stats.time("answer", t0);
        check(stats, frame, false, o);
        stats.inputs.incrementAndGet();
        boolean refused = o.texts.stream().anyMatch(t -> t.path("type").asText().equals("error"));
        if (o.closeCode != 0 || o.noAnswer) {
          s.socket.close();
          s = null;
          continue;
        }
        if (!refused) {
          // accepted: a restart brings a fresh offer to answer again
          stats.count("answer accepted");
          long t1 = System.nanoTime();
          s.socket.sendText("{\"type\":\"ice-restart\"}");
          s.lastOffer = offerBefore;
          Outcome restarted = s.read(new Outcome(), -1, "offer");
          stats.time("ice-restart", t1);
          if (restarted.noAnswer || restarted.closeCode != 0) {
            stats.fail("no offer after an ice-restart: " + restarted.texts, frame);
            s.socket.close();
            s = null;
            continue;
          }
        }
        if (s.lastOffer != null && !s.lastOffer.equals(offerBefore)) {
          base = SdpExchange.answer(s.lastOffer, media);
        }
        if (++s.sent >= 2000) {
          s.end();
          s = null;
        }
      }
      if (s != null) {
        s.end();
      }
    } finally {
      media.close();
    }
  }
}
