package io.openmeet.roomapi.web;

import io.openmeet.roomapi.regions.LocalRooms;
import io.openmeet.roomapi.regions.Peer;
import io.openmeet.roomapi.regions.RoomRegions;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * In a multi-region deployment, sends a browser that opened a room link (or asked {@code GET
 * /api/rooms/<id or slug>}) in a region without that room to the region that has it, with a 307 to
 * the same path there. Runs before {@link SpaRoutes}; installs nothing when no other region is
 * configured, and leaves alone requests that are themselves another region's lookup.
 */
@ApplicationScoped
public class RegionRedirects {

  private static final Logger LOG = Logger.getLogger(RegionRedirects.class);

  /** {@code /api/rooms/<id or slug>}: the same id and slug shapes the REST resource accepts. */
  private static final Pattern API_ROOM =
      Pattern.compile("^/api/rooms/([A-Za-z0-9][A-Za-z0-9_-]{0,127})/?$");

  private final RoomRegions regions;
  private final LocalRooms local;

  RegionRedirects(RoomRegions regions, LocalRooms local) {
    this.regions = regions;
    this.local = local;
  }

  /** The room a request names, if it is one this class redirects; null otherwise. */
  static String roomOf(String path) {
    if (path == null) {
      return null;
    }
    Matcher api = API_ROOM.matcher(path);
    if (api.matches()) {
      return api.group(1);
    }
    if (SpaRoutes.isRoomLink(path)) {
      String p = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
      return p.substring(p.lastIndexOf('/') + 1);
    }
    return null;
  }

  void install(@Observes Router router) {
    if (!regions.enabled()) {
      return;
    }
    router.route().order(-1001).handler(this::handle);
  }

  private void handle(RoutingContext rc) {
    HttpMethod method = rc.request().method();
    String room = roomOf(rc.normalizedPath());
    if ((method != HttpMethod.GET && method != HttpMethod.HEAD)
        || room == null
        || rc.request().getHeader(RoomRegions.LOOKUP_HEADER) != null) {
      rc.next();
      return;
    }
    rc.vertx()
        .executeBlocking(() -> local.exists(room), false)
        .compose(
            here ->
                here
                    ? Future.succeededFuture(Optional.<Peer>empty())
                    : Future.fromCompletionStage(
                        regions.homeOf(room), rc.vertx().getOrCreateContext()))
        .onComplete(
            ar -> {
              if (ar.failed()) {
                LOG.debugf(ar.cause(), "region lookup of %s failed", room);
                rc.next();
              } else if (ar.result().isPresent()) {
                Peer home = ar.result().get();
                String location =
                    RoomRegions.redirectTarget(home, rc.request().path(), rc.request().query())
                        .toString();
                LOG.debugf(
                    "room %s lives in region %s: redirecting to %s", room, home.region(), location);
                rc.response()
                    .setStatusCode(307)
                    .putHeader("Location", location)
                    .putHeader("Cache-Control", "no-store")
                    .end();
              } else {
                rc.next();
              }
            });
  }
}
