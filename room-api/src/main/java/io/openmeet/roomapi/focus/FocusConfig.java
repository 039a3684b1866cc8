package io.openmeet.roomapi.focus;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/**
 * Settings of the focus inside room-api: XMPP, the brewery, bridge selection, Colibri2, records.
 */
@ConfigMapping(prefix = "openmeet.focus")
public interface FocusConfig {

  /** This node's id in leases, presence and the brewery; empty picks host name + random suffix. */
  Optional<String> nodeId();

  /** The focus' XMPP client (one connection per node). */
  Xmpp xmpp();

  /** The brewery MUC where bridges publish their stats. */
  @WithDefault("jvbbrewery@internal.auth.meet.local")
  String breweryRoom();

  /** MUC domain of conference rooms; the Colibri2 conference name is {@code <slug>@<this>}. */
  @WithDefault("conference.meet.local")
  String conferenceMuc();

  /**
   * Time between {@code healthcheck} IQs to each bridge. With the timeout below, a bridge that goes
   * silent is unhealthy, and its conferences move, within interval + 2 x timeout (5 s).
   */
  @WithDefault("1s")
  Duration healthCheckInterval();

  /** How long one {@code healthcheck} IQ may go unanswered; one is retried at once. */
  @WithDefault("2s")
  Duration healthCheckTimeout();

  /** How long one Colibri2 request may take before the bridge counts as not answering. */
  @WithDefault("10s")
  Duration colibriTimeout();

  /**
   * Where a browser's bandwidth estimate starts (kbit/s), offered as {@code x-google-start-bitrate}
   * on video codecs; 0 leaves Chromium's own 300 kbit/s. From 300, Chromium starts a camera at
   * 180-270p and needed 20-45 s to reach 720p on a clean loopback link (docs/BENCHMARKS.md).
   */
  @WithDefault("800")
  int videoStartBitrateKbps();

  /**
   * TTL of a conference ownership lease in Redis; the owner renews it every third of it. When the
   * owner dies, its conferences are taken over once the lease lapses: with 3 s the participants are
   * back within 5 s of a kill (docs/BENCHMARKS.md, "Control-plane node killed"); a longer TTL costs
   * fewer Redis writes (one renewal per conference per third of it) and survives longer pauses of a
   * node, at the price of a longer wait after a node dies.
   */
  @WithDefault("3s")
  Duration leaseTtl();

  /**
   * How long past its TTL a lease is held while Redis is unreachable (docs/ARCHITECTURE.md,
   * "Outages"): the node's calls go on meanwhile, and it writes the lease again (same epoch) when
   * Redis is back. Past this, or at once after a pause of the node itself, the conference is
   * abandoned. 0s: never held.
   */
  @WithDefault("60s")
  Duration leaseOutageHold();

  /**
   * After a node takes a conference over from a node that died, how long the participants whose
   * sessions were on that node have to reconnect (and resume) before they leave (reason timeout).
   */
  @WithDefault("20s")
  Duration takeoverWindow();

  /**
   * Only for the signalling capacity benchmark (docs/BENCHMARKS.md): joins get offers without any
   * bridge, so no media flows. Never enable it for meetings.
   */
  @WithDefault("false")
  boolean capacityBenchmarkWithoutBridge();

  /** Bridge selection and admission control. */
  Selection selection();

  /** Asynchronous writing of call history. */
  CallRecords callRecords();

  /** Relaying signalling to the node that owns a room (a socket may land on any node). */
  Relay relay();

  /** The direct TCP links between nodes that the relay goes over. */
  NodeLink nodeLink();

  /** The focus' XMPP client. */
  interface Xmpp {
    /** XMPP server host (XMPP_HOST). */
    @WithDefault("127.0.0.1")
    String host();

    /** XMPP c2s port (XMPP_PORT). */
    @WithDefault("5222")
    int port();

    /** Domain of the focus account (XMPP_AUTH_DOMAIN). */
    @WithDefault("auth.meet.local")
    String domain();

    /** The focus account (FOCUS_USER). */
    @WithDefault("focus")
    String username();

    /** Its password (FOCUS_PASSWORD); without one the focus cannot log in and joins fail. */
    Optional<String> password();

    /** Whether the connection must use TLS (production: true). */
    @WithDefault("false")
    boolean requireTls();

    /** How long an IQ may wait for its reply. */
    @WithDefault("10s")
    Duration replyTimeout();
  }

  /** Bridge selection and admission control. */
  interface Selection {
    /**
     * {@code region-aware} (least loaded, the conference's bridge first, then region) or {@code
     * single-bridge}.
     */
    @WithDefault("region-aware")
    String strategy();

