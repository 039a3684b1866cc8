package io.openmeet.presence.redis;

import java.net.URI;
import java.util.Objects;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/**
 * Builds a Redisson client for one Redis server from a {@code redis://} or {@code rediss://} URL.
 * Plain Java on purpose: the application (room-api) owns the CDI producer and the lifecycle.
 */
public final class RedissonClientFactory {

  private RedissonClientFactory() {}

  /** Connection settings; {@code poolSize} bounds the connections kept open to the server. */
  public record Settings(String url, int poolSize, int timeoutMillis) {
    public Settings {
      Objects.requireNonNull(url, "url");
      if (poolSize < 1) {
        throw new IllegalArgumentException("poolSize must be at least 1, was " + poolSize);
      }
      if (timeoutMillis < 1) {
        throw new IllegalArgumentException("timeoutMillis must be positive, was " + timeoutMillis);
      }
    }

    /** Defaults that suit one application node: 24 connections, 3 s command timeout. */
    public static Settings of(String url) {
      return new Settings(url, 24, 3_000);
    }
  }

  /**
   * Connects to the server named by the settings' URL.
   *
   * @throws IllegalArgumentException if the URL is not a redis:// or rediss:// URL with a host
   */
  public static RedissonClient create(Settings settings) {
    return create(settings, RedisCommandListener.NONE);
  }

  /**
   * Connects like {@link #create(Settings)}, reporting the time of every command to {@code
   * listener} (see {@link RedissonTiming}).
   *
   * @throws IllegalArgumentException if the URL is not a redis:// or rediss:// URL with a host
   */
  public static RedissonClient create(Settings settings, RedisCommandListener listener) {
    Config config = new Config();
    config
        .useSingleServer()
        .setAddress(validated(settings.url()))
        .setConnectionPoolSize(settings.poolSize())
        .setConnectionMinimumIdleSize(Math.min(settings.poolSize(), 4))
        .setTimeout(settings.timeoutMillis())
        .setConnectTimeout(settings.timeoutMillis());
    return RedissonTiming.timed(Redisson.create(config), listener);
  }

  static String validated(String url) {
    URI uri;
    try {
      uri = URI.create(url.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not a Redis URL (expected redis://host:port): " + url, e);
    }
    String scheme = uri.getScheme();
    if (!"redis".equals(scheme) && !"rediss".equals(scheme)) {
      throw new IllegalArgumentException("Redis URL must start with redis:// or rediss://: " + url);
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("Redis URL has no host: " + url);
    }
    return url.trim();
  }
}
