package io.openmeet.roomapi.rest;

import static io.openmeet.roomapi.support.Api.createPublicRoom;
import static io.openmeet.roomapi.support.Api.json;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.startsWith;

import io.openmeet.roomapi.support.TestTokens;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/** Every kind of bad input gets the right 4xx as problem+json, and changes nothing. */
@QuarkusTest
class BadInputTest {

  @Inject RedissonClient redis;

  @TestHTTPResource("/api/rooms")
  URL roomsUrl;

  private static void assertProblem(Response r, int status, String code) {
    assertThat(r.statusCode()).as(r.asString()).isEqualTo(status);
    assertThat(r.contentType()).startsWith("application/problem+json");
    assertThat(r.jsonPath().getInt("status")).isEqualTo(status);
    assertThat(r.jsonPath().getString("title")).isNotBlank();
    assertThat(r.jsonPath().getString("detail")).isNotBlank();
    if (code != null) {
      assertThat(r.jsonPath().getString("code")).isEqualTo(code);
      assertThat(r.jsonPath().getString("type")).endsWith("/" + code);
    }
  }

  private static long count(String admin, String query) {
    return json(admin)
        .get("/api/rooms?size=1" + query)
        .then()
        .statusCode(200)
        .extract()
        .jsonPath()
        .getLong("total");
  }

  @Test
  void malformed_json_is_a_400_and_creates_nothing() {
    String admin = TestTokens.admin();
    long before = count(admin, "");
    Response r = json().body("{\"name\": \"x\",").post("/api/rooms");
    assertProblem(r, 400, "malformed-json");
    assertProblem(json().body("not json at all").post("/api/rooms"), 400, "malformed-json");
    assertProblem(json().body("[1,2,3]").post("/api/rooms"), 400, "validation-failed");
    assertThat(count(admin, "")).isEqualTo(before);
  }

  @Test
  void a_key_given_twice_is_malformed_json_on_every_body() {
    // each was a 500 (Jackson's "No fallback setter/field defined for creator property")
    String admin = TestTokens.admin();
    String room = createPublicRoom().getString("id");
    long before = count(admin, "");
    assertProblem(
        json()
            .body("{\"name\":\"a\",\"maxParticipants\":4,\"maxParticipants\":5}")
            .post("/api/rooms"),
        400,
        "malformed-json");
    assertProblem(
        json().body("{\"name\":\"a\",\"name\":\"b\"}").post("/api/rooms"), 400, "malformed-json");
    assertProblem(
        json()
            .body("{\"displayName\":\"a\",\"password\":\"x\",\"password\":\"y\"}")
            .post("/api/rooms/" + room + "/tokens"),
        400,
        "malformed-json");
    assertProblem(
        json(admin)
            .body("{\"email\":\"d@example.org\",\"name\":\"a\",\"name\":\"b\"}")
            .post("/api/users"),
        400,
        "malformed-json");
    assertProblem(
        json(admin).body("{\"name\":\"a\",\"name\":\"b\"}").patch("/api/rooms/" + room),
        400,
        "malformed-json");
    assertThat(count(admin, "")).isEqualTo(before);
  }

  @Test
  void validation_errors_list_every_bad_field() {
    Response r =
        json()
            .body(Map.of("name", " ", "maxParticipants", 1, "region", "EU WEST", "password", "x"))
            .post("/api/rooms");
    assertProblem(r, 400, "validation-failed");
    assertThat(r.jsonPath().getList("errors.field", String.class))
        .contains("name", "maxParticipants", "region", "password");

    r = json().body(Map.of("name", "ok", "maxParticipants", 101)).post("/api/rooms");
    assertProblem(r, 400, "validation-failed");
    assertThat(r.jsonPath().getList("errors.field", String.class))
        .containsExactly("maxParticipants");

    // wrong types and unknown enum values name their field too
    r = json().body("{\"name\":\"ok\",\"maxParticipants\":\"lots\"}").post("/api/rooms");
    assertProblem(r, 400, "validation-failed");
    assertThat(r.jsonPath().getList("errors.field", String.class))
        .containsExactly("maxParticipants");
    r = json().body("{\"name\":\"ok\",\"access\":\"secret\"}").post("/api/rooms");
    assertProblem(r, 400, "validation-failed");
    assertThat(r.jsonPath().getList("errors.field", String.class)).containsExactly("access");
    assertThat(r.jsonPath().getString("errors[0].message")).contains("public");

    // a password room needs a password, other rooms must not get one
    r = json().body(Map.of("name", "ok", "access", "password")).post("/api/rooms");
    assertProblem(r, 400, "validation-failed");
    assertThat(r.jsonPath().getList("errors.field", String.class)).containsExactly("password");
    r = json().body(Map.of("name", "ok", "password", "abcdef")).post("/api/rooms");
    assertProblem(r, 400, "validation-failed");

    // no body at all
    assertProblem(json().post("/api/rooms"), 400, "validation-failed");
    // bad query parameters
    r = json(TestTokens.admin()).get("/api/rooms?page=-1&size=abc&active=maybe");
    assertProblem(r, 400, "validation-failed");
  }

