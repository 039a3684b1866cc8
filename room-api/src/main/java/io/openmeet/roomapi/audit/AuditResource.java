package io.openmeet.roomapi.audit;

import io.openmeet.roomapi.security.CallerResolver;
import io.openmeet.roomapi.service.ApiException;
import io.openmeet.roomapi.service.FieldError;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The audit log of administrator and moderator actions; administrators only. */
@Path("/api/audit")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(CallerResolver.ADMIN_ROLE)
@Tag(name = "audit")
public class AuditResource {

  /** The largest page. */
  public static final int MAX_LIMIT = 200;

  public static final int DEFAULT_LIMIT = 50;
  private static final long MAX_OFFSET = 100_000_000L;

  /** One page of events, newest first; {@code nextOffset} is null on the last page. */
  public record AuditPage(List<AuditEvent> items, int limit, long offset, Long nextOffset) {}

  private final AuditLog audit;

  AuditResource(AuditLog audit) {
    this.audit = audit;
  }

  @GET
  @Operation(
      summary = "Audit events, newest first (admin)",
      description = "Query: limit (1..200, default 50), offset (from 0, default 0).")
  public AuditPage list(@QueryParam("limit") String limit, @QueryParam("offset") String offset)
      throws SQLException {
    List<FieldError> errors = new ArrayList<>();
    int l = (int) parse(limit, DEFAULT_LIMIT, "limit", 1, MAX_LIMIT, errors);
    long o = parse(offset, 0, "offset", 0, MAX_OFFSET, errors);
    if (!errors.isEmpty()) {
      throw ApiException.invalid(errors);
    }
    // one more than asked tells whether there is a next page
    List<AuditEvent> events = audit.page(l + 1, o);
    boolean more = events.size() > l;
    return new AuditPage(more ? events.subList(0, l) : events, l, o, more ? o + l : null);
  }

  private static long parse(
      String value, long fallback, String name, long min, long max, List<FieldError> errors) {
    if (value == null || value.isEmpty()) {
      return fallback;
    }
    try {
      long v = Long.parseLong(value);
      if (v >= min && v <= max) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below, like an out-of-range number
    }
    errors.add(new FieldError(name, "must be a whole number from " + min + " to " + max));
    return fallback;
  }
}
