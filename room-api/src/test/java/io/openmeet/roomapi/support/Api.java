package io.openmeet.roomapi.support;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import java.util.Map;
import java.util.UUID;

/** Small rest-assured helpers shared by the endpoint tests. */
public final class Api {

  private Api() {}

  public static RequestSpecification json() {
    return given().contentType(ContentType.JSON).accept(ContentType.JSON);
  }

  public static RequestSpecification json(String bearer) {
    return json().header("Authorization", "Bearer " + bearer);
  }

  public static String uniqueName(String what) {
    return what + " " + UUID.randomUUID().toString().substring(0, 8);
  }

  /** Creates a room anonymously and answers the 201 body. */
  public static JsonPath createRoom(Map<String, Object> body) {
    return json().body(body).post("/api/rooms").then().statusCode(201).extract().jsonPath();
  }

  public static JsonPath createPublicRoom() {
    return createRoom(Map.of("name", uniqueName("Room")));
  }

  /** Registers a user through the admin API and answers its JSON. */
  public static JsonPath createUser(String adminToken) {
    String id = UUID.randomUUID().toString().substring(0, 8);
    return json(adminToken)
        .body(Map.of("email", "user-" + id + "@Example.org", "name", "User " + id))
        .post("/api/users")
        .then()
        .statusCode(201)
        .extract()
        .jsonPath();
  }

  /** Mints a user token for a registered user (admin API). */
  public static String userToken(String adminToken, String userId) {
    return json(adminToken)
        .post("/api/users/" + userId + "/tokens")
        .then()
        .statusCode(200)
        .extract()
        .path("token");
  }
}
