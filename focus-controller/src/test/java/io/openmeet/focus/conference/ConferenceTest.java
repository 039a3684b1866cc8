package io.openmeet.focus.conference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.openmeet.focus.records.CallRecordEvent;
import io.openmeet.focus.sdp.CodecSettings;
import io.openmeet.focus.sdp.DtlsFingerprint;
import io.openmeet.focus.sdp.IceCandidate;
import io.openmeet.focus.sdp.MediaKind;
import io.openmeet.focus.sdp.MediaSource;
import io.openmeet.focus.sdp.Setup;
import io.openmeet.focus.sdp.TransportDescription;
import io.openmeet.focus.testing.Eventually;
import io.openmeet.presence.conference.ConferenceLeases;
import io.openmeet.presence.conference.ParticipantPresence;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The conference's negotiation and life-cycle logic with in-memory stand-ins for the bridge,
 * presence, leases and call records (the Colibri2 path against a real bridge is tested separately).
 */
class ConferenceTest {

  private final FakeBridges bridges = new FakeBridges();
  private final MemoryPresence presence = new MemoryPresence();
  private final List<CallRecordEvent> records = new CopyOnWriteArrayList<>();
  private final MemoryLeases leases = new MemoryLeases();
  private final Conferences conferences =
      new Conferences(
          context(Clock.fixed(Instant.parse("2026-11-27T12:00:00Z"), ZoneOffset.UTC)),
          leases,
          Duration.ofSeconds(10));
  private final UUID roomId = UUID.randomUUID();

  private ConferenceContext context(Clock clock) {
    return new ConferenceContext(
        bridges, CodecSettings.defaults(false), presence, records::add, clock, "node-test");
  }

  @AfterEach
  void close() {
    conferences.close();
  }

  /** Waits for the bridge requests and presence writes the conferences queued so far. */
  private void settle() throws InterruptedException {
    assertThat(conferences.awaitQuiet(Duration.ofSeconds(5)))
        .as("bridge and Redis work done")
        .isTrue();
  }

  private JoinRequest request(String name, int max, boolean moderator) {
    return request(roomId, name, max, moderator);
  }

  private static JoinRequest request(UUID roomId, String name, int max, boolean moderator) {
    return new JoinRequest(
        roomId,
        "room-slug",
        max,
        Optional.of("local"),
        Optional.empty(),
        "guest-" + name,
        name,
        moderator,
        true,
        true);
  }

  private Joined join(String name) throws FocusException {
    return join(name, 12, false);
  }

  private Joined join(String name, int max, boolean moderator) throws FocusException {
    var events = new RecordingEvents();
    var participant = conferences.join(request(name, max, moderator), events);
    return new Joined(participant, events);
  }

  private record Joined(FocusParticipant participant, RecordingEvents events) {
    void answerLastOffer(long ssrcBase) throws FocusException {
      participant.answer(BrowserAnswer.to(events.lastOffer(), ssrcBase));
    }

    void answerLastOffer(long ssrcBase, String ufrag) throws FocusException {
      participant.answer(BrowserAnswer.to(events.lastOffer(), ssrcBase, ufrag));
    }
  }

