package io.openmeet.roomapi.service;

import io.openmeet.focus.conference.Focus;
import io.openmeet.focus.conference.FocusException;
import io.openmeet.focus.text.HumanText;
import io.openmeet.focus.text.InvalidTextException;
import io.openmeet.presence.room.RoomDirectory;
import io.openmeet.presence.room.RoomRecord;
import io.openmeet.roomapi.config.OpenmeetConfig;
import io.openmeet.roomapi.entity.Room;
import io.openmeet.roomapi.entity.RoomAccess;
import io.openmeet.roomapi.entity.RoomInvite;
import io.openmeet.roomapi.repository.RoomInviteRepository;
import io.openmeet.roomapi.repository.RoomRepository;
import io.openmeet.roomapi.repository.UserRepository;
import io.openmeet.roomapi.security.Caller;
import io.openmeet.roomapi.security.PasswordHasher;
import io.openmeet.roomapi.security.TokenIssuer;
import io.openmeet.roomapi.security.TokenIssuer.IssuedToken;
import io.openmeet.roomapi.security.TokenIssuer.Person;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Rooms: creation, changes, closing and join tokens. The {@code room:{id}} hash in Redis follows
 * the row: it is written inside the transaction and put back if the transaction rolls back, so a
 * failed request changes neither.
 */
@ApplicationScoped
public class RoomService {

  private static final Logger LOG = Logger.getLogger(RoomService.class);

  private final RoomRepository rooms;
  private final RoomInviteRepository invites;
  private final UserRepository users;
  private final RoomDirectory directory;
  private final PasswordHasher passwords;
  private final TokenIssuer tokens;
  private final SlugGenerator slugs;
  private final TransactionSynchronizationRegistry transactions;
  private final OpenmeetConfig.Rooms settings;
  private final Focus focus;

  RoomService(
      RoomRepository rooms,
      RoomInviteRepository invites,
      UserRepository users,
      RoomDirectory directory,
      PasswordHasher passwords,
      TokenIssuer tokens,
      SlugGenerator slugs,
      TransactionSynchronizationRegistry transactions,
      OpenmeetConfig config,
      Focus focus) {
    this.rooms = rooms;
    this.invites = invites;
    this.users = users;
    this.directory = directory;
    this.passwords = passwords;
    this.tokens = tokens;
    this.slugs = slugs;
    this.transactions = transactions;
    this.settings = config.rooms();
    this.focus = focus;
  }

  /** A new room and its creator's moderator token. */
  public record CreatedRoom(Room room, IssuedToken token) {}

  /** A join token for a room. */
  public record JoinToken(Room room, IssuedToken token, boolean moderator) {}

  /** Creates a room and signs its creator's moderator token. */
  public CreatedRoom create(RoomCommands.Create cmd, String creatorName, Caller caller) {
    if (settings.requireUserToken() && !caller.isUserToken()) {
      throw caller.authenticated()
          ? new ApiException(
              ErrorCode.FORBIDDEN, "creating rooms needs a user token, not a join token")
          : new ApiException(ErrorCode.UNAUTHORIZED, "creating rooms needs a user token");
    }
    String name =
        creatorName != null
            ? HumanText.DISPLAY_NAME.normalize("displayName", creatorName)
            : tokenName(caller).orElse("Host");
    Room room = persistNew(cmd, caller);
    Person person = new Person(personId(caller), name, caller.email());
    // signing (CPU-heavy RSA) happens after the commit so the transaction stays short
    return new CreatedRoom(
        room, tokens.joinToken(room.id, room.slug, person, true, room.accessVersion));
  }

