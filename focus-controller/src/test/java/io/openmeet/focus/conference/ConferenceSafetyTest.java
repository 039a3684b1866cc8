package io.openmeet.focus.conference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.openmeet.focus.conference.ConferenceTest.BrowserAnswer;
import io.openmeet.focus.conference.ConferenceTest.FakeBridges;
import io.openmeet.focus.conference.ConferenceTest.MemoryLeases;
import io.openmeet.focus.conference.ConferenceTest.MemoryPresence;
import io.openmeet.focus.conference.ConferenceTest.RecordingEvents;
import io.openmeet.focus.records.CallRecordEvent;
import io.openmeet.focus.sdp.CodecSettings;
import io.openmeet.focus.sdp.MediaSource;
import io.openmeet.focus.sdp.TransportDescription;
import io.openmeet.focus.testing.Eventually;
import io.openmeet.presence.conference.ConferenceLeases;
import io.openmeet.presence.conference.ParticipantPresence;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.redisson.client.RedisConnectionException;

/**
 * What a conference must never do, checked with stand-ins that misbehave on purpose: talk to the
 * bridge or Redis while holding its lock, leave a participant behind when a write fails, act on a
 * room after losing its lease, or let a closed room's call go on.
 */
class ConferenceSafetyTest {

  private static final Duration WAIT = Duration.ofSeconds(5);

  private final UUID roomId = UUID.randomUUID();
  private final FakeBridges bridges = new FakeBridges();
  private final MemoryPresence presence = new MemoryPresence();
  private final ControlledLeases leases = new ControlledLeases();
  private final List<CallRecordEvent> records = new CopyOnWriteArrayList<>();
  private final List<String> lockedCalls = new CopyOnWriteArrayList<>();
  private final ExecutorService probes = Executors.newCachedThreadPool();
  private final AtomicReference<Conferences> current = new AtomicReference<>();
  private final List<Conferences> closing = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() {
    closing.forEach(Conferences::close);
    probes.shutdownNow();
  }

  private Conferences conferences(
      ConferenceBridge.Factory bridgeFactory, ParticipantPresence presence, Duration leaseTtl) {
    var c =
        new Conferences(
            new ConferenceContext(
                bridgeFactory,
                CodecSettings.defaults(false),
                presence,
                records::add,
                Clock.systemUTC(),
                "node-test"),
            leases,
            leaseTtl);
    current.set(c);
    closing.add(c);
    return c;
  }

  private Conferences probed() {
    return conferences(new ProbingBridges(), new ProbingPresence(), Duration.ofSeconds(30));
  }

  private static JoinRequest request(UUID room, String name, int max, boolean moderator) {
    return new JoinRequest(
        room,
        "room-slug",
        max,
        Optional.empty(),
        Optional.empty(),
        "guest-" + name,
        name,
        moderator,
        true,
        true);
  }

  private record Joined(FocusParticipant participant, RecordingEvents events) {
    void answer(long ssrcBase) throws FocusException {
      participant.answer(BrowserAnswer.to(events.lastOffer(), ssrcBase));
    }
  }

  private Joined join(Conferences c, String name, int max, boolean moderator)
      throws FocusException {
    var events = new RecordingEvents();
    return new Joined(c.join(request(roomId, name, max, moderator), events), events);
  }

