package io.openmeet.roomapi.rest;

import static io.openmeet.roomapi.support.Api.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.openmeet.roomapi.support.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.jwt.auth.principal.JWTParser;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.junit.jupiter.api.Test;

@QuarkusTest
class UserResourceTest {

  @Inject JWTParser parser;

  @Test
  void an_admin_registers_reads_and_lists_users_with_lower_cased_emails() {
    String admin = TestTokens.admin();
    String tag = UUID.randomUUID().toString().substring(0, 8);
    var created =
        json(admin)
            .body(
                Map.of(
                    "email", "Ada." + tag + "@Example.ORG",
                    "name", "Ada Lovelace",
                    "avatarUrl", "https://example.org/ada.png"))
            .post("/api/users")
            .then()
            .statusCode(201)
            .body("email", equalTo("ada." + tag + "@example.org"))
            .body("name", equalTo("Ada Lovelace"))
            .extract();
    String id = created.path("id");
    assertThat(created.header("Location")).endsWith("/api/users/" + id);

    json(admin)
        .get("/api/users/" + id)
        .then()
        .statusCode(200)
        .body("avatarUrl", equalTo("https://example.org/ada.png"))
        .body("createdAt", org.hamcrest.Matchers.notNullValue());
    json(admin)
        .get("/api/users?size=100")
        .then()
        .statusCode(200)
        .body("items.id", hasItem(id))
        .body("total", org.hamcrest.Matchers.greaterThanOrEqualTo(1));
  }

  @Test
  void a_minted_user_token_carries_jitsi_claims_and_verifies_with_the_public_key()
      throws Exception {
    String admin = TestTokens.admin();
    String tag = UUID.randomUUID().toString().substring(0, 8);
    String id =
        json(admin)
            .body(Map.of("email", "grace-" + tag + "@example.org", "name", "Grace"))
            .post("/api/users")
            .then()
            .statusCode(201)
            .extract()
            .path("id");

    String token =
        json(admin)
            .post("/api/users/" + id + "/tokens")
            .then()
            .statusCode(200)
            .extract()
            .path("token");
    assertThat(TestTokens.signatureValid(token)).isTrue();
    JsonWebToken jwt = parser.parse(token);
    assertThat(jwt.getIssuer()).isEqualTo("openmeet");
    assertThat(jwt.getAudience()).contains("openmeet");
    assertThat(jwt.getGroups()).containsExactly("user");
    String payload = TestTokens.part(token, 1);
    assertThat(payload)
        .contains("\"room\":\"*\"")
        .contains("\"id\":\"" + id + "\"")
        .contains("\"email\":\"grace-" + tag + "@example.org\"")
        .contains("\"nbf\":");

    // the token works: the user may list (its own, so none yet) rooms but not users
    json(token).get("/api/rooms").then().statusCode(200).body("total", equalTo(0));
    json(token).get("/api/users").then().statusCode(403);

    // an admin token minted for a user is an admin token
    String adminToken =
        json(admin)
            .body(Map.of("admin", true))
            .post("/api/users/" + id + "/tokens")
            .then()
            .statusCode(200)
            .extract()
            .path("token");
    json(adminToken).get("/api/users").then().statusCode(200);
  }
}
