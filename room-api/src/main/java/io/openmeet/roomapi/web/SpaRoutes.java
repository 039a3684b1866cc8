package io.openmeet.roomapi.web;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.regex.Pattern;

/**
 * Serves the web app's {@code index.html} for its client-side routes ({@code /<slug>} and {@code
 * /r/<slug>}), so that a meeting link opens the app. The REST resources live at the root of Quarkus
 * REST, whose not-found answer would otherwise win over Quinoa's SPA routing; this route runs first
 * and rewrites only paths that look like a room link. {@code /api}, {@code /q}, assets (anything
 * with a dot) and every other path are left alone.
 */
@ApplicationScoped
public class SpaRoutes {

  /** A room link: the web app's router accepts the same slug shape. */
  static final Pattern ROOM_PATH = Pattern.compile("^/(?:r/)?[A-Za-z0-9][A-Za-z0-9_-]{0,127}/?$");

  static boolean isRoomLink(String path) {
    if (path == null || !ROOM_PATH.matcher(path).matches()) {
      return false;
    }
    return !(path.equals("/api")
        || path.equals("/api/")
        || path.equals("/q")
        || path.equals("/q/"));
  }

  void install(@Observes Router router) {
    router
        .route()
        .order(-1000)
        .handler(
            rc -> {
              HttpMethod method = rc.request().method();
              if ((method == HttpMethod.GET || method == HttpMethod.HEAD)
                  && isRoomLink(rc.normalizedPath())) {
                rc.reroute("/");
              } else {
                rc.next();
              }
            });
  }
}
