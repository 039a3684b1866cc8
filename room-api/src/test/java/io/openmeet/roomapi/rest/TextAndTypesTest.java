package io.openmeet.roomapi.rest;

import static io.openmeet.roomapi.support.Api.createPublicRoom;
import static io.openmeet.roomapi.support.Api.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.openmeet.roomapi.support.Api;
import io.openmeet.roomapi.support.TestTokens;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Human text at REST: one policy for room names, display names and user names (typed error {@code
 * invalid-text}, nothing stored); JSON types as they are written (no coercion); lone surrogates and
 * invalid UTF-8 refused.
 */
@QuarkusTest
class TextAndTypesTest {

  @TestHTTPResource("/api/rooms")
  URL roomsUrl;

  /** JSON string contents (escaped where JSON needs it) the policy refuses. */
  static final List<String> REFUSED =
      List.of(
          "\\u0007", // BEL
          "\\u0000", // NUL
          "\\u001b", // ESC
          "\\t",
          "\\n",
          "\\u007f", // DEL
          "\u0085", // NEL (C1), raw
          "\\u009f", // APC (C1)
          "\\u202e", // RIGHT-TO-LEFT OVERRIDE
          "\u2066", // LEFT-TO-RIGHT ISOLATE, raw
          "\\u200b", // ZERO WIDTH SPACE
          "\\ufeff", // BOM / ZERO WIDTH NO-BREAK SPACE
          "\\u2028", // LINE SEPARATOR
          "\\ufdd0", // noncharacter
          "\\ufffe",
          "\\uffff",
          "\\udbff\\udfff"); // U+10FFFF, the last noncharacter

  private static void assertInvalidText(Response r, String field) {
    assertThat(r.statusCode()).as(r.asString()).isEqualTo(400);
    assertThat(r.contentType()).startsWith("application/problem+json");
    assertThat(r.jsonPath().getString("code")).isEqualTo("invalid-text");
    assertThat(r.jsonPath().getString("type")).endsWith("/invalid-text");
    assertThat(r.jsonPath().getList("errors.field", String.class)).containsExactly(field);
    assertThat(r.jsonPath().getString("detail")).startsWith(field + ": ").contains("U+");
  }

  private static long rooms(String admin) {
    return json(admin)
        .get("/api/rooms?size=1")
        .then()
        .statusCode(200)
        .extract()
        .jsonPath()
        .getLong("total");
  }

  @Test
  void room_and_display_names_with_a_refused_character_are_invalid_text_and_nothing_is_stored() {
    String admin = TestTokens.admin();
    var room = createPublicRoom();
    String id = room.getString("id");
    String slug = room.getString("slug");
    String moderator = room.getString("token");
    long before = rooms(admin);
    for (String c : REFUSED) {
      assertInvalidText(
          json().body("{\"name\":\"Daily " + c + " standup\"}").post("/api/rooms"), "name");
      assertInvalidText(
          json().body("{\"name\":\"ok\",\"displayName\":\"A" + c + "da\"}").post("/api/rooms"),
          "displayName");
      assertInvalidText(
          json(moderator).body("{\"name\":\"Re" + c + "named\"}").patch("/api/rooms/" + id),
          "name");
      assertInvalidText(
          json().body("{\"displayName\":\"A" + c + "da\"}").post("/api/rooms/" + slug + "/tokens"),
          "displayName");
      assertInvalidText(
          json(admin)
              .body(
                  "{\"email\":\"u-"
                      + UUID.randomUUID()
                      + "@example.org\",\"name\":\"A"
                      + c
                      + "da\"}")
              .post("/api/users"),
          "name");
    }
    assertThat(rooms(admin)).isEqualTo(before);
    json().get("/api/rooms/" + id).then().statusCode(200);
    assertThat(json().get("/api/rooms/" + id).jsonPath().getString("name"))
        .isEqualTo(room.getString("name"));
  }

  @Test
  void names_are_trimmed_normalised_and_counted_in_characters() throws Exception {
    var created = Api.createRoom(Map.of("name", "  Jose\u0301's room  "));
    assertThat(created.getString("name")).isEqualTo("José's room");
    String emoji = "\uD83D\uDE00";
    assertThat(Api.createRoom(Map.of("name", emoji.repeat(200))).getString("name"))
        .isEqualTo(emoji.repeat(200));
    assertInvalidTextTooLong(json().body(Map.of("name", emoji.repeat(201))).post("/api/rooms"));
    String slug = created.getString("slug");
    var token =
        json()
            .body(Map.of("displayName", "\uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67 Zoë"))
            .post("/api/rooms/" + slug + "/tokens");
    assertThat(token.statusCode()).as(token.asString()).isEqualTo(200);
    assertThat(
            new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(TestTokens.part(token.jsonPath().getString("token"), 1))
                .at("/context/user/name")
                .asText())
        .isEqualTo("\uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67 Zo\u00EB");
    assertInvalidTextTooLong(
        json().body(Map.of("displayName", "x".repeat(65))).post("/api/rooms/" + slug + "/tokens"));
  }

