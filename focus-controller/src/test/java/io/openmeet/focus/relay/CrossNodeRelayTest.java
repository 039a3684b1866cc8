package io.openmeet.focus.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.openmeet.focus.conference.ConferenceContext;
import io.openmeet.focus.conference.Conferences;
import io.openmeet.focus.conference.FocusException;
import io.openmeet.focus.conference.FocusParticipant;
import io.openmeet.focus.conference.JoinRequest;
import io.openmeet.focus.conference.LeaveReason;
import io.openmeet.focus.conference.ParticipantInfo;
import io.openmeet.focus.relay.RelayFakes.FakeBridges;
import io.openmeet.focus.relay.RelayFakes.RecordingEvents;
import io.openmeet.focus.sdp.CodecSettings;
import io.openmeet.focus.testing.Eventually;
import io.openmeet.focus.testing.TestRedis;
import io.openmeet.presence.conference.RedisConferenceLeases;
import io.openmeet.presence.conference.RedisParticipantPresence;
import io.openmeet.presence.relay.RedisNodeAddresses;
import io.openmeet.presence.relay.TcpNodeMessaging;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;

/**
 * Two nodes in one JVM, each with its own Redis client, leases and presence on the real Redis
 * (REDIS_URL) and its own node link on loopback; bridges are in-memory stand-ins (media is not the
 * point here).
 */
class CrossNodeRelayTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private final String run = UUID.randomUUID().toString().substring(0, 8);
  private final List<AutoCloseable> closing = new ArrayList<>();
  private final UUID roomId = UUID.randomUUID();
  // the nodes' lease guard, of this test's own: one test loses it on purpose
  private final String guard = "it-leases-open-at-" + run;
  private final Node node1 = new Node("it-node1-" + run);
  private final Node node2 = new Node("it-node2-" + run);

  /** A control-plane node as room-api wires it, minus XMPP. */
  private final class Node {
    final String id;
    final RedissonClient redis = TestRedis.connect();
    final FakeBridges bridges = new FakeBridges();
    final Conferences conferences;
    final TcpNodeMessaging link;
    final RelayingFocus focus;

    Node(String id) {
      this.id = id;
      closing.add(redis::shutdown);
      conferences =
          new Conferences(
              new ConferenceContext(
                  bridges,
                  CodecSettings.defaults(false),
                  new RedisParticipantPresence(redis),
                  e -> {},
                  Clock.systemUTC(),
                  id),
              new RedisConferenceLeases(redis, guard),
              Duration.ofSeconds(10));
      closing.add(0, conferences);
      link =
          new TcpNodeMessaging(
              new RedisNodeAddresses(redis),
              new TcpNodeMessaging.Settings(
                  "127.0.0.1",
                  0,
                  Optional.of("127.0.0.1"),
                  "cross-node-test-secret",
                  1 << 20,
                  Duration.ofSeconds(2)));
      closing.add(0, link);
      focus =
          new RelayingFocus(
              conferences,
              link,
              id,
              new RelaySettings(
                  Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(5)),
              Clock.systemUTC());
      closing.add(0, focus);
    }

    Joined join(String name, int max) throws FocusException {
      var events = new RecordingEvents();
      var request =
          new JoinRequest(
              roomId,
              "cross-node-" + run,
              max,
              Optional.empty(),
              Optional.empty(),
              "guest-" + name,
              name,
              false,
              true,
              true);
      return new Joined(focus.join(request, events), events);
    }
  }

  private record Joined(FocusParticipant participant, RecordingEvents events) {}

  @AfterEach
  void close() throws Exception {
    node1.redis.getBucket(guard).delete();
    for (AutoCloseable c : closing) {
      c.close();
    }
  }

  @Test
  void two_participants_on_two_nodes_share_one_conference_on_the_owner() throws Exception {
    var a = node1.join("A", 12);
    assertThat(new RedisConferenceLeases(node1.redis).owner(roomId.toString())).contains(node1.id);

    var b = node2.join("B", 12);

    // B, whose socket is on node 2, got joined and its offer from the conference on node 1
    assertThat(b.events.types()).containsExactly("joined", "offer");
    assertThat(b.events.othersAtJoin)
        .extracting(ParticipantInfo::participantId)
        .containsExactly(a.participant.id());
    assertThat(b.participant.id()).isNotNull().isNotEqualTo(a.participant.id());
    assertThat(node1.bridges.log).contains("allocate " + b.participant.id());
    assertThat(node2.bridges.log).isEmpty();
    // presence goes to Redis through the owner's write-behind, after the join returned
    Eventually.within(
        WAIT,
        () ->
            assertThat(new RedisParticipantPresence(node2.redis).participants(roomId.toString()))
                .containsExactlyInAnyOrder(a.participant.id(), b.participant.id()));
    Eventually.within(WAIT, () -> assertThat(a.events.types()).contains("participant-joined B"));

    // answers cross: A is re-offered with B's sources
    a.participant.answer(RelayFakes.answer(a.events.lastOffer(), 1000));
    b.participant.answer(RelayFakes.answer(b.events.lastOffer(), 2000));
    Eventually.within(WAIT, () -> assertThat(a.events.lastOffer()).contains("a=ssrc:2001 "));
    Eventually.within(WAIT, () -> assertThat(b.events.lastOffer()).contains("a=ssrc:1001 "));

    // chat both ways
    b.participant.chat("from B");
    Eventually.within(WAIT, () -> assertThat(a.events.types()).contains("chat B: from B"));
    a.participant.chat("from A");
    Eventually.within(WAIT, () -> assertThat(b.events.types()).contains("chat A: from A"));

    // heartbeats (every second) keep B on the owner well past the 5 s timeout
    Thread.sleep(6000);
    assertThat(node1.focus.relayedIn()).isEqualTo(1);

    // B leaves on node 2: the owner removes it and A hears of it
    b.participant.leave(LeaveReason.LEAVE);
    Eventually.within(
        WAIT,
        () ->
            assertThat(a.events.types())
                .contains("participant-left " + b.participant.id() + " LEAVE"));
    assertThat(node1.conferences.participants(roomId)).isEqualTo(1);
    assertThat(node1.focus.relayedIn()).isZero();
    assertThat(node2.focus.relayedOut()).isZero();
  }

  @Test
  void when_the_origin_node_dies_the_owner_removes_its_participant_after_the_heartbeat_timeout()
      throws Exception {
    var a = node1.join("A", 12);
    var b = node2.join("B", 12);
    Eventually.within(WAIT, () -> assertThat(a.events.types()).contains("participant-joined B"));

    // node 2 crashes: its Redis connections and node link go, no leave is sent, no more pings
    node2.redis.shutdown();
    node2.link.close();

    long died = System.nanoTime();
    Eventually.within(
        Duration.ofSeconds(20),
        () ->
            assertThat(a.events.types())
                .contains("participant-left " + b.participant.id() + " TIMEOUT"));
    // not before the 5 s heartbeat timeout, and not much after it (pings every second)
    assertThat(Duration.ofNanos(System.nanoTime() - died))
        .isBetween(Duration.ofSeconds(3), Duration.ofSeconds(12));
    assertThat(node1.focus.relayedIn()).isZero();
    assertThat(node1.conferences.participants(roomId)).isEqualTo(1);
  }

  @Test
  void a_resume_on_a_live_node_that_does_not_own_the_room_is_relayed_to_the_owner()
      throws Exception {
    var a = node1.join("A", 12);
    var b = node1.join("B", 12);
    Eventually.within(WAIT, () -> assertThat(a.events.types()).contains("participant-joined B"));
    String ufrag = ufrag(a.events.lastOffer());

    // A's socket dropped and reconnected to node 2, which redeemed A's resume token
    var events = new RecordingEvents();
    long started = System.nanoTime();
    FocusParticipant resumed = node2.focus.resume(roomId, a.participant.id(), "guest-A", events);
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));

    assertThat(resumed.id()).isEqualTo(a.participant.id());
    Eventually.within(WAIT, () -> assertThat(events.types()).containsExactly("joined", "offer"));
    assertThat(events.joinedAs).isEqualTo(a.participant.id());
    assertThat(events.othersAtJoin)
        .extracting(ParticipantInfo::participantId)
        .containsExactly(b.participant.id());
    assertThat(ufrag(events.lastOffer())).as("the same bridge endpoint").isEqualTo(ufrag);
    // the conference stays on node 1, which hosts A for node 2 now
    assertThat(new RedisConferenceLeases(node1.redis).owner(roomId.toString())).contains(node1.id);
    assertThat(node2.conferences.size()).isZero();
    assertThat(node2.bridges.log).isEmpty();
    assertThat(node1.focus.relayedIn()).isEqualTo(1);

    // signalling works both ways through node 2
    resumed.chat("back through node 2");
    Eventually.within(
        WAIT, () -> assertThat(b.events.types()).contains("chat A: back through node 2"));
    b.participant.chat("welcome back");
    Eventually.within(WAIT, () -> assertThat(events.types()).contains("chat B: welcome back"));

    // A's old session on node 1 ends (its resume window passes): that is not A leaving
    a.participant.leave(LeaveReason.DISCONNECTED);
    Thread.sleep(300);
    assertThat(b.events.types()).noneMatch(t -> t.startsWith("participant-left"));
    assertThat(node1.conferences.participants(roomId)).isEqualTo(2);
  }

  @Test
  void a_resume_of_someone_no_longer_in_the_conference_is_refused_by_the_owner_at_once()
      throws Exception {
    var a = node1.join("A", 12);
    node1.join("B", 12);
    a.participant.leave(LeaveReason.LEAVE);

    long started = System.nanoTime();
    assertThatThrownBy(
            () -> node2.focus.resume(roomId, a.participant.id(), "guest-A", new RecordingEvents()))
        .isInstanceOfSatisfying(
            FocusException.class,
            e -> assertThat(e.reason()).isEqualTo(FocusException.Reason.UNEXPECTED));
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    assertThat(node1.focus.relayedIn()).isZero();
    assertThat(node2.focus.relayedOut()).isZero();
  }

  private static String ufrag(String sdp) {
    return sdp.lines().filter(l -> l.startsWith("a=ice-ufrag:")).findFirst().orElseThrow();
  }

  @Test
  void a_full_room_on_the_owner_refuses_a_join_from_another_node_as_room_full() throws Exception {
    node1.join("A", 1);

    assertThatThrownBy(() -> node2.join("B", 1))
        .isInstanceOfSatisfying(
            FocusException.class,
            e -> assertThat(e.reason()).isEqualTo(FocusException.Reason.ROOM_FULL));
    assertThat(node2.focus.relayedOut()).isZero();
    assertThat(node1.focus.relayedIn()).isZero();
    assertThat(node2.conferences.size()).isZero();
  }

  @Test
  void a_lease_held_by_a_node_that_is_gone_fails_fast_then_lapses_to_the_joining_node()
      throws Exception {
    // a node that took the lease and died: nothing listens on its inbox (its leases share the
    // nodes' guard, as a real node's would: on a fresh Redis the default guard was never written)
    new RedisConferenceLeases(node1.redis, guard)
        .tryAcquire(roomId.toString(), "it-gone-" + run, Duration.ofMillis(1500));

    assertThatThrownBy(() -> node2.join("B", 12))
        .isInstanceOfSatisfying(
            OwnerUnreachableException.class,
            e -> assertThat(e.owner()).isEqualTo("it-gone-" + run));

    Eventually.within(
        WAIT,
        () ->
            assertThat(new RedisConferenceLeases(node1.redis).owner(roomId.toString())).isEmpty());
    var b = node2.join("B", 12);
    assertThat(b.events.types()).containsExactly("joined", "offer");
    assertThat(node2.conferences.participants(roomId)).isEqualTo(1);
    assertThat(new RedisConferenceLeases(node1.redis).owner(roomId.toString())).contains(node2.id);
  }

  @Test
  void
      after_redis_lost_its_data_another_node_waits_for_the_owner_instead_of_starting_the_room_anew()
          throws Exception {
    var a = node1.join("A", 12);
    // Redis came back empty: the room's lease, its epoch and the leases' guard are gone
    node1.redis.getBucket(guard).delete();
    node1.redis.getBucket(RedisConferenceLeases.key(roomId.toString())).delete();
    node1.redis.getBucket(RedisConferenceLeases.epochKey(roomId.toString())).delete();

    // B's socket is on node 2: refused (retry) until node 1 wrote its lease again, then relayed
    List<FocusException.Reason> refusals = new ArrayList<>();
    Joined b = null;
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (b == null && System.nanoTime() < deadline) {
      try {
        b = node2.join("B", 12);
      } catch (FocusException e) {
        refusals.add(e.reason());
        node1.conferences.renewNow();
      }
    }
    assertThat(refusals).containsOnly(FocusException.Reason.UNAVAILABLE);
    assertThat(b).as("B joined within " + WAIT).isNotNull();
    assertThat(b.events.othersAtJoin)
        .as("B joined A's conference, not a second one")
        .extracting(ParticipantInfo::participantId)
        .containsExactly(a.participant.id());
    assertThat(node2.bridges.log).isEmpty();
    assertThat(node2.conferences.size()).isZero();
    assertThat(new RedisConferenceLeases(node1.redis).owner(roomId.toString())).contains(node1.id);
  }
}
