package io.openmeet.presence.redis;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.TrustManagerFactory;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.api.redisnode.RedisNodes;
import org.redisson.config.BaseConfig;
import org.redisson.config.Config;
import org.redisson.config.ReadMode;
import org.redisson.config.SslVerificationMode;
import org.redisson.config.SubscriptionMode;

/**
 * Builds a Redisson client for one Redis data set: a single endpoint (a server, or a managed
 * service's primary endpoint that follows failover, like ElastiCache's) or a master found through
 * Redis Sentinel. Never Redis Cluster: the admission and presence scripts touch keys in several
 * hash slots in one atomic call, which a cluster refuses (CROSSSLOT). Plain Java on purpose: the
 * application (room-api) owns the CDI producer and the lifecycle.
 */
public final class RedissonClientFactory {

  /**
   * How often a single endpoint's host name is resolved again, so that a managed primary endpoint
   * (a DNS name moved to the promoted replica on failover) is followed within this time.
   */
  static final long DNS_MONITORING_MILLIS = 2_000;

  private RedissonClientFactory() {}

  /** How the client finds the master. */
  public enum Mode {
    /** One endpoint: {@link Settings#url()}. */
    STANDALONE,
    /** The master that the Sentinels of {@link Sentinel#urls()} name {@link Sentinel#master()}. */
    SENTINEL;

    /**
     * Parses {@code standalone} or {@code sentinel} (any case).
     *
     * @throws IllegalArgumentException for anything else, with why {@code cluster} is not offered
     */
    public static Mode parse(String value) {
      String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
      return switch (v) {
        case "standalone" -> STANDALONE;
        case "sentinel" -> SENTINEL;
        case "cluster" ->
            throw new IllegalArgumentException(
                "Redis Cluster is not supported: the bridge admission and participant scripts"
                    + " update keys in several hash slots atomically, which a cluster refuses"
                    + " (CROSSSLOT). Use one primary with replicas and automatic failover (mode"
                    + " standalone with the primary endpoint, or mode sentinel)");
        default ->
            throw new IllegalArgumentException(
                "Redis mode must be standalone or sentinel, was '" + value + "'");
      };
    }
  }

  /** The Sentinels to ask for the master. */
  public record Sentinel(String master, List<String> urls, Optional<String> password) {
    public Sentinel {
      Objects.requireNonNull(master, "master");
      if (master.isBlank()) {
        throw new IllegalArgumentException("the Sentinel master name is empty");
      }
      urls = List.copyOf(Objects.requireNonNull(urls, "urls"));
      password = Objects.requireNonNull(password, "password").filter(p -> !p.isEmpty());
    }

    @Override
    public String toString() {
      return "Sentinel[master=" + master + ", urls=" + urls + ", password=" + mask(password) + "]";
    }
  }

  /** Credentials of the Redis servers (ACL user name optional; AUTH with the password alone). */
  public record Auth(Optional<String> username, Optional<String> password) {
    /** No AUTH. */
    public static final Auth NONE = new Auth(Optional.empty(), Optional.empty());

    public Auth {
      username = Objects.requireNonNull(username, "username").filter(u -> !u.isEmpty());
      password = Objects.requireNonNull(password, "password").filter(p -> !p.isEmpty());
      if (username.isPresent() && password.isEmpty()) {
        throw new IllegalArgumentException("a Redis user name needs a password");
      }
    }

    @Override
    public String toString() {
      return "Auth[username=" + username.orElse("") + ", password=" + mask(password) + "]";
    }
  }

  /**
   * TLS of {@code rediss://} connections: the CA certificates to trust (a PEM file; none = the
   * JVM's trust store, which holds the public CAs managed services use) and whether the server's
   * name must match its certificate.
   */
  public record Tls(Optional<Path> caFile, boolean verifyHostname) {
    /** The JVM's trust store, host names checked. */
    public static final Tls DEFAULT = new Tls(Optional.empty(), true);

    public Tls {
      Objects.requireNonNull(caFile, "caFile");
    }
  }