  /**
   * Whether the calling thread holds the room's conference lock: another thread then cannot read
   * the conference's size within 5 s. (1 s was a guess a loaded machine can miss: the probe's
   * thread may not run, or the lock may be briefly held by a lane, for that long; a free lock costs
   * nothing extra, a held one is never released while this call waits.)
   */
  private void requireLockFree(String call) {
    Conferences c = current.get();
    if (c == null) {
      return;
    }
    var size = CompletableFuture.supplyAsync(() -> c.participants(roomId), probes);
    try {
      size.get(5, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      lockedCalls.add(call);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** The fake bridge, checking on each call that no conference lock is held. */
  private final class ProbingBridges implements ConferenceBridge.Factory {
    @Override
    public ConferenceBridge open(String meetingId, String roomName, Optional<String> region) {
      ConferenceBridge inner = bridges.open(meetingId, roomName, region);
      return new ConferenceBridge() {
        @Override
        public Allocation allocate(String endpointId, String statsId) throws FocusException {
          requireLockFree("allocate");
          return inner.allocate(endpointId, statsId);
        }

        @Override
        public CompletionStage<Void> update(
            String endpointId, TransportDescription transport, List<MediaSource> sources) {
          requireLockFree("update");
          return inner.update(endpointId, transport, sources);
        }

        @Override
        public CompletionStage<Void> addCandidates(
            String endpointId, TransportDescription transport) {
          requireLockFree("addCandidates");
          return inner.addCandidates(endpointId, transport);
        }

        @Override
        public void expire(String endpointId) {
          requireLockFree("expire");
          inner.expire(endpointId);
        }

        @Override
        public void close() {
          requireLockFree("close");
          inner.close();
        }
      };
    }
  }

  /** Presence in memory, checking on each write that no conference lock is held. */
  private final class ProbingPresence implements ParticipantPresence {
    @Override
    public void joined(Participant p) {
      requireLockFree("presence joined");
      presence.joined(p);
    }

    @Override
    public void left(String room, String participantId, String userId) {
      requireLockFree("presence left");
      presence.left(room, participantId, userId);
    }

    @Override
    public Set<String> participants(String room) {
      return presence.participants(room);
    }

    @Override
    public int count(String room) {
      return presence.count(room);
    }
  }

  @Test
  void no_bridge_request_or_presence_write_is_made_while_a_conference_lock_is_held()
      throws Exception {
    Conferences c = probed();
    var ada = join(c, "Ada", 12, true);
    ada.answer(1000);
    var bob = join(c, "Bob", 12, false);
    bob.answer(2000);
    var cy = join(c, "Cy", 12, false);
    cy.answer(3000);
    ada.participant.chat("hello");
    bob.participant.mediaState(false, true, false);
    ada.participant.mute(bob.participant.id());
    bob.participant.iceRestart();
    int cyOffers = cy.events.offers().size();
    c.reinvite(bridges.lastMeetingId, Set.of(ada.participant.id(), cy.participant.id()));
    Eventually.within(WAIT, () -> assertThat(cy.events.offers()).hasSize(cyOffers + 1));
    ada.participant.kick(cy.participant.id());
    bob.participant.leave(LeaveReason.LEAVE);
    c.closeRoom(roomId);
    assertThat(c.awaitQuiet(WAIT)).isTrue();

    // every kind of request did happen, and none under the lock
    assertThat(bridges.log)
        .anyMatch(l -> l.startsWith("update "))
        .anyMatch(l -> l.startsWith("expire "))
        .contains("allocate " + bob.participant.id(), "close");
    assertThat(presence.participants(roomId.toString())).isEmpty();
    assertThat(lockedCalls).isEmpty();
  }

  @Test
  void an_answer_returns_before_the_bridge_has_the_update_and_the_room_goes_on_meanwhile()
      throws Exception {
    var updating = new CountDownLatch(1);
    var proceed = new CountDownLatch(1);
    ConferenceBridge.Factory slowUpdates =
        (meetingId, roomName, region) -> {
          ConferenceBridge inner = bridges.open(meetingId, roomName, region);
          return new ConferenceBridge() {
            @Override
            public Allocation allocate(String endpointId, String statsId) throws FocusException {
              return inner.allocate(endpointId, statsId);
            }

            @Override
            public CompletionStage<Void> update(
                String endpointId, TransportDescription transport, List<MediaSource> sources) {
              updating.countDown();
              try {
                proceed.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              return inner.update(endpointId, transport, sources);
            }

            @Override
            public CompletionStage<Void> addCandidates(
                String endpointId, TransportDescription transport) {
              return inner.addCandidates(endpointId, transport);
            }

            @Override
            public void expire(String endpointId) {
              inner.expire(endpointId);
            }

            @Override
            public void close() {
              inner.close();
            }
          };
        };
    Conferences c = conferences(slowUpdates, presence, Duration.ofSeconds(30));
    try {
      var ada = join(c, "Ada", 12, false);
      var bobId = new AtomicReference<String>();
      org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
          WAIT,
          () -> {
            ada.answer(1000);
            assertThat(updating.await(5, TimeUnit.SECONDS)).isTrue();
            // the bridge sits on Ada's update: Bob still joins, chats and leaves at once
            var bob = join(c, "Bob", 12, false);
            bobId.set(bob.participant.id());
            bob.participant.chat("hi");
            assertThat(ada.events.chats).hasSize(1);
            bob.participant.leave(LeaveReason.LEAVE);
          });
      assertThat(bridges.updates).isEmpty();
      proceed.countDown();
      Eventually.within(WAIT, () -> assertThat(bridges.updates).containsKey(ada.participant.id()));
      // requests stay in order: Bob's expire waited behind Ada's update
      assertThat(c.awaitQuiet(WAIT)).isTrue();
      assertThat(bridges.log.indexOf("update " + ada.participant.id()))
          .isLessThan(bridges.log.indexOf("expire " + bobId.get()));
    } finally {
      proceed.countDown();
    }
  }

  @Test
  void a_presence_write_that_throws_leaves_no_ghost_participant_behind() throws Exception {
    var failing = new AtomicBoolean(true);
    ParticipantPresence throwing =
        new ParticipantPresence() {
          @Override
          public void joined(Participant p) {
            if (failing.get()) {
              throw new IllegalStateException("Redis is down");
            }
            presence.joined(p);
          }

          @Override
          public void left(String room, String participantId, String userId) {
            presence.left(room, participantId, userId);
          }

          @Override
          public Set<String> participants(String room) {
            return presence.participants(room);
          }

          @Override
          public int count(String room) {
            return presence.count(room);
          }
        };
    Conferences c = conferences(bridges, throwing, Duration.ofSeconds(30));

    // a room of two: Ada's presence write fails, yet she is a participant like any other
    var ada = join(c, "Ada", 2, false);
    assertThat(ada.events.types()).containsExactly("joined", "offer");
    var bob = join(c, "Bob", 2, false);
    assertThat(bob.events.othersAtJoin)
        .extracting(ParticipantInfo::displayName)
        .containsExactly("Ada");

    // when both leave, their seats are free, the call ends and the lease is given back
    ada.participant.leave(LeaveReason.LEAVE);
    bob.participant.leave(LeaveReason.LEAVE);
    assertThat(c.awaitQuiet(WAIT)).isTrue();
    assertThat(c.size()).isZero();
    assertThat(bridges.log).endsWith("close");
    assertThat(leases.owner(roomId.toString())).isEmpty();
    assertThat(records).filteredOn(r -> r instanceof CallRecordEvent.CallEnded).hasSize(1);
    assertThat(presence.participants(roomId.toString())).isEmpty();

    // and two new participants fit again
    failing.set(false);
    join(c, "Cy", 2, false);
    join(c, "Dan", 2, false);
  }

  @Test
  void a_call_record_or_event_sink_that_throws_leaves_no_ghost_participant_behind()
      throws Exception {
    var c =
        new Conferences(
            new ConferenceContext(
                bridges,
                CodecSettings.defaults(false),
                presence,
                e -> {
                  throw new IllegalStateException("the recorder broke");
                },
                Clock.systemUTC(),
                "node-test"),
            leases,
            Duration.ofSeconds(30));
    current.set(c);
    closing.add(c);
    var ada = join(c, "Ada", 2, false);
    var brokenSocket =
        new RecordingEvents() {
          @Override
          public void participantJoined(ParticipantInfo participant) {
            throw new IllegalStateException("the socket broke");
          }
        };
    c.join(request(roomId, "Bob", 2, false), brokenSocket).leave(LeaveReason.LEAVE);
    ada.participant.leave(LeaveReason.LEAVE);
    assertThat(c.awaitQuiet(WAIT)).isTrue();
    assertThat(c.size()).isZero();
    assertThat(leases.owner(roomId.toString())).isEmpty();
    assertThat(bridges.log).endsWith("close");
  }

  @Test
  void a_lease_taken_by_another_node_stops_this_node_acting_on_the_conference() throws Exception {
    Conferences c = conferences(bridges, presence, Duration.ofMillis(600));
    var ada = join(c, "Ada", 12, false);
    var bob = join(c, "Bob", 12, false);
    assertThat(c.awaitQuiet(WAIT)).isTrue();
    int bridgeCalls = bridges.log.size();

    leases.steal(roomId.toString(), "node-other");
    Eventually.within(WAIT, () -> assertThat(ada.events.types()).endsWith("moved"));
    assertThat(bob.events.types()).endsWith("moved");
    assertThat(c.size()).isZero();

    // whatever the sessions still do reaches neither the bridge nor Redis, nor the new owner's
    // lease
    assertThatThrownBy(() -> ada.answer(1000)).isInstanceOf(FocusException.class);
    bob.participant.leave(LeaveReason.LEAVE);
    ada.participant.leave(LeaveReason.TIMEOUT);
    assertThat(c.awaitQuiet(WAIT)).isTrue();
    assertThat(bridges.log).hasSize(bridgeCalls);
    assertThat(presence.participants(roomId.toString()))
        .containsExactlyInAnyOrder(ada.participant.id(), bob.participant.id());
    assertThat(leases.owner(roomId.toString())).contains("node-other");
    // a new join goes to the node that holds the room now
    assertThatThrownBy(() -> join(c, "Cy", 12, false))
        .isInstanceOfSatisfying(
            OwnedByAnotherNodeException.class, e -> assertThat(e.owner()).isEqualTo("node-other"));
  }

  @Test
  void a_node_paused_past_its_lease_does_not_touch_the_conference_when_it_wakes_up()
      throws Exception {
    Conferences c = conferences(bridges, presence, Duration.ofMillis(600));
    var ada = join(c, "Ada", 12, false);
    var bob = join(c, "Bob", 12, false);
    assertThat(c.awaitQuiet(WAIT)).isTrue();
    int bridgeCalls = bridges.log.size();

    // the renewer hangs (as every thread does in a paused process) past the lease's TTL
    leases.stallRenewals();
    Thread.sleep(800);
    // the first thing to run when it wakes up is a session's request: it is refused, not sent
    assertThatThrownBy(() -> ada.answer(1000)).isInstanceOf(FocusException.class);
    bob.participant.leave(LeaveReason.TIMEOUT);
    leases.resumeRenewals();
    assertThat(c.awaitQuiet(WAIT)).isTrue();

    assertThat(ada.events.types()).endsWith("moved");
    assertThat(bob.events.types()).endsWith("moved");
    assertThat(bridges.log).hasSize(bridgeCalls);
    assertThat(c.size()).isZero();
  }

  @Test
  void renewals_that_fail_for_longer_than_the_lease_abandon_the_conference() throws Exception {
    Conferences c = conferences(bridges, presence, Duration.ofMillis(600));
    var ada = join(c, "Ada", 12, false);
    assertThat(c.awaitQuiet(WAIT)).isTrue();
    int bridgeCalls = bridges.log.size();
    leases.failRenewals(true);
    Eventually.within(WAIT, () -> assertThat(ada.events.types()).endsWith("moved"));
    ada.participant.leave(LeaveReason.LEAVE);
    assertThat(c.awaitQuiet(WAIT)).isTrue();
    assertThat(bridges.log).hasSize(bridgeCalls);
  }

  @Test
  void a_redis_outage_holds_the_lease_and_the_call_goes_on_then_the_lease_is_written_again()
      throws Exception {
    Conferences c = conferences(bridges, presence, Duration.ofMillis(600));
    c.holdLeasesThroughOutages(Duration.ofSeconds(10));
    var ada = join(c, "Ada", 12, false);
    var bob = join(c, "Bob", 12, false);
    assertThat(c.awaitQuiet(WAIT)).isTrue();

    leases.failWith(new RedisConnectionException("Redis is unreachable"));
    Thread.sleep(1_500); // two and a half TTLs without a confirmed renewal
    ada.participant.chat("still here");
    ada.participant.mediaState(false, true, false);
    assertThat(bob.events.chats).anyMatch(line -> line.contains(": still here"));
    assertThat(bob.events.types()).doesNotContain("moved");
    assertThat(c.size()).isEqualTo(1);
    // nothing new is admitted blind
    assertThatThrownBy(() -> join(c, "Cy", 12, false))
        .isInstanceOfSatisfying(
            FocusException.class,
            e -> assertThat(e.reason()).isEqualTo(FocusException.Reason.UNAVAILABLE));

    // Redis is back, empty: the lease is written again and everyone's presence with it
    leases.wipe();
    synchronized (presence) {
      presence.rooms.clear();
    }
    leases.failWith(null);
    c.redisReachable();
    Eventually.within(
        WAIT,
        () -> {
          assertThat(leases.owner(roomId.toString())).contains("node-test");
          assertThat(presence.participants(roomId.toString()))
              .containsExactlyInAnyOrder(ada.participant.id(), bob.participant.id());
        });
    var cy = join(c, "Cy", 12, false);
    assertThat(cy.participant.id()).isNotBlank();

    // a node paused past its lease is not held: no renewal failed, so it stops acting
    leases.stallRenewals();
    Thread.sleep(800);
    assertThatThrownBy(() -> ada.answer(1000)).isInstanceOf(FocusException.class);
    leases.resumeRenewals();
    assertThat(ada.events.types()).endsWith("moved");
  }

  @Test
  void closing_the_room_removes_everyone_with_room_closed_and_expires_the_bridge_conference()
      throws Exception {
    Conferences c = conferences(bridges, presence, Duration.ofSeconds(30));
    var ada = join(c, "Ada", 12, true);
    var bob = join(c, "Bob", 12, false);
    FakeBridges.Held cysAllocation = bridges.holdFirstAllocationOf("Cy");
    var pool = Executors.newSingleThreadExecutor();
    try {
      var cy = pool.submit(() -> join(c, "Cy", 12, false));
      assertThat(cysAllocation.awaitAllocating()).isTrue();

      c.closeRoom(roomId);
      assertThat(ada.events.types()).endsWith("removed ROOM_CLOSED");
      assertThat(bob.events.types()).endsWith("removed ROOM_CLOSED");
      assertThat(c.participants(roomId)).isZero();

      // Cy's join was on its way to the bridge: it fails, and its endpoint goes too
      cysAllocation.release();
      assertThatThrownBy(() -> cy.get(5, TimeUnit.SECONDS))
          .hasCauseInstanceOf(FocusException.class)
          .cause()
          .satisfies(
              e ->
                  assertThat(((FocusException) e).reason())
                      .isEqualTo(FocusException.Reason.ROOM_CLOSED));
      assertThat(c.awaitQuiet(WAIT)).isTrue();
      assertThat(bridges.log).contains("close", "expire " + cysAllocation.endpointId.get());
      assertThat(records)
          .filteredOn(r -> r instanceof CallRecordEvent.ParticipantLeft)
          .extracting(r -> ((CallRecordEvent.ParticipantLeft) r).reason())
          .containsExactly("room-closed", "room-closed");
      assertThat(records.get(records.size() - 1)).isInstanceOf(CallRecordEvent.CallEnded.class);
      assertThat(presence.participants(roomId.toString())).isEmpty();
      assertThat(leases.owner(roomId.toString())).isEmpty();
      assertThat(c.size()).isZero();
      // the removed sessions cannot act any more
      assertThatThrownBy(() -> ada.participant.mute(bob.participant.id()))
          .isInstanceOf(FocusException.class);
    } finally {
      cysAllocation.release();
      pool.shutdownNow();
    }
  }

  @Test
  void closing_a_room_another_node_hosts_names_that_node() throws Exception {
    Conferences c = conferences(bridges, presence, Duration.ofSeconds(30));
    c.closeRoom(roomId); // no conference anywhere: nothing to do
    leases.tryAcquire(roomId.toString(), "node-other", Duration.ofSeconds(30));
    assertThatThrownBy(() -> c.closeRoom(roomId))
        .isInstanceOfSatisfying(
            OwnedByAnotherNodeException.class, e -> assertThat(e.owner()).isEqualTo("node-other"));
  }

  /** Leases in memory whose renewals the test can hang, fail, or lose to another node. */
  private static final class ControlledLeases implements ConferenceLeases {
    private final MemoryLeases leases = new MemoryLeases();
    private volatile CountDownLatch stall = new CountDownLatch(0);
    private volatile boolean failing;
    private volatile RuntimeException failure;

    void steal(String id, String node) {
      synchronized (leases) {
        leases.owners.put(id, node);
      }
    }

    void stallRenewals() {
      stall = new CountDownLatch(1);
    }

    void resumeRenewals() {
      stall.countDown();
    }

    void failRenewals(boolean fail) {
      failing = fail;
    }

    /** Renewals throw {@code e} (null: they work again). */
    void failWith(RuntimeException e) {
      failure = e;
    }

    /** Redis came back empty: nobody holds any lease. */
    void wipe() {
      synchronized (leases) {
        leases.owners.clear();
      }
    }

    @Override
    public Optional<Lease> tryAcquire(String id, String node, Duration ttl) {
      synchronized (leases) {
        return leases.tryAcquire(id, node, ttl);
      }
    }

    @Override
    public boolean renew(Lease lease, Duration ttl) {
      try {
        stall.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (failing) {
        throw new IllegalStateException("Redis is unreachable");
      }
      RuntimeException e = failure;
      if (e != null) {
        throw e;
      }
      synchronized (leases) {
        return leases.renew(lease, ttl);
      }
    }

    @Override
    public boolean reassert(Lease lease, Duration ttl) {
      synchronized (leases) {
        String owner = leases.owners.putIfAbsent(lease.conferenceId(), lease.nodeId());
        return owner == null || owner.equals(lease.nodeId());
      }
    }

    @Override
    public void release(Lease lease) {
      synchronized (leases) {
        leases.release(lease);
      }
    }

    @Override
    public Optional<String> owner(String id) {
      synchronized (leases) {
        return leases.owner(id);
      }
    }
  }
}
