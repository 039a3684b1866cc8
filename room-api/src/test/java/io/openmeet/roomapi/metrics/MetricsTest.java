package io.openmeet.roomapi.metrics;

import static io.openmeet.roomapi.support.Api.createPublicRoom;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.openmeet.focus.records.CallRecordEvent;
import io.openmeet.roomapi.callrecords.JdbcCallRecordStore;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** Redis and database timings on /q/metrics, under the names the Helm dashboards query. */
@QuarkusTest
class MetricsTest {

  @TestHTTPResource(value = "metrics", management = true)
  URL metrics;

  @Inject DataSource dataSource;

  private String scrape() {
    return given().get(metrics.toString()).then().statusCode(200).extract().asString();
  }

  @Test
  void creating_a_room_moves_the_redis_and_database_histograms() {
    String before = scrape();

    String slug = createPublicRoom().getString("slug");
    given().get("/api/rooms/" + slug).then().statusCode(200);

    String after = scrape();
    // the room's hash is written to Redis...
    assertThat(Prometheus.sum(after, "redis_command_duration_ms_count", "outcome=\"success\""))
        .isGreaterThan(
            Prometheus.sum(before, "redis_command_duration_ms_count", "outcome=\"success\""));
    // ...its row inserted at commit (Hibernate's flush), and read back by slug
    assertThat(Prometheus.sum(after, "db_query_duration_ms_count", "operation=\"insert\""))
        .isGreaterThan(
            Prometheus.sum(before, "db_query_duration_ms_count", "operation=\"insert\""));
    assertThat(Prometheus.sum(after, "db_query_duration_ms_count", "operation=\"select\""))
        .isGreaterThan(
            Prometheus.sum(before, "db_query_duration_ms_count", "operation=\"select\""));
  }

  @Test
  void the_timings_are_prometheus_histograms_in_milliseconds() {
    createPublicRoom();
    String text = scrape();
    assertThat(text)
        .contains("# TYPE redis_command_duration_ms histogram")
        .contains("# TYPE db_query_duration_ms histogram")
        .containsPattern("redis_command_duration_ms_bucket\\{[^}]*command=\"RMap\\.[A-Za-z]+\"")
        .containsPattern("db_query_duration_ms_bucket\\{[^}]*le=\"0\\.25\"")
        .containsPattern("db_query_duration_ms_bucket\\{[^}]*le=\"\\+Inf\"")
        .contains("agroal_awaiting_count");
    // a local Redis answers far below a second: the sum is in ms, not seconds or nanoseconds
    double count = Prometheus.sum(text, "redis_command_duration_ms_count", "");
    double sum = Prometheus.sum(text, "redis_command_duration_ms_sum", "");
    assertThat(sum / count).isBetween(0.001, 1_000.0);
  }

  @Test
  void call_records_written_with_plain_jdbc_are_timed_too() throws Exception {
    String roomId = createPublicRoom().getString("id");
    String before = scrape();

    new JdbcCallRecordStore(dataSource)
        .write(
            List.of(
                new CallRecordEvent.CallStarted(
                    UUID.randomUUID(), UUID.fromString(roomId), "local", Instant.now())));

    assertThat(Prometheus.sum(scrape(), "db_query_duration_ms_count", "operation=\"insert\""))
        .isGreaterThanOrEqualTo(
            Prometheus.sum(before, "db_query_duration_ms_count", "operation=\"insert\"") + 1);
  }

  @Test
  void statements_are_tagged_by_their_verb() {
    assertThat(DbQueryMetrics.operationOf("select r1_0.id from rooms r1_0")).isEqualTo("select");
    assertThat(DbQueryMetrics.operationOf("  INSERT INTO rooms ...")).isEqualTo("insert");
    assertThat(DbQueryMetrics.operationOf("update rooms set")).isEqualTo("update");
    assertThat(DbQueryMetrics.operationOf("delete from rooms")).isEqualTo("delete");
    assertThat(DbQueryMetrics.operationOf("with x as (select 1) select * from x"))
        .isEqualTo("select");
    assertThat(DbQueryMetrics.operationOf("call refresh()")).isEqualTo("other");
    assertThat(DbQueryMetrics.operationOf(null)).isEqualTo("other");
  }
}
