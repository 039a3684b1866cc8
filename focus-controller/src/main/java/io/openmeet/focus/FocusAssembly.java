package io.openmeet.focus;

import io.openmeet.focus.bridge.BridgeRegistry;
import io.openmeet.focus.bridge.BridgeRegistryConfig;
import io.openmeet.focus.bridge.BridgeSelectionStrategy;
import io.openmeet.focus.bridge.BridgeSelector;
import io.openmeet.focus.bridge.SelectionConfig;
import io.openmeet.focus.colibri.Colibri2SessionManager;
import io.openmeet.focus.conference.ColibriConferenceBridges;
import io.openmeet.focus.conference.ConferenceBridge;
import io.openmeet.focus.conference.ConferenceContext;
import io.openmeet.focus.conference.Conferences;
import io.openmeet.focus.records.CallRecorder;
import io.openmeet.focus.relay.RelaySettings;
import io.openmeet.focus.relay.RelayingFocus;
import io.openmeet.focus.sdp.CodecSettings;
import io.openmeet.focus.xmpp.FocusXmppConnection;
import io.openmeet.focus.xmpp.XmppSettings;
import io.openmeet.presence.bridge.RedisBridgeAdmission;
import io.openmeet.presence.bridge.RedisBridgeStateStore;
import io.openmeet.presence.conference.RedisConferenceLeases;
import io.openmeet.presence.conference.RedisConferenceStateStore;
import io.openmeet.presence.conference.RedisParticipantPresence;
import io.openmeet.presence.relay.RedisNodeAddresses;
import io.openmeet.presence.relay.TcpNodeMessaging;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import org.redisson.api.RedissonClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's focus, assembled from its settings, a Redis client and its XMPP account: the XMPP
 * connection, the bridge registry on the brewery, bridge selection with Redis admission, Colibri2
 * sessions, this node's {@link Conferences}, the {@link RelayingFocus} that sockets join and the
 * node link it relays over ({@link TcpNodeMessaging}).
 *
 * <p>Bridge loss is wired here: a bridge that leaves the brewery or turns unhealthy (a failed
 * health check or Colibri2 request) loses its conferences in the session manager, and their
 * participants are re-invited to another bridge without leaving the call.
 *
 * <pre>{@code
 * FocusAssembly focus = FocusAssembly.builder(nodeId, redis, xmppSettings)
 *     .brewery("jvbbrewery@internal.auth.meet.local", Duration.ofSeconds(1), Duration.ofSeconds(2))
 *     .callRecorder(recorder)
 *     .build();
 * focus.start(); // connects XMPP and joins the brewery in the background
 * ...
 * focus.close();
 * }</pre>
 */
