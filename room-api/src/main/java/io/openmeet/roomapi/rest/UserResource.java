package io.openmeet.roomapi.rest;

import io.openmeet.roomapi.audit.AuditEvent;
import io.openmeet.roomapi.audit.AuditLog;
import io.openmeet.roomapi.entity.User;
import io.openmeet.roomapi.rest.RoomModels.TokenResponse;
import io.openmeet.roomapi.rest.UserModels.CreateUserRequest;
import io.openmeet.roomapi.rest.UserModels.UserTokenRequest;
import io.openmeet.roomapi.rest.UserModels.UserView;
import io.openmeet.roomapi.security.CallerResolver;
import io.openmeet.roomapi.service.Ids;
import io.openmeet.roomapi.service.Page;
import io.openmeet.roomapi.service.Paging;
import io.openmeet.roomapi.service.UserService;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.net.URI;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestResponse;

/** Registered users; administrators only (a token with the admin group). */
@Path("/api/users")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed(CallerResolver.ADMIN_ROLE)
@Tag(name = "users")
public class UserResource {

  private final UserService users;
  private final CallerResolver callers;
  private final AuditLog audit;

  UserResource(UserService users, CallerResolver callers, AuditLog audit) {
    this.users = users;
    this.callers = callers;
    this.audit = audit;
  }

  @POST
  @Operation(
      summary = "Register a user (admin)",
      description = "Emails are unique, case-insensitively (409).")
  public RestResponse<UserView> create(
      @Valid @NotNull CreateUserRequest body, @Context HttpServerRequest request) {
    User user = users.create(body.email(), body.name(), body.avatarUrl());
    audit.record(
        AuditEvent.of(
            AuditEvent.actor(callers.current()),
            AuditEvent.USER_CREATE,
            null,
            null,
            user.id,
            ClientAddress.of(request)));
    return RestResponse.ResponseBuilder.<UserView>created(URI.create("/api/users/" + user.id))
        .entity(view(user))
        .build();
  }

  @GET
  @Path("/{id}")
  @Operation(summary = "Get a user (admin)")
  public UserView get(@PathParam("id") String id) {
    return view(users.find(id));
  }

  @GET
  @Operation(summary = "List users, newest first (admin)", description = "Query: page, size.")
  public Page<UserView> list(@QueryParam("page") String page, @QueryParam("size") String size) {
    return users.list(Paging.of(page, size)).map(UserResource::view);
  }

  @POST
  @Path("/{id}/tokens")
  @Operation(
      summary = "Mint a user token (admin)",
      description =
          "A JWT in Jitsi's format with room=* that stands for the user; {\"admin\":true} adds the"
              + " admin group. In production an identity provider issues these instead.")
  public TokenResponse token(
      @PathParam("id") String id,
      @Valid UserTokenRequest body,
      @Context HttpServerRequest request) {
    boolean admin = body != null && Boolean.TRUE.equals(body.admin());
    var token = users.token(id, admin);
    audit.record(
        AuditEvent.of(
            AuditEvent.actor(callers.current()),
            AuditEvent.TOKEN_MINT,
            null,
            null,
            Ids.tryParse(id).orElse(null),
            ClientAddress.of(request)));
    return new TokenResponse(token.token(), token.expiresAt(), null, null, null);
  }

  static UserView view(User u) {
    return new UserView(u.id, u.email, u.name, u.avatarUrl, u.createdAt, u.updatedAt);
  }
}