  @Test
  void a_slow_lease_for_one_new_room_does_not_hold_up_the_first_join_of_another() throws Exception {
    UUID slowRoom = UUID.randomUUID();
    var acquiring = new java.util.concurrent.CountDownLatch(1);
    var proceed = new java.util.concurrent.CountDownLatch(1);
    ConferenceLeases slowForOneRoom =
        new ConferenceLeases() {
          @Override
          public Optional<Lease> tryAcquire(String id, String node, Duration ttl) {
            if (id.equals(slowRoom.toString())) {
              acquiring.countDown();
              try {
                proceed.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
            return leases.tryAcquire(id, node, ttl);
          }

          @Override
          public boolean renew(Lease lease, Duration ttl) {
            return leases.renew(lease, ttl);
          }

          @Override
          public void release(Lease lease) {
            leases.release(lease);
          }

          @Override
          public Optional<String> owner(String id) {
            return leases.owner(id);
          }
        };
    var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
    try (Conferences twoRooms =
        new Conferences(context(Clock.systemUTC()), slowForOneRoom, Duration.ofSeconds(10))) {
      var slowJoin =
          pool.submit(
              () -> twoRooms.join(request(slowRoom, "Ada", 12, false), new RecordingEvents()));
      assertThat(acquiring.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

      // the slow room's lease is still pending: another room's first join must not wait for it
      var otherJoin =
          pool.submit(
              () -> twoRooms.join(request(roomId, "Bob", 12, false), new RecordingEvents()));
      assertThat(otherJoin.get(5, java.util.concurrent.TimeUnit.SECONDS)).isNotNull();
      assertThat(slowJoin.isDone()).isFalse();

      proceed.countDown();
      assertThat(slowJoin.get(5, java.util.concurrent.TimeUnit.SECONDS)).isNotNull();
    } finally {
      proceed.countDown();
      pool.shutdownNow();
    }
  }

  @Test
  void a_slow_bridge_allocation_holds_a_place_but_does_not_hold_up_the_rooms_others()
      throws Exception {
    var ada = join("Ada", 3, false);
    FakeBridges.Held bobsAllocation = bridges.holdFirstAllocationOf("Bob");
    var pool = java.util.concurrent.Executors.newSingleThreadExecutor();
    try {
      var bob = pool.submit(() -> join("Bob", 3, false));
      assertThat(bobsAllocation.awaitAllocating()).isTrue();

      // while Bob waits for the bridge, Cy joins and Ada and Cy leave without waiting for him
      // (bounded: were they queued behind Bob's allocation, they would wait for ever)
      org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
          Duration.ofSeconds(5),
          () -> {
            var cy = join("Cy", 3, false);
            assertThat(cy.events.types()).containsExactly("joined", "offer");
            // Bob holds a place: the room of 3 is full
            assertThatThrownBy(() -> join("Dan", 3, false))
                .isInstanceOfSatisfying(
                    FocusException.class,
                    e -> assertThat(e.reason()).isEqualTo(FocusException.Reason.ROOM_FULL));
            ada.participant.leave(LeaveReason.LEAVE);
            cy.participant.leave(LeaveReason.LEAVE);
          });
      // everyone else left, but Bob is joining: the conference goes on
      settle();
      assertThat(bridges.log).doesNotContain("close");
      assertThat(bob.isDone()).isFalse();

      bobsAllocation.release();
      Joined joinedBob = bob.get(5, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(joinedBob.events.types()).containsExactly("joined", "offer");
      assertThat(joinedBob.events.othersAtJoin).isEmpty();
      settle();
      assertThat(presence.rooms.get(roomId.toString())).containsExactly(joinedBob.participant.id());

      joinedBob.participant.leave(LeaveReason.LEAVE);
      settle();
      assertThat(bridges.log).endsWith("close");
    } finally {
      bobsAllocation.release();
      pool.shutdownNow();
    }
  }

  @Test
  void a_participant_whose_bridge_goes_away_while_it_joins_starts_on_the_new_one()
      throws Exception {
    var ada = join("Ada");
    FakeBridges.Held bobsAllocation = bridges.holdFirstAllocationOf("Bob");
    var pool = java.util.concurrent.Executors.newSingleThreadExecutor();
    try {
      var bob = pool.submit(() -> join("Bob"));
      assertThat(bobsAllocation.awaitAllocating()).isTrue();

      // the bridge goes away with both endpoints while Bob's allocation is still on its way
      conferences.reinvite(
          bridges.lastMeetingId, Set.of(ada.participant.id(), bobsAllocation.endpointId.get()));
      Eventually.within(Duration.ofSeconds(5), () -> assertThat(ada.events.offerSdps).hasSize(2));
      conferences.participants(roomId); // takes the conference's lock: the move has finished

      bobsAllocation.release();
      Joined joinedBob = bob.get(5, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(
              bridges.log.stream().filter(("allocate " + bobsAllocation.endpointId.get())::equals))
          .as("Bob allocated again, on the conference's new bridge")
          .hasSize(2);
      assertThat(joinedBob.events.types()).containsExactly("joined", "offer");
    } finally {
      bobsAllocation.release();
      pool.shutdownNow();
    }
  }

  @Test
  void the_first_join_creates_the_conference_and_gets_joined_then_an_offer() throws Exception {
    var ada = join("Ada");
    assertThat(ada.events.types()).containsExactly("joined", "offer");
    assertThat(ada.events.othersAtJoin).isEmpty();
    String offer = ada.events.lastOffer();
    assertThat(offer).contains("a=group:BUNDLE 0 1 2").contains("a=setup:actpass");
    assertThat(offer).contains("a=ice-ufrag:" + FakeBridges.UFRAG);
    settle();
    assertThat(bridges.log).containsExactly("open room-slug", "allocate " + ada.participant.id());
    assertThat(presence.rooms.get(roomId.toString())).containsExactly(ada.participant.id());
    assertThat(records).hasSize(2);
    assertThat(records.get(0)).isInstanceOf(CallRecordEvent.CallStarted.class);
    assertThat(records.get(1)).isInstanceOf(CallRecordEvent.ParticipantJoined.class);
    assertThat(leases.owner(roomId.toString())).contains("node-test");
  }

  @Test
  void an_answer_goes_to_the_bridge_and_the_others_are_reoffered_with_its_sources()
      throws Exception {
    var ada = join("Ada");
    ada.answerLastOffer(1000);
    var bob = join("Bob");
    assertThat(ada.events.types()).endsWith("participant-joined");
    assertThat(bob.events.othersAtJoin)
        .extracting(ParticipantInfo::displayName)
        .containsExactly("Ada");
    // Bob's first offer already carries Ada's sources
    assertThat(bob.events.lastOffer())
        .contains("a=ssrc:1001 ")
        .contains("a=ssrc-group:FID 1002 1003");

    bob.answerLastOffer(2000);
    settle();
    assertThat(bridges.updates.get(bob.participant.id()))
        .extracting(MediaSource::name)
        .containsExactly(bob.participant.id() + "-a0", bob.participant.id() + "-v0");
    // Ada is re-offered with Bob's sources on their own sendonly m-lines
    assertThat(ada.events.offers()).hasSize(2);
    assertThat(ada.events.lastOffer()).contains("a=ssrc:2001 ").contains("a=sendonly");
  }

  @Test
  void a_reoffer_waits_until_the_outstanding_answer_arrives() throws Exception {
    var ada = join("Ada"); // Ada does not answer yet
    var bob = join("Bob");
    bob.answerLastOffer(2000);
    assertThat(ada.events.offers()).hasSize(1); // deferred: one offer in flight at a time
    ada.answerLastOffer(1000);
    assertThat(ada.events.offers()).hasSize(2);
    assertThat(ada.events.lastOffer()).contains("a=ssrc:2001 ");
  }

  @Test
  void answers_out_of_turn_or_malformed_are_refused_and_change_nothing() throws Exception {
    var ada = join("Ada");
    ada.answerLastOffer(1000);
    assertThatThrownBy(() -> ada.answerLastOffer(1000))
        .isInstanceOfSatisfying(
            FocusException.class,
            e -> assertThat(e.reason()).isEqualTo(FocusException.Reason.UNEXPECTED));
    assertThatThrownBy(() -> ada.participant.answer("v=0\r\nnonsense"))
        .isInstanceOfSatisfying(
            FocusException.class,
            e -> assertThat(e.reason()).isEqualTo(FocusException.Reason.INVALID_SDP));
    settle();
    assertThat(bridges.updates).hasSize(1);
  }

  @Test
  void a_full_room_refuses_the_next_join_without_touching_the_bridge() throws Exception {
    join("Ada", 2, false);
    join("Bob", 2, false);
    settle();
    int calls = bridges.log.size();
    assertThatThrownBy(() -> join("Cy", 2, false))
        .isInstanceOfSatisfying(
            FocusException.class,
            e -> assertThat(e.reason()).isEqualTo(FocusException.Reason.ROOM_FULL));
    assertThat(bridges.log).hasSize(calls);
    assertThat(presence.rooms.get(roomId.toString())).hasSize(2);
  }

  @Test
  void leaving_reoffers_the_others_and_the_last_leave_ends_the_call() throws Exception {
    var ada = join("Ada");
    ada.answerLastOffer(1000);
    var bob = join("Bob");
    bob.answerLastOffer(2000);
    ada.answerLastOffer(1000); // the re-offer with Bob's sources
    int adaOffers = ada.events.offers().size();

    bob.participant.leave(LeaveReason.LEAVE);
    assertThat(ada.events.types()).contains("participant-left");
    assertThat(ada.events.offers()).hasSize(adaOffers + 1);
    // Bob's m-lines stay, now inactive (unified plan never removes them)
    assertThat(ada.events.lastOffer()).doesNotContain("a=ssrc:2001 ").contains("a=inactive");
    settle();
    assertThat(bridges.log).contains("expire " + bob.participant.id());

    ada.participant.leave(LeaveReason.DISCONNECTED);
    settle();
    assertThat(bridges.log).endsWith("close");
    assertThat(records.get(records.size() - 1))
        .isEqualTo(
            new CallRecordEvent.CallEnded(
                ((CallRecordEvent.CallStarted) records.get(0)).callId(),
                Instant.parse("2026-11-27T12:00:00Z"),
                2,
                2,
                List.of("jvb-test")));
    assertThat(presence.rooms.get(roomId.toString())).isEmpty();
    assertThat(leases.owner(roomId.toString())).isEmpty();
    assertThat(conferences.size()).isZero();

    // a new join starts a new call on a new bridge conference
    join("Cy");
    assertThat(bridges.log.stream().filter(l -> l.startsWith("open"))).hasSize(2);
  }

  @Test
  void leave_is_idempotent() throws Exception {
    var ada = join("Ada");
    join("Bob");
    ada.participant.leave(LeaveReason.LEAVE);
    ada.participant.leave(LeaveReason.DISCONNECTED);
    assertThat(records.stream().filter(r -> r instanceof CallRecordEvent.ParticipantLeft))
        .hasSize(1);
  }

  @Test
  void only_moderators_mute_and_kick() throws Exception {
    var mod = join("Mod", 12, true);
    var ada = join("Ada");
    assertThatThrownBy(() -> ada.participant.mute(mod.participant.id()))
        .isInstanceOfSatisfying(
            FocusException.class,
            e -> assertThat(e.reason()).isEqualTo(FocusException.Reason.NOT_MODERATOR));
    assertThatThrownBy(() -> mod.participant.kick("nobody"))
        .isInstanceOfSatisfying(
            FocusException.class,
            e -> assertThat(e.reason()).isEqualTo(FocusException.Reason.UNKNOWN_PARTICIPANT));

    mod.participant.mute(ada.participant.id());
    assertThat(ada.events.types()).contains("muted");
    assertThat(mod.events.mediaStates).contains(ada.participant.id() + " audio=false");

    mod.participant.kick(ada.participant.id());
    assertThat(ada.events.types()).endsWith("removed KICKED");
    assertThat(mod.events.types()).contains("participant-left");
    settle();
    assertThat(presence.rooms.get(roomId.toString())).containsExactly(mod.participant.id());
  }

  @Test
  void a_moderators_mute_is_a_force_mute_at_the_bridge_until_unmute_is_allowed() throws Exception {
    var mod = join("Mod", 12, true);
    var ada = join("Ada");
    var bob = join("Bob");
    String id = ada.participant.id();

    mod.participant.forceMute(id, Moderation.Media.AUDIO, true);
    settle();
    assertThat(bridges.log).contains("force-mute " + id + " audio=true video=false");
    assertThat(ada.events.types()).contains("muted");
    assertThat(bob.events.moderation).containsExactly(id + " force-muted audio=true video=false");
    // the page says it sends audio again: the others still see it muted
    ada.participant.mediaState(true, true, false);
    assertThat(bob.events.mediaStates).last().isEqualTo(id + " audio=false");

    mod.participant.forceMute(id, Moderation.Media.VIDEO, true);
    settle();
    assertThat(bridges.log).contains("force-mute " + id + " audio=true video=true");
    // a newcomer learns the state with the others
    var cy = join("Cy");
    assertThat(cy.events.othersAtJoin)
        .filteredOn(p -> p.participantId().equals(id))
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.audioForceMuted()).isTrue();
              assertThat(p.videoForceMuted()).isTrue();
              assertThat(p.audio()).isFalse();
            });

    mod.participant.forceMute(id, Moderation.Media.AUDIO, false);
    settle();
    assertThat(bridges.log).last().isEqualTo("force-mute " + id + " audio=false video=true");
    ada.participant.mediaState(true, true, false);
    assertThat(bob.events.mediaStates).last().isEqualTo(id + " audio=true");
    // the same state again sends nothing to the bridge
    int requests = bridges.log.size();
    mod.participant.forceMute(id, Moderation.Media.AUDIO, false);
    settle();
    assertThat(bridges.log).hasSize(requests);
  }

  @Test
  void only_moderators_force_mute_lower_hands_and_end_the_meeting() throws Exception {
    var mod = join("Mod", 12, true);
    var ada = join("Ada");
    var bob = join("Bob");
    for (org.assertj.core.api.ThrowableAssert.ThrowingCallable action :
        List.<org.assertj.core.api.ThrowableAssert.ThrowingCallable>of(
            () -> ada.participant.forceMute(bob.participant.id(), Moderation.Media.AUDIO, true),
            () -> ada.participant.forceMute(ada.participant.id(), Moderation.Media.AUDIO, false),
            () -> ada.participant.lowerHand(bob.participant.id()),
            () -> ada.participant.endMeeting())) {
      assertThatThrownBy(action)
          .isInstanceOfSatisfying(
              FocusException.class,
              e -> assertThat(e.reason()).isEqualTo(FocusException.Reason.NOT_MODERATOR));
    }
    settle();
    assertThat(bridges.log).noneMatch(l -> l.startsWith("force-mute") || l.equals("close"));
    assertThat(bob.events.moderation).isEmpty();
    assertThatThrownBy(() -> mod.participant.forceMute("nobody", Moderation.Media.VIDEO, true))
        .isInstanceOfSatisfying(
            FocusException.class,
            e -> assertThat(e.reason()).isEqualTo(FocusException.Reason.UNKNOWN_PARTICIPANT));
  }

  @Test
  void raised_hands_reach_everyone_in_order_and_a_moderator_lowers_them() throws Exception {
    var mod = join("Mod", 12, true);
    var ada = join("Ada");
    var bob = join("Bob");
    ada.participant.raiseHand(true);
    bob.participant.raiseHand(true);
    ada.participant.raiseHand(true); // a second raise keeps the first place
    long clock = Instant.parse("2026-11-27T12:00:00Z").toEpochMilli();
    assertThat(mod.events.moderation)
        .containsExactly(
            ada.participant.id() + " hand up @" + clock,
            bob.participant.id() + " hand up @" + (clock + 1));
    var cy = join("Cy");
    assertThat(cy.events.othersAtJoin)
        .extracting(ParticipantInfo::handRaisedAt)
        .containsExactly(0L, clock, clock + 1);

    mod.participant.lowerHand(bob.participant.id());
    mod.participant.lowerHand(bob.participant.id()); // already down: nothing more
    mod.participant.forceMute(ada.participant.id(), Moderation.Media.AUDIO, true);
    // allowing a participant's audio answers its raised hand
    mod.participant.forceMute(ada.participant.id(), Moderation.Media.AUDIO, false);
    assertThat(cy.events.moderation)
        .containsExactly(
            bob.participant.id() + " hand down",
            ada.participant.id() + " force-muted audio=true video=false",
            ada.participant.id() + " force-muted audio=false video=false",
            ada.participant.id() + " hand down");
  }

  @Test
  void a_moderator_ends_the_meeting_for_everyone_and_the_room_can_meet_again() throws Exception {
    var mod = join("Mod", 12, true);
    var ada = join("Ada");
    mod.participant.endMeeting();
    assertThat(ada.events.types()).last().isEqualTo("removed MEETING_ENDED");
    assertThat(mod.events.types()).last().isEqualTo("removed MEETING_ENDED");
    settle();
    assertThat(bridges.log).last().isEqualTo("close");
    assertThat(presence.rooms.getOrDefault(roomId.toString(), Set.of())).isEmpty();
    assertThat(records)
        .filteredOn(r -> r instanceof CallRecordEvent.ParticipantLeft)
        .extracting(r -> ((CallRecordEvent.ParticipantLeft) r).reason())
        .containsOnly("meeting-ended");
    // the room stays: the next join starts a new call
    var bob = join("Bob");
    assertThat(bob.events.othersAtJoin).isEmpty();
  }

  @Test
  void chat_and_media_state_reach_everyone() throws Exception {
    var ada = join("Ada");
    var bob = join("Bob");
    ada.participant.chat("hello");
    assertThat(bob.events.chats)
        .containsExactly("Ada: hello @" + Instant.parse("2026-11-27T12:00:00Z").toEpochMilli());
    assertThat(ada.events.chats).hasSize(1);
    bob.participant.mediaState(false, true, false);
    assertThat(ada.events.mediaStates).contains(bob.participant.id() + " audio=false");
  }

  private static final String HOST =
      "candidate:1 1 udp 2122260223 10.0.0.5 50000 typ host generation 0 ufrag ab12 network-id 1";
  private static final String RELAY =
      "candidate:2 1 udp 41885439 127.0.0.1 49212 typ relay raddr 10.0.0.5 rport 50001"
          + " generation 0 ufrag ab12 network-id 1";

  @Test
  void trickled_candidates_reach_the_bridge_with_the_ice_credentials_of_their_answer()
      throws Exception {
    var ada = join("Ada");
    String id = ada.participant.id();
    ada.participant.iceCandidate(HOST, "0"); // before the answer: sent with it
    ada.answerLastOffer(1000);
    settle();
    TransportDescription answered = bridges.transports.get(id).get(0);
    assertThat(answered.candidates()).extracting(IceCandidate::address).containsExactly("10.0.0.5");
    assertThat(bridges.trickles.get(id)).isNull();

    // after it: a request of their own with the answer's ufrag and pwd, no fingerprints; TCP
    // candidates, host names and the end-of-candidates marker stay with the focus
    ada.participant.iceCandidate(RELAY, "0");
    ada.participant.iceCandidate(
        "candidate:3 1 tcp 1518280447 10.0.0.5 9 typ host tcptype active generation 0", "0");
    ada.participant.iceCandidate(
        "candidate:4 1 udp 2122260223 0b5c4f8e-77aa.local 50002 typ host generation 0", "0");
    ada.participant.iceCandidate("", "0");
    settle();
    assertThat(bridges.trickles.get(id)).hasSize(1);
    TransportDescription trickled = bridges.trickles.get(id).get(0);
    assertThat(trickled.ufrag()).isEqualTo(answered.ufrag());
    assertThat(trickled.pwd()).isEqualTo(answered.pwd());
    assertThat(trickled.fingerprints()).isEmpty();
    assertThat(trickled.candidates())
        .extracting(IceCandidate::type, IceCandidate::address, IceCandidate::port)
        .containsExactly(tuple("relay", "127.0.0.1", 49212));
  }

  @Test
  void no_more_than_the_cap_of_trickled_candidates_reaches_the_bridge_per_answer()
      throws Exception {
    var ada = join("Ada");
    String id = ada.participant.id();
    ada.answerLastOffer(1000);
    for (int i = 0; i < Conference.MAX_TRICKLED_CANDIDATES + 8; i++) {
      ada.participant.iceCandidate(
          "candidate:" + i + " 1 udp 2122260223 10.0.0.5 " + (40000 + i) + " typ host", "0");
    }
    settle();
    assertThat(bridges.trickles.get(id).stream().mapToInt(t -> t.candidates().size()).sum())
        .isEqualTo(Conference.MAX_TRICKLED_CANDIDATES);
  }

  @Test
  void a_malformed_candidate_is_refused_as_invalid_sdp_and_reaches_no_bridge() throws Exception {
    var ada = join("Ada");
    ada.answerLastOffer(1000);
    for (String bad :
        List.of(
            "candidate:1 1 udp 2122260223 10.0.0.5 50000 typ nonsense",
            "candidate:1 1 udp 4294967295 10.0.0.5 50000 typ host",
            "1 1 udp 2122260223 10.0.0.5 50000 typ host",
            "candidate:1 1 udp 2122260223 10.0.0.5 50000 typ host ufrag")) {
      assertThatThrownBy(() -> ada.participant.iceCandidate(bad, "0"))
          .isInstanceOfSatisfying(
              FocusException.class,
              e -> assertThat(e.reason()).isEqualTo(FocusException.Reason.INVALID_SDP));
    }
    settle();
    assertThat(bridges.trickles).isEmpty();
  }

  @Test
  void candidates_of_an_earlier_bridge_endpoint_wait_for_the_answer_to_the_new_one()
      throws Exception {
    var ada = join("Ada");
    String id = ada.participant.id();
    ada.answerLastOffer(1000);
    bridges.nextUfrag = "restarted2";
    ada.participant.iceRestart();
    // the browser's new candidates may come before its answer to the new offer
    ada.participant.iceCandidate(RELAY, "0");
    settle();
    assertThat(bridges.trickles.get(id)).isNull();
    ada.answerLastOffer(1000);
    settle();
    List<TransportDescription> updates = bridges.transports.get(id);
    assertThat(updates.get(updates.size() - 1).candidates())
        .extracting(IceCandidate::port)
        .containsExactly(49212);
  }

  @Test
  void updates_leave_for_the_bridge_one_after_another_without_waiting_for_its_answers()
      throws Exception {
    List<CompletableFuture<Void>> unanswered = new CopyOnWriteArrayList<>();
    bridges.answers =
        endpointId -> {
          var answer = new CompletableFuture<Void>();
          unanswered.add(answer);
          return answer;
        };
    var ada = join("Ada");
    var bob = join("Bob");
    ada.answerLastOffer(1000);
    bob.answerLastOffer(2000);
    settle();
    // both updates went out although the bridge has answered neither
    assertThat(bridges.log)
        .containsSubsequence("update " + ada.participant.id(), "update " + bob.participant.id());
    assertThat(unanswered).hasSizeGreaterThanOrEqualTo(2).noneMatch(CompletableFuture::isDone);
    unanswered.forEach(a -> a.complete(null));
  }

  @Test
  void an_answer_that_changes_nothing_the_bridge_knows_sends_it_nothing() throws Exception {
    var ada = join("Ada");
    String id = ada.participant.id();
    ada.answerLastOffer(1000, "adaufrag1");
    var bob = join("Bob");
    bob.answerLastOffer(2000);
    settle();
    assertThat(bridgeCalls("update " + id)).isEqualTo(1);

    // Bob's sources came in a re-offer; Ada's answer to it is the same session and sources
    ada.answerLastOffer(1000, "adaufrag1");
    settle();
    assertThat(bridgeCalls("update " + id)).isEqualTo(1);

    // a trickled candidate goes on its own; the next answer, on the same session, adds nothing
    ada.participant.iceCandidate(HOST, "0");
    settle();
    assertThat(bridges.trickles.get(id)).hasSize(1);
    ada.participant.offerAgain();
    ada.answerLastOffer(1000, "adaufrag1");
    settle();
    assertThat(bridgeCalls("update " + id)).isEqualTo(1);
    ada.participant.offerAgain();
    ada.answerLastOffer(1100, "adaufrag1"); // other sources: sent
    settle();
    assertThat(bridgeCalls("update " + id)).isEqualTo(2);
    ada.participant.offerAgain();
    ada.answerLastOffer(1100, "adaufrag2"); // another ICE session: sent
    settle();
    assertThat(bridgeCalls("update " + id)).isEqualTo(3);
  }

  /** Answers the participant's last offer while the bridge leaves the update's answer pending. */
  private CompletableFuture<Void> answerWithUpdateUnanswered(Joined p) throws Exception {
    var pending = new CompletableFuture<Void>();
    bridges.answers = endpointId -> pending;
    p.answerLastOffer(1000);
    settle();
    bridges.answers = endpointId -> CompletableFuture.completedFuture(null);
    return pending;
  }

  private static FocusException unknownEndpoint(String id) {
    return new FocusException(FocusException.Reason.UNEXPECTED, "unknown endpoint " + id);
  }

  /** How many bridge calls of the fake's log read exactly {@code line}. */
  private long bridgeCalls(String line) {
    return bridges.log.stream().filter(line::equals).count();
  }

  @Test
  void an_update_the_bridge_answers_with_an_unknown_endpoint_gives_the_member_a_new_one()
      throws Exception {
    var ada = join("Ada");
    String id = ada.participant.id();
    var lost = answerWithUpdateUnanswered(ada);
    bridges.nextUfrag = "reallocd1";
    lost.completeExceptionally(unknownEndpoint(id));
    Eventually.within(
        Duration.ofSeconds(5),
        () -> assertThat(ada.events.lastOffer()).contains("a=ice-ufrag:reallocd1"));
    settle();
    assertThat(bridgeCalls("allocate " + id)).isEqualTo(2);
  }

  @Test
  void a_failed_update_for_an_endpoint_the_member_no_longer_uses_allocates_nothing()
      throws Exception {
    var ada = join("Ada");
    String id = ada.participant.id();
    var late = answerWithUpdateUnanswered(ada);
    bridges.nextUfrag = "restarted3";
    ada.participant.iceRestart(); // a new endpoint before the old one's update was answered
    ada.answerLastOffer(1000);
    settle();
    late.completeExceptionally(unknownEndpoint(id));
    settle();
    assertThat(bridgeCalls("allocate " + id)).isEqualTo(2);
    assertThat(ada.events.lastOffer()).contains("a=ice-ufrag:restarted3");
  }

  @Test
  void ice_restart_allocates_fresh_credentials_and_offers_again() throws Exception {
    var ada = join("Ada");
    ada.answerLastOffer(1000);
    bridges.nextUfrag = "restarted1";
    ada.participant.iceRestart();
    assertThat(ada.events.lastOffer()).contains("a=ice-ufrag:restarted1");
    ada.answerLastOffer(1000);
  }

  @Test
  void offer_again_resends_the_current_offer_on_the_same_transport() throws Exception {
    var ada = join("Ada"); // the first offer is still waiting for its answer
    var bob = join("Bob");
    bob.answerLastOffer(2000);
    settle();
    int bridgeCalls = bridges.log.size();
    bridges.nextUfrag = "notused12";

    ada.participant.offerAgain();

    settle();
    assertThat(bridges.log).hasSize(bridgeCalls); // no new endpoint, no expire
    assertThat(ada.events.offers()).hasSize(2);
    assertThat(ada.events.lastOffer())
        .contains("a=ice-ufrag:" + FakeBridges.UFRAG)
        .contains("a=ssrc:2001 ");
    ada.answerLastOffer(1000);
    assertThat(ada.events.offers()).hasSize(2); // the deferred re-offer was folded into it
  }

  @Test
  void losing_the_bridge_moves_everyone_to_a_new_one_with_new_offers() throws Exception {
    var ada = join("Ada");
    ada.answerLastOffer(1000);
    var bob = join("Bob");
    bob.answerLastOffer(2000);
    ada.answerLastOffer(1000);
    String meetingId = ((CallRecordEvent.CallStarted) records.get(0)).callId().toString();
    int adaOffers = ada.events.offers().size();
    bridges.nextUfrag = "newbridge1";

    conferences.reinvite(meetingId, java.util.Set.of(ada.participant.id(), bob.participant.id()));

    // re-invites run off the caller's thread, one participant after another: wait for both
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!(ada.events.lastOffer().contains("a=ice-ufrag:newbridge1")
            && bob.events.lastOffer().contains("a=ice-ufrag:newbridge1"))
        && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(ada.events.offers()).hasSizeGreaterThan(adaOffers);
    assertThat(ada.events.lastOffer()).contains("a=ice-ufrag:newbridge1");
    assertThat(bob.events.lastOffer()).contains("a=ice-ufrag:newbridge1");
    // nobody left, and the next answers go to the (new) bridge
    assertThat(ada.events.types()).doesNotContain("participant-left");
    ada.answerLastOffer(1000);
    settle();
    assertThat(bridges.log.stream().filter(l -> l.equals("allocate " + ada.participant.id())))
        .hasSize(2);
  }

  @Test
  void a_room_owned_by_another_node_is_not_hosted_twice() throws Exception {
    leases.tryAcquire(roomId.toString(), "node-other", Duration.ofSeconds(10));
    assertThatThrownBy(() -> join("Ada"))
        .isInstanceOfSatisfying(
            FocusException.class, e -> assertThat(e.getMessage()).contains("node-other"));
    assertThat(bridges.log).isEmpty();
  }

  // --- in-memory stand-ins (pure logic tests only)

  static final class FakeBridges implements ConferenceBridge.Factory {
    static final String UFRAG = "bridgeufrag1";
    final List<String> log = new CopyOnWriteArrayList<>();
    final Map<String, List<MediaSource>> updates = new HashMap<>();
    // per endpoint, the transports of its updates and of its added candidates, in order
    final Map<String, List<TransportDescription>> transports = new ConcurrentHashMap<>();
    final Map<String, List<TransportDescription>> trickles = new ConcurrentHashMap<>();
    volatile String nextUfrag = UFRAG;

    /**
     * The bridge's answer to each update and candidates request: by default an immediate result.
     */
    volatile java.util.function.Function<String, CompletionStage<Void>> answers =
        endpointId -> CompletableFuture.completedFuture(null);

    CompletionStage<Void> answerOf(String endpointId) {
      return answers.apply(endpointId);
    }

    /** Runs before an allocation, given the endpoint id and the stats id (the display name). */
    volatile java.util.function.BiConsumer<String, String> beforeAllocate =
        (endpointId, statsId) -> {};

    volatile String lastMeetingId;

    /** Makes the first allocation for {@code statsId} wait until {@link Held#release()}. */
    Held holdFirstAllocationOf(String statsId) {
      Held held = new Held();
      beforeAllocate =
          (endpointId, s) -> {
            if (s.equals(statsId) && held.endpointId.compareAndSet(null, endpointId)) {
              held.allocating.countDown();
              try {
                held.proceed.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              if (held.refused) {
                throw new IllegalStateException("bridge refused the allocation");
              }
            }
          };
      return held;
    }

    /** An allocation held on its way to the bridge. */
    static final class Held {
      final java.util.concurrent.atomic.AtomicReference<String> endpointId =
          new java.util.concurrent.atomic.AtomicReference<>();
      private final java.util.concurrent.CountDownLatch allocating =
          new java.util.concurrent.CountDownLatch(1);
      private final java.util.concurrent.CountDownLatch proceed =
          new java.util.concurrent.CountDownLatch(1);

      boolean awaitAllocating() throws InterruptedException {
        return allocating.await(5, java.util.concurrent.TimeUnit.SECONDS);
      }

      private volatile boolean refused;

      void release() {
        proceed.countDown();
      }

      /** Lets the held allocation go on and fail (the bridge refused it). */
      void refuse() {
        refused = true;
        proceed.countDown();
      }
    }

    @Override
    public ConferenceBridge open(String meetingId, String roomName, Optional<String> region) {
      lastMeetingId = meetingId;
      log.add("open " + roomName);
      return new ConferenceBridge() {
        @Override
        public Allocation allocate(String endpointId, String statsId) {
          beforeAllocate.accept(endpointId, statsId);
          log.add("allocate " + endpointId);
          var transport =
              new TransportDescription(
                  nextUfrag,
                  "bridgepassword0123456789",
                  List.of(
                      new DtlsFingerprint(
                          "sha-256",
                          "2E:87:C2:A6:DE:39:ED:32:8C:5E:8E:1C:BE:B8:F7:AB:6D:A1:87:FC:EF:47:B3:93:A9:5A:38:DB:FA:42:3A:5A",
                          Setup.ACTPASS)),
                  List.of(
                      new IceCandidate(
                          "1",
                          1,
                          "udp",
                          2130706431L,
                          "127.0.0.1",
                          10000,
                          "host",
                          null,
                          -1,
                          null,
                          0)));
          var feedback =
              List.of(
                  new MediaSource(
                      MediaKind.AUDIO,
                      "jvb-a0",
                      "jvb",
                      List.of(11L),
                      List.of(),
                      "mixedmslabel",
                      "mixedlabelaudio0"),
                  new MediaSource(
                      MediaKind.VIDEO,
                      "jvb-v0",
                      "jvb",
                      List.of(22L),
                      List.of(),
                      "mixedmslabel",
                      "mixedlabelvideo0"));
          return new Allocation(
              transport,
              feedback,
              Optional.of("ws://bridge/colibri-ws/x/" + endpointId),
              "jvb-test");
        }

        @Override
        public CompletionStage<Void> update(
            String endpointId, TransportDescription transport, List<MediaSource> sources) {
          log.add("update " + endpointId);
          updates.put(endpointId, sources);
          transports.computeIfAbsent(endpointId, k -> new CopyOnWriteArrayList<>()).add(transport);
          return answerOf(endpointId);
        }

        @Override
        public CompletionStage<Void> addCandidates(
            String endpointId, TransportDescription transport) {
          log.add("candidates " + endpointId);
          trickles.computeIfAbsent(endpointId, k -> new CopyOnWriteArrayList<>()).add(transport);
          return answerOf(endpointId);
        }

        @Override
        public void forceMute(String endpointId, boolean audio, boolean video) {
          log.add("force-mute " + endpointId + " audio=" + audio + " video=" + video);
        }

        @Override
        public void expire(String endpointId) {
          log.add("expire " + endpointId);
        }

        @Override
        public void close() {
          log.add("close");
        }
      };
    }
  }

  static final class MemoryPresence implements ParticipantPresence {
    final Map<String, Set<String>> rooms = new HashMap<>();

    @Override
    public synchronized void joined(Participant p) {
      rooms.computeIfAbsent(p.roomId(), k -> new HashSet<>()).add(p.participantId());
    }

    @Override
    public synchronized void left(String roomId, String participantId, String userId) {
      rooms.getOrDefault(roomId, new HashSet<>()).remove(participantId);
    }

    @Override
    public synchronized Set<String> participants(String roomId) {
      return Set.copyOf(rooms.getOrDefault(roomId, Set.of()));
    }

    @Override
    public synchronized int count(String roomId) {
      return participants(roomId).size();
    }
  }

  static final class MemoryLeases implements ConferenceLeases {
    final Map<String, String> owners = new HashMap<>();

    @Override
    public synchronized Optional<Lease> tryAcquire(String id, String node, Duration ttl) {
      if (owners.containsKey(id)) {
        return Optional.empty();
      }
      owners.put(id, node);
      return Optional.of(new Lease(id, node));
    }

    @Override
    public synchronized boolean renew(Lease lease, Duration ttl) {
      return lease.nodeId().equals(owners.get(lease.conferenceId()));
    }

    @Override
    public synchronized void release(Lease lease) {
      owners.remove(lease.conferenceId(), lease.nodeId());
    }

    @Override
    public synchronized Optional<String> owner(String id) {
      return Optional.ofNullable(owners.get(id));
    }
  }

  static class RecordingEvents implements ParticipantEvents {
    final List<String> log = new CopyOnWriteArrayList<>();
    final List<String> offerSdps = new CopyOnWriteArrayList<>();
    final List<String> chats = new CopyOnWriteArrayList<>();
    final List<String> mediaStates = new CopyOnWriteArrayList<>();
    final List<String> moderation = new CopyOnWriteArrayList<>();
    List<ParticipantInfo> othersAtJoin;

    List<String> types() {
      return List.copyOf(log);
    }

    List<String> offers() {
      return List.copyOf(offerSdps);
    }

    String lastOffer() {
      return offerSdps.get(offerSdps.size() - 1);
    }

    @Override
    public void joined(String participantId, List<ParticipantInfo> others) {
      othersAtJoin = others;
      log.add("joined");
    }

    @Override
    public void offer(String sdp, String bridgeChannelUrl) {
      offerSdps.add(sdp);
      log.add("offer");
    }

    @Override
    public void participantJoined(ParticipantInfo participant) {
      log.add("participant-joined");
    }

    @Override
    public void participantLeft(String participantId, LeaveReason reason) {
      log.add("participant-left");
    }

    @Override
    public void mediaState(String participantId, boolean audio, boolean video, boolean screen) {
      mediaStates.add(participantId + " audio=" + audio);
      log.add("media-state");
    }

    @Override
    public void chat(String from, String displayName, String text, long ts) {
      chats.add(displayName + ": " + text + " @" + ts);
      log.add("chat");
    }

    @Override
    public void muted(String by) {
      log.add("muted");
    }

    @Override
    public void forceMuted(String participantId, boolean audio, boolean video, String by) {
      moderation.add(participantId + " force-muted audio=" + audio + " video=" + video);
      log.add("force-muted");
    }

    @Override
    public void handRaised(String participantId, long raisedAt, String by) {
      moderation.add(participantId + (raisedAt == 0 ? " hand down" : " hand up @" + raisedAt));
      log.add("hand-raised");
    }

    @Override
    public void removed(LeaveReason reason) {
      log.add("removed " + reason);
    }

    @Override
    public void conferenceMoved() {
      log.add("moved");
    }
  }

  /**
   * Answers an offer the way Chromium does: setup active, own tracks with SSRCs, remote ones
   * recvonly.
   */
  static final class BrowserAnswer {
    private static final AtomicLong UFRAGS = new AtomicLong();

    /** An answer with ICE credentials of its own, as after an ICE restart. */
    static String to(String offer, long ssrcBase) {
      return to(offer, ssrcBase, "brw" + UFRAGS.incrementAndGet() + "x");
    }

    /** An answer on the ICE session {@code ufrag} (a browser keeps it across re-offers). */
    static String to(String offer, long ssrcBase, String ufrag) {
      List<String> out = new ArrayList<>();
      boolean inMedia = false;
      boolean audioSent = false;
      boolean videoSent = false;
      List<String> pending = new ArrayList<>();
      for (String line : offer.split("\r\n")) {
        if (line.startsWith("m=")) {
          out.addAll(pending);
          pending.clear();
          inMedia = true;
          out.add(line);
          continue;
        }
        if (!inMedia) {
          if (!line.startsWith("a=msid-semantic")) {
            out.add(line);
          }
          continue;
        }
        if (line.startsWith("a=candidate")
            || line.startsWith("a=ssrc")
            || line.startsWith("a=msid")
            || line.startsWith("a=ice-")
            || line.startsWith("a=fingerprint")
            || line.startsWith("a=setup")) {
          continue;
        }
        if (line.equals("a=sendrecv")) {
          String m = out.stream().filter(l -> l.startsWith("m=")).reduce((a, b) -> b).orElseThrow();
          boolean audio = m.startsWith("m=audio");
          if (audio && !audioSent) {
            audioSent = true;
            pending.add("a=sendrecv");
            pending.add("a=msid:s" + ssrcBase + " a" + ssrcBase);
            pending.add("a=ssrc:" + (ssrcBase + 1) + " cname:c" + ssrcBase);
          } else if (!audio && !videoSent) {
            videoSent = true;
            pending.add("a=sendrecv");
            pending.add("a=msid:s" + ssrcBase + " v" + ssrcBase);
            pending.add("a=ssrc-group:FID " + (ssrcBase + 2) + " " + (ssrcBase + 3));
            pending.add("a=ssrc:" + (ssrcBase + 2) + " cname:c" + ssrcBase);
            pending.add("a=ssrc:" + (ssrcBase + 3) + " cname:c" + ssrcBase);
          } else {
            pending.add("a=recvonly");
          }
        } else if (line.equals("a=sendonly")) {
          pending.add("a=recvonly");
        } else if (line.startsWith("a=mid:")) {
          out.add(line);
          out.add("a=ice-ufrag:" + ufrag);
          out.add("a=ice-pwd:browserpassword0123456789");
          out.add(
              "a=fingerprint:sha-256 68:39:BA:EE:D9:E2:4E:73:A0:08:CD:7F:17:24:5F:1B:49:08:63:80:F9:86:CB:92:38:22:83:F2:22:F5:DD:43");
          out.add("a=setup:active");
        } else {
          out.add(line);
        }
      }
      out.addAll(pending);
      return String.join("\r\n", out) + "\r\n";
    }
  }
}
