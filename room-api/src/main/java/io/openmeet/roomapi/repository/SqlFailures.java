package io.openmeet.roomapi.repository;

import java.sql.SQLException;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * What a failed SQL statement means for its caller, from the SQLSTATE Postgres (or the driver) gave
 * it. The one place that reads SQLSTATEs: REST maps the kinds to problems, the write-behind stores
 * (call records, audit) skip invalid data and retry everything else.
 */
public enum SqlFailures {
  /** A unique index caught a race a service's own check could not see (23505). */
  CONFLICT,
  /** A value the database cannot store, e.g. a character Postgres rejects (class 22). */
  DATA_EXCEPTION,
  /** Any other integrity constraint violation (class 23: foreign key, not null, check). */
  INTEGRITY_VIOLATION,
  /**
   * The database cannot be reached or is not serving: class 08 (connection exception, e.g. refused
   * or cut), 57P01–57P03 (shut down by its administrator or a crash, or still starting — what a
   * pooled connection reports on first use after a restart) and 53300 (too many connections); and a
   * connection the pool could not hand out in time (every one busy, or the database slow to accept
   * new ones: Agroal's stateless SQLException caused by a TimeoutException). Worth retrying after a
   * while.
   */
  UNAVAILABLE,
  /** Anything else, or no SQLSTATE at all. */
  OTHER;

  private static final Set<String> NOT_SERVING = Set.of("57P01", "57P02", "57P03", "53300");

  /** The kind of the first SQLSTATE met along {@code e}'s cause chain. */
  public static SqlFailures of(Throwable e) {
    String state = state(e);
    if (state == null) {
      return poolTimedOut(e) ? UNAVAILABLE : OTHER;
    }
    if (state.equals("23505")) {
      return CONFLICT;
    }
    if (state.startsWith("22")) {
      return DATA_EXCEPTION;
    }
    if (state.startsWith("23")) {
      return INTEGRITY_VIOLATION;
    }
    if (state.startsWith("08") || NOT_SERVING.contains(state)) {
      return UNAVAILABLE;
    }
    return OTHER;
  }

  /** Whether retrying {@code e}'s statement can never succeed: class 22 or 23. */
  public static boolean isInvalidData(Throwable e) {
    SqlFailures kind = of(e);
    return kind == DATA_EXCEPTION || kind == INTEGRITY_VIOLATION || kind == CONFLICT;
  }

  private static boolean poolTimedOut(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SQLException sql
          && (sql.getCause() instanceof TimeoutException
              || String.valueOf(sql.getMessage())
                  .toLowerCase(Locale.ROOT)
                  .contains("acquisition timeout"))) {
        return true;
      }
    }
    return false;
  }

  private static String state(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SQLException sql && sql.getSQLState() != null) {
        return sql.getSQLState();
      }
    }
    return null;
  }
}
