package io.openmeet.roomapi.security;

import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Reads the current {@link Caller}. Authentication is lazy (proactive auth is off), so a forged or
 * expired token fails here, inside the request, and reaches the one exception mapper.
 */
@RequestScoped
public class CallerResolver {

  /** The role (JWT {@code groups} entry) of administrators. */
  public static final String ADMIN_ROLE = "admin";

  @Inject SecurityIdentity identity;

  private Caller caller;

  public Caller current() {
    if (caller == null) {
      caller = resolve();
    }
    return caller;
  }

  private Caller resolve() {
    if (identity.isAnonymous() || !(identity.getPrincipal() instanceof JsonWebToken jwt)) {
      return Caller.ANONYMOUS;
    }
    JsonObject user = user(jwt.getClaim("context"));
    return new Caller(
        true,
        identity.hasRole(ADMIN_ROLE),
        text(user, "id"),
        text(user, "email"),
        text(user, "name"),
        asString(jwt.getClaim("room")),
        asString(jwt.getClaim("roomId")),
        asBoolean(jwt.getClaim("moderator")));
  }

  private static JsonObject user(Object context) {
    if (context instanceof JsonObject ctx && ctx.get("user") instanceof JsonObject user) {
      return user;
    }
    return null;
  }

  private static String text(JsonObject object, String key) {
    if (object == null) {
      return null;
    }
    return asString(object.get(key));
  }

  private static String asString(Object value) {
    if (value instanceof JsonString s) {
      return s.getString();
    }
    if (value instanceof String s) {
      return s;
    }
    return null;
  }

  private static boolean asBoolean(Object value) {
    if (value instanceof Boolean b) {
      return b;
    }
    if (value instanceof JsonValue v) {
      return v.getValueType() == JsonValue.ValueType.TRUE;
    }
    return value instanceof String s && Boolean.parseBoolean(s);
  }
}
