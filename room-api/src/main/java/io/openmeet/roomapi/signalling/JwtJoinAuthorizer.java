package io.openmeet.roomapi.signalling;

import io.openmeet.focus.conference.JoinRequest;
import io.openmeet.focus.text.HumanText;
import io.openmeet.focus.text.InvalidTextException;
import io.openmeet.presence.room.RoomBans;
import io.openmeet.presence.room.RoomDirectory;
import io.openmeet.presence.room.RoomRecord;
import io.openmeet.roomapi.config.OpenmeetConfig;
import io.openmeet.roomapi.entity.Room;
import io.openmeet.roomapi.service.ApiException;
import io.openmeet.roomapi.service.Ids;
import io.openmeet.roomapi.service.RoomService;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.logging.Logger;

/**
 * Admits a `join` when it carries a join token (from {@code POST /api/rooms/{id}/tokens}, which
 * already applied the room's password and invite policy) for exactly the room in the socket path,
 * verified with the configured public key, issuer and audience; not older than the room's access
 * version, not banned (kicked), not longer-lived than the maximum. The token's signed name is the
 * participant's name.
 *
 * <p>The room's live settings come from the presence directory ({@code room:{id}} in Redis, kept by
 * {@link RoomService} on create, update and close; the token's {@code roomId} claim names it): one
 * Redis round trip instead of a Postgres transaction on every join. A room missing there (closed, a
 * token without {@code roomId}, or Redis state lost) is looked up in Postgres, which stays the
 * record.
 */
@ApplicationScoped
public class JwtJoinAuthorizer implements JoinAuthorizer {

  private static final Logger LOG = Logger.getLogger(JwtJoinAuthorizer.class);

  private final JWTParser parser;
  private final RoomService rooms;
  private final RoomDirectory directory;
  private final RoomBans bans;
  private final Duration maxLifetime;
  private final Duration clockSkew;
  private final boolean p2pDefault;

  JwtJoinAuthorizer(
      JWTParser parser,
      RoomService rooms,
      RoomDirectory directory,
      RoomBans bans,
      OpenmeetConfig config) {
    this.parser = parser;
    this.rooms = rooms;
    this.directory = directory;
    this.bans = bans;
    this.maxLifetime = config.jwt().maxJoinTokenLifetime();
    this.clockSkew = config.jwt().clockSkew();
    this.p2pDefault = config.rooms().p2pEnabled();
  }

  /** What a join needs to know of its room. */
  private record AdmittedRoom(
      UUID id,
      String slug,
      boolean active,
      int maxParticipants,
      String region,
      int accessVersion,
      Boolean p2p) {}

  @Override
  public JoinRequest authorize(String roomIdOrSlug, ClientMessage.Join join)
      throws SignallingException {
    JsonWebToken jwt;
    try {
      jwt = parser.parse(join.token());
    } catch (ParseException e) {
      throw new SignallingException(
          SignallingError.INVALID_TOKEN, "the join token is invalid or expired");
    }
    checkLifetime(jwt);
    String roomClaim = text(jwt.getClaim("room"));
    String roomIdClaim = text(jwt.getClaim("roomId"));
    AdmittedRoom room = room(roomIdOrSlug, roomIdClaim);
    if (!room.active()) {
      throw new SignallingException(
          SignallingError.ROOM_NOT_FOUND, "room " + room.slug() + " is closed");
    }
    if (roomClaim == null) {
      throw new SignallingException(SignallingError.INVALID_TOKEN, "the token has no room claim");
    }
    if (!room.slug().equals(roomClaim)
        || (roomIdClaim != null && !roomIdClaim.equals(room.id().toString()))) {
      throw new SignallingException(
          SignallingError.WRONG_ROOM,
          "*".equals(roomClaim)
              ? "a user token cannot join: get a join token from /api/rooms/"
                  + room.slug()
                  + "/tokens"
              : "the token is for another room");
    }
    if (accessVersion(jwt) < room.accessVersion()) {
      throw new SignallingException(
          SignallingError.TOKEN_REVOKED,
          "the room's access changed after this token was issued; get a new token");
    }
    JsonObject user = user(jwt.getClaim("context"));
    String userId = user == null ? null : text(user.get("id"));
    String signed = user == null ? null : text(user.get("name"));
    if (userId == null || signed == null) {
      throw new SignallingException(
          SignallingError.INVALID_TOKEN, "the token names no user (context.user.id and name)");
    }
    if (bans.banned(room.id().toString(), jwt.getTokenID(), userId, Instant.now())) {
      throw new SignallingException(
          SignallingError.TOKEN_REVOKED, "a moderator removed you from this room");
    }
    String name;
    try {
      // the signed name is the name (the frame's displayName cannot override it); an identity
      // provider's token may hold one we do not show
      name = HumanText.DISPLAY_NAME.normalize("context.user.name", signed);
    } catch (InvalidTextException e) {
      throw new SignallingException(
          SignallingError.INVALID_TEXT, "the token's name cannot be shown: " + e.getMessage());
    }
    return new JoinRequest(
        room.id(),
        room.slug(),
        room.maxParticipants(),
        Optional.ofNullable(room.region()),
        parseUuid(userId),
        userId,
        name,
        bool(jwt.getClaim("moderator")),
        join.audio(),
        join.video(),
        room.p2p() == null ? p2pDefault : room.p2p());
  }

