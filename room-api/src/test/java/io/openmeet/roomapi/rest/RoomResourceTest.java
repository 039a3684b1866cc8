package io.openmeet.roomapi.rest;

import static io.openmeet.roomapi.support.Api.createPublicRoom;
import static io.openmeet.roomapi.support.Api.createRoom;
import static io.openmeet.roomapi.support.Api.createUser;
import static io.openmeet.roomapi.support.Api.json;
import static io.openmeet.roomapi.support.Api.uniqueName;
import static io.openmeet.roomapi.support.Api.userToken;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import io.openmeet.roomapi.support.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.smallrye.jwt.auth.principal.JWTParser;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.Map;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

@QuarkusTest
class RoomResourceTest {

  @Inject RedissonClient redis;
  @Inject JWTParser parser;

  private Map<String, String> roomHash(String id) {
    return redis.<String, String>getMap("room:" + id, StringCodec.INSTANCE).readAllMap();
  }

  @Test
  void creating_a_room_answers_201_with_urls_and_a_moderator_token_and_writes_the_redis_hash()
      throws Exception {
    var response =
        json()
            .body(
                Map.of(
                    "name",
                    "Weekly Sync ✓",
                    "maxParticipants",
                    8,
                    "region",
                    "eu-west",
                    "lobbyEnabled",
                    true))
            .post("/api/rooms")
            .then()
            .statusCode(201)
            .extract();
    JsonPath room = response.jsonPath();
    String id = room.getString("id");
    String slug = room.getString("slug");
    assertThat(response.header("Location")).endsWith("/api/rooms/" + id);
    assertThat(slug).matches("weekly-sync-[a-z0-9]{8}");
    assertThat(room.getString("access")).isEqualTo("public");
    assertThat(room.getInt("maxParticipants")).isEqualTo(8);
    assertThat(room.getBoolean("lobbyEnabled")).isTrue();
    assertThat(room.getString("joinUrl")).isEqualTo("http://127.0.0.1:8080/" + slug);
    assertThat(room.getString("signallingUrl"))
        .isEqualTo("ws://127.0.0.1:8080/api/signalling/" + slug);
    assertThat(room.getString("passwordHash")).isNull();

    Map<String, String> hash = roomHash(id);
    assertThat(hash)
        .containsEntry("slug", slug)
        .containsEntry("name", "Weekly Sync ✓")
        .containsEntry("access", "public")
        .containsEntry("maxParticipants", "8")
        .containsEntry("lobbyEnabled", "true")
        .containsEntry("region", "eu-west");

    // round trip: the token verifies with the public key, independently and through smallrye-jwt
    String token = room.getString("token");
    assertThat(TestTokens.signatureValid(token)).isTrue();
    assertThat(TestTokens.part(token, 0)).contains("\"RS256\"");
    JsonWebToken jwt = parser.parse(token);
    assertThat(jwt.getIssuer()).isEqualTo("openmeet");
    assertThat(jwt.getAudience()).containsExactly("openmeet");
    assertThat(jwt.getSubject()).isEqualTo("meet.local");
    assertThat(jwt.<Object>getClaim("room").toString()).contains(slug);
    assertThat(jwt.<Object>getClaim("moderator").toString()).isEqualTo("true");
    assertThat(jwt.<Object>getClaim("nbf")).isNotNull();
    assertThat(jwt.getExpirationTime()).isGreaterThan(Instant.now().getEpochSecond());
    assertThat(TestTokens.part(token, 1)).contains("\"context\":{\"user\":{\"id\":\"guest-");
  }

  @Test
  void a_room_reads_by_id_and_by_slug_without_its_password() {
    var created =
        createRoom(
            Map.of("name", uniqueName("Secret"), "access", "password", "password", "hunter22"));
    String id = created.getString("id");
    String slug = created.getString("slug");
    for (String key : new String[] {id, slug}) {
      json()
          .get("/api/rooms/" + key)
          .then()
          .statusCode(200)
          .body("id", equalTo(id))
          .body("slug", equalTo(slug))
          .body("access", equalTo("password"))
          .body("active", equalTo(true))
          .body("$", not(org.hamcrest.Matchers.hasKey("password")))
          .body("$", not(org.hamcrest.Matchers.hasKey("passwordHash")));
    }
  }

