package io.openmeet.roomapi.rest;

import static io.openmeet.roomapi.support.Api.json;
import static io.openmeet.roomapi.support.Api.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;

import io.openmeet.roomapi.support.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A deployment that requires user tokens for room creation and has low rate limits (5 per minute,
 * counted under a fresh Redis namespace). One application start covers both switches.
 */
@QuarkusTest
@TestProfile(RestrictedDeploymentTest.Restricted.class)
class RestrictedDeploymentTest {

  public static class Restricted implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "openmeet.rooms.require-user-token", "true",
          "openmeet.rate-limit.room-creates", "5",
          "openmeet.rate-limit.token-requests", "5",
          "openmeet.rate-limit.window", "1m");
    }
  }

  private static void assertProblem(Response r, int status, String code) {
    assertThat(r.statusCode()).as(r.asString()).isEqualTo(status);
    assertThat(r.contentType()).startsWith("application/problem+json");
    assertThat(r.jsonPath().getString("code")).isEqualTo(code);
  }

  // one test on purpose: every step counts against the same per-address window
  @Test
  void only_user_tokens_create_rooms_and_the_sixth_attempt_in_a_window_gets_429() {
    String admin = TestTokens.admin();
    String user = TestTokens.user(UUID.randomUUID().toString(), "Uma", "uma@example.org");
    long before = json(admin).get("/api/rooms?size=1").then().extract().jsonPath().getLong("total");

    // 1: a user token creates a room
    Response created = json(user).body(Map.of("name", uniqueName("Team"))).post("/api/rooms");
    assertThat(created.statusCode()).as(created.asString()).isEqualTo(201);
    String roomId = created.jsonPath().getString("id");
    String joinToken = created.jsonPath().getString("token");
    // 2: a join token is not a user token
    assertProblem(
        json(joinToken).body(Map.of("name", uniqueName("Sneaky"))).post("/api/rooms"),
        403,
        "forbidden");
    // 3: nobody at all
    assertProblem(
        json().body(Map.of("name", uniqueName("Anon"))).post("/api/rooms"), 401, "unauthorized");
    // 4, 5: still within the limit
    for (int i = 0; i < 2; i++) {
      json(user).body(Map.of("name", uniqueName("Team"))).post("/api/rooms").then().statusCode(201);
    }
    // 6: over the limit, and nothing is created
    Response refused = json(user).body(Map.of("name", uniqueName("Team"))).post("/api/rooms");
    assertProblem(refused, 429, "rate-limited");
    assertThat(Long.parseLong(refused.header("Retry-After"))).isBetween(1L, 60L);
    long after = json(admin).get("/api/rooms?size=1").then().extract().jsonPath().getLong("total");
    assertThat(after - before).isEqualTo(3);

    // token requests are counted under their own rule
    for (int i = 0; i < 5; i++) {
      json()
          .body(Map.of("displayName", "G" + i))
          .post("/api/rooms/" + roomId + "/tokens")
          .then()
          .statusCode(200);
    }
    Response tooMany =
        json().body(Map.of("displayName", "G")).post("/api/rooms/" + roomId + "/tokens");
    assertProblem(tooMany, 429, "rate-limited");
    assertThat(tooMany.header("Retry-After")).isNotBlank();
  }
}
