package io.openmeet.focus.bridge;

import io.openmeet.focus.xmpp.FocusXmppConnection;
import io.openmeet.presence.bridge.BridgeAdmission;
import io.openmeet.presence.bridge.BridgeSnapshot;
import io.openmeet.presence.bridge.BridgeStateStore;
import io.openmeet.presence.redis.RedisReachability;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jitsi.xmpp.extensions.colibri.ColibriStatsExtension;
import org.jitsi.xmpp.extensions.health.HealthCheckIQ;
import org.jivesoftware.smack.ConnectionListener;
import org.jivesoftware.smack.SmackException;
import org.jivesoftware.smack.StanzaCollector;
import org.jivesoftware.smack.XMPPConnection;
import org.jivesoftware.smack.XMPPException;
import org.jivesoftware.smack.packet.ExtensionElement;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.packet.Stanza;
import org.jivesoftware.smackx.muc.MultiUserChat;
import org.jivesoftware.smackx.muc.MultiUserChatManager;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.EntityFullJid;
import org.jxmpp.jid.Jid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Resourcepart;
import org.jxmpp.stringprep.XmppStringprepException;

/**
 * This node's registry of bridges: it joins the brewery MUC, tracks each occupant that publishes
 * {@code <stats>} (presence without stats is ignored, a leave removes the bridge), health-checks
 * each bridge with the {@code healthcheck} IQ, and writes every change to the shared {@link
 * BridgeStateStore} so all nodes see the same load.
 */