  @Test
  void the_token_of_the_returned_moderator_may_patch_and_close_its_room() {
    var created = createPublicRoom();
    String id = created.getString("id");
    String token = created.getString("token");

    json(token)
        .body(Map.of("name", "Renamed", "maxParticipants", 30, "lobbyEnabled", true))
        .patch("/api/rooms/" + id)
        .then()
        .statusCode(200)
        .body("name", equalTo("Renamed"))
        .body("maxParticipants", equalTo(30))
        .body("lobbyEnabled", equalTo(true));
    assertThat(roomHash(id))
        .containsEntry("name", "Renamed")
        .containsEntry("maxParticipants", "30");

    json(token).delete("/api/rooms/" + id).then().statusCode(204);
    assertThat(roomHash(id)).isEmpty();
    json().get("/api/rooms/" + id).then().statusCode(200).body("active", equalTo(false));
    // closing twice is harmless, changing a closed room is not allowed
    json(token).delete("/api/rooms/" + id).then().statusCode(204);
    json(token)
        .body(Map.of("name", "Again"))
        .patch("/api/rooms/" + id)
        .then()
        .statusCode(410)
        .body("code", equalTo("room-closed"));
    json()
        .body(Map.of("displayName", "Late"))
        .post("/api/rooms/" + id + "/tokens")
        .then()
        .statusCode(410);
  }

  @Test
  void changing_access_to_password_needs_a_password_and_then_guards_tokens() {
    var created = createPublicRoom();
    String id = created.getString("id");
    String token = created.getString("token");
    json(token)
        .body(Map.of("access", "password"))
        .patch("/api/rooms/" + id)
        .then()
        .statusCode(400)
        .body("errors.field", hasItem("password"));
    json(token)
        .body(Map.of("access", "password", "password", "opensesame"))
        .patch("/api/rooms/" + id)
        .then()
        .statusCode(200)
        .body("access", equalTo("password"));
    json()
        .body(Map.of("displayName", "Guest", "password", "opensesame"))
        .post("/api/rooms/" + id + "/tokens")
        .then()
        .statusCode(200);
    json()
        .body(Map.of("displayName", "Guest", "password", "nope-nope"))
        .post("/api/rooms/" + id + "/tokens")
        .then()
        .statusCode(403)
        .body("code", equalTo("wrong-password"));
  }

  @Test
  void guests_get_a_join_token_for_a_public_room_by_id_or_slug() throws Exception {
    var created = createPublicRoom();
    String slug = created.getString("slug");
    JsonPath answer =
        json()
            .body(Map.of("displayName", "Ada"))
            .post("/api/rooms/" + slug + "/tokens")
            .then()
            .statusCode(200)
            .body("moderator", equalTo(false))
            .body("slug", equalTo(slug))
            .extract()
            .jsonPath();
    String token = answer.getString("token");
    assertThat(TestTokens.signatureValid(token)).isTrue();
    JsonWebToken jwt = parser.parse(token);
    assertThat(jwt.<Object>getClaim("room").toString()).contains(slug);
    assertThat(jwt.<Object>getClaim("moderator").toString()).isEqualTo("false");
    assertThat(TestTokens.part(token, 1)).contains("\"name\":\"Ada\"");

    json()
        .body(Map.of("displayName", "Bob"))
        .post("/api/rooms/" + created.getString("id") + "/tokens")
        .then()
        .statusCode(200);
  }

  @Test
  void password_rooms_need_the_right_password() {
    var created =
        createRoom(
            Map.of(
                "name", uniqueName("Locked"), "access", "password", "password", "correct horse"));
    String id = created.getString("id");
    json()
        .body(Map.of("displayName", "Eve"))
        .post("/api/rooms/" + id + "/tokens")
        .then()
        .statusCode(403)
        .contentType("application/problem+json")
        .body("code", equalTo("wrong-password"));
    json()
        .body(Map.of("displayName", "Eve", "password", "battery staple"))
        .post("/api/rooms/" + id + "/tokens")
        .then()
        .statusCode(403)
        .body("code", equalTo("wrong-password"));
    json()
        .body(Map.of("displayName", "Ann", "password", "correct horse"))
        .post("/api/rooms/" + id + "/tokens")
        .then()
        .statusCode(200)
        .body("moderator", equalTo(false));
    // the moderator skips the password
    json(created.getString("token"))
        .body(Map.of("displayName", "Host"))
        .post("/api/rooms/" + id + "/tokens")
        .then()
        .statusCode(200)
        .body("moderator", equalTo(true));
  }

