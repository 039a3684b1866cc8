package io.openmeet.roomapi.metrics;

import static io.openmeet.roomapi.support.Api.createPublicRoom;
import static io.openmeet.roomapi.support.Api.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.openmeet.roomapi.support.Metrics;
import io.openmeet.roomapi.support.RawWebSocket;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.net.URI;
import java.net.URL;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * /q/metrics holds no room slug, room id or raw request path: a room's visitors and anyone probing
 * paths add no label values.
 */
@QuarkusTest
class MetricsHygieneTest {

  @TestHTTPResource(value = "metrics", management = true)
  URL metrics;

  private static final Pattern URI_LABEL = Pattern.compile("uri=\"([^\"]*)\"");

  private String metrics() {
    return Metrics.text(metrics);
  }

  private static Set<String> uriLabels(String text) {
    Set<String> values = new TreeSet<>();
    Matcher m = URI_LABEL.matcher(text);
    while (m.find()) {
      values.add(m.group(1));
    }
    return values;
  }

  /** Visits a room every way a browser or a prober can, and some paths that do not exist. */
  private static void visit(String slug, String id, String marker) throws Exception {
    json().get("/api/rooms/" + slug);
    json().get("/api/rooms/" + id);
    json().body(Map.of("displayName", "Ada")).post("/api/rooms/" + slug + "/tokens");
    RestAssured.get("/" + slug);
    RestAssured.get("/r/" + slug);
    RestAssured.head("/" + slug + "/");
    try (RawWebSocket ws =
        RawWebSocket.open(
            URI.create("ws://127.0.0.1:" + RestAssured.port + "/api/signalling/" + slug), null)) {
      ws.close();
    }
    RestAssured.get("/" + marker);
    RestAssured.get("/api/" + marker);
    RestAssured.get("/q/" + marker);
    RestAssured.get("/api/rooms/" + marker + "/nothing/below");
    json().body("{}").post("/" + marker);
    RestAssured.given().header("Origin", "https://evil.example").get("/" + marker + "-cors");
    RestAssured.given().header("Origin", "https://evil.example").get("/api/rooms/" + slug);
    RestAssured.given()
        .header("Origin", "https://evil.example")
        .header("Access-Control-Request-Method", "POST")
        .options("/" + marker + "-preflight");
  }

  @Test
  void visiting_a_room_and_probing_paths_leave_no_slug_and_no_path_in_the_labels()
      throws Exception {
    var room = createPublicRoom();
    String slug = room.getString("slug");
    String id = room.getString("id");
    String marker = "probe-" + UUID.randomUUID().toString().substring(0, 8);
    visit(slug, id, marker);
    String text = metrics();
    assertThat(text).doesNotContain(slug).doesNotContain(id).doesNotContain(marker);

    // More rooms and more probes add no new uri values: the label set is bounded.
    Set<String> before = uriLabels(text);
    for (int i = 0; i < 5; i++) {
      var other = createPublicRoom();
      visit(
          other.getString("slug"),
          other.getString("id"),
          "probe-" + UUID.randomUUID().toString().substring(0, 8));
    }
    assertThat(uriLabels(metrics())).isEqualTo(before);
    // The templates are still there, and what is not a template is one value.
    assertThat(before)
        .contains("/api/rooms", "/api/rooms/{idOrSlug}", "/api/rooms/{idOrSlug}/tokens", "other");
  }

  @Test
  void an_unknown_http_method_is_one_label_value() {
    String marker = "PROBE" + UUID.randomUUID().toString().substring(0, 8).toUpperCase();
    RestAssured.request(marker, "/api/rooms");
    String text = metrics();
    assertThat(text).doesNotContain(marker).contains("method=\"other\"");
  }

  @Test
  void metrics_are_on_the_management_port_only() {
    RestAssured.get("/q/metrics").then().statusCode(404);
    assertThat(metrics.getPath()).isEqualTo("/q/metrics");
    assertThat(metrics.getPort()).isNotEqualTo(RestAssured.port);
    assertThat(metrics()).contains("http_server_requests_seconds_count");
    // health stays on the main port for the probes
    RestAssured.get("/q/health/live").then().statusCode(200);
  }
}