  private AdmittedRoom room(String roomIdOrSlug, String roomIdClaim) throws SignallingException {
    if (roomIdClaim != null && Ids.tryParse(roomIdClaim).isPresent()) {
      Optional<RoomRecord> live = directory.find(roomIdClaim);
      if (live.isPresent()
          && (live.get().slug().equals(roomIdOrSlug) || live.get().id().equals(roomIdOrSlug))) {
        RoomRecord r = live.get();
        return new AdmittedRoom(
            UUID.fromString(r.id()),
            r.slug(),
            true,
            r.maxParticipants(),
            r.region(),
            r.accessVersion(),
            r.p2p());
      }
    }
    try {
      return QuarkusTransaction.joiningExisting()
          .call(
              () -> {
                Room r = rooms.find(roomIdOrSlug);
                return new AdmittedRoom(
                    r.id,
                    r.slug,
                    r.active,
                    r.maxParticipants,
                    r.region,
                    r.accessVersion,
                    r.p2pEnabled);
              });
    } catch (ApiException e) {
      throw new SignallingException(SignallingError.ROOM_NOT_FOUND, e.getMessage());
    }
  }

  @Override
  public void kicked(String roomIdOrSlug, ClientMessage.Join join) {
    JsonWebToken jwt;
    try {
      jwt = parser.parse(join.token());
    } catch (ParseException e) {
      return; // expired meanwhile: it cannot join again anyway
    }
    JsonObject user = user(jwt.getClaim("context"));
    String userId = user == null ? null : text(user.get("id"));
    String roomId = text(jwt.getClaim("roomId"));
    if (roomId == null) {
      try {
        roomId = room(roomIdOrSlug, null).id().toString();
      } catch (SignallingException e) {
        return;
      }
    }
    bans.ban(roomId, jwt.getTokenID(), userId, Instant.ofEpochSecond(jwt.getExpirationTime()));
    LOG.debugf("token %s of %s banned from room %s", jwt.getTokenID(), userId, roomId);
  }

  @Override
  public void denied(String roomIdOrSlug, ClientMessage.Join join) {
    JsonWebToken jwt;
    try {
      jwt = parser.parse(join.token());
    } catch (ParseException e) {
      return; // expired meanwhile: it cannot join again anyway
    }
    String roomId = text(jwt.getClaim("roomId"));
    if (roomId == null) {
      try {
        roomId = room(roomIdOrSlug, null).id().toString();
      } catch (SignallingException e) {
        return;
      }
    }
    // the token only, not the user: asking again takes a new token, which the room's access
    // policy (password, invitation) decides on again
    bans.ban(roomId, jwt.getTokenID(), null, Instant.ofEpochSecond(jwt.getExpirationTime()));
    LOG.debugf("token %s denied entry to room %s", jwt.getTokenID(), roomId);
  }

  /**
   * Refuses a token that lives longer than the maximum, or says it was issued in the future.
   *
   * @throws SignallingException INVALID_TOKEN
   */
  private void checkLifetime(JsonWebToken jwt) throws SignallingException {
    long issued = jwt.getIssuedAtTime();
    long expires = jwt.getExpirationTime();
    if (issued <= 0) {
      throw new SignallingException(SignallingError.INVALID_TOKEN, "the token has no iat");
    }
    if (issued > Instant.now().plus(clockSkew).getEpochSecond()) {
      throw new SignallingException(
          SignallingError.INVALID_TOKEN, "the token says it was issued in the future");
    }
    if (expires - issued > maxLifetime.toSeconds()) {
      throw new SignallingException(
          SignallingError.INVALID_TOKEN,
          "join tokens live at most " + maxLifetime.toMinutes() + " minutes; get a new one");
    }
  }

  /** The token's {@code accessVersion} claim; tokens without one are of version 0. */
  private static long accessVersion(JsonWebToken jwt) {
    Object claim = jwt.getClaim("accessVersion");
    if (claim instanceof JsonNumber n) {
      return n.longValue();
    }
    return claim instanceof Number n ? n.longValue() : 0;
  }

  private static JsonObject user(Object context) {
    if (context instanceof JsonObject ctx && ctx.get("user") instanceof JsonObject user) {
      return user;
    }
    return null;
  }

  private static String text(Object value) {
    if (value instanceof JsonString s) {
      return s.getString();
    }
    return value instanceof String s ? s : null;
  }

  private static boolean bool(Object value) {
    if (value instanceof Boolean b) {
      return b;
    }
    return value instanceof JsonValue v && v.getValueType() == JsonValue.ValueType.TRUE;
  }

  private static Optional<UUID> parseUuid(String value) {
    try {
      return Optional.of(UUID.fromString(value));
    } catch (IllegalArgumentException e) {
      return Optional.empty(); // guests: "guest-<uuid>"
    }
  }
}