  /**
   * Connection settings. {@code url} is the standalone endpoint (unused with Sentinel); {@code
   * poolSize} bounds the connections kept open to the master.
   */
  public record Settings(
      Mode mode,
      String url,
      Optional<Sentinel> sentinel,
      Auth auth,
      Tls tls,
      int poolSize,
      int timeoutMillis) {
    public Settings {
      Objects.requireNonNull(mode, "mode");
      Objects.requireNonNull(sentinel, "sentinel");
      Objects.requireNonNull(auth, "auth");
      Objects.requireNonNull(tls, "tls");
      if (poolSize < 1) {
        throw new IllegalArgumentException("poolSize must be at least 1, was " + poolSize);
      }
      if (timeoutMillis < 1) {
        throw new IllegalArgumentException("timeoutMillis must be positive, was " + timeoutMillis);
      }
      List<String> urls;
      if (mode == Mode.STANDALONE) {
        url = validated(Objects.requireNonNull(url, "url"));
        urls = List.of(url);
      } else {
        Sentinel s =
            sentinel.orElseThrow(
                () -> new IllegalArgumentException("Redis mode sentinel needs Sentinel addresses"));
        if (s.urls().isEmpty()) {
          throw new IllegalArgumentException("Redis mode sentinel needs Sentinel addresses");
        }
        urls = s.urls().stream().map(RedissonClientFactory::validated).toList();
        sentinel = Optional.of(new Sentinel(s.master(), urls, s.password()));
        if (urls.stream().map(RedissonClientFactory::isTls).distinct().count() > 1) {
          throw new IllegalArgumentException(
              "Sentinel addresses mix redis:// and rediss://: " + urls);
        }
      }
      if (tls.caFile().isPresent() && !isTls(urls.get(0))) {
        throw new IllegalArgumentException(
            "a TLS CA file is set but the Redis address is not rediss://: " + urls.get(0));
      }
    }

    /** One server, no AUTH, no TLS settings; 24 connections, 3 s command timeout. */
    public static Settings of(String url) {
      return new Settings(
          Mode.STANDALONE, url, Optional.empty(), Auth.NONE, Tls.DEFAULT, 24, 3_000);
    }

    /** The master these Sentinels name, no AUTH, no TLS settings; 24 connections, 3 s timeout. */
    public static Settings sentinel(Sentinel sentinel) {
      return new Settings(
          Mode.SENTINEL, null, Optional.of(sentinel), Auth.NONE, Tls.DEFAULT, 24, 3_000);
    }

    /** Whether the connections use TLS (rediss:// addresses). */
    public boolean secure() {
      return RedissonClientFactory.isTls(
          mode == Mode.STANDALONE ? url : sentinel.orElseThrow().urls().get(0));
    }

    /** These settings with {@code auth}. */
    public Settings withAuth(Auth auth) {
      return new Settings(mode, url, sentinel, auth, tls, poolSize, timeoutMillis);
    }

    /** These settings with {@code tls}. */
    public Settings withTls(Tls tls) {
      return new Settings(mode, url, sentinel, auth, tls, poolSize, timeoutMillis);
    }

    /** These settings with another pool size and command timeout. */
    public Settings withPool(int poolSize, int timeoutMillis) {
      return new Settings(mode, url, sentinel, auth, tls, poolSize, timeoutMillis);
    }
  }

  /**
   * Connects as the settings say.
   *
   * @throws IllegalArgumentException if the TLS CA file cannot be read as PEM certificates
   */
  public static RedissonClient create(Settings settings) {
    return create(settings, RedisCommandListener.NONE);
  }

  /**
   * Connects like {@link #create(Settings)}, reporting the time of every command to {@code
   * listener} (see {@link RedissonTiming}).
   *
   * @throws IllegalArgumentException if the TLS CA file cannot be read as PEM certificates
   */
  public static RedissonClient create(Settings settings, RedisCommandListener listener) {
    return RedissonTiming.timed(Redisson.create(config(settings)), listener);
  }

