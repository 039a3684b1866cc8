package io.openmeet.roomapi.rest;

import io.openmeet.roomapi.audit.AuditEvent;
import io.openmeet.roomapi.entity.Room;
import io.openmeet.roomapi.lobby.LobbyException;
import io.openmeet.roomapi.lobby.LobbyService;
import io.openmeet.roomapi.security.Caller;
import io.openmeet.roomapi.security.CallerResolver;
import io.openmeet.roomapi.service.ApiException;
import io.openmeet.roomapi.service.ErrorCode;
import io.openmeet.roomapi.service.RoomService;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestResponse;

/** A room's lobby (waiting room): who waits, and admitting or denying them. */
@Path("/api/rooms/{id}/lobby")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "rooms")
public class LobbyResource {

  /** GET /api/rooms/{id}/lobby. */
  public record LobbyView(
      UUID roomId, boolean lobbyEnabled, boolean moderatorPresent, List<WaiterView> waiters) {}

  /** One waiter; {@code participantId} is the id to admit or deny. */
  public record WaiterView(String participantId, String displayName, Instant since) {}

  /** POST /api/rooms/{id}/lobby/admit-all. */
  public record AdmittedView(List<String> admitted) {}

  private final LobbyService lobby;
  private final RoomService rooms;
  private final CallerResolver callers;

  LobbyResource(LobbyService lobby, RoomService rooms, CallerResolver callers) {
    this.lobby = lobby;
    this.rooms = rooms;
    this.callers = callers;
  }

  @GET
  @Operation(
      summary = "Who waits in a room's lobby",
      description =
          "For the room's moderators, its creator's user token and administrators. 409 no-lobby"
              + " when the room has no lobby and nobody waits.")
  public LobbyView get(@PathParam("id") String id) {
    Room room = rooms.manage(id, callers.current());
    var waiters =
        lobby.waiters(room.id).stream()
            .map(w -> new WaiterView(w.id(), w.displayName(), w.since()))
            .toList();
    if (!room.lobbyEnabled && waiters.isEmpty()) {
      throw new ApiException(ErrorCode.NO_LOBBY, "room " + room.slug + " has no lobby");
    }
    return new LobbyView(room.id, room.lobbyEnabled, lobby.moderatorPresent(room.id), waiters);
  }

  @POST
  @Path("/{participantId}/admit")
  @Operation(
      summary = "Let a waiter in",
      description =
          "Same callers as GET. The waiter joins the call. 404 not-in-lobby when nobody with that"
              + " id waits (admitted, denied or gone already).")
  public RestResponse<Void> admit(
      @PathParam("id") String id,
      @PathParam("participantId") String participantId,
      @Context HttpServerRequest request) {
    return decide(id, participantId, request, lobby::admit);
  }

  @POST
  @Path("/{participantId}/deny")
  @Operation(
      summary = "Turn a waiter away",
      description =
          "Same callers as GET. The waiter is told and its socket closed; its join token cannot"
              + " knock again. 404 not-in-lobby as for admit.")
  public RestResponse<Void> deny(
      @PathParam("id") String id,
      @PathParam("participantId") String participantId,
      @Context HttpServerRequest request) {
    return decide(id, participantId, request, lobby::deny);
  }

  /** One lobby decision (admit or deny), made by whoever may manage the room. */
  @FunctionalInterface
  private interface Decision {
    void apply(java.util.UUID roomId, String waiterId, LobbyService.Actor actor)
        throws LobbyException;
  }

  private RestResponse<Void> decide(
      String id, String participantId, HttpServerRequest request, Decision decision) {
    Caller caller = callers.current();
    Room room = rooms.manage(id, caller);
    try {
      decision.apply(room.id, participantId, actor(caller, request));
    } catch (LobbyException e) {
      throw problem(e);
    }
    return RestResponse.noContent();
  }

  @POST
  @Path("/admit-all")
  @Operation(
      summary = "Let everyone waiting in",
      description = "Same callers as GET. Answers the ids let in (possibly none).")
  public AdmittedView admitAll(@PathParam("id") String id, @Context HttpServerRequest request) {
    Caller caller = callers.current();
    Room room = rooms.manage(id, caller);
    try {
      return new AdmittedView(lobby.admitAll(room.id, actor(caller, request)));
    } catch (LobbyException e) {
      throw problem(e);
    }
  }

  private static LobbyService.Actor actor(Caller caller, HttpServerRequest request) {
    return new LobbyService.Actor(AuditEvent.actor(caller), ClientAddress.of(request));
  }

  private static ApiException problem(LobbyException e) {
    return new ApiException(
        e.reason() == LobbyException.Reason.NOT_IN_LOBBY
            ? ErrorCode.NOT_IN_LOBBY
            : ErrorCode.NO_LOBBY,
        e.getMessage());
  }
}