public final class BridgeRegistry implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(BridgeRegistry.class.getName());

  private final FocusXmppConnection xmpp;
  private final BridgeStateStore store;
  private final BridgeAdmission admission;
  private final BridgeRegistryConfig config;
  private final Clock clock;
  private final Map<String, BridgeState> bridges = new ConcurrentHashMap<>();
  // bridges with a health check running: a slow one is not checked twice at once
  private final Set<String> checking = ConcurrentHashMap.newKeySet();
  private final List<BridgeListener> listeners = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService scheduler;
  private final ExecutorService checks;
  private final ExecutorService presences =
      Executors.newSingleThreadExecutor(r -> daemon(r, "bridge-presence"));
  private MultiUserChat brewery;
  private boolean started;
  private final ConnectionListener reconnected =
      new ConnectionListener() {
        @Override
        public void authenticated(XMPPConnection connection, boolean resumed) {
          if (!resumed && !checks.isShutdown()) {
            checks.execute(BridgeRegistry.this::rejoin);
          }
        }
      };

  public BridgeRegistry(
      FocusXmppConnection xmpp,
      BridgeStateStore store,
      BridgeAdmission admission,
      BridgeRegistryConfig config,
      Clock clock) {
    this.xmpp = Objects.requireNonNull(xmpp, "xmpp");
    this.store = Objects.requireNonNull(store, "store");
    this.admission = Objects.requireNonNull(admission, "admission");
    this.config = Objects.requireNonNull(config, "config");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "bridge-health-timer"));
    this.checks = Executors.newFixedThreadPool(4, r -> daemon(r, "bridge-health-check"));
  }

  /** Adds a listener for bridge changes. */
  public void addListener(BridgeListener listener) {
    listeners.add(listener);
  }

  /**
   * Joins the brewery (creating it if needed) and starts periodic health checks. The XMPP
   * connection must be logged in.
   */
  public synchronized void start()
      throws XmppStringprepException,
          XMPPException.XMPPErrorException,
          SmackException,
          InterruptedException {
    if (started) {
      return;
    }
    // Safe to call again after a failure (e.g. a start-up loop retrying until XMPP is up).
    if (brewery == null) {
      EntityBareJid room = JidCreate.entityBareFrom(config.breweryRoom());
      MultiUserChatManager mucs = MultiUserChatManager.getInstanceFor(xmpp.smack());
      // Smack's own auto-join gives up when leaving the old session's room times out; we rejoin.
      mucs.setAutoJoinOnReconnect(false);
      MultiUserChat muc = mucs.getMultiUserChat(room);
      muc.addParticipantListener(this::onPresence);
      brewery = muc;
    }
    if (!brewery.isJoined()) {
      MultiUserChat.MucCreateConfigFormHandle created =
          brewery.createOrJoin(Resourcepart.from(config.nickname()));
      if (created != null) {
        created.makeInstant();
      }
    }
    xmpp.smack().addConnectionListener(reconnected);
    long interval = config.healthCheckInterval().toMillis();
    scheduler.scheduleWithFixedDelay(
        this::checkAllInBackground, interval, interval, TimeUnit.MILLISECONDS);
    started = true;
  }

  /** After a reconnect: enter the brewery again; the occupants' presence refreshes the registry. */
  private void rejoin() {
    try {
      // join() leaves the stale room state first, tolerating that the server forgot it.
      brewery.join(Resourcepart.from(config.nickname()));
      LOG.info(() -> "rejoined the brewery " + config.breweryRoom() + " after a reconnect");
    } catch (Exception e) {
      if (!scheduler.isShutdown()) {
        LOG.log(Level.WARNING, "could not rejoin the brewery; retrying in 5 s", e);
        scheduler.schedule(() -> checks.execute(this::rejoin), 5, TimeUnit.SECONDS);
      }
    }
  }

  /** Every known bridge as this node sees it now (freshness applied), ordered by id. */
  public List<BridgeSnapshot> bridges() {
    Instant now = clock.instant();
    return bridges.values().stream()
        .map(b -> b.snapshot(now))
        .sorted(Comparator.comparing(BridgeSnapshot::id))
        .toList();
  }

  /** One bridge as this node sees it now. */
  public Optional<BridgeSnapshot> bridge(String id) {
    BridgeState b = bridges.get(id);
    return b == null ? Optional.empty() : Optional.of(b.snapshot(clock.instant()));
  }

  /**
   * Marks a bridge unhealthy after a Colibri2 failure, until its next passing health check; the
   * listeners hear {@link BridgeListener#bridgeUnhealthy} on this thread.
   */
  public void markUnhealthy(String id) {
    BridgeState b = bridges.get(id);
    if (b != null) {
      verdict(b, false);
    }
  }

  /**
   * Takes a brewery presence off Smack's thread: handling it writes to Redis, and a Redis that is
   * slow or gone must not hold up the stanzas behind it (health-check replies among them, which
   * would then time out and mark a healthy bridge unhealthy). One thread keeps them in order.
   */
  private void onPresence(Presence presence) {
    try {
      presences.execute(() -> applyPresence(presence));
    } catch (java.util.concurrent.RejectedExecutionException closed) {
      // the registry is closing
    }
  }

  private void applyPresence(Presence presence) {
    Jid from = presence.getFrom();
    EntityFullJid occupant = from == null ? null : from.asEntityFullJidIfPossible();
    if (occupant == null || occupant.getResourcepart().toString().equals(config.nickname())) {
      return;
    }
    String id = occupant.getResourcepart().toString();
    if (presence.getType() == Presence.Type.unavailable) {
      if (bridges.remove(id) != null) {
        store.remove(id);
        LOG.info(() -> "bridge " + id + " left the brewery");
        listeners.forEach(l -> l.bridgeRemoved(id));
      }
      return;
    }
    ExtensionElement ext =
        presence.getExtensionElement(
            ColibriStatsExtension.ELEMENT, ColibriStatsExtension.NAMESPACE);
    if (!(ext instanceof ColibriStatsExtension stats)) {
      return;
    }
    Instant now = clock.instant();
    BridgeStats fresh = BridgeStats.from(stats);
    // the new stats, keeping the health verdict of the state they replace
    UnaryOperator<BridgeState> next =
        old -> new BridgeState(id, occupant, fresh, now, old == null || old.healthCheckOk);
    // Redis first, then this node's map: admission reads the snapshot in Redis, so a bridge that
    // selection can pick (from the map) already has the stats admission will check against.
    write(next.apply(bridges.get(id)));
    BridgeState state = bridges.compute(id, (k, old) -> next.apply(old));
    notifyUpdated(state);
    try {
      admission.statsRefreshed(id, now);
    } catch (RuntimeException e) {
      // Reservations then expire by age instead; discovery goes on.
      LOG.log(Level.WARNING, "could not settle reservations of bridge " + id, e);
    }
  }

  private void publish(BridgeState state) {
    write(state);
    notifyUpdated(state);
  }

  private void write(BridgeState state) {
    try {
      store.put(state.snapshot(clock.instant()), config.snapshotTtl());
    } catch (RuntimeException e) {
      // Redis down must not stop discovery; the next presence or check writes again (once Redis
      // is known to be down, every write would say so: one line, not a stack trace, each time).
      if (RedisReachability.unreachable(e)) {
        LOG.log(Level.FINE, "bridge " + state.id + " not written, Redis is unreachable: " + e);
      } else {
        LOG.log(Level.WARNING, "could not write bridge " + state.id + " to the state store", e);
      }
    }
  }

  private void notifyUpdated(BridgeState state) {
    BridgeSnapshot snapshot = state.snapshot(clock.instant());
    listeners.forEach(l -> l.bridgeUpdated(snapshot));
  }

  private void checkAllInBackground() {
    evictSilentBridges();
    for (BridgeState b : bridges.values()) {
      if (checking.add(b.id)) {
        checks.execute(
            () -> {
              try {
                check(b.id);
              } finally {
                checking.remove(b.id);
              }
            });
      }
    }
  }

  /**
   * Forgets bridges silent for twice the presence timeout: their leave was lost (e.g. while this
   * node was reconnecting), and a live bridge re-sends its stats every few seconds.
   */
  void evictSilentBridges() {
    Instant cutoff = clock.instant().minus(config.presenceTimeout().multipliedBy(2));
    for (BridgeState b : bridges.values()) {
      if (b.lastPresence.isBefore(cutoff) && bridges.remove(b.id, b)) {
        store.remove(b.id);
        LOG.warning(() -> "bridge " + b.id + " sent no presence since " + b.lastPresence);
        listeners.forEach(l -> l.bridgeRemoved(b.id));
      }
    }
  }

  /**
   * Forgets silent bridges, health-checks every other bridge now and waits for the verdicts (tests
   * and start-up).
   */
  public void checkAllNow() throws InterruptedException {
    evictSilentBridges();
    List<Future<?>> running =
        bridges.keySet().stream().<Future<?>>map(id -> checks.submit(() -> check(id))).toList();
    for (Future<?> f : running) {
      try {
        f.get();
      } catch (java.util.concurrent.ExecutionException e) {
        LOG.log(Level.WARNING, "health check failed to run", e.getCause());
      }
    }
  }

  private void check(String id) {
    BridgeState b = bridges.get(id);
    if (b == null) {
      return;
    }
    try {
      Outcome first = ping(b.jid);
      Outcome outcome = first;
      if (first == Outcome.TIMEOUT) {
        long delay = config.healthCheckRetryDelay().toMillis();
        if (delay > 0) {
          Thread.sleep(delay);
        }
        outcome = ping(b.jid);
      }
      BridgeState current = bridges.get(id);
      if (current != null) {
        verdict(current, outcome == Outcome.HEALTHY);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private enum Outcome {
    HEALTHY,
    FAILED,
    TIMEOUT
  }

  private Outcome ping(EntityFullJid jid) throws InterruptedException {
    HealthCheckIQ iq = new HealthCheckIQ();
    iq.setType(IQ.Type.get);
    iq.setTo(jid);
    try (StanzaCollector collector = xmpp.smack().createStanzaCollectorAndSend(iq)) {
      Stanza reply = collector.nextResult(config.healthCheckTimeout().toMillis());
      if (reply == null) {
        return Outcome.TIMEOUT;
      }
      return reply instanceof IQ r && r.getType() == IQ.Type.result
          ? Outcome.HEALTHY
          : Outcome.FAILED;
    } catch (SmackException.NotConnectedException e) {
      // Our connection is down, not the bridge: keep the last verdict.
      return bridges.containsKey(jid.getResourcepart().toString())
              && bridges.get(jid.getResourcepart().toString()).healthCheckOk
          ? Outcome.HEALTHY
          : Outcome.FAILED;
    }
  }

  private void verdict(BridgeState b, boolean ok) {
    BridgeState updated =
        bridges.computeIfPresent(
            b.id, (k, old) -> new BridgeState(old.id, old.jid, old.stats, old.lastPresence, ok));
    if (updated == null) {
      return;
    }
    if (!ok && b.healthCheckOk) {
      LOG.warning(() -> "bridge " + b.id + " failed its health check");
      listeners.forEach(l -> l.bridgeUnhealthy(b.id));
    }
    publish(updated);
  }

  @Override
  public void close() {
    xmpp.smack().removeConnectionListener(reconnected);
    scheduler.shutdownNow();
    checks.shutdownNow();
    presences.shutdownNow();
    if (brewery != null && brewery.isJoined()) {
      try {
        brewery.leave();
      } catch (Exception e) {
        LOG.log(Level.FINE, "leaving the brewery failed", e);
      }
    }
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  private final class BridgeState {
    final String id;
    final EntityFullJid jid;
    final BridgeStats stats;
    final Instant lastPresence;
    final boolean healthCheckOk;

    BridgeState(
        String id,
        EntityFullJid jid,
        BridgeStats stats,
        Instant lastPresence,
        boolean healthCheckOk) {
      this.id = id;
      this.jid = jid;
      this.stats = stats;
      this.lastPresence = lastPresence;
      this.healthCheckOk = healthCheckOk;
    }

    BridgeSnapshot snapshot(Instant now) {
      boolean fresh = !lastPresence.plus(config.presenceTimeout()).isBefore(now);
      return new BridgeSnapshot(
          id,
          jid.toString(),
          stats.region(),
          stats.relayId(),
          stats.version(),
          stats.stress(),
          stats.healthy() && healthCheckOk && fresh,
          stats.drain(),
          stats.gracefulShutdown(),
          stats.shuttingDown(),
          lastPresence,
          stats.participants());
    }
  }
}
