package io.openmeet.focus.conference;

import io.openmeet.presence.conference.ConferenceLeases;
import io.openmeet.presence.redis.RedisReachability;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The conferences this node owns, one per room, created on the first join and dropped when empty.
 * Each holds an ownership lease in Redis, renewed while it lives, so that another node can see who
 * owns a room and take it over when this node dies. A conference whose lease is lost (Redis says
 * another node holds it, or no renewal was confirmed within its TTL) is abandoned at once: this
 * node stops acting on it.
 */
public final class Conferences implements Focus, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Conferences.class);

  /** Threads running the conferences' bridge requests (one conference uses one at a time). */
  private static final int LANE_THREADS = 64;

  private final ConferenceContext ctx;
  private final ConferenceLeases leases;
  private final Duration leaseTtl;
  private final Map<UUID, Conference> byRoom = new ConcurrentHashMap<>();

  /**
   * Leases of conferences that ended, until their last bridge requests are made: a new conference
   * of the same room on this node takes the lease over instead of waiting for its release.
   */
  private final Map<UUID, Lease> releasing = new ConcurrentHashMap<>();

  /** One lock per room while its conference is being created (the lease is a Redis round trip). */
  private final Map<UUID, Object> creating = new ConcurrentHashMap<>();

  /** How long past their TTL leases are held while Redis is unreachable; zero: not at all. */
  private volatile Duration outageHold = Duration.ZERO;

  /** How recent a failed renewal must be for a lease to be held (older: this node was paused). */
  private final Duration unreachableFresh;

  private final ScheduledExecutorService renewer;
  private final ThreadPoolExecutor lanes;
  // lane drains handed to the pool and not finished: the pool's own active count misses a task
  // between its hand-over and the worker starting it (a new thread, or one just taking it)
  private final java.util.concurrent.atomic.AtomicInteger laneDrains =
      new java.util.concurrent.atomic.AtomicInteger();
  private final java.util.concurrent.Executor laneExecutor = this::runOnLanes;
  private final WriteBehind writes;
  // shutting down: its conferences are handed over, no new one starts here
  private volatile boolean draining;
  private final java.util.concurrent.atomic.AtomicLong takeovers =
      new java.util.concurrent.atomic.AtomicLong();

  public Conferences(ConferenceContext ctx, ConferenceLeases leases, Duration leaseTtl) {
    this.ctx = ctx;
    this.leases = leases;
    this.leaseTtl = leaseTtl;
    this.renewer = Executors.newSingleThreadScheduledExecutor(daemon("conference-lease-renewer"));
    this.lanes =
        new ThreadPoolExecutor(
            LANE_THREADS,
            LANE_THREADS,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            daemon("conference-bridge-"));
    lanes.allowCoreThreadTimeOut(true);
    this.writes = WriteBehind.defaults("conference-state-writer");
    try {
      leases.started();
    } catch (RuntimeException e) {
      // the first renewal round or acquire notices a store without its guard
      LOG.warn("could not mark the conference leases as in use: {}", e.toString());
    }
    long every = Math.max(100, leaseTtl.toMillis() / 3);
    this.unreachableFresh = Duration.ofMillis(2 * every + 1_000);
    renewer.scheduleWithFixedDelay(this::renewLeases, every, every, TimeUnit.MILLISECONDS);
  }

  private static ThreadFactory daemon(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  @Override
  public FocusParticipant join(JoinRequest request, ParticipantEvents events)
      throws FocusException {
    for (int attempt = 0; attempt < 3; attempt++) {
      Conference conference = conferenceFor(request);
      Conference.Member member = conference.join(request, events);
      if (member != null) {
        return member;
      }
      // the conference ended or was abandoned between lookup and join: make (or find) a new one
      byRoom.remove(request.roomId(), conference);
    }
    throw new FocusException(FocusException.Reason.INTERNAL, "the conference kept ending; retry");
  }

  /**
   * {@inheritDoc}
   *
   * <p>When this node does not run the room's conference but can take its lease (its owner died or
   * gave it up), it takes the conference over from the state its owner mirrored to Redis.
   */
  @Override
  public FocusParticipant resume(
      UUID roomId, String participantId, String subject, ParticipantEvents events)
      throws FocusException {
    for (int attempt = 0; attempt < 3; attempt++) {
      Conference conference = byRoom.get(roomId);
      if (conference == null) {
        conference = takeOver(roomId);
      }
      FocusParticipant resumed = conference.resume(participantId, subject, events);
      if (resumed != null) {
        return resumed;
      }
      byRoom.remove(roomId, conference);
    }
    throw new FocusException(FocusException.Reason.INTERNAL, "the conference kept ending; retry");
  }

  /**
   * The room's conference on this node, taken over from the state in Redis.
   *
   * @throws OwnedByAnotherNodeException when another node holds its lease
   * @throws FocusException UNEXPECTED when there is no conference to take over
   */
  private Conference takeOver(UUID roomId) throws FocusException {
    refuseWhileDraining();
    Object lock = creating.computeIfAbsent(roomId, k -> new Object());
    try {
      synchronized (lock) {
        Conference existing = byRoom.get(roomId);
        if (existing != null) {
          return existing;
        }
        Lease lease = releasing.remove(roomId);
        if (lease == null || !lease.valid()) {
          lease = acquireLease(roomId.toString());
        }
        Optional<ConferenceSnapshot> snapshot;
        try {
          snapshot = snapshotOf(roomId, lease);
        } catch (RuntimeException e) {
          releaseOnce(lease);
          throw new FocusException(FocusException.Reason.INTERNAL, "the takeover failed; retry", e);
        }
        if (snapshot.isEmpty()) {
          releaseOnce(lease);
          throw new FocusException(
              FocusException.Reason.UNEXPECTED, "the room has no conference to resume; join again");
        }
        return adopt(snapshot.get(), lease);
      }
    } finally {
      creating.remove(roomId, lock);
    }
  }

  private void refuseWhileDraining() throws FocusException {
    if (draining) {
      throw new FocusException(
          FocusException.Reason.NO_BRIDGE,
          "this node is shutting down; retry (another node takes the call)");
    }
  }

  /** The state the room's previous owner mirrored, if any and readable. */
  private Optional<ConferenceSnapshot> snapshotOf(UUID roomId, Lease lease) {
    Optional<String> json = ctx.states().read(roomId.toString());
    if (json.isEmpty()) {
      return Optional.empty();
    }
    Optional<ConferenceSnapshot> snapshot = ConferenceSnapshot.fromJson(json.get());
    if (snapshot.isEmpty()) {
      LOG.warn("the mirrored state of room {} is unreadable: it starts afresh", roomId);
    }
    return snapshot.filter(s -> s.roomId().equals(roomId.toString()) && !s.members().isEmpty());
  }

  private Conference adopt(ConferenceSnapshot snapshot, Lease lease) {
    UUID roomId = UUID.fromString(snapshot.roomId());
    Conference adopted =
        new Conference(
            ctx,
            snapshot,
            new OwnerCallbacks(),
            lease,
            new Lane(laneExecutor, "room " + roomId),
            writes);
    byRoom.put(roomId, adopted);
    takeovers.incrementAndGet();
    LOG.info(
        "took over conference {} of room {} (lease epoch {}): {} participants, bridge {}",
        snapshot.callId(),
        roomId,
        lease.held().epoch(),
        snapshot.members().size(),
        snapshot.bridgeId());
    renewer.schedule(
        () -> {
          try {
            adopted.dropDetached();
          } catch (RuntimeException e) {
            LOG.warn("dropping the participants who did not come back failed", e);
          }
        },
        ctx.takeoverWindow().toMillis(),
        TimeUnit.MILLISECONDS);
    return adopted;
  }

  /**
   * Graceful shutdown: takes no new conference any more and hands each one it runs over (see {@link
   * Conference#handOver}): its state is written, its lease given up, its participants told to
   * resume elsewhere, where the next node takes it over without waiting for a lease to lapse. The
   * bridge conferences stay as they are: media goes on.
   */
  @Override
  public void handOver() {
    draining = true;
    for (Conference conference : byRoom.values()) {
      conference.handOver(
          () -> {
            byRoom.remove(conference.roomId(), conference);
            releaseOnce(conference.lease());
          });
    }
  }

  /** Conferences this node took over from another node since it started. */
  public long takeovers() {
    return takeovers.get();
  }

  @Override
  public void closeRoom(UUID roomId) throws FocusException {
    Conference conference = byRoom.get(roomId);
    if (conference != null) {
      conference.close(LeaveReason.ROOM_CLOSED);
      return;
    }
    Optional<String> owner = leases.owner(roomId.toString());
    if (owner.isPresent() && !owner.get().equals(ctx.nodeId())) {
      throw new OwnedByAnotherNodeException(owner.get());
    }
  }

  /**
   * A bridge went away with these endpoints of conference {@code meetingId} on it: their
   * participants are moved to another bridge in the background (new allocations, new offers).
   */
  public void reinvite(String meetingId, java.util.Set<String> endpointIds) {
    for (Conference conference : byRoom.values()) {
      if (conference.callId().toString().equals(meetingId)) {
        conference.moveToNewBridge(endpointIds);
        return;
      }
    }
  }

  /**
   * Holds leases through Redis outages for up to {@code hold} past their TTL (docs/ARCHITECTURE.md,
   * "Outages"): the conferences go on instead of being abandoned, and their leases are written
   * again, same epoch, when Redis is back. Zero (the default here): a lease not confirmed in time
   * is abandoned.
   */
  public void holdLeasesThroughOutages(Duration hold) {
    this.outageHold = hold;
    for (Conference c : byRoom.values()) {
      c.lease().holdThroughOutages(hold, unreachableFresh);
    }
  }

  /**
   * Redis answers again: renews (or writes again) every lease now, and rewrites the presence of the
   * conferences that were held, on the renewer's thread.
   */
  public void redisReachable() {
    renewer.execute(this::renewLeases);
  }

  /** Participants in the room's conference on this node. */
  public int participants(UUID roomId) {
    Conference c = byRoom.get(roomId);
    return c == null ? 0 : c.size();
  }

  /** Conferences owned by this node. */
  public int size() {
    return byRoom.size();
  }

  /** Shared-state writes (presence) waiting for Redis. */
  public int pendingWrites() {
    return writes.pending();
  }

  /**
   * Waits until the bridge requests and shared-state writes queued so far were made (tests,
   * shutdown); false when they still run after {@code timeout}.
   */
  boolean awaitQuiet(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      while (laneDrains.get() > 0) {
        if (System.nanoTime() > deadline) {
          return false;
        }
        Thread.sleep(5);
      }
      if (!writes.awaitIdle(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())))) {
        return false;
      }
      // a write's outcome may have queued more bridge work: quiet only when both are idle at once
      if (laneDrains.get() == 0) {
        return true;
      }
    }
  }

  private void runOnLanes(Runnable drain) {
    laneDrains.incrementAndGet();
    try {
      lanes.execute(
          () -> {
            try {
              drain.run();
            } finally {
              laneDrains.decrementAndGet();
            }
          });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      laneDrains.decrementAndGet();
      throw e;
    }
  }

  private Conference conferenceFor(JoinRequest request) throws FocusException {
    UUID roomId = request.roomId();
    Conference existing = byRoom.get(roomId);
    if (existing != null) {
      return existing;
    }
    refuseWhileDraining();
    // Only joins to the same new room wait for each other: one node-wide lock here made every
    // first join queue behind the others' lease round trips to Redis.
    Object lock = creating.computeIfAbsent(roomId, k -> new Object());
    try {
      synchronized (lock) {
        existing = byRoom.get(roomId);
        if (existing != null) {
          return existing;
        }
        Lease lease = releasing.remove(roomId);
        if (lease == null || !lease.valid()) {
          lease = acquireLease(roomId.toString());
          lease.holdThroughOutages(outageHold, unreachableFresh);
          // a node that died may have left a conference running on the bridge: continue it
          Optional<ConferenceSnapshot> snapshot;
          try {
            snapshot = snapshotOf(roomId, lease);
          } catch (RuntimeException e) {
            releaseOnce(lease);
            throw new FocusException(FocusException.Reason.INTERNAL, "Redis failed; retry", e);
          }
          if (snapshot.isPresent()) {
            return adopt(snapshot.get(), lease);
          }
        }
        Conference created =
            new Conference(
                ctx,
                roomId,
                request.roomName(),
                new OwnerCallbacks(),
                lease,
                new Lane(laneExecutor, "room " + roomId),
                writes);
        byRoom.put(roomId, created);
        return created;
      }
    } finally {
      creating.remove(roomId, lock);
    }
  }

  /**
   * Takes the room's lease, or says which node holds it. A lease that lapses between our attempt
   * and the owner lookup is tried once more.
   */
  private Lease acquireLease(String roomId) throws FocusException {
    for (int attempt = 0; attempt < 2; attempt++) {
      long started = System.nanoTime();
      Optional<ConferenceLeases.Lease> lease;
      try {
        lease = leases.tryAcquire(roomId, ctx.nodeId(), leaseTtl);
      } catch (ConferenceLeases.HeldBackException e) {
        throw new FocusException(FocusException.Reason.UNAVAILABLE, e.getMessage());
      }
      if (lease.isPresent()) {
        return new Lease(lease.get(), leaseTtl, started);
      }
      var owner = leases.owner(roomId);
      if (owner.isPresent()) {
        throw new OwnedByAnotherNodeException(owner.get());
      }
    }
    throw new FocusException(
        FocusException.Reason.INTERNAL, "the room's lease keeps changing hands; retry");
  }

  /** How conferences report back; runs on their threads without their locks. */
  private final class OwnerCallbacks implements Conference.Owner {
    @Override
    public void ended(Conference conference) {
      UUID roomId = conference.roomId();
      byRoom.remove(roomId, conference);
      Lease lease = conference.lease();
      if (lease.lost()) {
        return;
      }
      // given back once the bridge conference is expired (fenced by the lease, like every request)
      releasing.put(roomId, lease);
      conference
          .lane()
          .execute(
              () -> {
                if (releasing.remove(roomId, lease)) {
                  endState(lease);
                  lease.lose();
                  release(lease);
                }
              });
    }

    @Override
    public void abandoned(Conference conference) {
      byRoom.remove(conference.roomId(), conference);
      Lease lease = conference.lease();
      if (!lease.lost()) {
        // not confirmed in time, maybe still ours: give it up so another node need not wait
        lease.lose();
        release(lease);
      }
    }
  }

  /** The conference ended: its mirrored state goes (with its lease, while still ours). */
  private void endState(Lease lease) {
    try {
      ctx.states().end(lease.held());
    } catch (RuntimeException e) {
      LOG.warn(
          "the state of ended room {} stays in Redis: {}",
          lease.held().conferenceId(),
          e.toString());
    }
  }

  private void releaseOnce(Lease lease) {
    if (!lease.lost()) {
      lease.lose();
      release(lease);
    }
  }

  private void release(Lease lease) {
    try {
      leases.release(lease.held());
    } catch (RuntimeException e) {
      // it lapses by itself within its TTL
      LOG.warn("releasing the lease of {} failed: {}", lease.held().conferenceId(), e.toString());
    }
  }

  /** Renews every lease now, as the renewer does every third of the TTL (tests). */
  public void renewNow() {
    renewLeases();
  }

  private void renewLeases() {
    try {
      if (leases.noticeDataLoss(leaseTtl)) {
        LOG.warn(
            "Redis lost its data (restarted empty): no node takes a conference's lease for {} s,"
                + " while the owners write theirs again",
            leaseTtl.toSeconds());
      }
    } catch (RuntimeException e) {
      LOG.debug("checking the leases' guard failed: {}", e.toString());
    }
    releasing.forEach(
        (room, lease) -> {
          long started = System.nanoTime();
          try {
            if (leases.renew(lease.held(), leaseTtl)) {
              lease.renewed(started);
            } else {
              lease.lose();
            }
          } catch (RuntimeException e) {
            LOG.debug("renewing the lease of ended room {} failed: {}", room, e.toString());
          }
        });
    for (Conference conference : byRoom.values()) {
      if (conference.state() != Conference.State.ACTIVE) {
        continue;
      }
      Lease lease = conference.lease();
      long started = System.nanoTime();
      boolean wasHeld = lease.renewalFailed();
      try {
        boolean ours = leases.renew(lease.held(), leaseTtl);
        boolean reasserted = false;
        if (!ours && lease.valid()) {
          // gone from Redis while still ours (Redis restarted empty, or was down past the TTL):
          // written again with the same epoch unless another node took a later one
          ours = reasserted = leases.reassert(lease.held(), leaseTtl);
        }
        if (ours) {
          lease.renewed(started);
          if (reasserted || wasHeld) {
            LOG.info(
                "lease of room {} confirmed again after Redis was unreachable{}",
                conference.roomId(),
                reasserted ? " (written again, same epoch)" : "");
            conference.republishPresence();
          }
        } else {
          lease.lose();
          conference.abandon("another node holds its lease now");
          continue;
        }
      } catch (RuntimeException e) {
        if (RedisReachability.unreachable(e)) {
          if (lease.heldThroughOutage()) {
            LOG.debug("lease of room {} held: Redis still unreachable", conference.roomId());
          } else {
            LOG.warn(
                "renewing the lease of room {} failed, Redis is unreachable: {}",
                conference.roomId(),
                e.toString());
          }
          lease.unreachable(System.nanoTime());
        } else {
          LOG.warn("renewing the lease of room {} failed: {}", conference.roomId(), e.toString());
        }
      }
      if (!lease.valid()) {
        conference.abandon("no renewal of its lease was confirmed within its TTL");
      }
    }
  }

  @Override
  public void close() {
    renewer.shutdownNow();
    lanes.shutdown();
    try {
      lanes.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      writes.awaitIdle(Duration.ofSeconds(2));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    writes.close();
    releasing.values().forEach(this::releaseOnce);
    for (Conference conference : byRoom.values()) {
      Lease lease = conference.lease();
      if (!lease.lost()) {
        lease.lose();
        release(lease);
      }
    }
  }
}