public final class FocusAssembly implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(FocusAssembly.class);

  private final String nodeId;
  private final String breweryRoom;
  private final FocusXmppConnection xmpp;
  private final RedisBridgeAdmission admission;
  private final BridgeRegistry registry;
  private final BridgeSelector selector;
  private final Colibri2SessionManager colibri;
  private final Conferences conferences;
  private final RedissonClient redis;
  private final RelaySettings relay;
  private final TcpNodeMessaging.Settings nodeLink;
  private final Clock clock;
  private RelayingFocus focus;
  private TcpNodeMessaging messaging;
  private Thread connector;
  private boolean closed;

  private FocusAssembly(Builder b) {
    this.nodeId = b.nodeId;
    this.breweryRoom = b.breweryRoom;
    this.xmpp = new FocusXmppConnection(b.xmpp);
    RedisBridgeStateStore store = new RedisBridgeStateStore(b.redis, b.redisPrefix);
    this.admission =
        new RedisBridgeAdmission(
            b.redis, store, b.clock, b.reservationCost, b.reservationSettle, b.reservationMaxAge);
    BridgeRegistryConfig defaults = BridgeRegistryConfig.defaults(b.breweryRoom, "focus-" + nodeId);
    this.registry =
        new BridgeRegistry(
            xmpp,
            store,
            admission,
            new BridgeRegistryConfig(
                defaults.breweryRoom(),
                defaults.nickname(),
                b.healthCheckInterval.orElse(defaults.healthCheckInterval()),
                b.healthCheckTimeout.orElse(defaults.healthCheckTimeout()),
                defaults.healthCheckRetryDelay(),
                defaults.presenceTimeout(),
                defaults.snapshotTtl()),
            b.clock);
    this.selector =
        new BridgeSelector(
            registry::bridges,
            BridgeSelectionStrategy.named(b.selection.strategy()),
            admission,
            b.selection);
    this.colibri =
        new Colibri2SessionManager(
            xmpp.smack(),
            selector,
            admission,
            registry::markUnhealthy,
            b.codecs,
            b.colibriTimeout,
            b.colibriMaxAttempts);
    this.conferences =
        new Conferences(
            new ConferenceContext(
                b.conferenceBridges.orElseGet(
                    () -> new ColibriConferenceBridges(colibri, b.conferenceMuc)),
                b.codecs.withVideoStartBitrate(b.videoStartBitrateKbps),
                new RedisParticipantPresence(b.redis),
                b.recorder,
                b.clock,
                nodeId,
                new RedisConferenceStateStore(b.redis),
                b.takeoverWindow),
            new RedisConferenceLeases(b.redis),
            b.leaseTtl);
    wireBridgeLoss(registry, colibri, conferences);
    this.redis = b.redis;
    this.relay = b.relay;
    this.nodeLink =
        b.nodeLink.orElseGet(
            () -> TcpNodeMessaging.Settings.defaults(nodeLinkSecret(b.xmpp.password())));
    this.clock = b.clock;
  }

  /**
   * The node link's key: the given secret, or, when there is none (a development setup without a
   * focus password), a random one, so that this node never takes unauthenticated frames; other
   * nodes then cannot relay to it, which the log says.
   */
  public static String nodeLinkSecret(String secret) {
    if (secret != null && !secret.isEmpty()) {
      return secret;
    }
    LOG.warn(
        "no focus password (FOCUS_PASSWORD): the node link uses a random key, so no other node can"
            + " relay to this one");
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    return HexFormat.of().formatHex(random);
  }

  /**
   * What happens when a bridge is lost: the registry tells the session manager when a bridge leaves
   * the brewery or turns unhealthy, the manager drops (and, if unhealthy, expires) its conferences
   * there, and their participants get new allocations and offers on another bridge.
   */
  public static void wireBridgeLoss(
      BridgeRegistry registry, Colibri2SessionManager colibri, Conferences conferences) {
    registry.addListener(colibri.bridgeListener());
    colibri.addListener(
        (bridgeId, endpointsByMeeting) -> endpointsByMeeting.forEach(conferences::reinvite));
  }

  /** Starts assembling the focus of node {@code nodeId}. */
  public static Builder builder(String nodeId, RedissonClient redis, XmppSettings xmpp) {
    return new Builder(nodeId, redis, xmpp);
  }

  /** This node's id in leases, presence and the brewery. */
  public String nodeId() {
    return nodeId;
  }

  /**
   * The focus sockets join: this node's conferences, or a relay to the node that owns a room. Made
   * on first use, because it opens the node link's listener and registers its address in Redis.
   *
   * @throws IllegalStateException after {@link #close}
   * @throws java.io.UncheckedIOException when the node link's port cannot be bound
   */
  public synchronized RelayingFocus focus() {
    if (closed) {
      throw new IllegalStateException("the focus is closed");
    }
    if (focus == null) {
      messaging = new TcpNodeMessaging(new RedisNodeAddresses(redis), nodeLink);
      focus = new RelayingFocus(conferences, messaging, nodeId, relay, clock);
    }
    return focus;
  }

  /** The node link, once {@link #focus()} made it; empty before. */
  public synchronized Optional<TcpNodeMessaging> nodeLink() {
    return Optional.ofNullable(messaging);
  }

  /** The conferences this node owns. */
  public Conferences conferences() {
    return conferences;
  }

  /** The bridges in the brewery and their health. */
  public BridgeRegistry registry() {
    return registry;
  }

  /** Colibri2 sessions with the bridges. */
  public Colibri2SessionManager colibri() {
    return colibri;
  }

  /** Chooses bridges for new conferences and joins. */
  public BridgeSelector selector() {
    return selector;
  }

  /** Reservations that keep concurrent joins from overfilling a bridge. */
  public RedisBridgeAdmission admission() {
    return admission;
  }

  /** The node's XMPP connection. */
  public FocusXmppConnection xmpp() {
    return xmpp;
  }

  /**
   * Connects XMPP and joins the brewery on a background thread, retrying every 2 s until it works
   * or {@link #close} is called, so that a node is up even while the XMPP server is not.
   */
  public synchronized void start() {
    if (connector != null || closed) {
      return;
    }
    connector = new Thread(this::connect, "focus-xmpp-connector");
    connector.setDaemon(true);
    connector.start();
  }

  private void connect() {
    while (!Thread.currentThread().isInterrupted()) {
      try {
        xmpp.connect(Integer.MAX_VALUE, Duration.ofMillis(250), Duration.ofSeconds(10));
        registry.start();
        LOG.info("focus {} joined the brewery {}", nodeId, breweryRoom);
        return;
      } catch (InterruptedException e) {
        return;
      } catch (Exception e) {
        LOG.warn("focus could not join the brewery yet: {}", e.toString());
        try {
          Thread.sleep(2000);
        } catch (InterruptedException ie) {
          return;
        }
      }
    }
  }

  /**
   * Stops connecting, then closes the focus, the node link, the conferences, the registry and XMPP,
   * in order.
   */
  @Override
  public void close() {
    RelayingFocus relaying;
    TcpNodeMessaging link;
    synchronized (this) {
      closed = true;
      if (connector != null) {
        connector.interrupt();
      }
      relaying = focus;
      link = messaging;
    }
    if (relaying != null) {
      relaying.close();
    }
    if (link != null) {
      link.close();
    }
    conferences.close();
    registry.close();
    xmpp.close();
  }

  /** Settings of a {@link FocusAssembly}; each has the default named on its method. */
  public static final class Builder {
    private final String nodeId;
    private final RedissonClient redis;
    private final XmppSettings xmpp;
    private String breweryRoom = "jvbbrewery@internal.auth.meet.local";
    private Optional<Duration> healthCheckInterval = Optional.empty();
    private Optional<Duration> healthCheckTimeout = Optional.empty();
    private String redisPrefix = "";
    private double reservationCost = 0.02;
    private Duration reservationSettle = Duration.ofSeconds(5);
    private Duration reservationMaxAge = Duration.ofSeconds(30);
    private SelectionConfig selection = SelectionConfig.defaults();
    private Duration colibriTimeout = Duration.ofSeconds(10);
    private int colibriMaxAttempts = 3;
    private CodecSettings codecs = CodecSettings.defaults(false);
    private String conferenceMuc = "conference.meet.local";
    private int videoStartBitrateKbps = 0;
    private Duration leaseTtl = Duration.ofSeconds(3);
    private Duration takeoverWindow = Duration.ofSeconds(20);
    private RelaySettings relay = RelaySettings.defaults();
    private Optional<TcpNodeMessaging.Settings> nodeLink = Optional.empty();
    private CallRecorder recorder = event -> {};
    private Optional<ConferenceBridge.Factory> conferenceBridges = Optional.empty();
    private Clock clock = Clock.systemUTC();

    private Builder(String nodeId, RedissonClient redis, XmppSettings xmpp) {
      this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
      this.redis = Objects.requireNonNull(redis, "redis");
      this.xmpp = Objects.requireNonNull(xmpp, "xmpp");
    }

    /**
     * The brewery MUC and the health-check cadence of each bridge (default {@code
     * jvbbrewery@internal.auth.meet.local}, every 1 s, 2 s timeout: see {@link
     * BridgeRegistryConfig}).
     */
    public Builder brewery(String room, Duration healthCheckInterval, Duration healthCheckTimeout) {
      this.breweryRoom = Objects.requireNonNull(room, "room");
      this.healthCheckInterval = Optional.of(healthCheckInterval);
      this.healthCheckTimeout = Optional.of(healthCheckTimeout);
      return this;
    }

    /**
     * Redis key prefix of bridge state (default none) and the admission reservations: stress one
     * join adds (0.02), how long until stats include it (5 s), when it is dropped anyway (30 s).
     */
    public Builder admission(
        String redisPrefix, double reservationCost, Duration settle, Duration maxAge) {
      this.redisPrefix = Objects.requireNonNull(redisPrefix, "redisPrefix");
      this.reservationCost = reservationCost;
      this.reservationSettle = Objects.requireNonNull(settle, "settle");
      this.reservationMaxAge = Objects.requireNonNull(maxAge, "maxAge");
      return this;
    }

    /** Bridge selection (default {@link SelectionConfig#defaults()}). */
    public Builder selection(SelectionConfig selection) {
      this.selection = Objects.requireNonNull(selection, "selection");
      return this;
    }

    /** How long one Colibri2 request may take (10 s) and how many bridges a join may try (3). */
    public Builder colibri(Duration timeout, int maxAttempts) {
      this.colibriTimeout = Objects.requireNonNull(timeout, "timeout");
      this.colibriMaxAttempts = maxAttempts;
      return this;
    }

    /** Codecs announced to bridges (default {@link CodecSettings#defaults} without AV1). */
    public Builder codecs(CodecSettings codecs) {
      this.codecs = Objects.requireNonNull(codecs, "codecs");
      return this;
    }

    /**
     * The conferences' MUC domain, naming them on bridges (default {@code conference.meet.local}),
     * the video start bitrate offered to browsers (default 0: Chromium's own) and the ownership
     * lease TTL (default 3 s, as room-api's {@code openmeet.focus.lease-ttl}).
     */
    public Builder conferences(String conferenceMuc, int videoStartBitrateKbps, Duration leaseTtl) {
      this.conferenceMuc = Objects.requireNonNull(conferenceMuc, "conferenceMuc");
      this.videoStartBitrateKbps = videoStartBitrateKbps;
      this.leaseTtl = Objects.requireNonNull(leaseTtl, "leaseTtl");
      return this;
    }

    /**
     * How long, after this node takes a conference over from a node that died, the participants
     * whose sessions were there have to resume before they leave (default 20 s).
     */
    public Builder takeoverWindow(Duration window) {
      this.takeoverWindow = Objects.requireNonNull(window, "window");
      return this;
    }

    /** The cross-node relay (default {@link RelaySettings#defaults()}). */
    public Builder relay(RelaySettings relay) {
      this.relay = Objects.requireNonNull(relay, "relay");
      return this;
    }

    /**
     * The node link the relay goes over (default {@link TcpNodeMessaging.Settings#defaults}, keyed
     * with the XMPP password; see {@link FocusAssembly#nodeLinkSecret} for a missing one).
     */
    public Builder nodeLink(TcpNodeMessaging.Settings nodeLink) {
      this.nodeLink = Optional.of(nodeLink);
      return this;
    }

    /** Where call facts go (default nowhere). */
    public Builder callRecorder(CallRecorder recorder) {
      this.recorder = Objects.requireNonNull(recorder, "recorder");
      return this;
    }

    /**
     * Replaces Colibri2 as the conferences' bridge side; only for the signalling capacity
     * benchmark, where no media flows.
     */
    public Builder conferenceBridges(ConferenceBridge.Factory bridges) {
      this.conferenceBridges = Optional.of(bridges);
      return this;
    }

    /** The clock of leases, presence and reservations (default UTC system clock). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Builds the parts and wires them; nothing connects until {@link FocusAssembly#start}. */
    public FocusAssembly build() {
      return new FocusAssembly(this);
    }
  }
}
