package io.openmeet.litebridge.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.openmeet.litebridge.allocation.AllocationConfig;
import io.openmeet.litebridge.media.MediaConfig;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * lite-bridge's settings, read from HOCON (reference.conf documents every key and its environment
 * variable).
 *
 * @param xmpp the brewery XMPP client
 * @param restHost address the REST/colibri-ws server binds to
 * @param restPort its port (0 = any free port)
 * @param controlSecret the bearer secret the control endpoints require; empty refuses them all
 * @param webSockets colibri-ws URL settings
 * @param media the media plane's UDP port and addresses
 * @param allocation which video receivers get before and after their first constraints
 * @param endpointTimeout idle time after which an endpoint expires
 * @param expiryCheckInterval how often expiry runs
 * @param emptyConferenceTimeout how long an empty conference lingers
 * @param gracefulShutdownMaxDuration the longest a graceful shutdown waits for conferences to end
 * @param region the `region` stat, empty for none
 * @param relayId the `relay_id` stat, empty for none
 * @param packetRateLoadThreshold packets/s that mean stress level 1.0
 * @param version the `version` stat
 */
public record BridgeConfig(
    Xmpp xmpp,
    String restHost,
    int restPort,
    String controlSecret,
    WebSockets webSockets,
    MediaConfig media,
    AllocationConfig allocation,
    Duration endpointTimeout,
    Duration expiryCheckInterval,
    Duration emptyConferenceTimeout,
    Duration gracefulShutdownMaxDuration,
    String region,
    String relayId,
    double packetRateLoadThreshold,
    String version) {

  /**
   * The XMPP client settings.
   *
   * @param mucJid the brewery room's bare JID
   * @param nickname the bridge's occupant nickname
   */
  public record Xmpp(
      String host,
      int port,
      String domain,
      String username,
      String password,
      String mucJid,
      String nickname,
      boolean disableCertificateVerification,
      Duration presenceInterval,
      Duration reconnectDelay) {

    /** The settings without the password (configs get logged). */
    @Override
    public String toString() {
      return "Xmpp[host="
          + host
          + ", port="
          + port
          + ", domain="
          + domain
          + ", username="
          + username
          + ", password="
          + mask(password)
          + ", mucJid="
          + mucJid
          + ", nickname="
          + nickname
          + ", disableCertificateVerification="
          + disableCertificateVerification
          + ", presenceInterval="
          + presenceInterval
          + ", reconnectDelay="
          + reconnectDelay
          + "]";
    }
  }

  /** colibri-ws settings: whether URLs are advertised, the server id, and the URL authority. */
  public record WebSockets(boolean enabled, String serverId, String domain, boolean tls) {}

  /** The settings without the control secret or the XMPP password (configs get logged). */
  @Override
  public String toString() {
    return "BridgeConfig[xmpp="
        + xmpp
        + ", restHost="
        + restHost
        + ", restPort="
        + restPort
        + ", controlSecret="
        + mask(controlSecret)
        + ", webSockets="
        + webSockets
        + ", media="
        + media
        + ", allocation="
        + allocation
        + ", endpointTimeout="
        + endpointTimeout
        + ", expiryCheckInterval="
        + expiryCheckInterval
        + ", emptyConferenceTimeout="
        + emptyConferenceTimeout
        + ", gracefulShutdownMaxDuration="
        + gracefulShutdownMaxDuration
        + ", region="
        + region
        + ", relayId="
        + relayId
        + ", packetRateLoadThreshold="
        + packetRateLoadThreshold
        + ", version="
        + version
        + "]";
  }

  /** "***" for a set secret, "" for an empty one (which means "none"), null for null. */
  static String mask(String secret) {
    return secret == null ? null : secret.isEmpty() ? "" : "***";
  }

  private static final String ROOT = "lite-bridge.";
  private static final String XMPP = ROOT + "apis.xmpp-client.";

  /** Loads reference.conf, application.conf (or -Dconfig.file), system properties and env. */
  public static BridgeConfig load() {
    return from(ConfigFactory.load());
  }

  /**
   * Like {@link #load()} with explicit overrides on top (tests, embedding): keys are HOCON paths.
   */
  public static BridgeConfig load(Map<String, ?> overrides) {
    ConfigFactory.invalidateCaches();
    return from(ConfigFactory.parseMap(overrides).withFallback(ConfigFactory.load()).resolve());
  }

  /**
   * Reads a resolved config.
   *
   * @throws InvalidConfigException when a key is missing, has the wrong type or an invalid value
   */
  public static BridgeConfig from(Config c) {
    try {
      Config configs = c.getConfig(XMPP + "configs");
      Config defaults = c.getConfig(XMPP + "client-defaults");
      String first = configs.root().keySet().stream().sorted().findFirst().orElse(null);
      Config x =
          first == null ? defaults : configs.getConfig("\"" + first + "\"").withFallback(defaults);
      String mucJid = firstOf(x, "muc_jids");
      if (mucJid.isBlank()) {
        throw new InvalidConfigException(XMPP + "configs: muc_jids is empty");
      }
      String nickname = x.hasPath("muc_nickname") ? x.getString("muc_nickname") : "";
      if (nickname.isBlank()) {
        byte[] random = new byte[4];
        new SecureRandom().nextBytes(random);
        nickname = "lite-bridge-" + HexFormat.of().formatHex(random);
      }
      Xmpp xmpp =
          new Xmpp(
              x.getString("hostname"),
              port(x, "port", false),
              x.getString("domain"),
              x.getString("username"),
              x.getString("password"),
              mucJid,
              nickname,
              x.hasPath("disable_certificate_verification")
                  && x.getBoolean("disable_certificate_verification"),
              positive(c, XMPP + "presence-interval"),
              positive(c, XMPP + "reconnect-delay"));
      WebSockets ws =
          new WebSockets(
              c.getBoolean(ROOT + "websockets.enabled"),
              c.getString(ROOT + "websockets.server-id"),
              c.getString(ROOT + "websockets.domain"),
              c.getBoolean(ROOT + "websockets.tls"));
      MediaConfig media =
          new MediaConfig(
              port(c, ROOT + "ice.udp.port", true),
              c.getStringList(ROOT + "ice.bind-addresses"),
              c.getStringList(ROOT + "ice.public-addresses"),
              c.getBoolean(ROOT + "cc.trust-bwe"));
      AllocationConfig allocation =
          new AllocationConfig(
              heightPx(c, ROOT + "cc.initial-max-height-px"),
              heightPx(c, ROOT + "cc.default-max-height-px"));
      double threshold =
          c.getDouble(ROOT + "load-management.load-measurements.packet-rate.load-threshold");
      if (threshold <= 0) {
        throw new InvalidConfigException("packet-rate.load-threshold must be > 0");
      }
      return new BridgeConfig(
          xmpp,
          c.getString(ROOT + "http-servers.private.host"),
          port(c, ROOT + "http-servers.private.port", true),
          c.getString(ROOT + "rest.control-secret"),
          ws,
          media,
          allocation,
          positive(c, ROOT + "entity-expiration.timeout"),
          positive(c, ROOT + "entity-expiration.check-interval"),
          positive(c, ROOT + "entity-expiration.empty-conference-timeout"),
          positive(c, ROOT + "shutdown.graceful-shutdown-max-duration"),
          c.getString(ROOT + "relay.region"),
          c.getString(ROOT + "relay.relay-id"),
          threshold,
          c.getString(ROOT + "version"));
    } catch (ConfigException e) {
      throw new InvalidConfigException(e.getMessage(), e);
    }
  }

  /** A key that JVB allows as a string or a list: the string, or the list's first element. */
  private static String firstOf(Config c, String path) {
    if (c.getValue(path).valueType() == com.typesafe.config.ConfigValueType.LIST) {
      List<String> list = c.getStringList(path);
      return list.isEmpty() ? "" : list.get(0);
    }
    return c.getString(path);
  }

  private static int port(Config c, String path, boolean zeroAllowed) {
    int port = c.getInt(path);
    if (port < (zeroAllowed ? 0 : 1) || port > 65535) {
      throw new InvalidConfigException(path + " is not a valid port: " + port);
    }
    return port;
  }

  /** A maxHeight in pixels as JVB allows it: -1 (no limit), 0 (nothing) or positive. */
  private static int heightPx(Config c, String path) {
    int px = c.getInt(path);
    if (px < -1) {
      throw new InvalidConfigException(path + " must be -1, 0 or a positive height: " + px);
    }
    return px;
  }

  private static Duration positive(Config c, String path) {
    Duration d = c.getDuration(path);
    if (d.isNegative() || d.isZero()) {
      throw new InvalidConfigException(path + " must be positive: " + d);
    }
    return d;
  }

  /** A setting is missing or invalid; the message names the key. */
  public static final class InvalidConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InvalidConfigException(String message) {
      super(message);
    }

    public InvalidConfigException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
