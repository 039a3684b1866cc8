package io.openmeet.roomapi.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.config.MeterFilter;
import io.quarkus.websockets.next.WebSocket;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Produces;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.inject.Singleton;
import jakarta.ws.rs.Path;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Keeps request paths out of the HTTP metrics' labels: a {@code uri} value is one of the app's
 * route templates (REST resources and WebSocket endpoints, e.g. {@code /api/rooms/{idOrSlug}}) or
 * one of Quarkus's fixed values; anything else (a raw path of a CORS-refused request, a static
 * file, a probe) becomes {@value #OTHER}. An unknown HTTP {@code method} becomes {@value #OTHER}
 * too. Room slugs are the secret of public rooms, and raw paths would make the label set unbounded.
 */
@Singleton
public class HttpLabels {

  /** The label value of every path that is not a route template, and of unknown methods. */
  public static final String OTHER = "other";

  private static final Logger LOG = Logger.getLogger(HttpLabels.class);

  /** What Quarkus itself writes for requests without a template. */
  private static final Set<String> FIXED = Set.of("NOT_FOUND", "REDIRECTION", "root", "UNKNOWN");

  private static final Set<String> METHODS =
      Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE");

  /** The filter, registered with every meter registry (Quarkus applies MeterFilter beans). */
  @Produces
  @Singleton
  static MeterFilter filter(BeanManager beans) {
    Set<String> templates = templates(beans);
    LOG.debugf("uri labels allowed: %s", templates);
    return filter(templates);
  }

  /** A filter that keeps exactly {@code templates} (and Quarkus's fixed values) as uri labels. */
  static MeterFilter filter(Set<String> templates) {
    return new MeterFilter() {
      @Override
      public Meter.Id map(Meter.Id id) {
        String uri = id.getTag("uri");
        String method = id.getTag("method");
        boolean uriOk = uri == null || templates.contains(uri) || FIXED.contains(uri);
        boolean methodOk = method == null || METHODS.contains(method);
        if (uriOk && methodOk) {
          return id;
        }
        List<Tag> tags = new ArrayList<>();
        for (Tag t : id.getTagsAsIterable()) {
          if (!uriOk && t.getKey().equals("uri") || !methodOk && t.getKey().equals("method")) {
            tags.add(Tag.of(t.getKey(), OTHER));
          } else {
            tags.add(t);
          }
        }
        return id.replaceTags(tags);
      }
    };
  }

  /** The route templates of every REST resource and WebSocket endpoint bean. */
  static Set<String> templates(BeanManager beanManager) {
    Set<String> templates = new HashSet<>();
    for (Bean<?> bean : beanManager.getBeans(Object.class, Any.Literal.INSTANCE)) {
      Class<?> type = bean.getBeanClass();
      WebSocket socket = type.getAnnotation(WebSocket.class);
      if (socket != null) {
        templates.add(socket.path());
      }
      Path base = type.getAnnotation(Path.class);
      if (base == null) {
        continue;
      }
      templates.add(join(base.value(), ""));
      for (Method m : type.getDeclaredMethods()) {
        Path sub = m.getAnnotation(Path.class);
        if (sub != null) {
          templates.add(join(base.value(), sub.value()));
        }
      }
    }
    return Set.copyOf(templates);
  }

  private static String join(String base, String sub) {
    String path = ("/" + base + "/" + sub).replaceAll("/+", "/");
    return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }
}
