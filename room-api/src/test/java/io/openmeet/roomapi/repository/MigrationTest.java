package io.openmeet.roomapi.repository;

import static io.openmeet.roomapi.support.TestTokens.env;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/**
 * The migrations applied to an empty schema of the real Postgres (a throwaway schema, dropped
 * afterwards): tables, columns, indexes and the constraints that protect the data.
 */
class MigrationTest {

  private static Connection connect() throws SQLException {
    return DriverManager.getConnection(env("DB_URL"), env("DB_USER"), env("DB_PASSWORD"));
  }

  @Test
  void migrations_build_the_whole_schema_from_an_empty_database() throws Exception {
    String schema = "migration_test_" + UUID.randomUUID().toString().replace("-", "");
    try (Connection c = connect()) {
      c.createStatement().execute("CREATE SCHEMA " + schema);
    }
    try {
      var result =
          Flyway.configure()
              .dataSource(env("DB_URL"), env("DB_USER"), env("DB_PASSWORD"))
              .schemas(schema)
              .locations("classpath:db/migration")
              .load()
              .migrate();
      assertThat(result.success).isTrue();
      assertThat(result.migrationsExecuted).isGreaterThanOrEqualTo(1);

      try (Connection c = connect()) {
        assertThat(
                list(
                    c,
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = '"
                        + schema
                        + "'"))
            .contains("users", "rooms", "room_invites", "call_logs", "participants");
        assertThat(columns(c, schema, "rooms"))
            .contains(
                "id",
                "slug",
                "name",
                "created_by",
                "region",
                "access",
                "access_version",
                "password_hash",
                "lobby_enabled",
                "max_participants",
                "is_active",
                "created_at",
                "closed_at");
        assertThat(columns(c, schema, "users"))
            .contains("id", "email", "name", "avatar_url", "created_at", "updated_at");
        assertThat(columns(c, schema, "call_logs"))
            .contains(
                "id",
                "room_id",
                "started_at",
                "ended_at",
                "duration_seconds",
                "peak_participants",
                "total_participants",
                "region");
        assertThat(columns(c, schema, "participants"))
            .contains(
                "id",
                "call_log_id",
                "user_id",
                "display_name",
                "joined_at",
                "left_at",
                "audio_enabled",
                "video_enabled",
                "leave_reason");
        assertThat(columns(c, schema, "room_invites")).contains("room_id", "user_id", "email");
        assertThat(list(c, "SELECT indexname FROM pg_indexes WHERE schemaname = '" + schema + "'"))
            .contains(
                "users_email_key",
                "rooms_slug_key",
                "rooms_active_created_at_idx",
                "call_logs_room_started_at_idx",
                "participants_call_log_joined_at_idx");
        assertThat(
                list(
                    c,
                    "SELECT column_default FROM information_schema.columns WHERE table_schema = '"
                        + schema
                        + "' AND table_name = 'rooms' AND column_name = 'max_participants'"))
            .containsExactly("12");

        c.createStatement().execute("SET search_path TO " + schema);
        // the constraints refuse what the API must never store
        assertThatThrownBy(
                () ->
                    c.createStatement()
                        .execute(
                            "INSERT INTO rooms (id, slug, name, region, access) VALUES"
                                + " (gen_random_uuid(), 'Not Safe!', 'x', 'local', 'public')"))
            .isInstanceOf(SQLException.class);
        assertThatThrownBy(
                () ->
                    c.createStatement()
                        .execute(
                            "INSERT INTO rooms (id, slug, name, region, access) VALUES"
                                + " (gen_random_uuid(), 'ok-slug', 'x', 'local', 'password')"))
            .as("a password room without a hash")
            .isInstanceOf(SQLException.class);
        assertThatThrownBy(
                () ->
                    c.createStatement()
                        .execute(
                            "INSERT INTO rooms (id, slug, name, region, access, max_participants)"
                                + " VALUES (gen_random_uuid(), 'ok-slug', 'x', 'local', 'public', 101)"))
            .isInstanceOf(SQLException.class);
        c.createStatement()
            .execute(
                "INSERT INTO rooms (id, slug, name, region, access) VALUES"
                    + " (gen_random_uuid(), 'ok-slug', 'x', 'local', 'public')");
        assertThatThrownBy(
                () ->
                    c.createStatement()
                        .execute(
                            "INSERT INTO rooms (id, slug, name, region, access) VALUES"
                                + " (gen_random_uuid(), 'ok-slug', 'y', 'local', 'public')"))
            .as("slugs are unique")
            .isInstanceOf(SQLException.class);
      }
    } finally {
      try (Connection c = connect()) {
        c.createStatement().execute("DROP SCHEMA " + schema + " CASCADE");
      }
    }
  }

  private static List<String> columns(Connection c, String schema, String table)
      throws SQLException {
    return list(
        c,
        "SELECT column_name FROM information_schema.columns WHERE table_schema = '"
            + schema
            + "' AND table_name = '"
            + table
            + "'");
  }

  private static List<String> list(Connection c, String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (ResultSet rs = c.createStatement().executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }
}
