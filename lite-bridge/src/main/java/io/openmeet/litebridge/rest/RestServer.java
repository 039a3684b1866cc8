package io.openmeet.litebridge.rest;

import io.openmeet.litebridge.bridgechannel.ColibriWebSocketService;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The bridge's private HTTP server: `GET /about/health`, `GET /about/version`, `GET
 * /colibri/stats`, `POST /colibri/drain/enable|disable`, `POST /colibri/shutdown` and the
 * colibri-ws WebSocket. Paths and JSON field names follow JVB's REST API.
 *
 * <p>Browsers reach this port for colibri-ws, so the `/colibri/*` control routes need
 * `Authorization: Bearer <control secret>` (refused with 403 when no secret is configured), and
 * every route but colibri-ws refuses a request carrying `Origin` (a browser's): a text/plain POST
 * from any web page needs no CORS preflight.
 */
public final class RestServer implements AutoCloseable {

  /** What the REST API controls. */
  public interface Controls {
    boolean healthy();

    void setDrain(boolean drain);

    /** Refuse new conferences and exit once the last one ended. */
    void gracefulShutdown();

    /** Exit now. */
    void shutdownNow();
  }

  private static final int MAX_BODY = 4096;
  private static final String BEARER = "Bearer ";

  private final Vertx vertx;
  private final String host;
  private final int port;
  private final byte[] controlSecret;
  private final Supplier<Map<String, Object>> stats;
  private final Controls controls;
  private final ColibriWebSocketService webSockets;
  private final String version;
  private HttpServer server;

  public RestServer(
      Vertx vertx,
      String host,
      int port,
      String controlSecret,
      Supplier<Map<String, Object>> stats,
      Controls controls,
      ColibriWebSocketService webSockets,
      String version) {
    this.vertx = vertx;
    this.host = host;
    this.port = port;
    this.controlSecret = controlSecret.getBytes(StandardCharsets.UTF_8);
    this.stats = stats;
    this.controls = controls;
    this.webSockets = webSockets;
    this.version = version;
  }

  /** Binds and returns the actual port. */
  public int start() throws Exception {
    Router router = Router.router(vertx);
    router.route().handler(this::refuseBrowsers);
    router.route("/colibri/*").handler(this::requireControlSecret);
    router.get("/about/health").handler(this::health);
    router
        .get("/about/version")
        .handler(
            ctx ->
                json(
                    ctx,
                    200,
                    new JsonObject()
                        .put("name", "lite-bridge")
                        .put("version", version)
                        .put("os", System.getProperty("os.name"))));
    router.get("/colibri/stats").handler(ctx -> json(ctx, 200, new JsonObject(stats.get())));
    router.post("/colibri/drain/enable").handler(ctx -> drain(ctx, true));
    router.post("/colibri/drain/disable").handler(ctx -> drain(ctx, false));
    router
        .post("/colibri/shutdown")
        .handler(BodyHandler.create().setBodyLimit(MAX_BODY))
        .handler(this::shutdown);
    router
        .get(ColibriWebSocketService.PATH_PREFIX + ":server/:conf/:ep")
        .handler(webSockets::handle);
    server =
        vertx
            .createHttpServer()
            .requestHandler(router)
            .listen(port, host)
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    return server.actualPort();
  }

  /**
   * A browser sends Origin on every cross-origin request; only the bridge channel is for browsers.
   */
  private void refuseBrowsers(RoutingContext ctx) {
    if (ctx.request().headers().contains(HttpHeaders.ORIGIN)
        && !ctx.normalizedPath().startsWith(ColibriWebSocketService.PATH_PREFIX)) {
      json(ctx, 403, new JsonObject().put("error", "requests with an Origin header are refused"));
      return;
    }
    ctx.next();
  }

  private void requireControlSecret(RoutingContext ctx) {
    if (controlSecret.length == 0) {
      json(
          ctx,
          403,
          new JsonObject()
              .put(
                  "error",
                  "control endpoints are disabled: lite-bridge.rest.control-secret is not set"));
      return;
    }
    String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
    byte[] given =
        header != null && header.startsWith(BEARER)
            ? header.substring(BEARER.length()).getBytes(StandardCharsets.UTF_8)
            : new byte[0];
    // Constant-time comparison: the time taken says nothing about how much of the secret matched.
    if (!MessageDigest.isEqual(given, controlSecret)) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer");
      json(ctx, 401, new JsonObject().put("error", "missing or wrong control secret"));
      return;
    }
    ctx.next();
  }

  private void health(RoutingContext ctx) {
    if (controls.healthy()) {
      ctx.response().setStatusCode(200).end();
    } else {
      json(ctx, 500, new JsonObject().put("error", "lite-bridge is not healthy"));
    }
  }

  private void drain(RoutingContext ctx, boolean drain) {
    controls.setDrain(drain);
    ctx.response().setStatusCode(200).end();
  }

  /** Body like JVB's: {"graceful-shutdown": true} (the default when empty) or false for now. */
  private void shutdown(RoutingContext ctx) {
    boolean graceful = true;
    String body = ctx.body().asString();
    if (body != null && !body.isBlank()) {
      try {
        Object value = new JsonObject(body).getValue("graceful-shutdown");
        if (value != null) {
          graceful = Boolean.parseBoolean(String.valueOf(value));
        }
      } catch (DecodeException e) {
        json(ctx, 400, new JsonObject().put("error", "body is not JSON: " + e.getMessage()));
        return;
      }
    }
    ctx.response().setStatusCode(200).end();
    if (graceful) {
      controls.gracefulShutdown();
    } else {
      controls.shutdownNow();
    }
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(body.encode());
  }

  @Override
  public void close() {
    if (server != null) {
      server.close().toCompletionStage().toCompletableFuture().orTimeout(5, TimeUnit.SECONDS);
    }
  }
}
