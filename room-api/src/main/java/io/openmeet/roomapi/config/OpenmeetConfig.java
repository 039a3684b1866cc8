package io.openmeet.roomapi.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Every {@code openmeet.*} setting of room-api, with its default. */
@ConfigMapping(prefix = "openmeet")
public interface OpenmeetConfig {

  /**
   * Base URL under which browsers reach this service (no trailing slash); join links and the
   * signalling WebSocket URL are built from it.
   */
  @WithDefault("http://127.0.0.1:8080")
  String publicUrl();

  /** Path of the signalling WebSocket, appended to the public URL with a ws:// or wss:// scheme. */
  @WithDefault("/api/signalling")
  String signallingPath();

  /** Room policies. */
  Rooms rooms();

  /** Signing and checking of tokens. */
  Jwt jwt();

  /** Per-client-address limits on the expensive endpoints. */
  RateLimit rateLimit();

  /** The Redis data set that holds shared state. */
  Redis redis();

  /** Request limits of the REST API. */
  Http http();

  /** Room policies. */
  interface Rooms {
    /**
     * When false (the default, like a public Jitsi), anyone may create a room; when true, room
     * creation needs a user token (a token whose {@code room} claim is {@code *}).
     */
    @WithDefault("false")
    boolean requireUserToken();

    /** Region given to rooms created without one. */
    @WithDefault("local")
    String defaultRegion();

    /**
     * Whether a room's two-participant call goes peer-to-peer (moving to the bridge when a third
     * joins) unless the room says otherwise ({@code p2pEnabled}). On by default, as in Jitsi Meet.
     */
    @WithDefault("true")
    boolean p2pEnabled();

    /** Cost factor of the bcrypt hashes of room passwords (each step doubles the work). */
    @WithDefault("10")
    int passwordHashCost();
  }

  /** Signing and checking of tokens (verification itself is configured with mp.jwt.verify.*). */
  interface Jwt {
    /** PEM file with the RSA private key that signs join and user tokens (JWT_PRIVATE_KEY_FILE). */
    @WithDefault(".local/jwt/privateKey.pem")
    String privateKeyFile();

    /** The {@code iss} claim of tokens we sign, and the issuer we accept. */
    @WithDefault("openmeet")
    String issuer();

    /** The {@code aud} claim of tokens we sign, and the audience we accept. */
    @WithDefault("openmeet")
    String audience();

    /** The {@code sub} claim of tokens we sign: the tenant (XMPP domain) in Jitsi's format. */
    @WithDefault("meet.local")
    String tenant();

    /** Lifetime of a join token we sign (room-scoped); at most max-join-token-lifetime. */
    @WithDefault("2h")
    Duration joinTokenTtl();

    /**
     * The longest a join token may live (exp - iat), ours or an identity provider's; a join with a
     * longer-lived one is refused (invalid-token).
     */
    @WithDefault("2h")
    Duration maxJoinTokenLifetime();

    /** How far a join token's iat may lie in the future (clocks drift); beyond it, refused. */
    @WithDefault("60s")
    Duration clockSkew();

    /** Lifetime of a user token minted by an administrator. */
    @WithDefault("12h")
    Duration userTokenTtl();

    /**
     * Install Amazon Corretto Crypto Provider (AWS-LC) as the first JCA provider at startup when
     * its native library loads on this platform (linux x86_64), so RS256 signing and verification
     * run natively (~4x faster signing than the JDK's); false, or a platform without it: the JDK's
     * providers.
     */
    @WithDefault("true")
    boolean nativeCrypto();
  }

  /** Per-client-address limits on room creation and token requests, counted in Redis. */
  interface RateLimit {
    /** Switches the limits on or off. */
    @WithDefault("true")
    boolean enabled();

    /** Length of one counting window. */
    @WithDefault("1m")
    Duration window();

    /** Room creations allowed per client address and window. */
    @WithDefault("30")
    long roomCreates();

    /** Join-token requests allowed per client address and window. */
    @WithDefault("120")
    long tokenRequests();

