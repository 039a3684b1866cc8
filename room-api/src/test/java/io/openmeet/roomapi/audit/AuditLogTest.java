package io.openmeet.roomapi.audit;

import static io.openmeet.roomapi.support.Api.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.agroal.api.AgroalDataSource;
import io.openmeet.roomapi.support.Api;
import io.openmeet.roomapi.support.AuditRows;
import io.openmeet.roomapi.support.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** REST actions land in {@code audit_events}, and {@code GET /api/audit} reads them (admins). */
@QuarkusTest
class AuditLogTest {

  // the test client's address as the app resolves it (no trusted proxy in tests)
  private static final String ADDRESS = "127.0.0.1";

  @Inject AgroalDataSource dataSource;

  private static String admin(String adminId) {
    return TestTokens.userClaims(adminId, "Admin", null)
        .groups(Set.of("admin"))
        .jws()
        .sign(TestTokens.devPrivateKey());
  }

  @Test
  void each_admin_action_is_one_event_with_actor_target_and_address() throws Exception {
    AuditRows rows = new AuditRows(dataSource);
    String adminId = "admin-" + UUID.randomUUID();
    String admin = admin(adminId);

    UUID anonymousRoom = UUID.fromString(Api.createPublicRoom().getString("id"));
    String ownerId = UUID.randomUUID().toString();
    UUID ownedRoom =
        UUID.fromString(
            json(TestTokens.user(ownerId, "Owner", null))
                .body(Map.of("name", Api.uniqueName("Owned")))
                .post("/api/rooms")
                .then()
                .statusCode(201)
                .extract()
                .path("id"));
    json(admin)
        .body(Map.of("name", "Renamed"))
        .patch("/api/rooms/" + ownedRoom)
        .then()
        .statusCode(200);
    UUID user = UUID.fromString(Api.createUser(admin).getString("id"));
    json(admin)
        .body(Map.of("userId", user.toString()))
        .post("/api/rooms/" + ownedRoom + "/invites")
        .then()
        .statusCode(201);
    Api.userToken(admin, user.toString());
    json(admin).delete("/api/rooms/" + ownedRoom).then().statusCode(204);
    rows.awaitStored(AuditEvent.ROOM_DELETE, ownedRoom);

    assertThat(rows.exactlyOne(AuditEvent.ROOM_CREATE, anonymousRoom))
        .isEqualTo(
            new AuditRows.Row(
                "anonymous", AuditEvent.ROOM_CREATE, anonymousRoom, null, null, ADDRESS));
    assertThat(rows.exactlyOne(AuditEvent.ROOM_CREATE, ownedRoom))
        .isEqualTo(
            new AuditRows.Row(ownerId, AuditEvent.ROOM_CREATE, ownedRoom, null, null, ADDRESS));
    assertThat(rows.exactlyOne(AuditEvent.ROOM_PATCH, ownedRoom))
        .isEqualTo(
            new AuditRows.Row(adminId, AuditEvent.ROOM_PATCH, ownedRoom, null, null, ADDRESS));
    assertThat(rows.exactlyOne(AuditEvent.USER_CREATE, user))
        .isEqualTo(new AuditRows.Row(adminId, AuditEvent.USER_CREATE, null, null, user, ADDRESS));
    assertThat(rows.exactlyOne(AuditEvent.INVITE_CREATE, user))
        .isEqualTo(
            new AuditRows.Row(adminId, AuditEvent.INVITE_CREATE, ownedRoom, null, user, ADDRESS));
    assertThat(rows.exactlyOne(AuditEvent.TOKEN_MINT, user))
        .isEqualTo(new AuditRows.Row(adminId, AuditEvent.TOKEN_MINT, null, null, user, ADDRESS));
    assertThat(rows.exactlyOne(AuditEvent.ROOM_DELETE, ownedRoom))
        .isEqualTo(
            new AuditRows.Row(adminId, AuditEvent.ROOM_DELETE, ownedRoom, null, null, ADDRESS));
    // refused actions are not audited as done
    json(TestTokens.user(UUID.randomUUID().toString(), "Stranger", null))
        .body(Map.of("name", "Nope"))
        .patch("/api/rooms/" + anonymousRoom)
        .then()
        .statusCode(403);
    UUID later = UUID.fromString(Api.createPublicRoom().getString("id"));
    rows.awaitStored(AuditEvent.ROOM_CREATE, later);
    assertThat(rows.about(AuditEvent.ROOM_PATCH, anonymousRoom)).isEmpty();
  }

