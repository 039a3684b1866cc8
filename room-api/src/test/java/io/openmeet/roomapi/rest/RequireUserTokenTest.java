package io.openmeet.roomapi.rest;

import static io.openmeet.roomapi.support.Api.json;
import static io.openmeet.roomapi.support.Api.uniqueName;
import static org.hamcrest.Matchers.equalTo;

import io.openmeet.roomapi.support.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** With openmeet.rooms.require-user-token=true only user tokens create rooms. */
@QuarkusTest
@TestProfile(RequireUserTokenTest.Required.class)
class RequireUserTokenTest {

  public static class Required implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("openmeet.rooms.require-user-token", "true");
    }
  }

  @Test
  void anonymous_callers_and_join_tokens_cannot_create_rooms_but_user_tokens_can() {
    json()
        .body(Map.of("name", uniqueName("Anon")))
        .post("/api/rooms")
        .then()
        .statusCode(401)
        .contentType("application/problem+json")
        .body("code", equalTo("unauthorized"));

    String user = TestTokens.user(UUID.randomUUID().toString(), "Uma", "uma@example.org");
    String joinToken =
        json(user)
            .body(Map.of("name", uniqueName("Team")))
            .post("/api/rooms")
            .then()
            .statusCode(201)
            .extract()
            .path("token");
    json(joinToken)
        .body(Map.of("name", uniqueName("Sneaky")))
        .post("/api/rooms")
        .then()
        .statusCode(403)
        .body("code", equalTo("forbidden"));
  }
}
