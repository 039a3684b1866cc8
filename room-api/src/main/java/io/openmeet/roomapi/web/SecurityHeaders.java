package io.openmeet.roomapi.web;

import io.openmeet.roomapi.config.OpenmeetConfig;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Security headers on every response, REST and web app alike: Content-Security-Policy and
 * Referrer-Policy from openmeet.http.*, {@code X-Content-Type-Options: nosniff}, {@code
 * X-Frame-Options: DENY} (with the policy's frame-ancestors 'none'). HTML pages get {@code
 * Cache-Control: no-cache}, so a new release reaches browsers at once; the hashed assets they load
 * keep the static handler's long-lived caching.
 */
@ApplicationScoped
public class SecurityHeaders {

  private final String contentSecurityPolicy;
  private final String referrerPolicy;

  SecurityHeaders(OpenmeetConfig config) {
    this.contentSecurityPolicy = config.http().contentSecurityPolicy();
    this.referrerPolicy = config.http().referrerPolicy();
  }

  void install(@Observes Router router) {
    // first of all routes, so that every answer (also errors and the SPA reroute) gets them
    router
        .route()
        .order(-2000)
        .handler(
            rc -> {
              rc.addHeadersEndHandler(done -> apply(rc.response().headers()));
              rc.next();
            });
  }

  void apply(MultiMap headers) {
    headers.set("Content-Security-Policy", contentSecurityPolicy);
    headers.set("X-Content-Type-Options", "nosniff");
    headers.set("X-Frame-Options", "DENY");
    headers.set("Referrer-Policy", referrerPolicy);
    String type = headers.get(HttpHeaders.CONTENT_TYPE);
    if (type != null && type.startsWith("text/html")) {
      headers.set(HttpHeaders.CACHE_CONTROL, "no-cache");
    }
  }
}