  @Test
  void only_admins_read_the_log_newest_first_in_capped_pages() throws Exception {
    AuditRows rows = new AuditRows(dataSource);
    String admin = TestTokens.admin();
    UUID last = null;
    for (int i = 0; i < 5; i++) {
      last = UUID.fromString(Api.createPublicRoom().getString("id"));
    }
    rows.awaitStored(AuditEvent.ROOM_CREATE, last);

    Response first = json(admin).get("/api/audit?limit=2");
    assertThat(first.statusCode()).as(first.asString()).isEqualTo(200);
    assertThat(first.jsonPath().getInt("limit")).isEqualTo(2);
    assertThat(first.jsonPath().getLong("nextOffset")).isEqualTo(2L);
    List<Object> firstIds = first.jsonPath().getList("items.id");
    assertThat(firstIds).hasSize(2);
    assertThat(first.jsonPath().getString("items[0].roomId")).isEqualTo(last.toString());
    assertThat(first.jsonPath().getString("items[0].action")).isEqualTo(AuditEvent.ROOM_CREATE);
    assertThat(first.jsonPath().getString("items[0].sourceAddress")).isEqualTo(ADDRESS);

    Response second = json(admin).get("/api/audit?limit=2&offset=2");
    assertThat(second.statusCode()).isEqualTo(200);
    List<Object> secondIds = second.jsonPath().getList("items.id");
    assertThat(secondIds).hasSize(2).doesNotContainAnyElementsOf(firstIds);
    List<Instant> times =
        List.of(
                first.jsonPath().getString("items[0].at"),
                first.jsonPath().getString("items[1].at"),
                second.jsonPath().getString("items[0].at"),
                second.jsonPath().getString("items[1].at"))
            .stream()
            .map(Instant::parse)
            .toList();
    for (int i = 1; i < times.size(); i++) {
      assertThat(times.get(i)).isBeforeOrEqualTo(times.get(i - 1));
    }

    // the cap: 200 is allowed, 201 is a typed 400
    Response max = json(admin).get("/api/audit?limit=200");
    assertThat(max.statusCode()).isEqualTo(200);
    assertThat(max.jsonPath().getList("items")).hasSizeLessThanOrEqualTo(200);
    assertProblem(json(admin).get("/api/audit?limit=201"), 400, "validation-failed");

    // non-admins and nobody are refused
    assertProblem(
        json(TestTokens.user(UUID.randomUUID().toString(), "Eve", null)).get("/api/audit"),
        403,
        "forbidden");
    assertThat(json().get("/api/audit").statusCode()).isEqualTo(401);
  }

  @Test
  void bad_query_parameters_are_a_typed_400_naming_each_field() {
    String admin = TestTokens.admin();
    Response r = json(admin).get("/api/audit?limit=abc&offset=-1");
    assertProblem(r, 400, "validation-failed");
    assertThat(r.jsonPath().getList("errors.field", String.class))
        .containsExactlyInAnyOrder("limit", "offset");
    assertProblem(json(admin).get("/api/audit?limit=0"), 400, "validation-failed");
    assertProblem(json(admin).get("/api/audit?offset=1e3"), 400, "validation-failed");
  }

  private static void assertProblem(Response r, int status, String code) {
    assertThat(r.statusCode()).as(r.asString()).isEqualTo(status);
    assertThat(r.jsonPath().getString("code")).isEqualTo(code);
    assertThat(r.jsonPath().getString("type")).endsWith("/" + code);
  }
}
