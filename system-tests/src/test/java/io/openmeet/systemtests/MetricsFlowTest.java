package io.openmeet.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.openmeet.litebridge.LiteBridge;
import io.openmeet.litebridge.config.BridgeConfig;
import io.openmeet.litebridge.media.Ice4jMediaEngine;
import io.openmeet.loadgen.RoomApiClient;
import io.openmeet.loadgen.SdpExchange;
import io.openmeet.loadgen.SignallingClient;
import io.openmeet.testkit.SyntheticEndpoint;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The node's Prometheus metrics move with a real join: the packaged room-api, a real lite-bridge in
 * its brewery and one browser-like participant. Bridge gauges come from the bridge's periodic
 * brewery presence, so they are polled with a deadline.
 */
class MetricsFlowTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Duration PRESENCE = Duration.ofSeconds(30);
  private static final Duration CONNECT = Duration.ofSeconds(30);

  /** Documented metrics this scenario cannot make appear: they register on their first event. */
  private static final java.util.Set<String> ONLY_AFTER_A_RESUME =
      java.util.Set.of("signalling_resumes_total");

  private static RoomApiProcess api;
  private static LiteBridge bridge;
  private static RoomApiClient rest;
  private static String bridgeId;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    api = RoomApiProcess.start();
    bridgeId = RoomApiProcess.random("bridge-");
    Map<String, Object> o = new HashMap<>();
    String x = "lite-bridge.apis.xmpp-client.";
    o.put(x + "configs.test.muc_jids", api.breweryJid);
    o.put(x + "configs.test.muc_nickname", bridgeId);
    o.put(x + "presence-interval", "1 second");
    o.put("lite-bridge.http-servers.private.host", "127.0.0.1");
    o.put("lite-bridge.http-servers.private.port", 0);
    o.put("lite-bridge.ice.udp.port", 0);
    o.put("lite-bridge.ice.bind-addresses", List.of("127.0.0.1"));
    // a tiny packet budget, so that one participant's audio shows in stress_level
    o.put("lite-bridge.load-management.load-measurements.packet-rate.load-threshold", 20);
    BridgeConfig config = BridgeConfig.load(o);
    bridge =
        new LiteBridge(config, new Ice4jMediaEngine(config.media()), Clock.systemUTC(), () -> 0.0)
            .start();
    rest = api.client(HttpClient.newHttpClient());
  }

  @AfterAll
  static void stop() throws Exception {
    Closing.inOrder(bridge, api);
  }

  @Test
  void signalling_and_bridge_metrics_follow_a_participant_joining_and_leaving() throws Exception {
    String bridgeLabels = "bridge=\"" + bridgeId + "\"";
    // the focus found the bridge: its gauges exist, with nobody on it and no media yet
    Eventually.within(
        PRESENCE,
        () -> {
          String m = rest.metrics();
          assertThat(sample(m, "bridge_participants", bridgeLabels)).isEqualTo(0.0);
          assertThat(sample(m, "bridge_stress_level", bridgeLabels)).isEqualTo(0.0);
          assertThat(sample(m, "bridge_healthy", bridgeLabels)).isEqualTo(1.0);
        });
    String before = rest.metrics();
    var room = rest.createRoom("Metrics " + RoomApiProcess.random(""), "public", null, 4);
    String slug = room.path("slug").asText();

    SignallingClient signalling = Peer.join(http, api, slug, "Ada");
    SyntheticEndpoint media = null;
    try {
      String id = frame(signalling, "joined").path("participantId").asText();
      media = SyntheticEndpoint.create(id, SyntheticEndpoint.Options.loopback());
      String offer = signalling.await("offer", WAIT).json().path("sdp").asText();
      var bridgeTransport = SdpExchange.bridgeTransport(offer);
      media.connect(bridgeTransport.ice(), bridgeTransport.fingerprint());
      signalling.send("type", "answer", "sdp", SdpExchange.answer(offer, media));
      assertThat(media.awaitConnected(CONNECT)).as("connected: " + media.failure()).isTrue();

      String joined = rest.metrics();
      assertThat(sum(joined, "webrtc_active_connections"))
          .isEqualTo(sumWhere(before, "webrtc_active_connections", "") + 1);
      assertThat(sum(joined, "room_participant_count"))
          .isEqualTo(sumWhere(before, "room_participant_count", "") + 1);
      // an earlier room's conference may still be ending: only this room's is certain
      assertThat(sum(joined, "room_active_count")).isGreaterThanOrEqualTo(1.0);
      assertThat(sum(joined, "signaling_latency_ms_count"))
          .isEqualTo(sumWhere(before, "signaling_latency_ms_count", "") + 1);
      assertThat(sum(joined, "signaling_latency_ms_sum"))
          .isGreaterThan(sumWhere(before, "signaling_latency_ms_sum", ""));

      // the bridge reports the participant and, while audio flows, some stress
      SyntheticEndpoint sender = media;
      Eventually.within(
          PRESENCE,
          () -> {
            for (int i = 0; i < 10; i++) {
              sender.sendAudio(30);
            }
            String m = rest.metrics();
            assertThat(sample(m, "bridge_participants", bridgeLabels)).isEqualTo(1.0);
            assertThat(sample(m, "bridge_stress_level", bridgeLabels)).isPositive();
          });

      signalling.send("type", "leave");
    } finally {
      signalling.close();
      if (media != null) {
        media.close();
      }
    }

    Eventually.within(
        PRESENCE,
        () -> {
          String m = rest.metrics();
          assertThat(sum(m, "webrtc_active_connections"))
              .isEqualTo(sumWhere(before, "webrtc_active_connections", ""));
          assertThat(sum(m, "room_participant_count"))
              .isEqualTo(sumWhere(before, "room_participant_count", ""));
          assertThat(sample(m, "bridge_participants", bridgeLabels)).isEqualTo(0.0);
        });
  }

  @Test
  void a_refused_join_is_counted_by_reason() throws Exception {
    String slug =
        rest.createRoom("Refused " + RoomApiProcess.random(""), "public", null, 4)
            .path("slug")
            .asText();
    String label = "reason=\"invalid-token\"";
    double before = sumWhere(rest.metrics(), "room_join_failures_total", label);
    try (SignallingClient client = SignallingClient.connect(http, api.socket(slug), WAIT)) {
      client.send("type", "join", "token", "not.a.jwt", "displayName", "X");
      assertThat(client.await("error", WAIT).json().path("code").asText())
          .isEqualTo("invalid-token");
    }
    assertThat(sumWhere(rest.metrics(), "room_join_failures_total", label)).isEqualTo(before + 1);
  }

  /**
   * Every metric docs/DEPLOYMENT.md lists for room-api is on /q/metrics once a participant has
   * joined and a join was refused (the Helm chart's dashboards and alerts query only listed names,
   * see deploy-tests' MonitoringTest).
   */
  @Test
  void every_metric_the_deployment_guide_lists_is_exported() throws Exception {
    signalling_and_bridge_metrics_follow_a_participant_joining_and_leaving();
    a_refused_join_is_counted_by_reason();
    String text = rest.metrics();
    Map<String, String> documented = documentedMetrics();
    assertThat(documented).containsKeys("bridge_stress_level", "redis_command_duration_ms");
    List<String> missing = new ArrayList<>();
    documented.forEach(
        (name, type) -> {
          if (ONLY_AFTER_A_RESUME.contains(name)) {
            return;
          }
          String exposed = type.equals("histogram") ? name + "_bucket" : name;
          if (!Pattern.compile("(?m)^" + Pattern.quote(exposed) + "[ {]").matcher(text).find()) {
            missing.add(name + " (" + type + ")");
          }
        });
    assertThat(missing).as("documented but not exported").isEmpty();
  }

  /** Name → type of the rows of the metrics table in docs/DEPLOYMENT.md. */
  static Map<String, String> documentedMetrics() throws Exception {
    String doc = Files.readString(Path.of("..", "docs", "DEPLOYMENT.md"));
    Matcher row =
        Pattern.compile("(?m)^\\| `([a-z_]+)` \\| (gauge|counter|histogram) \\|").matcher(doc);
    Map<String, String> names = new java.util.LinkedHashMap<>();
    while (row.find()) {
      names.put(row.group(1), row.group(2));
    }
    return names;
  }

  private static com.fasterxml.jackson.databind.JsonNode frame(SignallingClient c, String type) {
    return c.received().stream()
        .filter(f -> f.type().equals(type))
        .findFirst()
        .orElseThrow()
        .json();
  }

  /** Sum of all samples of a metric (every label set); fails when it is not exported. */
  private static double sum(String text, String name) {
    return sumWhere(text, name, null);
  }

  /**
   * Sum of the samples of a metric whose labels contain {@code labels} ("" for all); 0 when there
   * are none (a gauge with labels appears with its first value).
   */
  private static double sumWhere(String text, String name, String labels) {
    double sum = 0;
    boolean found = false;
    for (String line : text.split("\n")) {
      if ((line.startsWith(name + " ") || line.startsWith(name + "{"))
          && (labels == null || line.contains(labels))) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        found = true;
      }
    }
    if (labels == null) {
      assertThat(found).as("metric " + name + " is exported").isTrue();
    }
    return sum;
  }

  /** The one sample of a metric with these labels; fails when there is none. */
  private static double sample(String text, String name, String labels) {
    for (String line : text.split("\n")) {
      if (line.startsWith(name + "{") && line.contains(labels)) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    throw new AssertionError("no sample " + name + "{" + labels + "}");
  }
}