  @Transactional
  Room persistNew(RoomCommands.Create cmd, Caller caller) {
    RoomAccess access = cmd.access() == null ? RoomAccess.PUBLIC : cmd.access();
    checkPassword(access, cmd.password(), null);
    Room room = new Room();
    room.id = UUID.randomUUID();
    room.slug = slugs.slugFor(cmd.name());
    room.name = cmd.name();
    room.access = access;
    room.passwordHash = access == RoomAccess.PASSWORD ? passwords.hash(cmd.password()) : null;
    room.maxParticipants = cmd.maxParticipants() == null ? 12 : cmd.maxParticipants();
    room.lobbyEnabled = Boolean.TRUE.equals(cmd.lobbyEnabled());
    room.p2pEnabled = cmd.p2pEnabled();
    room.region = cmd.region() == null ? settings.defaultRegion() : cmd.region();
    room.createdBy = creatorUserId(caller);
    room.active = true;
    room.createdAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
    rooms.persist(room);
    rooms.flush();
    RoomRecord record = record(room);
    directory.opened(record);
    afterRollback(() -> directory.closed(record.id()));
    return room;
  }

  /** The room with this id or slug. */
  public Room find(String idOrSlug) {
    var id = Ids.tryParse(idOrSlug);
    var found =
        id.isPresent()
            ? rooms.findByIdOptional(id.get())
            : (SlugGenerator.SLUG.matcher(idOrSlug).matches()
                ? rooms.findBySlug(idOrSlug)
                : java.util.Optional.<Room>empty());
    return found.orElseThrow(
        () -> new ApiException(ErrorCode.ROOM_NOT_FOUND, "no room " + Ids.shorten(idOrSlug)));
  }

  /** One page of rooms: all of them for administrators, a user's own rooms for a user token. */
  public Page<Room> list(Boolean active, Paging paging, Caller caller) {
    UUID createdBy;
    if (caller.admin()) {
      createdBy = null;
    } else if (caller.isUserToken()) {
      createdBy = Ids.tryParse(caller.userId()).orElse(null);
      if (createdBy == null) {
        return new Page<>(List.of(), paging.page(), paging.size(), 0);
      }
    } else {
      throw caller.authenticated()
          ? new ApiException(ErrorCode.FORBIDDEN, "listing rooms needs a user or admin token")
          : new ApiException(ErrorCode.UNAUTHORIZED, "listing rooms needs a user or admin token");
    }
    var query = rooms.query(active, createdBy);
    return new Page<>(
        query.page(paging.page(), paging.size()).list(),
        paging.page(),
        paging.size(),
        query.count());
  }

  /** Changes a room's settings; only its managers may, and only while it is open. */
  @Transactional
  public Room update(String id, RoomCommands.Update cmd, Caller caller) {
    Room room = managed(id, caller);
    if (!room.active) {
      throw new ApiException(ErrorCode.ROOM_CLOSED, "room " + room.slug + " is closed");
    }
    RoomRecord before = record(room);
    RoomAccess access = cmd.access() == null ? room.access : cmd.access();
    checkPassword(access, cmd.password(), room.passwordHash);
    if (cmd.name() != null) {
      room.name = cmd.name();
    }
    if (cmd.maxParticipants() != null) {
      room.maxParticipants = cmd.maxParticipants();
    }
    if (cmd.region() != null) {
      room.region = cmd.region();
    }
    if (cmd.lobbyEnabled() != null) {
      room.lobbyEnabled = cmd.lobbyEnabled();
    }
    if (cmd.p2pEnabled() != null) {
      room.p2pEnabled = cmd.p2pEnabled();
    }
    if (access != room.access || cmd.password() != null) {
      // who may enter changed: tokens issued before no longer join
      room.accessVersion++;
    }
    if (access != RoomAccess.PASSWORD) {
      room.passwordHash = null;
    } else if (cmd.password() != null) {
      room.passwordHash = passwords.hash(cmd.password());
    }
    room.access = access;
    rooms.flush();
    directory.opened(record(room));
    afterRollback(() -> directory.opened(before));
    return room;
  }

