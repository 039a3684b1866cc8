package io.openmeet.roomapi.rest;

import io.openmeet.roomapi.audit.AuditEvent;
import io.openmeet.roomapi.audit.AuditLog;
import io.openmeet.roomapi.entity.Room;
import io.openmeet.roomapi.entity.RoomInvite;
import io.openmeet.roomapi.lobby.LobbyException;
import io.openmeet.roomapi.lobby.LobbyService;
import io.openmeet.roomapi.rest.RoomModels.CreateRoomRequest;
import io.openmeet.roomapi.rest.RoomModels.CreateRoomResponse;
import io.openmeet.roomapi.rest.RoomModels.InviteRequest;
import io.openmeet.roomapi.rest.RoomModels.InviteView;
import io.openmeet.roomapi.rest.RoomModels.RoomView;
import io.openmeet.roomapi.rest.RoomModels.TokenRequest;
import io.openmeet.roomapi.rest.RoomModels.TokenResponse;
import io.openmeet.roomapi.rest.RoomModels.UpdateRoomRequest;
import io.openmeet.roomapi.security.CallerResolver;
import io.openmeet.roomapi.service.ApiException;
import io.openmeet.roomapi.service.CallHistoryService;
import io.openmeet.roomapi.service.Ids;
import io.openmeet.roomapi.service.Page;
import io.openmeet.roomapi.service.Paging;
import io.openmeet.roomapi.service.RequestLimits;
import io.openmeet.roomapi.service.RoomCommands;
import io.openmeet.roomapi.service.RoomService;
import io.vertx.core.http.HttpServerRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.net.URI;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestResponse;

/** Rooms: create, read, list, change, close, invite, and join tokens. */
@Path("/api/rooms")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "rooms")
public class RoomResource {

  private final RoomService rooms;
  private final RequestLimits limits;
  private final CallerResolver callers;
  private final Urls urls;
  private final CallHistoryService history;
  private final AuditLog audit;
  // field-injected so that the constructor other changes touch stays as it was
  @jakarta.inject.Inject LobbyService lobby;

  RoomResource(
      RoomService rooms,
      RequestLimits limits,
      CallerResolver callers,
      Urls urls,
      CallHistoryService history,
      AuditLog audit) {
    this.history = history;
    this.audit = audit;
    this.rooms = rooms;
    this.limits = limits;
    this.callers = callers;
    this.urls = urls;
  }

  @POST
  @Operation(
      summary = "Create a room",
      description =
          "Anyone may create a room unless openmeet.rooms.require-user-token is set; then a user"
              + " token is needed. Answers the room, its join and signalling URLs and a moderator"
              + " token for the creator. Rate-limited per client address (429 + Retry-After).")
  public RestResponse<CreateRoomResponse> create(
      @Valid @NotNull CreateRoomRequest body, @Context HttpServerRequest request) {
    var caller = callers.current();
    limits.roomCreate(ClientAddress.of(request));
    var created =
        rooms.create(
            new RoomCommands.Create(
                body.name(),
                body.access(),
                body.password(),
                body.maxParticipants(),
                body.region(),
                body.lobbyEnabled(),
                body.p2pEnabled()),
            body.displayName(),
            caller);
    Room r = created.room();
    audit.record(
        AuditEvent.of(
            AuditEvent.actor(caller),
            AuditEvent.ROOM_CREATE,
            r.id,
            null,
            null,
            ClientAddress.of(request)));
    var response =
        new CreateRoomResponse(
            r.id,
            r.slug,
            r.name,
            r.access,
            r.maxParticipants,
            r.lobbyEnabled,
            r.region,
            r.createdAt,
            urls.join(r.slug),
            urls.signalling(r.slug),
            created.token().token(),
            created.token().expiresAt(),
            r.p2pEnabled);
    return RestResponse.ResponseBuilder.<CreateRoomResponse>created(
            URI.create("/api/rooms/" + r.id))
        .entity(response)
        .build();
  }

  @GET
  @Path("/{idOrSlug}")
  @Operation(summary = "Get a room by id or slug", description = "Anyone may read a room.")
  public RoomView get(@PathParam("idOrSlug") String idOrSlug) {
    return view(rooms.find(idOrSlug));
  }

  @GET
  @Operation(
      summary = "List rooms, newest first",
      description =
          "Administrators see every room, a user token its own rooms. Query: active (true/false),"
              + " page (from 0), size (1..100, default 20).")
  public Page<RoomView> list(
      @QueryParam("active") String active,
      @QueryParam("page") String page,
      @QueryParam("size") String size) {
    Paging paging = Paging.of(page, size);
    return rooms.list(parseBoolean(active), paging, callers.current()).map(this::view);
  }

