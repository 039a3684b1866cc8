package io.openmeet.focus.conference;

import io.openmeet.presence.conference.ConferenceLeases;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The conferences this node owns, one per room, created on the first join and dropped when empty.
 * Each holds an ownership lease in Redis, renewed while it lives, so that another node can see who
 * owns a room and take it over when this node dies.
 */
public final class Conferences implements Focus, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Conferences.class);

  private final ConferenceContext ctx;
  private final ConferenceLeases leases;
  private final Duration leaseTtl;
  private final Map<UUID, Conference> byRoom = new ConcurrentHashMap<>();
  private final Map<UUID, ConferenceLeases.Lease> leasesByRoom = new ConcurrentHashMap<>();

  /** One lock per room while its conference is being created (the lease is a Redis round trip). */
  private final Map<UUID, Object> creating = new ConcurrentHashMap<>();

  private final ScheduledExecutorService renewer;
  private final java.util.concurrent.ExecutorService reinviter =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "conference-reinviter");
            t.setDaemon(true);
            return t;
          });

  public Conferences(ConferenceContext ctx, ConferenceLeases leases, Duration leaseTtl) {
    this.ctx = ctx;
    this.leases = leases;
    this.leaseTtl = leaseTtl;
    this.renewer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "conference-lease-renewer");
              t.setDaemon(true);
              return t;
            });
    long every = Math.max(100, leaseTtl.toMillis() / 3);
    renewer.scheduleWithFixedDelay(this::renewLeases, every, every, TimeUnit.MILLISECONDS);
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
      // the conference ended between lookup and join: it is being dropped, make a new one
      byRoom.remove(request.roomId(), conference);
    }
    throw new FocusException(FocusException.Reason.INTERNAL, "the conference kept ending; retry");
  }

  /**
   * A bridge went away with these endpoints of conference {@code meetingId} on it: their
   * participants are moved to another bridge in the background (new allocations, new offers).
   */
  public void reinvite(String meetingId, java.util.Set<String> endpointIds) {
    for (Conference conference : byRoom.values()) {
      if (conference.callId().toString().equals(meetingId)) {
        reinviter.execute(() -> conference.moveToNewBridge(endpointIds));
        return;
      }
    }
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

  private Conference conferenceFor(JoinRequest request) throws FocusException {
    UUID roomId = request.roomId();
    Conference existing = byRoom.get(roomId);
    if (existing != null) {
      return existing;
    }
    // Only joins to the same new room wait for each other: one node-wide lock here made every
    // first join queue behind the others' lease round trips to Redis.
    Object lock = creating.computeIfAbsent(roomId, k -> new Object());
    try {
      synchronized (lock) {
        existing = byRoom.get(roomId);
        if (existing != null) {
          return existing;
        }
        ConferenceLeases.Lease lease = acquireLease(roomId.toString());
        leasesByRoom.put(roomId, lease);
        Conference created = new Conference(ctx, roomId, request.roomName(), () -> dropped(roomId));
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
  private ConferenceLeases.Lease acquireLease(String roomId) throws FocusException {
    for (int attempt = 0; attempt < 2; attempt++) {
      var lease = leases.tryAcquire(roomId, ctx.nodeId(), leaseTtl);
      if (lease.isPresent()) {
        return lease.get();
      }
      var owner = leases.owner(roomId);
      if (owner.isPresent()) {
        throw new OwnedByAnotherNodeException(owner.get());
      }
    }
    throw new FocusException(
        FocusException.Reason.INTERNAL, "the room's lease keeps changing hands; retry");
  }

  private void dropped(UUID roomId) {
    byRoom.remove(roomId);
    ConferenceLeases.Lease lease = leasesByRoom.remove(roomId);
    if (lease != null) {
      leases.release(lease);
    }
  }

  private void renewLeases() {
    leasesByRoom.forEach(
        (room, lease) -> {
          try {
            if (!leases.renew(lease, leaseTtl)) {
              LOG.warn("lost the lease of room {}: another node may take it over", room);
            }
          } catch (RuntimeException e) {
            LOG.warn("renewing the lease of room {} failed: {}", room, e.toString());
          }
        });
  }

  @Override
  public void close() {
    renewer.shutdownNow();
    reinviter.shutdownNow();
    leasesByRoom.values().forEach(leases::release);
  }
}