  private static void assertInvalidTextTooLong(Response r) {
    assertThat(r.statusCode()).as(r.asString()).isEqualTo(400);
    assertThat(r.jsonPath().getString("code")).isEqualTo("invalid-text");
    assertThat(r.jsonPath().getString("errors[0].message")).startsWith("too-long");
  }

  @Test
  void json_scalars_are_never_coerced() {
    String admin = TestTokens.admin();
    long before = rooms(admin);
    String slug = createPublicRoom().getString("slug");
    Map<String, String> bodies =
        Map.of(
            "{\"name\":5}", "name",
            "{\"name\":true}", "name",
            "{\"name\":1.5}", "name",
            "{\"name\":\"ok\",\"maxParticipants\":\"12\"}", "maxParticipants",
            "{\"name\":\"ok\",\"maxParticipants\":12.5}", "maxParticipants",
            "{\"name\":\"ok\",\"maxParticipants\":\"\"}", "maxParticipants",
            "{\"name\":\"ok\",\"lobbyEnabled\":\"true\"}", "lobbyEnabled",
            "{\"name\":\"ok\",\"lobbyEnabled\":1}", "lobbyEnabled",
            "{\"name\":\"ok\",\"access\":1}", "access",
            "{\"name\":\"ok\",\"region\":7}", "region");
    bodies.forEach(
        (body, field) -> {
          Response r = json().body(body).post("/api/rooms");
          assertThat(r.statusCode()).as(body + " -> " + r.asString()).isEqualTo(400);
          assertThat(r.jsonPath().getString("code")).isEqualTo("validation-failed");
          assertThat(r.jsonPath().getList("errors.field", String.class)).containsExactly(field);
        });
    Response r = json().body("{\"name\":5}").post("/api/rooms");
    assertThat(r.jsonPath().getString("errors[0].message")).isEqualTo("must be a string");
    r = json().body("{\"name\":\"ok\",\"maxParticipants\":\"12\"}").post("/api/rooms");
    assertThat(r.jsonPath().getString("errors[0].message")).isEqualTo("must be an integer");
    r = json().body("{\"displayName\":42}").post("/api/rooms/" + slug + "/tokens");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.jsonPath().getList("errors.field", String.class)).containsExactly("displayName");
    r =
        json(admin)
            .body("{\"admin\":\"true\"}")
            .post("/api/users/" + UUID.randomUUID() + "/tokens");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.jsonPath().getList("errors.field", String.class)).containsExactly("admin");
    // an integer is still an integer
    assertThat(
            Api.createRoom(Map.of("name", "ok", "maxParticipants", 12)).getInt("maxParticipants"))
        .isEqualTo(12);
    assertThat(rooms(admin)).isEqualTo(before + 2);
  }

  @Test
  void a_lone_surrogate_is_refused_in_any_string_even_a_password() {
    String admin = TestTokens.admin();
    long before = rooms(admin);
    for (String body :
        List.of(
            "{\"name\":\"a\\ud800b\"}",
            "{\"name\":\"a\\udc00\"}",
            "{\"name\":\"ok\",\"access\":\"password\",\"password\":\"secret\\ud83d\"}",
            "{\"name\":\"ok\",\"region\":\"\\udfff\"}")) {
      Response r = json().body(body).post("/api/rooms");
      assertThat(r.statusCode()).as(body + " -> " + r.asString()).isEqualTo(400);
      assertThat(r.jsonPath().getString("code")).isIn("validation-failed", "invalid-text");
      assertThat(r.asString()).contains("lone surrogate");
    }
    assertThat(rooms(admin)).isEqualTo(before);
  }

  @Test
  void a_body_that_is_not_utf_8_is_malformed_json() throws Exception {
    byte[] latin1 =
        "{\"name\":\"caf\u00e9\"}".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(roomsUrl.toURI())
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(latin1))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(r.body()).contains("malformed-json");
  }
}
