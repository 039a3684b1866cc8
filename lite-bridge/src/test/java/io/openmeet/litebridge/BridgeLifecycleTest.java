package io.openmeet.litebridge;

import static io.openmeet.litebridge.Colibri2Requests.createEndpoint;
import static io.openmeet.litebridge.Colibri2Requests.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.openmeet.litebridge.config.BridgeConfig;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.jitsi.xmpp.extensions.colibri.ColibriStatsExtension;
import org.jitsi.xmpp.extensions.colibri2.Colibri2Error;
import org.jitsi.xmpp.extensions.colibri2.ConferenceModifiedIQ;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.StanzaError;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.jxmpp.jid.Jid;

/**
 * Presence stats, REST (health, stats, drain), graceful shutdown and reconnection, each with its
 * own bridge on the real Prosody.
 */
class BridgeLifecycleTest {
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final String SECRET = TestEnv.random("control-");
  private final String brewery = TestEnv.uniqueBrewery();
  private final String nickname = TestEnv.random("bridge-");
  private final HttpClient http = HttpClient.newHttpClient();
  private final RecordingMediaEngine engine = new RecordingMediaEngine();
  private LiteBridge bridge;
  private FocusClient focus;
  private TcpProxy proxy;

  private Jid startBridge(Map<String, Object> extra) throws Exception {
    return startBridge(extra, Clock.systemUTC());
  }

  private Jid startBridge(Map<String, Object> extra, Clock clock) throws Exception {
    Map<String, Object> overrides =
        new java.util.HashMap<>(TestEnv.bridgeOverrides(brewery, nickname));
    overrides.put("lite-bridge.rest.control-secret", SECRET);
    overrides.putAll(extra);
    bridge = new LiteBridge(BridgeConfig.load(overrides), engine, clock, () -> 0.0).start();
    focus = new FocusClient(brewery);
    focus.awaitStats(nickname, s -> true, WAIT);
    return focus.occupant(nickname);
  }

  @AfterEach
  void stop() throws Exception {
    if (focus != null) {
      focus.close();
    }
    if (bridge != null) {
      bridge.close();
    }
    if (proxy != null) {
      proxy.close();
    }
  }

  /** GET with the control secret. */
  private HttpResponse<String> get(String path) throws Exception {
    return send("GET", path, null, "Authorization", "Bearer " + SECRET);
  }

  /** POST with the control secret. */
  private HttpResponse<String> post(String path, String body) throws Exception {
    return send("POST", path, body, "Authorization", "Bearer " + SECRET);
  }