  @Test
  void oversized_bodies_are_a_413_whether_declared_or_streamed() throws Exception {
    String admin = TestTokens.admin();
    long before = count(admin, "");
    String big = "{\"name\":\"" + "a".repeat(70_000) + "\"}";
    assertProblem(json().body(big).post("/api/rooms"), 413, "payload-too-large");
    // above the HTTP layer's old 1 MiB cap: still our problem document, not a bare 413
    String huge = "{\"name\":\"" + "a".repeat(2_000_000) + "\"}";
    assertProblem(json().body(huge).post("/api/rooms"), 413, "payload-too-large");

    // chunked (a stream of unknown length, so no Content-Length): the limit applies while reading
    for (String body : List.of(big, huge)) {
      HttpRequest request =
          HttpRequest.newBuilder(roomsUrl.toURI())
              .header("Content-Type", "application/json")
              .POST(
                  HttpRequest.BodyPublishers.ofInputStream(
                      () -> new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8))))
              .build();
      HttpResponse<String> r =
          HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(413);
      assertThat(r.headers().firstValue("Content-Type").orElse(""))
          .startsWith("application/problem+json");
      assertThat(r.body()).contains("payload-too-large");
    }
    assertThat(count(admin, "")).isEqualTo(before);
  }

  @Test
  void a_413_for_a_declared_length_tells_the_client_to_close_the_connection() throws Exception {
    // its body is never read, so the connection cannot carry another request: without the header
    // a client reused it and got no answer (the fuzzer's "header parser received no bytes")
    try (Socket socket = new Socket(roomsUrl.getHost(), roomsUrl.getPort())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST /api/rooms HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                  + "Content-Length: 70000\r\n\r\n{\"name\":\"aaaa")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream response = new ByteArrayOutputStream();
      byte[] buffer = new byte[8192];
      // the whole answer, until the problem document's end (the server then waits for the body
      // the client declared; a client that honours the header sends nothing more on it)
      while (!response.toString(StandardCharsets.UTF_8).endsWith("}")) {
        int n = in.read(buffer);
        if (n < 0) {
          break;
        }
        response.write(buffer, 0, n);
      }
      String text = response.toString(StandardCharsets.UTF_8);
      assertThat(text).startsWith("HTTP/1.1 413");
      assertThat(text.toLowerCase(java.util.Locale.ROOT)).contains("connection: close");
      assertThat(text).contains("payload-too-large");
    }
  }

  @Test
  void bad_uuids_are_a_400_and_unknown_rooms_a_404() {
    String admin = TestTokens.admin();
    assertProblem(json(admin).patch("/api/rooms/not-a-uuid"), 400, null);
    assertProblem(
        json(admin).body(Map.of("name", "x")).patch("/api/rooms/not-a-uuid"), 400, "invalid-id");
    assertProblem(json(admin).delete("/api/rooms/1-1-1-1-1"), 400, "invalid-id");
    assertProblem(json(admin).get("/api/users/%zz"), 400, null);
    assertProblem(json(admin).get("/api/users/12345"), 400, "invalid-id");
    assertProblem(json(admin).get("/api/calls/xyz"), 400, "invalid-id");
    assertProblem(json(admin).get("/api/rooms/xyz/calls"), 400, "invalid-id");

    String unknown = UUID.randomUUID().toString();
    assertProblem(json().get("/api/rooms/" + unknown), 404, "room-not-found");
    assertProblem(json().get("/api/rooms/no-such-room-slug"), 404, "room-not-found");
    assertProblem(json().get("/api/rooms/NOT%20A%20SLUG!"), 404, "room-not-found");
    assertProblem(
        json().body(Map.of("displayName", "x")).post("/api/rooms/" + unknown + "/tokens"),
        404,
        "room-not-found");
    assertProblem(json(admin).delete("/api/rooms/" + unknown), 404, "room-not-found");
    assertProblem(json(admin).get("/api/users/" + unknown), 404, "user-not-found");
    assertProblem(json(admin).get("/api/calls/" + unknown), 404, "call-not-found");
    assertProblem(json().get("/api/nothing-here"), 404, "not-found");
  }

  @Test
  void wrong_methods_and_media_types_are_problems_too() {
    var r = json().put("/api/rooms");
    assertProblem(r, 405, "method-not-allowed");
    r = given().contentType(ContentType.TEXT).body("name=x").post("/api/rooms");
    assertProblem(r, 415, "unsupported-media-type");
  }

  @Test
  void forged_expired_and_misdirected_tokens_are_a_401_and_change_nothing() {
    var room = createPublicRoom();
    String id = room.getString("id");
    String slug = room.getString("slug");
    Map<String, String> hashBefore =
        redis.<String, String>getMap("room:" + id, StringCodec.INSTANCE).readAllMap();

    var claims =
        TestTokens.userClaims("u-" + UUID.randomUUID(), "Mallory", null).groups(Set.of("admin"));
    List<String> bad = new ArrayList<>();
    bad.add(TestTokens.unsignedAdmin());
    bad.add(TestTokens.signWithStrangerKey(claims));
    bad.add(
        TestTokens.signWithDevKey(
            TestTokens.userClaims("u", "M", null)
                .audience("someone-else")
                .groups(Set.of("admin"))));
    bad.add(
        TestTokens.signWithDevKey(
            TestTokens.userClaims("u", "M", null)
                .issuer("https://evil.example")
                .groups(Set.of("admin"))));
    bad.add(
        TestTokens.signWithDevKey(
            TestTokens.userClaims("u", "M", null)
                .issuedAt(System.currentTimeMillis() / 1000 - 7200)
                .expiresAt(System.currentTimeMillis() / 1000 - 3600)
                .groups(Set.of("admin"))));
    bad.add("not.a.jwt");
    bad.add("garbage");

    for (String token : bad) {
      Response r = json(token).body(Map.of("name", "hijacked")).patch("/api/rooms/" + id);
      assertProblem(r, 401, "invalid-token");
      assertThat(r.header("WWW-Authenticate")).startsWith("Bearer");
      assertProblem(json(token).get("/api/users"), 401, "invalid-token");
      assertProblem(json(token).delete("/api/rooms/" + id), 401, "invalid-token");
      assertProblem(json(token).body(Map.of("name", "x")).post("/api/rooms"), 401, "invalid-token");
    }
    json()
        .get("/api/rooms/" + id)
        .then()
        .statusCode(200)
        .body("name", equalTo(room.getString("name")))
        .body("active", equalTo(true))
        .body("slug", equalTo(slug));
    assertThat(redis.<String, String>getMap("room:" + id, StringCodec.INSTANCE).readAllMap())
        .isEqualTo(hashBefore);
  }

  @Test
  void a_moderator_token_for_another_room_is_a_403_and_changes_nothing() {
    var mine = createPublicRoom();
    var theirs = createPublicRoom();
    String theirId = theirs.getString("id");
    String myToken = mine.getString("token");
    assertProblem(
        json(myToken).body(Map.of("name", "taken over")).patch("/api/rooms/" + theirId),
        403,
        "forbidden");
    assertProblem(json(myToken).delete("/api/rooms/" + theirId), 403, "forbidden");
    assertProblem(json(myToken).get("/api/rooms/" + theirId + "/calls"), 403, "forbidden");
    assertProblem(
        json(myToken)
            .body(Map.of("email", "x@example.org"))
            .post("/api/rooms/" + theirId + "/invites"),
        403,
        "forbidden");
    // a guest (non-moderator) token of the room itself may not manage it either
    String guest =
        json()
            .body(Map.of("displayName", "G"))
            .post("/api/rooms/" + theirId + "/tokens")
            .then()
            .statusCode(200)
            .extract()
            .path("token");
    assertProblem(json(guest).delete("/api/rooms/" + theirId), 403, "forbidden");
    // no token at all
    assertProblem(json().delete("/api/rooms/" + theirId), 401, "unauthorized");

    json()
        .get("/api/rooms/" + theirId)
        .then()
        .statusCode(200)
        .body("name", equalTo(theirs.getString("name")))
        .body("active", equalTo(true));
    // a join token is bound to its room: it cannot masquerade as a token of the other room
    assertThat(TestTokens.part(myToken, 1)).contains(mine.getString("slug"));
  }

  @Test
  void admin_endpoints_refuse_everyone_but_admins() {
    String admin = TestTokens.admin();
    String user = TestTokens.user(UUID.randomUUID().toString(), "U", null);
    String join = createPublicRoom().getString("token");
    for (String path : List.of("/api/users", "/api/stats", "/api/users/" + UUID.randomUUID())) {
      assertProblem(json().get(path), 401, "unauthorized");
      assertProblem(json(user).get(path), 403, "forbidden");
      assertProblem(json(join).get(path), 403, "forbidden");
    }
    assertProblem(
        json(user).body(Map.of("email", "a@b.org", "name", "A")).post("/api/users"),
        403,
        "forbidden");
    assertProblem(json(user).post("/api/users/" + UUID.randomUUID() + "/tokens"), 403, "forbidden");
    json(admin).get("/api/users").then().statusCode(200);
    json(admin).get("/api/stats").then().statusCode(200);
  }

  @Test
  void no_bad_input_falls_through_to_a_500() {
    String admin = TestTokens.admin();
    String room = createPublicRoom().getString("id");
    List<Supplier<Response>> requests =
        List.of(
            () -> json().body("{").post("/api/rooms"),
            () -> json().body("{\"name\":null}").post("/api/rooms"),
            () -> json().body("{\"name\":[1]}").post("/api/rooms"),
            () ->
                json().body("{\"name\":\"x\",\"lobbyEnabled\":\"yes please\"}").post("/api/rooms"),
            () -> json().body("{\"name\":\"x\",\"maxParticipants\":1e99}").post("/api/rooms"),
            () -> json().body("\"just a string\"").post("/api/rooms"),
            () -> json().body("null").post("/api/rooms"),
            () -> json().body("{\"name\":\"" + "x".repeat(300) + "\"}").post("/api/rooms"),
            () -> json().body("{\"name\":\"\\u0000\"}").post("/api/rooms"),
            () -> json().body("{\"displayName\":{}}").post("/api/rooms/" + room + "/tokens"),
            () -> json().body("{").post("/api/rooms/" + room + "/tokens"),
            () -> json().body("{\"displayName\":\"\"}").post("/api/rooms/" + room + "/tokens"),
            () -> json().body(Map.of("displayName", "x")).post("/api/rooms/%00/tokens"),
            () -> json(admin).body("{\"email\":\"nope\",\"name\":\"\"}").post("/api/users"),
            () ->
                json(admin)
                    .body("{\"email\":\"a@b.org\",\"name\":\"n\",\"avatarUrl\":\"javascript:x\"}")
                    .post("/api/users"),
            () -> json(admin).body("{").post("/api/users"),
            () ->
                json(admin)
                    .body("{\"admin\":\"sure\"}")
                    .post("/api/users/" + UUID.randomUUID() + "/tokens"),
            () -> json(admin).body("{\"maxParticipants\":-5}").patch("/api/rooms/" + room),
            () -> json(admin).body("{\"access\":7}").patch("/api/rooms/" + room),
            () -> json(admin).body("{\"userId\":\"nope\"}").post("/api/rooms/" + room + "/invites"),
            () -> json(admin).body("{}").post("/api/rooms/" + room + "/invites"),
            () ->
                json(admin)
                    .body("{\"userId\":\"" + UUID.randomUUID() + "\"}")
                    .post("/api/rooms/" + room + "/invites"),
            () -> json(admin).get("/api/stats?days=0"),
            () -> json(admin).get("/api/stats?days=lots"),
            () -> json(admin).get("/api/rooms?size=1000"),
            () -> json(admin).get("/api/rooms/" + room + "/calls?page=x"),
            () -> json().header("Authorization", "Basic YTpi").get("/api/users"),
            () -> json().header("Authorization", "Bearer").get("/api/users"),
            () -> given().accept("application/xml").get("/api/rooms/" + room));
    int i = 0;
    for (Supplier<Response> request : requests) {
      Response r = request.get();
      assertThat(r.statusCode()).as("request #%d answered %s", i, r.asString()).isBetween(400, 499);
      assertThat(r.contentType()).as("request #%d", i).startsWith("application/problem+json");
      i++;
    }
  }

  @Test
  void duplicate_emails_are_a_409_and_the_first_user_stays() {
    String admin = TestTokens.admin();
    String email = "dup-" + UUID.randomUUID() + "@example.org";
    String id =
        json(admin)
            .body(Map.of("email", email, "name", "First"))
            .post("/api/users")
            .then()
            .statusCode(201)
            .extract()
            .path("id");
    Response r =
        json(admin).body(Map.of("email", email.toUpperCase(), "name", "Second")).post("/api/users");
    assertProblem(r, 409, "email-taken");
    json(admin).get("/api/users/" + id).then().statusCode(200).body("name", equalTo("First"));
  }

  @Test
  void problem_documents_carry_the_request_path() {
    json()
        .get("/api/rooms/" + UUID.randomUUID())
        .then()
        .statusCode(404)
        .body("instance", startsWith("/api/rooms/"))
        .body("type", containsString("room-not-found"));
    json()
        .body(Map.of("name", ""))
        .post("/api/rooms")
        .then()
        .body("errors.field", hasItem("name"))
        .body("errors.message", hasItems(org.hamcrest.Matchers.notNullValue()));
  }
}
