package io.openmeet.focus.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.openmeet.focus.conference.ConferenceContext;
import io.openmeet.focus.conference.Conferences;
import io.openmeet.focus.conference.FocusException;
import io.openmeet.focus.conference.FocusParticipant;
import io.openmeet.focus.conference.JoinRequest;
import io.openmeet.focus.conference.LeaveReason;
import io.openmeet.focus.conference.Moderation;
import io.openmeet.focus.conference.ParticipantInfo;
import io.openmeet.focus.relay.RelayFakes.FakeBridges;
import io.openmeet.focus.relay.RelayFakes.MemoryLeases;
import io.openmeet.focus.relay.RelayFakes.MemoryNodeMessaging;
import io.openmeet.focus.relay.RelayFakes.MemoryPresence;
import io.openmeet.focus.relay.RelayFakes.RecordingEvents;
import io.openmeet.focus.sdp.CodecSettings;
import io.openmeet.focus.sdp.MediaSource;
import io.openmeet.focus.testing.Eventually;
import io.openmeet.focus.testing.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The relay's logic between two nodes in one JVM, with in-memory messaging, leases and bridges:
 * joins, requests, events and errors cross nodes; silence on either side is noticed by heartbeats
 * driven by hand with a clock the test moves.
 */
class RelayingFocusTest {

  private static final Duration WAIT = Duration.ofSeconds(5);

  /** Heartbeats only when the test calls them; replies time out soon (a loaded 2-core CI). */
  private static final RelaySettings SETTINGS =
      new RelaySettings(Duration.ofSeconds(2), Duration.ofHours(1), Duration.ofHours(2));

  private final MemoryLeases leases = new MemoryLeases();
  private final MemoryPresence presence = new MemoryPresence();
  private final MemoryNodeMessaging messaging = new MemoryNodeMessaging();
  private final List<AutoCloseable> closing = new ArrayList<>();
  private final UUID roomId = UUID.randomUUID();
  private final Node node1 = new Node("node-1");
  private final Node node2 = new Node("node-2");

  /** One control-plane node: its conferences, its bridges, its relay, its clock. */
  private final class Node {
    final String id;
    final FakeBridges bridges = new FakeBridges();
    final MutableClock clock = new MutableClock();
    final Conferences conferences;
    RelayingFocus focus;

    Node(String id) {
      this.id = id;
      this.conferences =
          new Conferences(
              new ConferenceContext(
                  bridges, CodecSettings.defaults(false), presence, e -> {}, clock, id),
              leases,
              Duration.ofSeconds(30));
      closing.add(conferences);
      start();
    }

    /** A (new) relay on this node, as after a restart of the process. */
    void start() {
      focus = new RelayingFocus(conferences, messaging, id, SETTINGS, clock);
      closing.add(focus);
    }

    Joined join(String name) throws FocusException {
      return join(name, 12, false);
    }

    Joined join(String name, int max, boolean moderator) throws FocusException {
      var events = new RecordingEvents();
      var request =
          new JoinRequest(
              roomId,
              "relay-room",
              max,
              Optional.of("local"),
              Optional.empty(),
              "guest-" + name,
              name,
              moderator,
              true,
              true);
      return new Joined(focus.join(request, events), events);
    }
  }