  /** A request with the given headers (name, value, ...) and nothing else. */
  private HttpResponse<String> send(String method, String path, String body, String... headers)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + bridge.restPort() + path))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void withoutAConfiguredSecretTheControlEndpointsAreRefused() throws Exception {
    startBridge(Map.of("lite-bridge.rest.control-secret", ""));
    for (String path : List.of("/colibri/drain/enable", "/colibri/shutdown")) {
      HttpResponse<String> r = send("POST", path, "{\"graceful-shutdown\": false}");
      assertThat(r.statusCode()).as(path).isEqualTo(403);
      assertThat(r.body()).contains("control-secret is not set");
      // Not even a guess at a secret gets through.
      assertThat(send("POST", path, "", "Authorization", "Bearer ").statusCode()).isEqualTo(403);
    }
    assertThat(send("GET", "/colibri/stats", null).statusCode()).isEqualTo(403);
    assertThat(send("GET", "/about/health", null).statusCode()).isEqualTo(200);
    assertThat(bridge.stats().get("drain")).isEqualTo(false);
    assertThat(bridge.exited()).isNotDone();
  }

  @Test
  void controlEndpointsNeedTheSecretAndRefuseBrowsers() throws Exception {
    startBridge(Map.of());
    String[][] refused = {
      {},
      {"Authorization", "Bearer wrong"},
      {"Authorization", "Bearer " + SECRET + "x"},
      {"Authorization", "Bearer " + SECRET.substring(1)},
      {"Authorization", SECRET},
      {"Authorization", "Basic " + SECRET},
    };
    for (String[] headers : refused) {
      for (String path : List.of("/colibri/drain/enable", "/colibri/shutdown")) {
        HttpResponse<String> r = send("POST", path, "{\"graceful-shutdown\": false}", headers);
        assertThat(r.statusCode()).as(path + " " + List.of(headers)).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
      }
      assertThat(send("GET", "/colibri/stats", null, headers).statusCode()).isEqualTo(401);
    }
    // What a hostile page can send without a preflight (text/plain), even with the secret: the
    // Origin header alone refuses it, on every route but the bridge channel.
    for (String path : List.of("/colibri/drain/enable", "/colibri/shutdown")) {
      HttpResponse<String> r =
          send(
              "POST",
              path,
              "{\"graceful-shutdown\": false}",
              "Origin",
              "https://evil.example",
              "Content-Type",
              "text/plain",
              "Authorization",
              "Bearer " + SECRET);
      assertThat(r.statusCode()).as(path).isEqualTo(403);
      assertThat(r.body()).contains("Origin");
    }
    assertThat(send("GET", "/about/health", null, "Origin", "null").statusCode()).isEqualTo(403);
    assertThat(send("GET", "/colibri/stats", null, "Origin", "https://evil.example").statusCode())
        .isEqualTo(403);
    // The bridge channel's path is not refused for its Origin: it gets the channel's own answer
    // (404 for another bridge's server id), not the 403 of the Origin check.
    assertThat(
            send("GET", "/colibri-ws/other-id/x/y?pwd=z", null, "Origin", "https://a.example")
                .statusCode())
        .isEqualTo(404);
    assertThat(bridge.stats().get("drain")).isEqualTo(false);
    assertThat(bridge.exited()).isNotDone();

    assertThat(post("/colibri/drain/enable", "").statusCode()).isEqualTo(200);
    assertThat(bridge.stats().get("drain")).isEqualTo(true);
  }

  private static boolean stat(ColibriStatsExtension s, String name, String value) {
    return value.equals(s.getValueAsString(name));
  }

  @Test
  void presenceCarriesTheStatsTheFocusSelectsBridgesBy() throws Exception {
    Jid bridgeJid =
        startBridge(
            Map.of(
                "lite-bridge.relay.region", "test-region",
                "lite-bridge.relay.relay-id", "relay-7",
                "lite-bridge.version", "9.9.9-test"));
    ColibriStatsExtension s = focus.stats.get(nickname);
    for (String name :
        new String[] {
          "stress_level",
          "drain",
          "graceful_shutdown",
          "shutting_down",
          "healthy",
          "version",
          "conferences",
          "participants",
          "endpoints",
          "packet_rate_download",
          "bit_rate_upload"
        }) {
      assertThat(s.getValueAsString(name)).as(name).isNotNull();
    }
    assertThat(s.getValueAsString("region")).isEqualTo("test-region");
    assertThat(s.getValueAsString("relay_id")).isEqualTo("relay-7");
    assertThat(s.getValueAsString("version")).isEqualTo("9.9.9-test");
    assertThat(s.getValueAsString("healthy")).isEqualTo("true");
    assertThat(s.getValueAsString("drain")).isEqualTo("false");
    assertThat(Double.parseDouble(s.getValueAsString("stress_level"))).isBetween(0.0, 1.0);

    // Counts and stress follow the bridge's state in the next presence.
    var b = request(bridgeJid, UUID.randomUUID().toString()).setCreate(true);
    b.addEndpoint(createEndpoint("ep1", true));
    assertThat(focus.request(b.build())).isInstanceOf(ConferenceModifiedIQ.class);
    engine.stats =
        new io.openmeet.litebridge.media.MediaStats(20_000, 5_000, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    focus.awaitStats(
        nickname,
        x ->
            stat(x, "conferences", "1")
                && stat(x, "participants", "1")
                && stat(x, "endpoints", "1")
                && stat(x, "stress_level", "0.5"),
        WAIT);
  }

  @Test
  void restHealthStatsAndDrainAreVisibleInRestAndPresence() throws Exception {
    startBridge(Map.of());
    assertThat(get("/about/health").statusCode()).isEqualTo(200);
    HttpResponse<String> stats = get("/colibri/stats");
    assertThat(stats.statusCode()).isEqualTo(200);
    assertThat(stats.headers().firstValue("Content-Type")).hasValue("application/json");
    JsonObject json = new JsonObject(stats.body());
    assertThat(json.getInteger("conferences")).isZero();
    assertThat(json.getBoolean("drain")).isFalse();
    assertThat(json.getBoolean("healthy")).isTrue();
    assertThat(json.getValue("stress_level")).isInstanceOf(Number.class);
    // the focus may see the bridge's presence a moment before Smack's join call returns to it
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (json.getInteger("mucs_joined") != 1 && System.nanoTime() < deadline) {
      Thread.sleep(50);
      json = new JsonObject(get("/colibri/stats").body());
    }
    assertThat(json.getInteger("mucs_joined")).isEqualTo(1);

    assertThat(post("/colibri/drain/enable", "").statusCode()).isEqualTo(200);
    assertThat(new JsonObject(get("/colibri/stats").body()).getBoolean("drain")).isTrue();
    focus.awaitStats(nickname, s -> stat(s, "drain", "true"), WAIT);

    assertThat(post("/colibri/drain/disable", "").statusCode()).isEqualTo(200);
    assertThat(new JsonObject(get("/colibri/stats").body()).getBoolean("drain")).isFalse();
    focus.awaitStats(nickname, s -> stat(s, "drain", "false"), WAIT);

    assertThat(get("/no/such/path").statusCode()).isEqualTo(404);
    assertThat(post("/colibri/shutdown", "{not json").statusCode()).isEqualTo(400);
    assertThat(bridge.exited()).isNotDone();
  }

  @Test
  void gracefulShutdownRefusesNewConferencesAndExitsWhenTheLastEnds() throws Exception {
    Jid bridgeJid = startBridge(Map.of());
    String meetingId = UUID.randomUUID().toString();
    var create = request(bridgeJid, meetingId).setCreate(true);
    create.addEndpoint(createEndpoint("ep1", true));
    assertThat(focus.request(create.build())).isInstanceOf(ConferenceModifiedIQ.class);

    assertThat(post("/colibri/shutdown", "{\"graceful-shutdown\": true}").statusCode())
        .isEqualTo(200);
    focus.awaitStats(nickname, s -> stat(s, "graceful_shutdown", "true"), WAIT);

    var another = request(bridgeJid, UUID.randomUUID().toString()).setCreate(true);
    another.addEndpoint(createEndpoint("ep1", true));
    IQ refused = focus.request(another.build());
    assertThat(refused.getType()).isEqualTo(IQ.Type.error);
    assertThat(refused.getError().getCondition())
        .isEqualTo(StanzaError.Condition.service_unavailable);
    Colibri2Error reason =
        refused.getError().getExtension(Colibri2Error.ELEMENT, Colibri2Error.NAMESPACE);
    assertThat(reason.getReason()).isEqualTo(Colibri2Error.Reason.GRACEFUL_SHUTDOWN);

    // The running conference carries on (a new endpoint may still join it).
    var join = request(bridgeJid, meetingId);
    join.addEndpoint(createEndpoint("ep2", true));
    assertThat(focus.request(join.build())).isInstanceOf(ConferenceModifiedIQ.class);
    assertThat(bridge.exited()).isNotDone();

    assertThat(focus.request(request(bridgeJid, meetingId).setExpire(true).build()).getType())
        .isEqualTo(IQ.Type.result);
    bridge.exited().get(10, TimeUnit.SECONDS);
    assertThat(bridge.stats().get("shutting_down")).isEqualTo(true);
  }

  @Test
  void idleEndpointsAndThenTheEmptyConferenceExpireOnTheBridgesClock() throws Exception {
    MutableClock clock = new MutableClock(java.time.Instant.parse("2026-11-27T18:00:00Z"));
    Jid bridgeJid =
        startBridge(Map.of("lite-bridge.entity-expiration.check-interval", "100 ms"), clock);
    String meetingId = UUID.randomUUID().toString();
    var b = request(bridgeJid, meetingId).setCreate(true);
    b.addEndpoint(createEndpoint("ep1", true));
    assertThat(focus.request(b.build())).isInstanceOf(ConferenceModifiedIQ.class);

    clock.advance(Duration.ofSeconds(59));
    Thread.sleep(400);
    assertThat(bridge.conferences().get(meetingId).orElseThrow().endpoint("ep1")).isPresent();

    clock.advance(Duration.ofSeconds(2));
    awaitTrue(() -> engine.conferences.get(meetingId).endpoints.get("ep1").closed);
    var update = request(bridgeJid, meetingId);
    update.addEndpoint(Colibri2Requests.updateEndpoint("ep1", 1, 2, 3));
    IQ gone = focus.request(update.build());
    assertThat(gone.getError().getCondition()).isEqualTo(StanzaError.Condition.item_not_found);

    clock.advance(Duration.ofSeconds(61));
    awaitTrue(() -> bridge.conferences().get(meetingId).isEmpty());
    // the sweep forgets the conference first, then closes its media and counts it
    awaitTrue(() -> engine.conferences.get(meetingId).closed);
    awaitTrue(() -> ((Number) bridge.stats().get("total_conferences_completed")).longValue() >= 1);
    assertThat(bridge.stats().get("total_conferences_completed")).isEqualTo(1L);
  }

  private static void awaitTrue(java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within " + WAIT);
      }
      Thread.sleep(20);
    }
  }

  /** Starts a bridge whose XMPP connection goes through {@link #proxy}, so tests can cut it. */
  private Jid startBridgeBehindProxy() throws Exception {
    proxy =
        new TcpProxy(TestEnv.require("XMPP_HOST"), Integer.parseInt(TestEnv.require("XMPP_PORT")));
    return startBridge(
        Map.of(
            "lite-bridge.apis.xmpp-client.configs.test.hostname",
            "127.0.0.1",
            "lite-bridge.apis.xmpp-client.configs.test.port",
            proxy.port()));
  }

  @Test
  void theBridgeReconnectsAndRejoinsWhenTheServerDropsIt() throws Exception {
    Jid bridgeJid = startBridgeBehindProxy();
    assertThat(proxy.accepted()).isEqualTo(1);

    proxy.cutAll();
    // The focus sees the bridge leave the brewery, then come back with its stats.
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (focus.stats.containsKey(nickname) && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(focus.stats).doesNotContainKey(nickname);
    focus.awaitStats(nickname, s -> true, WAIT);
    assertThat(proxy.accepted()).isGreaterThanOrEqualTo(2);

    // And it serves Colibri2 again.
    var b = request(bridgeJid, UUID.randomUUID().toString()).setCreate(true);
    b.addEndpoint(createEndpoint("ep1", true));
    assertThat(focus.request(b.build())).isInstanceOf(ConferenceModifiedIQ.class);
  }

  @Test
  void theBridgeRejoinsAfterTheServerWasDownAndTheBreweryRoomWentWithIt() throws Exception {
    Jid bridgeJid = startBridgeBehindProxy();

    // A Prosody restart: the connection drops, nobody gets in for a while, and the brewery room,
    // which lives in Prosody's memory, is gone with its occupants (here: the focus leaves too).
    proxy.setRefusing(true);
    proxy.cutAll();
    focus.close();
    focus = null;
    awaitTrue(() -> !bridge.isJoined());
    awaitTrue(() -> proxy.refused() >= 3); // reconnection attempts every 300 ms keep failing
    assertThat(bridge.isJoined()).isFalse();
    assertThat(bridge.stats().get("mucs_joined")).isEqualTo(0);

    proxy.setRefusing(false);
    awaitTrue(bridge::isJoined); // the room is created again by whoever comes first: the bridge
    focus = new FocusClient(brewery);
    focus.awaitStats(nickname, s -> stat(s, "healthy", "true"), WAIT);
    var b = request(bridgeJid, UUID.randomUUID().toString()).setCreate(true);
    b.addEndpoint(createEndpoint("ep1", true));
    assertThat(focus.request(b.build())).isInstanceOf(ConferenceModifiedIQ.class);
  }
}