    /** Redis key prefix of the counters, so that deployments or test runs stay apart. */
    @WithDefault("ratelimit")
    String namespace();
  }

  /**
   * The Redis data set that holds shared state: one primary with replicas and automatic failover,
   * never Redis Cluster (the admission and presence scripts touch keys in several hash slots).
   */
  interface Redis {
    /**
     * How the primary is found (REDIS_MODE): {@code standalone} = the one endpoint of {@link
     * #url()} (a server, or a managed primary endpoint such as ElastiCache's that follows
     * failover); {@code sentinel} = the master the Sentinels of {@link Sentinel#addresses()} name.
     * Anything else, {@code cluster} included, stops the start with the reason.
     */
    @WithDefault("standalone")
    String mode();

    /**
     * redis:// or rediss:// (TLS) URL of the standalone endpoint (REDIS_URL), without credentials;
     * unused with Sentinel.
     */
    @WithDefault("redis://127.0.0.1:6379")
    String url();

    /** ACL user name (REDIS_USERNAME); none (the default): AUTH with the password alone. */
    Optional<String> username();

    /**
     * AUTH password of the Redis servers (REDIS_PASSWORD, from a Secret); none (the default): no
     * AUTH.
     */
    Optional<String> password();

    /** TLS of rediss:// connections. */
    Tls tls();

    /** Where Sentinel mode finds the master. */
    Sentinel sentinel();

    /** Connections kept open to Redis (to the master with Sentinel). */
    @WithDefault("32")
    int poolSize();

    /** Timeout of one Redis command. */
    @WithDefault("3s")
    Duration timeout();

    /**
     * Time between PINGs that tell whether Redis is up (docs/ARCHITECTURE.md, "Outages"): one
     * unanswered (one-second timeout) marks it down, and Redis commands then fail at once
     * (service-unavailable, retry hint four intervals) until one is answered.
     */
    @WithDefault("500ms")
    Duration probeInterval();

    /** TLS of rediss:// connections. */
    interface Tls {
      /**
       * PEM file with the CA certificate(s) to trust (REDIS_TLS_CA_FILE); none (the default): the
       * JVM's trust store, which holds the public CAs of managed services.
       */
      Optional<String> caFile();

      /** Whether the server's host name must match its certificate (REDIS_TLS_VERIFY_HOSTNAME). */
      @WithDefault("true")
      boolean verifyHostname();
    }

    /** Where Sentinel mode finds the master. */
    interface Sentinel {
      /** The master name the Sentinels monitor (REDIS_SENTINEL_MASTER). */
      @WithDefault("mymaster")
      String master();

      /**
       * The Sentinels, as redis:// or rediss:// URLs, comma-separated (REDIS_SENTINEL_ADDRESSES);
       * none (the default) is an error in Sentinel mode. rediss:// Sentinels mean TLS to the
       * Sentinels and to the servers they name.
       */
      Optional<List<String>> addresses();

      /**
       * The Sentinels' own password (REDIS_SENTINEL_PASSWORD); none (the default): the Sentinels
       * get {@link Redis#password()}.
       */
      Optional<String> password();
    }
  }

  /** Request limits and security headers of the HTTP API and the web app. */
  interface Http {
    /** Largest JSON request body accepted, in bytes; bigger bodies get 413. */
    @WithDefault("65536")
    long maxBodyBytes();

    /**
     * Content-Security-Policy of every response. The default suits the web app: its scripts and
     * styles only from this origin (no inline script), media from blob:/mediastream:, WebSockets to
     * any ws:/wss: origin (the bridges' colibri-ws URLs are on other hosts; list them to narrow
     * it), no framing, no plugins.
     */
    @WithDefault(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:;"
            + " media-src 'self' blob: mediastream:; connect-src 'self' ws: wss:;"
            + " font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self';"
            + " frame-ancestors 'none'")
    String contentSecurityPolicy();

    /**
     * Referrer-Policy of every response: none by default, because a room link (its slug) is the
     * secret of a public room and must not reach other sites in a Referer header.
     */
    @WithDefault("no-referrer")
    String referrerPolicy();
  }
}