  @PATCH
  @Path("/{id}")
  @Operation(
      summary = "Change a room",
      description =
          "For the room's moderators (its join token with moderator=true), its creator's user token"
              + " and administrators. Absent fields stay as they are. Turning the lobby off lets"
              + " everyone waiting in it in.")
  public RoomView update(
      @PathParam("id") String id,
      @Valid @NotNull UpdateRoomRequest body,
      @Context HttpServerRequest request) {
    var caller = callers.current();
    Room room =
        rooms.update(
            id,
            new RoomCommands.Update(
                body.name(),
                body.access(),
                body.password(),
                body.maxParticipants(),
                body.region(),
                body.lobbyEnabled(),
                body.p2pEnabled()),
            caller);
    audit.record(
        AuditEvent.of(
            AuditEvent.actor(caller),
            AuditEvent.ROOM_PATCH,
            room.id,
            null,
            null,
            ClientAddress.of(request)));
    if (!room.lobbyEnabled && Boolean.FALSE.equals(body.lobbyEnabled())) {
      // like Jitsi Meet: without a lobby nobody is kept waiting
      try {
        lobby.admitAll(
            room.id, new LobbyService.Actor(AuditEvent.actor(caller), ClientAddress.of(request)));
      } catch (LobbyException e) {
        // nobody waits: nothing to do
      }
    }
    return view(room);
  }

  @DELETE
  @Path("/{id}")
  @Operation(
      summary = "Close a room",
      description =
          "Same callers as PATCH. The room stays readable (active=false); closing twice is fine.")
  public RestResponse<Void> close(@PathParam("id") String id, @Context HttpServerRequest request) {
    var caller = callers.current();
    rooms.close(id, caller);
    audit.record(
        AuditEvent.of(
            AuditEvent.actor(caller),
            AuditEvent.ROOM_DELETE,
            Ids.tryParse(id).orElse(null),
            null,
            null,
            ClientAddress.of(request)));
    return RestResponse.noContent();
  }

  @POST
  @Path("/{idOrSlug}/tokens")
  @Operation(
      summary = "Get a join token",
      description =
          "Public rooms: anyone with a displayName. Password rooms: the password. Invite-only rooms:"
              + " an invited user's user token (Authorization: Bearer). The room's managers get a"
              + " moderator token. Rate-limited per client address (429 + Retry-After).")
  public TokenResponse token(
      @PathParam("idOrSlug") String idOrSlug,
      @Valid @NotNull TokenRequest body,
      @Context HttpServerRequest request) {
    var caller = callers.current();
    limits.tokenRequest(ClientAddress.of(request));
    var issued =
        rooms.joinToken(
            idOrSlug, new RoomCommands.TokenRequest(body.displayName(), body.password()), caller);
    return new TokenResponse(
        issued.token().token(),
        issued.token().expiresAt(),
        issued.moderator(),
        issued.room().id,
        issued.room().slug);
  }

  @POST
  @Path("/{id}/invites")
  @Operation(
      summary = "Invite a user (by userId) or an email address to a room",
      description = "Same callers as PATCH. Inviting twice answers the existing invitation.")
  public RestResponse<InviteView> invite(
      @PathParam("id") String id,
      @Valid @NotNull InviteRequest body,
      @Context HttpServerRequest request) {
    var caller = callers.current();
    RoomInvite invite =
        rooms.invite(id, new RoomCommands.Invite(body.userId(), body.email()), caller);
    audit.record(
        AuditEvent.of(
            AuditEvent.actor(caller),
            AuditEvent.INVITE_CREATE,
            invite.roomId,
            null,
            invite.userId,
            ClientAddress.of(request)));
    return RestResponse.status(RestResponse.Status.CREATED, inviteView(invite));
  }

  @GET
  @Path("/{id}/invites")
  @Operation(summary = "List a room's invitations", description = "Same callers as PATCH.")
  public List<InviteView> invites(@PathParam("id") String id) {
    return rooms.invites(id, callers.current()).stream().map(RoomResource::inviteView).toList();
  }

  @GET
  @Path("/{id}/calls")
  @Operation(
      summary = "A room's calls, newest first",
      description = "Same callers as PATCH. Query: page, size.")
  public Page<CallModels.CallView> calls(
      @PathParam("id") String id,
      @QueryParam("page") String page,
      @QueryParam("size") String size) {
    return history.forRoom(id, Paging.of(page, size), callers.current()).map(CallResource::view);
  }

  private RoomView view(Room r) {
    return new RoomView(
        r.id,
        r.slug,
        r.name,
        r.access,
        r.maxParticipants,
        r.lobbyEnabled,
        r.region,
        r.active,
        r.createdAt,
        r.closedAt,
        urls.join(r.slug),
        urls.signalling(r.slug),
        r.p2pEnabled);
  }

  private static InviteView inviteView(RoomInvite i) {
    return new InviteView(i.id, i.roomId, i.userId, i.email, i.createdAt);
  }

  private static Boolean parseBoolean(String value) {
    if (value == null || value.isEmpty()) {
      return null;
    }
    return switch (value) {
      case "true" -> Boolean.TRUE;
      case "false" -> Boolean.FALSE;
      default ->
          throw ApiException.invalid("active", "must be true or false, not " + Ids.shorten(value));
    };
  }
}
