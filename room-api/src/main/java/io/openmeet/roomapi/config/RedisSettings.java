package io.openmeet.roomapi.config;

import io.openmeet.presence.redis.RedissonClientFactory;
import io.openmeet.presence.redis.RedissonClientFactory.Auth;
import io.openmeet.presence.redis.RedissonClientFactory.Mode;
import io.openmeet.presence.redis.RedissonClientFactory.Sentinel;
import io.openmeet.presence.redis.RedissonClientFactory.Settings;
import io.openmeet.presence.redis.RedissonClientFactory.Tls;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Turns {@code openmeet.redis.*} into presence's connection settings, and checks them when the
 * application starts: the Redis client is created lazily, so a bad setup would otherwise surface
 * only with the first request.
 */
@ApplicationScoped
public class RedisSettings {

  private static final Logger LOG = Logger.getLogger(RedisSettings.class);

  /**
   * The connection settings of {@code redis}.
   *
   * @throws IllegalArgumentException naming the setting that is wrong
   */
  public static Settings from(OpenmeetConfig.Redis redis) {
    Mode mode = Mode.parse(redis.mode());
    List<String> sentinels =
        redis.sentinel().addresses().orElse(List.of()).stream()
            .map(String::trim)
            .filter(a -> !a.isEmpty())
            .toList();
    Settings settings;
    if (mode == Mode.SENTINEL) {
      if (sentinels.isEmpty()) {
        throw new IllegalArgumentException(
            "openmeet.redis.mode is sentinel but openmeet.redis.sentinel.addresses"
                + " (REDIS_SENTINEL_ADDRESSES) is empty");
      }
      settings =
          Settings.sentinel(
              new Sentinel(redis.sentinel().master(), sentinels, redis.sentinel().password()));
    } else {
      if (!sentinels.isEmpty()) {
        throw new IllegalArgumentException(
            "openmeet.redis.sentinel.addresses (REDIS_SENTINEL_ADDRESSES) is set but"
                + " openmeet.redis.mode (REDIS_MODE) is standalone: set the mode to sentinel");
      }
      settings = Settings.of(redis.url());
    }
    var caFile = redis.tls().caFile().filter(f -> !f.isBlank()).map(Path::of);
    caFile.ifPresent(
        f -> {
          if (!Files.isReadable(f)) {
            throw new IllegalArgumentException(
                "openmeet.redis.tls.ca-file (REDIS_TLS_CA_FILE) cannot be read: " + f);
          }
        });
    return settings
        .withAuth(new Auth(redis.username(), redis.password()))
        .withTls(new Tls(caFile, redis.tls().verifyHostname()))
        .withPool(redis.poolSize(), Math.toIntExact(redis.timeout().toMillis()));
  }

  void check(@Observes StartupEvent event, OpenmeetConfig config) {
    Settings settings = from(config.redis());
    // also parses the CA file now rather than at the first connection
    RedissonClientFactory.checkTlsFiles(settings);
    String where =
        settings
            .sentinel()
            .map(s -> "sentinel, master '" + s.master() + "' from " + s.urls())
            .orElse("standalone " + settings.url());
    LOG.infof(
        "Redis: %s, AUTH %s, TLS %s",
        where,
        settings.auth().password().isPresent()
            ? settings.auth().username().map(u -> "as " + u).orElse("with a password")
            : "off",
        settings.secure()
            ? settings.tls().caFile().map(f -> "trusting " + f).orElse("trusting the JVM's CAs")
            : "off");
  }
}