  /**
   * Closes a room: the row stays for the history, the Redis hash goes. Closing twice is a no-op.
   */
  /**
   * Closes a room; once the change is committed, its live call ends (everyone gets {@code
   * participant-left} with reason {@code room-closed}, wherever the conference runs). Closing a
   * closed room ends a call that is somehow still running.
   */
  @Transactional
  public void close(String id, Caller caller) {
    Room room = managed(id, caller);
    UUID roomId = room.id;
    afterCommit(() -> endCall(roomId));
    if (!room.active) {
      return;
    }
    RoomRecord before = record(room);
    room.active = false;
    room.closedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
    room.accessVersion++;
    rooms.flush();
    directory.closed(before.id());
    afterRollback(() -> directory.opened(before));
  }

  /** Invites a registered user or an email address to a room (idempotent). */
  @Transactional
  public RoomInvite invite(String roomId, RoomCommands.Invite cmd, Caller caller) {
    Room room = managed(roomId, caller);
    boolean hasUser = cmd.userId() != null;
    boolean hasEmail = cmd.email() != null;
    if (hasUser == hasEmail) {
      throw ApiException.invalid(
          List.of(
              new FieldError("userId", "give exactly one of userId and email"),
              new FieldError("email", "give exactly one of userId and email")));
    }
    UUID userId = null;
    String email = null;
    if (hasUser) {
      userId =
          Ids.tryParse(cmd.userId())
              .orElseThrow(() -> ApiException.invalid("userId", "must be a UUID"));
      if (users.findByIdOptional(userId).isEmpty()) {
        throw ApiException.invalid("userId", "no user with this id");
      }
    } else {
      email = cmd.email().strip().toLowerCase(Locale.ROOT);
    }
    final UUID uid = userId;
    final String mail = email;
    return invites
        .find(
            "roomId = ?1 and " + (uid != null ? "userId = ?2" : "email = ?2"),
            room.id,
            uid != null ? uid : mail)
        .<RoomInvite>firstResultOptional()
        .orElseGet(
            () -> {
              RoomInvite invite = new RoomInvite();
              invite.id = UUID.randomUUID();
              invite.roomId = room.id;
              invite.userId = uid;
              invite.email = mail;
              invite.createdAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
              invites.persist(invite);
              return invite;
            });
  }

  /** The invitations of a room, for its managers. */
  public List<RoomInvite> invites(String roomId, Caller caller) {
    return invites.forRoom(managed(roomId, caller).id);
  }

  /**
   * Signs a join token after checking the room's access policy. Managers of the room (its creator,
   * its moderators, administrators) get a moderator token and skip the password and invite checks.
   */
  public JoinToken joinToken(String idOrSlug, RoomCommands.TokenRequest cmd, Caller caller) {
    Room room = find(idOrSlug);
    if (!room.active) {
      throw new ApiException(ErrorCode.ROOM_CLOSED, "room " + room.slug + " is closed");
    }
    String name =
        cmd.displayName() != null
            ? cmd.displayName()
            : (caller.isUserToken() ? tokenName(caller).orElse(null) : null);
    if (name == null) {
      throw ApiException.invalid(
          "displayName", "is required (your token names nobody this service can show)");
    }
    boolean moderator = caller.mayManage(room);
    if (!moderator) {
      switch (room.access) {
        case PUBLIC -> {}
        case PASSWORD -> {
          if (cmd.password() == null || cmd.password().isEmpty()) {
            throw new ApiException(ErrorCode.WRONG_PASSWORD, "this room requires a password");
          }
          if (!passwords.matches(cmd.password(), room.passwordHash)) {
            throw new ApiException(ErrorCode.WRONG_PASSWORD, "the password is not right");
          }
        }
        case INVITE_ONLY -> {
          if (!caller.isUserToken()) {
            throw new ApiException(
                ErrorCode.UNAUTHORIZED, "this room is invite-only: present your user token");
          }
          UUID userId = Ids.tryParse(caller.userId()).orElse(null);
          String email = caller.email() == null ? null : caller.email().toLowerCase(Locale.ROOT);
          if (email == null && userId != null) {
            email = users.findByIdOptional(userId).map(u -> u.email).orElse(null);
          }
          if (!invites.isInvited(room.id, userId, email)) {
            throw new ApiException(ErrorCode.NOT_INVITED, "you are not invited to " + room.slug);
          }
        }
      }
    }
    Person person = new Person(personId(caller), name, caller.email());
    return new JoinToken(
        room,
        tokens.joinToken(room.id, room.slug, person, moderator, room.accessVersion),
        moderator);
  }

