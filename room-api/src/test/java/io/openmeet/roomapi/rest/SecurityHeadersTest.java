package io.openmeet.roomapi.rest;

import static io.openmeet.roomapi.support.Api.createPublicRoom;
import static io.openmeet.roomapi.support.Api.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.openmeet.roomapi.support.Api;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Security headers on every kind of answer, and room passwords that bcrypt can read whole. (The web
 * app's own page and its caching are checked against the packaged app in system-tests.)
 */
@QuarkusTest
class SecurityHeadersTest {

  private static void assertSecurityHeaders(Response r) {
    String csp = r.header("Content-Security-Policy");
    assertThat(csp).as(r.asString()).isNotNull();
    assertThat(csp)
        .contains("default-src 'self'")
        .contains("script-src 'self'")
        .contains("frame-ancestors 'none'")
        .contains("object-src 'none'")
        .contains("connect-src 'self' ws: wss:")
        .doesNotContain("unsafe-inline")
        .doesNotContain("unsafe-eval");
    assertThat(r.header("X-Content-Type-Options")).isEqualTo("nosniff");
    assertThat(r.header("X-Frame-Options")).isEqualTo("DENY");
    assertThat(r.header("Referrer-Policy")).isEqualTo("no-referrer");
  }

  @Test
  void every_kind_of_answer_carries_the_security_headers() {
    String id = createPublicRoom().getString("id");
    for (Response r :
        List.of(
            json().get("/api/rooms/" + id),
            json().body(Map.of("name", Api.uniqueName("H"))).post("/api/rooms"),
            json().get("/api/rooms/" + UUID.randomUUID()),
            json().body("{").post("/api/rooms"),
            json().get("/api/nothing-here"),
            RestAssured.get("/q/health/live"),
            RestAssured.get("/q/openapi"))) {
      assertSecurityHeaders(r);
    }
  }

  @Test
  void a_password_bcrypt_cannot_read_whole_is_refused_and_never_matches_on_its_first_72_bytes() {
    String p72 = "p".repeat(72);
    for (String tooLong : List.of(p72 + "q", "\u20AC".repeat(25))) { // 73 and 75 bytes
      Response r =
          json()
              .body(Map.of("name", "ok", "access", "password", "password", tooLong))
              .post("/api/rooms");
      assertThat(r.statusCode()).as(r.asString()).isEqualTo(400);
      assertThat(r.jsonPath().getString("code")).isEqualTo("validation-failed");
      assertThat(r.jsonPath().getList("errors.field", String.class)).containsExactly("password");
      assertThat(r.jsonPath().getString("errors[0].message")).contains("72 bytes");
    }
    var room =
        Api.createRoom(Map.of("name", Api.uniqueName("Pw"), "access", "password", "password", p72));
    String slug = room.getString("slug");
    Response patch =
        json(room.getString("token"))
            .body(Map.of("password", p72 + "x"))
            .patch("/api/rooms/" + room.getString("id"));
    assertThat(patch.statusCode()).as(patch.asString()).isEqualTo(400);
    // the 72 bytes themselves open the room; anything longer that starts with them does not
    json()
        .body(Map.of("displayName", "Ada", "password", p72))
        .post("/api/rooms/" + slug + "/tokens")
        .then()
        .statusCode(200);
    Response longer =
        json()
            .body(Map.of("displayName", "Ada", "password", p72 + "anything"))
            .post("/api/rooms/" + slug + "/tokens");
    assertThat(longer.statusCode()).as(longer.asString()).isEqualTo(403);
    assertThat(longer.jsonPath().getString("code")).isEqualTo("wrong-password");
  }
}
