package io.openmeet.roomapi.repository;

import static io.openmeet.roomapi.support.Api.createPublicRoom;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * What a Postgres restart leaves in the pool: idle connections whose sessions the server ended (a
 * fast shutdown sends each one FATAL 57P01). The next request must not be the one that finds out:
 * the pool checks a connection that sat idle before handing it over.
 */
@QuarkusTest
class DatabaseSessionsCutTest {

  @Test
  void requests_after_the_servers_sessions_were_cut_are_answered() throws Exception {
    String id = createPublicRoom().getString("id");
    // several idle connections in the pool, not just the one a sequence of requests would reuse
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      for (int round = 0; round < 3; round++) {
        List<Future<Integer>> codes = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
          codes.add(pool.submit(() -> given().get("/api/rooms/" + id).statusCode()));
        }
        for (Future<Integer> code : codes) {
          assertThat(code.get()).isEqualTo(200);
        }
      }
    } finally {
      pool.shutdownNow();
    }
    Thread.sleep(1_500); // idle for longer than the pool's foreground validation interval

    assertThat(cutTheApplicationsSessions()).as("sessions cut").isPositive();

    for (int i = 0; i < 10; i++) {
      int status = given().get("/api/rooms/" + id).then().extract().statusCode();
      assertThat(status).as("request %d after the cut", i).isEqualTo(200);
    }
  }

  /** Ends every other session of the application's database user, as a fast shutdown would. */
  private static int cutTheApplicationsSessions() throws Exception {
    var config = ConfigProvider.getConfig();
    try (Connection c =
            DriverManager.getConnection(
                config.getValue("quarkus.datasource.jdbc.url", String.class),
                config.getValue("quarkus.datasource.username", String.class),
                config.getValue("quarkus.datasource.password", String.class));
        Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity"
                    + " WHERE datname = current_database() AND usename = current_user"
                    + " AND pid <> pg_backend_pid()")) {
      r.next();
      return r.getInt(1);
    }
  }
}