  /**
   * The room, when the caller may manage it (its moderators, its creator, administrators).
   *
   * @throws ApiException ROOM_NOT_FOUND, INVALID_ID, UNAUTHORIZED or FORBIDDEN
   */
  public Room manage(String id, Caller caller) {
    return managed(id, caller);
  }

  private Room managed(String id, Caller caller) {
    UUID uuid = Ids.parse(id, "room id");
    Room room =
        rooms
            .findByIdOptional(uuid)
            .orElseThrow(() -> new ApiException(ErrorCode.ROOM_NOT_FOUND, "no room " + uuid));
    if (!caller.mayManage(room)) {
      throw caller.authenticated()
          ? new ApiException(ErrorCode.FORBIDDEN, "this token may not manage room " + room.slug)
          : new ApiException(ErrorCode.UNAUTHORIZED, "managing a room needs its moderator token");
    }
    return room;
  }

  private static void checkPassword(RoomAccess access, String password, String existingHash) {
    List<FieldError> errors = new ArrayList<>();
    if (access == RoomAccess.PASSWORD && password == null && existingHash == null) {
      errors.add(new FieldError("password", "required when access is password"));
    }
    if (access != RoomAccess.PASSWORD && password != null) {
      errors.add(new FieldError("password", "only rooms with access password take a password"));
    }
    if (password != null && !PasswordHasher.fits(password)) {
      errors.add(
          new FieldError(
              "password",
              "must be at most "
                  + PasswordHasher.MAX_BYTES
                  + " bytes in UTF-8 (bcrypt reads no more)"));
    }
    if (!errors.isEmpty()) {
      throw ApiException.invalid(errors);
    }
  }

  private UUID creatorUserId(Caller caller) {
    if (!caller.isUserToken()) {
      return null;
    }
    // tokens of an external identity provider may name users we have no row for
    return Ids.tryParse(caller.userId())
        .filter(id -> users.findByIdOptional(id).isPresent())
        .orElse(null);
  }

  private static String personId(Caller caller) {
    return caller.isUserToken() ? caller.userId() : "guest-" + UUID.randomUUID();
  }

  /**
   * The name in the caller's token when it keeps to {@link HumanText#DISPLAY_NAME} (normalised); a
   * token of an outside identity provider may name someone in a way we do not show.
   */
  private static Optional<String> tokenName(Caller caller) {
    if (caller.name() == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(HumanText.DISPLAY_NAME.normalize("name", caller.name()));
    } catch (InvalidTextException e) {
      return Optional.empty();
    }
  }

  private static RoomRecord record(Room room) {
    return new RoomRecord(
        room.id.toString(),
        room.slug,
        room.name,
        room.access.wire(),
        room.maxParticipants,
        room.lobbyEnabled,
        room.region,
        room.createdAt,
        room.accessVersion,
        room.p2pEnabled);
  }

  private void endCall(UUID roomId) {
    try {
      focus.closeRoom(roomId);
    } catch (FocusException | RuntimeException e) {
      // the room is closed: its participants cannot join it again; they leave on their own
      LOG.warnf("the call of closed room %s could not be ended now: %s", roomId, e.toString());
    }
  }

  private void afterCommit(Runnable then) {
    transactions.registerInterposedSynchronization(
        new Synchronization() {
          @Override
          public void beforeCompletion() {}

          @Override
          public void afterCompletion(int status) {
            if (status == Status.STATUS_COMMITTED) {
              then.run();
            }
          }
        });
  }

  private void afterRollback(Runnable undo) {
    transactions.registerInterposedSynchronization(
        new Synchronization() {
          @Override
          public void beforeCompletion() {}

          @Override
          public void afterCompletion(int status) {
            if (status != Status.STATUS_COMMITTED) {
              undo.run();
            }
          }
        });
  }
}