    /** Stress a bridge may reach with a new conference. */
    @WithDefault("0.8")
    double maxLoad();

    /** Stress a bridge may reach with a join to a conference already on it. */
    @WithDefault("1.5")
    double existingConferenceMaxLoad();

    /** Stress one reservation (one join) adds until the bridge's stats include it. */
    @WithDefault("0.02")
    double reservationCost();

    /** How long after a reservation the bridge's stats are trusted to include it. */
    @WithDefault("5s")
    Duration reservationSettle();

    /** A reservation is dropped after this even if no stats arrive. */
    @WithDefault("30s")
    Duration reservationMaxAge();

    /**
     * Key prefix of bridge snapshots and reservations in Redis (separates deployments or tests).
     */
    @WithDefault("")
    Optional<String> redisPrefix();
  }

  /**
   * The cross-node relay: a join for a room another node owns goes to that node over the node link
   * ({@link NodeLink}), and its participant's signalling follows it there.
   */
  interface Relay {
    /**
     * How long a join, answer or other request waits for the owner's reply before it fails
     * (INTERNAL, "did not answer"); keep it above {@link FocusConfig#colibriTimeout()} so that a
     * slow bridge shows as the bridge's error.
     */
    @WithDefault("15s")
    Duration replyTimeout();

    /** How often a node pings each node that hosts participants whose sockets it holds. */
    @WithDefault("1s")
    Duration heartbeatInterval();

    /**
     * Silence after which the owner removes a node's relayed participants (leave reason `timeout`)
     * and that node drops the participants of a silent owner; at least two intervals.
     */
    @WithDefault("5s")
    Duration heartbeatTimeout();
  }

  /**
   * The node link (docs/ARCHITECTURE.md, "Node messaging"): each node listens on one port,
   * registers its address in Redis, and other nodes connect to it directly, so relayed signalling
   * between nodes that know each other goes on while Redis is down. Peers prove that they know the
   * focus' XMPP password ({@link Xmpp#password()}), which every node of a deployment already
   * shares.
   */
  interface NodeLink {
    /** TCP port the link listens on (OPENMEET_FOCUS_NODE_LINK_PORT); 0 picks a free one. */
    @WithDefault("7700")
    int port();

    /** Address the listener binds to; other nodes must reach it. */
    @WithDefault("0.0.0.0")
    String bindHost();

    /**
     * Host or IP the other nodes connect to (Kubernetes: the pod IP); empty takes this host's
     * address ({@code InetAddress.getLocalHost()}).
     */
    Optional<String> advertisedHost();

    /**
     * Largest node message in bytes, sent or accepted; a larger incoming frame closes its
     * connection. A relayed offer for a large room is the biggest message (tens of KiB).
     */
    @WithDefault("8388608")
    int maxFrameBytes();

    /** How long a connect, handshake, address lookup or acknowledgement may take. */
    @WithDefault("5s")
    Duration timeout();

    /** Mutual TLS around the link's connections; off (plain TCP) unless a key store is set. */
    Tls tls();

    /** The node link's TLS key and trust stores (PKCS#12 files). */
    interface Tls {
      /**
       * This node's key and certificate (OPENMEET_FOCUS_NODE_LINK_TLS_KEY_STORE; every node of a
       * deployment may share one); empty (the default): plain TCP. All nodes of a deployment must
       * agree: a TLS node refuses a plain one.
       */
      Optional<String> keyStore();

      /** The key store's password, which also opens its key; empty (the default): none. */
      Optional<String> keyStorePassword();

      /**
       * The certificates a peer's chain must lead to; empty (the default): the key store's own
       * certificate, i.e. the peers share the key store.
       */
      Optional<String> trustStore();

      /** The trust store's password; empty (the default): none. */
      Optional<String> trustStorePassword();
    }
  }

  /** Asynchronous writing of call history to Postgres. */
  interface CallRecords {
    /** Events held in memory while Postgres is slow or down; beyond this they go to the journal. */
    @WithDefault("10000")
    int bufferCapacity();

    /** Events written in one transaction. */
    @WithDefault("100")
    int batchSize();

    /** On-disk journal for events the buffer cannot hold, replayed in order. */
    @WithDefault("/var/tmp/openmeet/call-records.jsonl")
    String journalFile();

    /** First retry delay after a failed write; doubles up to {@link #retryMax()}. */
    @WithDefault("200ms")
    Duration retryMin();

    /**
     * Longest delay between retries: the history of an outage is written at most this long after
     * the database is back (one failed connection attempt per interval costs nothing).
     */
    @WithDefault("5s")
    Duration retryMax();

    /** How long shutdown waits for the buffer to drain before journaling the rest. */
    @WithDefault("5s")
    Duration shutdownGrace();
  }
}
