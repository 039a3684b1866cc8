package io.openmeet.roomapi.rest;

import static io.openmeet.roomapi.support.Api.createPublicRoom;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.nullValue;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import org.junit.jupiter.api.Test;

/** Health, metrics, OpenAPI, Swagger UI and CORS. */
@QuarkusTest
class OperationsTest {

  @TestHTTPResource(value = "metrics", management = true)
  URL metrics;

  @Test
  void health_reports_postgres_and_redis() {
    given()
        .get("/q/health/ready")
        .then()
        .statusCode(200)
        .body("status", equalTo("UP"))
        .body("checks.name", hasItems("redis", "Database connections health check"));
    given().get("/q/health").then().statusCode(200).body("status", equalTo("UP"));
  }

  @Test
  void prometheus_metrics_include_http_requests() {
    createPublicRoom();
    given()
        .get(metrics.toString())
        .then()
        .statusCode(200)
        .body(containsString("http_server_requests_seconds_count"))
        .body(containsString("uri=\"/api/rooms\""));
  }

  @Test
  void openapi_documents_every_endpoint_and_swagger_ui_is_served() {
    given()
        .accept("application/json")
        .get("/q/openapi?format=json")
        .then()
        .statusCode(200)
        .body("paths", org.hamcrest.Matchers.hasKey("/api/rooms"))
        .body("paths", org.hamcrest.Matchers.hasKey("/api/rooms/{idOrSlug}/tokens"))
        .body("paths", org.hamcrest.Matchers.hasKey("/api/rooms/{id}/calls"))
        .body("paths", org.hamcrest.Matchers.hasKey("/api/users/{id}/tokens"))
        .body("paths", org.hamcrest.Matchers.hasKey("/api/calls/{id}"))
        .body("paths", org.hamcrest.Matchers.hasKey("/api/stats"));
    given().get("/q/swagger-ui/").then().statusCode(200).body(containsString("swagger"));
  }

  @Test
  void cors_allows_the_web_app_origin_and_nobody_else() {
    given()
        .header("Origin", "http://127.0.0.1:8080")
        .header("Access-Control-Request-Method", "POST")
        .options("/api/rooms")
        .then()
        .header("Access-Control-Allow-Origin", equalTo("http://127.0.0.1:8080"));
    given()
        .header("Origin", "https://evil.example")
        .header("Access-Control-Request-Method", "POST")
        .options("/api/rooms")
        .then()
        .header("Access-Control-Allow-Origin", nullValue());
    given()
        .header("Origin", "https://evil.example")
        .get("/api/rooms/does-not-matter")
        .then()
        .header("Access-Control-Allow-Origin", nullValue());
  }
}