  @Test
  void invite_only_rooms_admit_invited_users_only() {
    String admin = TestTokens.admin();
    var invited = createUser(admin);
    var stranger = createUser(admin);
    var byEmail = createUser(admin);
    String invitedToken = userToken(admin, invited.getString("id"));
    String strangerToken = userToken(admin, stranger.getString("id"));
    String byEmailToken = userToken(admin, byEmail.getString("id"));

    var created = createRoom(Map.of("name", uniqueName("Board"), "access", "invite_only"));
    String id = created.getString("id");
    String moderator = created.getString("token");
    json(moderator)
        .body(Map.of("userId", invited.getString("id")))
        .post("/api/rooms/" + id + "/invites")
        .then()
        .statusCode(201)
        .body("userId", equalTo(invited.getString("id")));
    json(moderator)
        .body(Map.of("email", byEmail.getString("email").toUpperCase()))
        .post("/api/rooms/" + id + "/invites")
        .then()
        .statusCode(201)
        .body("email", equalTo(byEmail.getString("email")));
    json(moderator)
        .get("/api/rooms/" + id + "/invites")
        .then()
        .statusCode(200)
        .body("size()", equalTo(2));

    json()
        .body(Map.of("displayName", "Anon"))
        .post("/api/rooms/" + id + "/tokens")
        .then()
        .statusCode(401)
        .body("code", equalTo("unauthorized"));
    json(strangerToken)
        .body(Map.of())
        .post("/api/rooms/" + id + "/tokens")
        .then()
        .statusCode(403)
        .body("code", equalTo("not-invited"));
    json(invitedToken)
        .body(Map.of())
        .post("/api/rooms/" + id + "/tokens")
        .then()
        .statusCode(200)
        .body("moderator", equalTo(false));
    json(byEmailToken)
        .body(Map.of("displayName", "Mail"))
        .post("/api/rooms/" + id + "/tokens")
        .then()
        .statusCode(200);
    // a guest join token of another room is no invitation either
    String otherJoin =
        json()
            .body(Map.of("displayName", "X"))
            .post("/api/rooms/" + createPublicRoom().getString("id") + "/tokens")
            .then()
            .statusCode(200)
            .extract()
            .path("token");
    json(otherJoin)
        .body(Map.of("displayName", "X"))
        .post("/api/rooms/" + id + "/tokens")
        .then()
        .statusCode(401);
  }

  @Test
  void a_user_token_creates_rooms_it_owns_and_lists_only_those() {
    String admin = TestTokens.admin();
    var user = createUser(admin);
    String token = userToken(admin, user.getString("id"));
    String id =
        json(token)
            .body(Map.of("name", uniqueName("Mine")))
            .post("/api/rooms")
            .then()
            .statusCode(201)
            .extract()
            .path("id");
    createPublicRoom();

    json(token)
        .get("/api/rooms?size=100")
        .then()
        .statusCode(200)
        .body("total", equalTo(1))
        .body("items.id", org.hamcrest.Matchers.contains(id));
    // the owner's user token manages the room without its moderator join token
    json(token).body(Map.of("lobbyEnabled", true)).patch("/api/rooms/" + id).then().statusCode(200);
    // and gets a moderator join token
    json(token)
        .body(Map.of())
        .post("/api/rooms/" + id + "/tokens")
        .then()
        .statusCode(200)
        .body("moderator", equalTo(true));
  }

  @Test
  void administrators_list_all_rooms_paged_and_filtered() {
    String admin = TestTokens.admin();
    var open = createPublicRoom();
    var closed = createPublicRoom();
    json(closed.getString("token"))
        .delete("/api/rooms/" + closed.getString("id"))
        .then()
        .statusCode(204);

    json(admin)
        .get("/api/rooms?active=false&size=100")
        .then()
        .statusCode(200)
        .body("items.active", everyItem(equalTo(false)))
        .body("items.id", hasItem(closed.getString("id")));
    json(admin)
        .get("/api/rooms?active=true&size=100")
        .then()
        .statusCode(200)
        .body("items.active", everyItem(equalTo(true)))
        .body("items.id", not(hasItem(closed.getString("id"))));
    json(admin)
        .get("/api/rooms?page=0&size=1")
        .then()
        .statusCode(200)
        .body("items.size()", equalTo(1))
        .body("size", equalTo(1))
        .body("total", org.hamcrest.Matchers.greaterThanOrEqualTo(2));
    assertThat(open.getString("id")).isNotBlank();
    json().get("/api/rooms").then().statusCode(401).contentType("application/problem+json");
  }
}
