package io.openmeet.roomapi.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.agroal.api.AgroalDataSource;
import io.agroal.api.configuration.supplier.AgroalDataSourceConfigurationSupplier;
import io.agroal.api.security.NamePrincipal;
import io.agroal.api.security.SimplePassword;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SqlFailuresTest {

  private static SQLException state(String state) {
    return new SQLException("from the driver", state);
  }

  @Test
  void a_database_that_is_down_cut_off_or_shutting_down_is_unavailable() {
    // 08001 refused, 08006 cut mid-session, 57P01 what an idle pooled connection reports on first
    // use after a fast shutdown, 57P03 still starting up, 53300 too many connections
    for (String s : new String[] {"08001", "08003", "08006", "57P01", "57P02", "57P03", "53300"}) {
      assertThat(SqlFailures.of(state(s))).as(s).isEqualTo(SqlFailures.UNAVAILABLE);
      assertThat(SqlFailures.isInvalidData(state(s))).as(s).isFalse();
    }
  }

  @Test
  void invalid_data_is_never_worth_a_retry() {
    assertThat(SqlFailures.of(state("23505"))).isEqualTo(SqlFailures.CONFLICT);
    assertThat(SqlFailures.of(state("22021"))).isEqualTo(SqlFailures.DATA_EXCEPTION);
    assertThat(SqlFailures.of(state("23503"))).isEqualTo(SqlFailures.INTEGRITY_VIOLATION);
    for (String s : new String[] {"23505", "22021", "22P02", "23503", "23502"}) {
      assertThat(SqlFailures.isInvalidData(state(s))).as(s).isTrue();
    }
  }

  @Test
  void the_state_is_found_below_wrappers_and_stateless_sql_exceptions() {
    // Hibernate and Agroal wrap the driver's exception; a wrapper may itself be a stateless
    // SQLException
    Throwable wrapped =
        new RuntimeException(
            "could not execute statement",
            new SQLException("wrapper without a state", (String) null, state("57P01")));
    assertThat(SqlFailures.of(wrapped)).isEqualTo(SqlFailures.UNAVAILABLE);
  }

  @Test
  void a_pool_that_hands_out_no_connection_in_time_is_unavailable() throws Exception {
    // a real Agroal pool (Quarkus' own) of one connection against the test database: while that
    // one is taken, the next request waits out the acquisition timeout
    var config =
        new AgroalDataSourceConfigurationSupplier()
            .connectionPoolConfiguration(
                pool ->
                    pool.maxSize(1)
                        .acquisitionTimeout(Duration.ofSeconds(2))
                        .connectionFactoryConfiguration(
                            factory ->
                                factory
                                    .jdbcUrl(env("DB_URL"))
                                    .principal(new NamePrincipal(env("DB_USER")))
                                    .credential(new SimplePassword(env("DB_PASSWORD")))));
    try (AgroalDataSource pool = AgroalDataSource.from(config);
        Connection taken = pool.getConnection()) {
      assertThat(taken.isValid(1)).isTrue();
      Throwable timedOut = catchThrowable(pool::getConnection);
      assertThat(timedOut).isInstanceOf(SQLException.class);
      assertThat(SqlFailures.of(timedOut)).isEqualTo(SqlFailures.UNAVAILABLE);
      assertThat(SqlFailures.of(new RuntimeException("wrapped", timedOut)))
          .isEqualTo(SqlFailures.UNAVAILABLE);
    }
  }

  private static String env(String name) {
    String value = System.getenv(name);
    if (value == null || value.isBlank()) {
      throw new IllegalStateException(name + " is not set: run the tests through scripts/test");
    }
    return value;
  }

  @Test
  void anything_else_is_other() {
    assertThat(SqlFailures.of(state("42P01"))).isEqualTo(SqlFailures.OTHER); // undefined table
    assertThat(SqlFailures.of(state("57014"))).isEqualTo(SqlFailures.OTHER); // query canceled
    assertThat(SqlFailures.of(new SQLException("Acquisition of multiple connections")))
        .isEqualTo(SqlFailures.OTHER);
    assertThat(SqlFailures.of(new IOException("not SQL"))).isEqualTo(SqlFailures.OTHER);
    assertThat(SqlFailures.of(null)).isEqualTo(SqlFailures.OTHER);
  }
}