  private record Joined(FocusParticipant participant, RecordingEvents events) {}

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
  }

  @Test
  void a_join_on_a_node_that_does_not_own_the_room_runs_on_the_owner() throws Exception {
    var ada = node1.join("Ada");
    var bob = node2.join("Bob");

    // Bob's socket is on node 2, his conference on node 1: joined then offer, as locally
    assertThat(bob.events.types()).containsExactly("joined", "offer");
    assertThat(bob.participant.id()).isEqualTo(bob.events.joinedAs).isNotNull();
    assertThat(bob.events.othersAtJoin)
        .extracting(ParticipantInfo::displayName)
        .containsExactly("Ada");
    assertThat(bob.events.lastOffer()).contains("a=ice-ufrag:bridgeufrag1");
    // only the owner talks to a bridge; node 2 hosts nothing
    assertThat(node1.bridges.log).contains("allocate " + bob.participant.id());
    assertThat(node2.bridges.log).isEmpty();
    assertThat(node2.conferences.size()).isZero();
    assertThat(node1.conferences.participants(roomId)).isEqualTo(2);
    assertThat(node1.focus.relayedIn()).isEqualTo(1);
    assertThat(node2.focus.relayedOut()).isEqualTo(1);
    Eventually.within(
        WAIT, () -> assertThat(ada.events.types()).contains("participant-joined Bob"));
  }

  @Test
  void answers_reach_the_owners_bridge_and_reoffers_reach_the_origin() throws Exception {
    var ada = node1.join("Ada");
    ada.participant.answer(RelayFakes.answer(ada.events.lastOffer(), 1000));
    var bob = node2.join("Bob");
    // Bob's first offer, made on node 1, already carries Ada's sources
    assertThat(bob.events.lastOffer()).contains("a=ssrc:1001 ");

    bob.participant.answer(RelayFakes.answer(bob.events.lastOffer(), 2000));

    // the answer returns before the bridge has it (the update runs on the conference's lane)
    Eventually.within(
        WAIT,
        () ->
            assertThat(node1.bridges.updates.get(bob.participant.id()))
                .extracting(MediaSource::name)
                .containsExactly(bob.participant.id() + "-a0", bob.participant.id() + "-v0"));
    Eventually.within(WAIT, () -> assertThat(ada.events.lastOffer()).contains("a=ssrc:2001 "));
  }

  @Test
  void refusals_of_relayed_requests_come_back_with_their_reason() throws Exception {
    var mod = node1.join("Mod", 12, true);
    var bob = node2.join("Bob");

    assertThatThrownBy(() -> bob.participant.answer("v=0\r\nnonsense"))
        .isInstanceOfSatisfying(
            FocusException.class,
            e -> assertThat(e.reason()).isEqualTo(FocusException.Reason.INVALID_SDP));
    bob.participant.answer(RelayFakes.answer(bob.events.lastOffer(), 2000));
    assertThatThrownBy(
            () -> bob.participant.answer(RelayFakes.answer(bob.events.lastOffer(), 2000)))
        .isInstanceOfSatisfying(
            FocusException.class,
            e -> assertThat(e.reason()).isEqualTo(FocusException.Reason.UNEXPECTED));
    assertThatThrownBy(() -> bob.participant.mute(mod.participant.id()))
        .isInstanceOfSatisfying(
            FocusException.class,
            e -> assertThat(e.reason()).isEqualTo(FocusException.Reason.NOT_MODERATOR));
    assertThatThrownBy(() -> bob.participant.kick(mod.participant.id()))
        .isInstanceOfSatisfying(
            FocusException.class,
            e -> assertThat(e.reason()).isEqualTo(FocusException.Reason.NOT_MODERATOR));
    // and requests that succeed return normally
    bob.participant.iceCandidate("candidate:1 1 udp 2122260223 10.0.0.2 50000 typ host", "0");
    bob.participant.iceRestart();
    assertThat(bob.events.offers).hasSize(2);
    int allocations = node1.bridges.log.size();
    bob.participant.offerAgain(); // the same offer again, no new endpoint on the bridge
    assertThat(bob.events.offers).hasSize(3);
    assertThat(node1.bridges.log).hasSize(allocations);
  }

  @Test
  void a_full_room_refuses_a_relayed_join_as_room_full() throws Exception {
    node1.join("Ada", 2, false);
    node2.join("Bob", 2, false);
    assertThatThrownBy(() -> node2.join("Cy", 2, false))
        .isInstanceOfSatisfying(
            FocusException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(FocusException.Reason.ROOM_FULL);
              assertThat(e.getMessage()).contains("full");
            });
    assertThat(node2.focus.relayedOut()).isEqualTo(1);
    assertThat(node1.focus.relayedIn()).isEqualTo(1);
  }

  @Test
  void chat_and_media_state_cross_in_both_directions() throws Exception {
    var ada = node1.join("Ada");
    var bob = node2.join("Bob");

    bob.participant.chat("hi from node 2");
    ada.participant.chat("hi from node 1");
    bob.participant.mediaState(false, true, false);

    Eventually.within(
        WAIT,
        () -> {
          assertThat(ada.events.types())
              .contains("chat Bob: hi from node 2", "chat Ada: hi from node 1")
              .contains("media-state " + bob.participant.id() + " audio=false");
          // Bob sees both lines too, his own echoed, in the order the owner sent them to Ada
          assertThat(bob.events.types().stream().filter(t -> t.startsWith("chat")))
              .containsExactlyElementsOf(
                  ada.events.types().stream().filter(t -> t.startsWith("chat")).toList());
        });
  }

  @Test
  void leaving_on_the_origin_removes_the_participant_on_the_owner() throws Exception {
    var ada = node1.join("Ada");
    var bob = node2.join("Bob");

    bob.participant.leave(LeaveReason.DISCONNECTED);
    bob.participant.leave(LeaveReason.LEAVE); // idempotent

    Eventually.within(
        WAIT,
        () ->
            assertThat(ada.events.types())
                .contains("participant-left " + bob.participant.id() + " DISCONNECTED"));
    assertThat(node1.conferences.participants(roomId)).isEqualTo(1);
    assertThat(node1.focus.relayedIn()).isZero();
    assertThat(node2.focus.relayedOut()).isZero();
    // the expire runs on the conference's lane, after the others were told
    Eventually.within(
        WAIT, () -> assertThat(node1.bridges.log).contains("expire " + bob.participant.id()));
    assertThatThrownBy(() -> bob.participant.iceRestart())
        .isInstanceOfSatisfying(
            FocusException.class,
            e -> assertThat(e.reason()).isEqualTo(FocusException.Reason.UNEXPECTED));
  }

  @Test
  void a_kick_on_the_owner_reaches_the_origin() throws Exception {
    var mod = node1.join("Mod", 12, true);
    var bob = node2.join("Bob");

    mod.participant.kick(bob.participant.id());

    Eventually.within(WAIT, () -> assertThat(bob.events.types()).endsWith("removed KICKED"));
    assertThat(node1.focus.relayedIn()).isZero();
    Eventually.within(WAIT, () -> assertThat(node2.focus.relayedOut()).isZero());
    assertThatThrownBy(() -> bob.participant.answer("v=0"))
        .isInstanceOfSatisfying(
            FocusException.class,
            e -> assertThat(e.reason()).isEqualTo(FocusException.Reason.UNEXPECTED));
  }

  @Test
  void a_remote_moderator_force_mutes_and_ends_the_meeting_and_hands_cross_nodes()
      throws Exception {
    var ada = node1.join("Ada");
    var mod = node2.join("Mod", 12, true);
    var bob = node2.join("Bob");

    assertThatThrownBy(() -> bob.participant.endMeeting())
        .isInstanceOfSatisfying(
            FocusException.class,
            e -> assertThat(e.reason()).isEqualTo(FocusException.Reason.NOT_MODERATOR));
    mod.participant.forceMute(ada.participant.id(), Moderation.Media.VIDEO, true);
    bob.participant.raiseHand(true);
    Eventually.within(
        WAIT,
        () -> {
          assertThat(node1.bridges.log)
              .contains("force-mute " + ada.participant.id() + " audio=false video=true");
          assertThat(ada.events.types())
              .contains("force-muted " + ada.participant.id() + " audio=false video=true")
              .contains("hand " + bob.participant.id() + " up");
          assertThat(bob.events.types())
              .contains("force-muted " + ada.participant.id() + " audio=false video=true");
        });
    mod.participant.lowerHand(bob.participant.id());
    Eventually.within(
        WAIT,
        () -> assertThat(mod.events.types()).contains("hand " + bob.participant.id() + " down"));

    mod.participant.endMeeting();
    assertThat(ada.events.types()).endsWith("removed MEETING_ENDED");
    Eventually.within(
        WAIT,
        () -> {
          assertThat(bob.events.types()).endsWith("removed MEETING_ENDED");
          assertThat(mod.events.types()).endsWith("removed MEETING_ENDED");
        });
    assertThat(node1.conferences.participants(roomId)).isZero();
  }

  @Test
  void a_remote_moderator_can_kick_a_participant_on_the_owner() throws Exception {
    var ada = node1.join("Ada");
    var mod = node2.join("Mod", 12, true);

    mod.participant.kick(ada.participant.id());

    assertThat(ada.events.types()).endsWith("removed KICKED");
    Eventually.within(
        WAIT,
        () ->
            assertThat(mod.events.types())
                .contains("participant-left " + ada.participant.id() + " KICKED"));
  }

  @Test
  void closing_the_room_on_a_node_that_does_not_host_it_ends_the_call_on_the_owner()
      throws Exception {
    var ada = node1.join("Ada");
    var bob = node2.join("Bob");

    node2.focus.closeRoom(roomId);

    Eventually.within(WAIT, () -> assertThat(ada.events.types()).endsWith("removed ROOM_CLOSED"));
    Eventually.within(WAIT, () -> assertThat(bob.events.types()).endsWith("removed ROOM_CLOSED"));
    Eventually.within(WAIT, () -> assertThat(node1.bridges.log).contains("close"));
    Eventually.within(WAIT, () -> assertThat(leases.owner(roomId.toString())).isEmpty());
    assertThat(node2.bridges.log).isEmpty();
    Eventually.within(WAIT, () -> assertThat(node2.focus.relayedOut()).isZero());
  }

  @Test
  void an_owner_that_loses_the_lease_tells_the_origin_its_participant_moved() throws Exception {
    var ada = node1.join("Ada");
    var bob = node2.join("Bob");

    // another node takes the room over while node 1 still runs (e.g. it was cut off from Redis)
    leases.lapse(roomId.toString());
    leases.tryAcquire(roomId.toString(), "node-3", Duration.ofSeconds(30));
    node1.conferences.renewNow();

    Eventually.within(WAIT, () -> assertThat(ada.events.types()).endsWith("moved"));
    Eventually.within(WAIT, () -> assertThat(bob.events.types()).endsWith("moved"));
    assertThat(node1.focus.relayedIn()).isZero();
    Eventually.within(WAIT, () -> assertThat(node2.focus.relayedOut()).isZero());
    assertThat(node1.bridges.log).doesNotContain("close");
  }

  @Test
  void when_the_lease_lapsed_the_node_the_join_lands_on_hosts_the_room() throws Exception {
    node1.join("Ada");
    messaging.cut("node-1"); // node 1 died...
    leases.lapse(roomId.toString()); // ...and its lease ran out

    var bob = node2.join("Bob");

    assertThat(node2.conferences.participants(roomId)).isEqualTo(1);
    assertThat(node2.bridges.log)
        .containsExactly("open relay-room", "allocate " + bob.participant.id());
    assertThat(bob.events.othersAtJoin).isEmpty();
    assertThat(leases.owner(roomId.toString())).contains("node-2");
  }

  @Test
  void an_owner_that_does_not_answer_fails_the_join_in_bounded_time() throws Exception {
    node1.join("Ada");
    messaging.cut("node-1"); // node 1 still "listens" but never answers

    long started = System.nanoTime();
    assertThatThrownBy(() -> node2.join("Bob"))
        .isInstanceOfSatisfying(
            OwnerUnreachableException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(FocusException.Reason.INTERNAL);
              assertThat(e.owner()).isEqualTo("node-1");
              assertThat(e.getMessage()).contains("node-1").contains("did not answer");
            });
    assertThat(Duration.ofNanos(System.nanoTime() - started))
        .isGreaterThanOrEqualTo(SETTINGS.replyTimeout())
        .isLessThan(SETTINGS.replyTimeout().plusSeconds(3));
    assertThat(node2.focus.relayedOut()).isZero();
    assertThat(node2.conferences.size()).isZero();
  }

  @Test
  void an_owner_nobody_listens_for_fails_the_join_at_once() throws Exception {
    node1.join("Ada");
    node1.focus.close(); // the process is gone: no inbox any more, the lease not yet lapsed

    long started = System.nanoTime();
    assertThatThrownBy(() -> node2.join("Bob"))
        .isInstanceOfSatisfying(
            OwnerUnreachableException.class,
            e -> assertThat(e.getMessage()).contains("not listening"));
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(SETTINGS.replyTimeout());
  }

  @Test
  void an_origin_that_stops_sending_heartbeats_loses_its_participants_on_the_owner()
      throws Exception {
    var ada = node1.join("Ada");
    var bob = node2.join("Bob");
    node1.focus.heartbeat();
    node2.focus.heartbeat(); // a ping and its pong: everyone alive
    messaging.settle();
    node1.clock.advance(Duration.ofMinutes(90));
    node1.focus.heartbeat();
    assertThat(node1.focus.relayedIn()).isEqualTo(1);

    messaging.cut("node-2"); // node 2 dies: no more pings
    node1.clock.advance(Duration.ofMinutes(90)); // 3 h since the last ping > 2 h timeout
    node1.focus.heartbeat();

    Eventually.within(
        WAIT,
        () ->
            assertThat(ada.events.types())
                .contains("participant-left " + bob.participant.id() + " TIMEOUT"));
    assertThat(node1.focus.relayedIn()).isZero();
  }

  @Test
  void pings_keep_a_quiet_participant_on_the_owner() throws Exception {
    node1.join("Ada");
    node2.join("Bob");
    for (int i = 0; i < 4; i++) {
      node2.focus.heartbeat();
      messaging.settle();
      node1.clock.advance(Duration.ofMinutes(90));
      node1.focus.heartbeat();
    }
    assertThat(node1.focus.relayedIn()).isEqualTo(1);
  }

  @Test
  void an_owner_that_falls_silent_sends_the_origins_participants_to_resume_elsewhere()
      throws Exception {
    node1.join("Ada");
    var bob = node2.join("Bob");
    messaging.cut("node-1"); // no pongs, no events any more

    node2.clock.advance(Duration.ofMinutes(90));
    node2.focus.heartbeat();
    assertThat(bob.events.types()).doesNotContain("moved"); // not yet: 1.5 h < 2 h
    node2.clock.advance(Duration.ofMinutes(90));
    node2.focus.heartbeat();

    // not removed: its media goes on, and its session resumes wherever the conference runs next
    assertThat(bob.events.types()).endsWith("moved").doesNotContain("removed TIMEOUT");
    assertThat(node2.focus.relayedOut()).isZero();
  }

  @Test
  void an_owner_nobody_listens_for_any_more_sends_the_origins_participants_on_at_the_next_ping()
      throws Exception {
    node1.join("Ada");
    var bob = node2.join("Bob");
    // node 1 is killed: nothing it sends arrives any more, and its inbox is gone
    messaging.cut("node-1");
    node1.focus.close();
    messaging.heal("node-1");

    node2.focus.heartbeat(); // well within the heartbeat timeout

    Eventually.within(WAIT, () -> assertThat(bob.events.types()).endsWith("moved"));
    assertThat(bob.events.types()).doesNotContain("removed DISCONNECTED");
    assertThat(node2.focus.relayedOut()).isZero();
  }

  @Test
  void a_resume_does_not_wait_out_the_reply_timeout_of_a_hung_owner_whose_lease_lapses()
      throws Exception {
    var ada = node1.join("Ada");
    messaging.cut("node-1"); // hung: still subscribed, answers nothing
    var lapse =
        java.util.concurrent.CompletableFuture.runAsync(
            () -> {
              try {
                Thread.sleep(200);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              leases.lapse(roomId.toString());
            });

    long started = System.nanoTime();
    try {
      node2.focus.resume(roomId, ada.participant.id(), "guest-Ada", new RecordingEvents());
    } catch (FocusException e) {
      // nothing mirrored in this test's store: the takeover finds no conference; the time counts
    }
    lapse.get();
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(SETTINGS.replyTimeout());
  }

  @Test
  void an_owner_that_restarted_and_forgot_the_participant_says_so_in_its_pong() throws Exception {
    node1.join("Ada");
    var bob = node2.join("Bob");
    messaging.cut("node-1");
    node1.focus.close(); // a crash: nothing reaches node 2
    messaging.heal("node-1");
    node1.start(); // the same node id, no memory of Bob's session

    node2.focus.heartbeat();

    Eventually.within(WAIT, () -> assertThat(bob.events.types()).endsWith("removed DISCONNECTED"));
    assertThat(node2.focus.relayedOut()).isZero();
  }

  @Test
  void an_owner_shutting_down_tells_the_origins() throws Exception {
    node1.join("Ada");
    var bob = node2.join("Bob");

    node1.focus.close();

    Eventually.within(WAIT, () -> assertThat(bob.events.types()).endsWith("removed DISCONNECTED"));
  }

  @Test
  void events_for_a_participant_the_origin_no_longer_has_make_the_owner_drop_it() throws Exception {
    var ada = node1.join("Ada");
    node2.join("Bob");
    // node 2 crashes and comes back without Bob; its leave never reached node 1
    messaging.cut("node-2");
    node2.focus.close();
    messaging.heal("node-2");
    node2.start();
    assertThat(node1.focus.relayedIn()).isEqualTo(1);

    ada.participant.chat("anyone there?"); // an event for Bob reaches node 2, which disowns it

    Eventually.within(WAIT, () -> assertThat(node1.focus.relayedIn()).isZero());
  }
}