  /**
   * Connects like {@link #create(Settings, RedisCommandListener)}, with every command going through
   * {@code reachability}, which PINGs the master (one-second timeout) to tell whether Redis is up.
   */
  public static RedissonClient create(
      Settings settings, RedisCommandListener listener, RedisReachability reachability) {
    RedissonClient client = Redisson.create(config(settings));
    reachability.pingWith(() -> ping(client, settings.mode(), 1));
    return RedissonTiming.timed(client, listener, reachability);
  }

  /** One PING to the master with a timeout; true when it answered. */
  public static boolean ping(RedissonClient client, Mode mode, int timeoutSeconds) {
    return mode == Mode.SENTINEL
        ? client
            .getRedisNodes(RedisNodes.SENTINEL_MASTER_SLAVE)
            .getMaster()
            .ping(timeoutSeconds, TimeUnit.SECONDS)
        : client
            .getRedisNodes(RedisNodes.SINGLE)
            .getInstance()
            .ping(timeoutSeconds, TimeUnit.SECONDS);
  }

  /**
   * Reads the TLS CA file now, so that a deployment learns of a bad one at start.
   *
   * @throws IllegalArgumentException if it cannot be read as PEM certificates
   */
  public static void checkTlsFiles(Settings settings) {
    settings.tls().caFile().ifPresent(RedissonClientFactory::trusting);
  }

  static Config config(Settings settings) {
    Config config = new Config();
    int minIdle = Math.min(settings.poolSize(), 4);
    BaseConfig<?> common;
    if (settings.mode() == Mode.STANDALONE) {
      common =
          config
              .useSingleServer()
              .setAddress(settings.url())
              .setConnectionPoolSize(settings.poolSize())
              .setConnectionMinimumIdleSize(minIdle)
              .setDnsMonitoringInterval(DNS_MONITORING_MILLIS);
    } else {
      Sentinel sentinel = settings.sentinel().orElseThrow();
      common =
          config
              .useSentinelServers()
              .setMasterName(sentinel.master())
              .addSentinelAddress(sentinel.urls().toArray(String[]::new))
              .setSentinelPassword(sentinel.password().orElse(null))
              // every read and subscription on the master: a replica may lag behind a write the
              // same node made a moment ago, and no replica connections are kept
              .setReadMode(ReadMode.MASTER)
              .setSubscriptionMode(SubscriptionMode.MASTER)
              .setMasterConnectionPoolSize(settings.poolSize())
              .setMasterConnectionMinimumIdleSize(minIdle);
    }
    common.setTimeout(settings.timeoutMillis()).setConnectTimeout(settings.timeoutMillis());
    config
        .setUsername(settings.auth().username().orElse(null))
        .setPassword(settings.auth().password().orElse(null))
        .setSslVerificationMode(
            settings.tls().verifyHostname()
                ? SslVerificationMode.STRICT
                : SslVerificationMode.CA_ONLY);
    settings.tls().caFile().ifPresent(file -> config.setSslTrustManagerFactory(trusting(file)));
    return config;
  }

  /** A trust manager factory that trusts exactly the certificates of a PEM file. */
  static TrustManagerFactory trusting(Path pemFile) {
    try (InputStream in = Files.newInputStream(pemFile)) {
      Collection<? extends Certificate> certificates =
          CertificateFactory.getInstance("X.509").generateCertificates(in);
      if (certificates.isEmpty()) {
        throw new IllegalArgumentException("no certificate in the Redis TLS CA file " + pemFile);
      }
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (Certificate c : certificates) {
        store.setCertificateEntry("redis-ca-" + i++, c);
      }
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      return factory;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot read the Redis TLS CA file " + pemFile, e);
    }
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
    // secrets belong in the password setting (a Secret), not in a URL that lands in ConfigMaps
    if (uri.getRawUserInfo() != null) {
      throw new IllegalArgumentException(
          "Redis URL must not carry credentials; set the user name and password separately: "
              + scheme
              + "://***@"
              + uri.getHost());
    }
    return url.trim();
  }

  private static boolean isTls(String url) {
    return url.startsWith("rediss://");
  }

  private static String mask(Optional<String> secret) {
    return secret.isPresent() ? "***" : "";
  }
}
