package io.openmeet.focus.conference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.openmeet.focus.records.CallRecordEvent;
import io.openmeet.focus.sdp.CodecSettings;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Peer-to-peer for two participants: the focus starts a P2P session at two, relays its offer,
 * answer and candidates only between the pair, releases the bridge endpoints once both ends are
 * connected, and brings both back to the bridge when a third joins or the connection fails.
 */
class P2pConferenceTest {

  private final ConferenceTest.FakeBridges bridges = new ConferenceTest.FakeBridges();
  private final List<CallRecordEvent> records = new CopyOnWriteArrayList<>();
  private final Conferences conferences =
      new Conferences(
          new ConferenceContext(
              bridges,
              CodecSettings.defaults(false),
              new ConferenceTest.MemoryPresence(),
              records::add,
              Clock.fixed(Instant.parse("2026-12-06T12:00:00Z"), ZoneOffset.UTC),
              "node-test"),
          new ConferenceTest.MemoryLeases(),
          Duration.ofSeconds(10));
  private final UUID roomId = UUID.randomUUID();

  @AfterEach
  void close() {
    conferences.close();
  }

  private void settle() throws InterruptedException {
    assertThat(conferences.awaitQuiet(Duration.ofSeconds(5))).isTrue();
  }

  private Peer join(String name, boolean p2p) throws FocusException {
    return join(name, p2p, false);
  }

  private Peer join(String name, boolean p2p, boolean moderator) throws FocusException {
    var events = new P2pEvents();
    var request =
        new JoinRequest(
            roomId,
            "room-slug",
            12,
            Optional.of("local"),
            Optional.empty(),
            "guest-" + name,
            name,
            moderator,
            true,
            true,
            p2p);
    var participant = conferences.join(request, events);
    participant.answer(ConferenceTest.BrowserAnswer.to(events.lastOffer(), 1000));
    return new Peer(participant, events);
  }

  private record Peer(FocusParticipant participant, P2pEvents events) {
    String id() {
      return participant.id();
    }
  }

  /** A browser-made session description (what Chromium's answers look like). */
  private static String browserSdp(Peer p) {
    return ConferenceTest.BrowserAnswer.to(p.events.offers().get(0), 5000);
  }

  private static final String CANDIDATE =
      "candidate:1 1 udp 2122260223 10.0.0.2 50000 typ host generation 0";

  @Test
  void two_participants_get_one_session_with_the_smaller_id_as_initiator() throws Exception {
    var ada = join("Ada", true);
    assertThat(ada.events.p2p).isEmpty();
    var bob = join("Bob", true);
    assertThat(ada.events.p2p).hasSize(1);
    assertThat(bob.events.p2p).hasSize(1);
    String session = ada.events.sessionId();
    assertThat(bob.events.sessionId()).isEqualTo(session);
    boolean adaInitiates = ada.id().compareTo(bob.id()) < 0;
    assertThat(ada.events.p2p.get(0))
        .isEqualTo("start " + session + " " + bob.id() + " " + adaInitiates);
    assertThat(bob.events.p2p.get(0))
        .isEqualTo("start " + session + " " + ada.id() + " " + !adaInitiates);
  }

  @Test
  void offer_answer_and_candidates_reach_only_the_peer() throws Exception {
    var ada = join("Ada", true);
    var bob = join("Bob", true);
    Peer initiator = ada.id().compareTo(bob.id()) < 0 ? ada : bob;
    Peer responder = initiator == ada ? bob : ada;
    String session = ada.events.sessionId();

    // a browser's offer says setup:actpass
    String offer = browserSdp(initiator).replace("a=setup:active", "a=setup:actpass");
    initiator.participant.p2pDescription(session, "offer", offer);
    assertThat(responder.events.p2p).last().isEqualTo("offer " + initiator.id() + " " + offer);
    String answer = browserSdp(responder);
    responder.participant.p2pDescription(session, "answer", answer);
    assertThat(initiator.events.p2p).last().isEqualTo("answer " + responder.id() + " " + answer);
    initiator.participant.p2pCandidate(session, CANDIDATE, "0", 0);
    assertThat(responder.events.p2p)
        .last()
        .isEqualTo("candidate " + initiator.id() + " " + CANDIDATE + " 0 0");
    responder.participant.p2pCandidate(session, "", null, null);
    assertThat(initiator.events.p2p)
        .last()
        .isEqualTo("candidate " + responder.id() + "  null null");
    // each got its start and the peer's two frames; nothing came back to the senders themselves
    assertThat(initiator.events.p2p).hasSize(3);
    assertThat(responder.events.p2p).hasSize(3);
  }

  @Test
  void both_ends_connected_release_the_bridge_endpoints_and_a_third_brings_everyone_back()
      throws Exception {
    var ada = join("Ada", true);
    var bob = join("Bob", true);
    String session = ada.events.sessionId();
    ada.participant.p2pState(session, true);
    settle();
    assertThat(bridges.log).doesNotContain("expire " + ada.id());
    assertThat(ada.events.p2p).doesNotContain("active " + session);
    bob.participant.p2pState(session, true);
    settle();
    assertThat(bridges.log).contains("expire " + ada.id(), "expire " + bob.id());
    assertThat(ada.events.p2p).last().isEqualTo("active " + session);
    assertThat(bob.events.p2p).last().isEqualTo("active " + session);
    // no bridge connection to restart while P2P
    assertFails(() -> ada.participant.iceRestart(), FocusException.Reason.UNEXPECTED);
    int adaOffers = ada.events.offers().size();

    bridges.log.clear();
    bridges.nextUfrag = "bridgeufrag2";
    var cyd = join("Cyd", true);
    settle();
    assertThat(ada.events.p2p).contains("stop " + session + " participants");
    assertThat(bob.events.p2p).contains("stop " + session + " participants");
    assertThat(cyd.events.p2p).isEmpty();
    // the pair get new endpoints and offers on the new transport
    assertThat(bridges.log).contains("allocate " + ada.id(), "allocate " + bob.id());
    assertThat(ada.events.offers()).hasSizeGreaterThan(adaOffers);
    assertThat(ada.events.lastOffer()).contains("a=ice-ufrag:bridgeufrag2");
    // the old session is over: its frames are refused
    assertFails(
        () -> ada.participant.p2pCandidate(session, CANDIDATE, "0", 0),
        FocusException.Reason.NO_P2P_SESSION);

    ada.participant.answer(ConferenceTest.BrowserAnswer.to(ada.events.lastOffer(), 1000));
    cyd.participant.leave(LeaveReason.LEAVE);
    settle();
    String second = ada.events.sessionId();
    assertThat(second).isNotEqualTo(session);
    assertThat(bob.events.sessionId()).isEqualTo(second);
    assertThat(ada.events.p2p).last().asString().startsWith("start " + second + " " + bob.id());
  }

  /** Joins on another thread (its allocation may be held); the peer once the join returns. */
  private CompletableFuture<Peer> joinAsync(String name) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return join(name, true);
          } catch (FocusException e) {
            throw new CompletionException(e);
          }
        });
  }

  @Test
  void no_session_starts_while_a_third_is_joining() throws Exception {
    var ada = join("Ada", true);
    var held = bridges.holdFirstAllocationOf("Cyd");
    var cyd = joinAsync("Cyd");
    assertThat(held.awaitAllocating()).isTrue();
    // Bob joins while Cyd's allocation is on its way: a session now would end at Cyd's join
    var bob = join("Bob", true);
    assertThat(ada.events.p2p).isEmpty();
    assertThat(bob.events.p2p).isEmpty();
    held.release();
    cyd.get(5, TimeUnit.SECONDS);
    settle();
    assertThat(ada.events.p2p).isEmpty();
    assertThat(bob.events.p2p).isEmpty();
  }

  @Test
  void a_join_that_fails_lets_the_held_session_start() throws Exception {
    var ada = join("Ada", true);
    var held = bridges.holdFirstAllocationOf("Cyd");
    var cyd = joinAsync("Cyd");
    assertThat(held.awaitAllocating()).isTrue();
    var bob = join("Bob", true);
    assertThat(ada.events.p2p).isEmpty();
    held.refuse();
    assertThatThrownBy(() -> cyd.get(5, TimeUnit.SECONDS))
        .hasCauseInstanceOf(IllegalStateException.class);
    settle();
    String session = ada.events.sessionId();
    assertThat(bob.events.sessionId()).isEqualTo(session);
  }

  @Test
  void a_third_starting_to_join_ends_the_session_and_the_pair_keeps_its_endpoints()
      throws Exception {
    var ada = join("Ada", true);
    var bob = join("Bob", true);
    String session = ada.events.sessionId();
    // Ada's browser has answered the offer with Bob's sources
    ada.participant.answer(ConferenceTest.BrowserAnswer.to(ada.events.lastOffer(), 1000));
    ada.participant.p2pState(session, true);
    var held = bridges.holdFirstAllocationOf("Cyd");
    var cyd = joinAsync("Cyd");
    assertThat(held.awaitAllocating()).isTrue();
    settle();
    // the session ended when Cyd started joining: Bob's late "connected" releases nothing
    assertThat(ada.events.p2p).last().isEqualTo("stop " + session + " participants");
    assertThat(bob.events.p2p).last().isEqualTo("stop " + session + " participants");
    assertFails(
        () -> bob.participant.p2pState(session, true), FocusException.Reason.NO_P2P_SESSION);
    assertThat(bridges.log).doesNotContain("expire " + ada.id(), "expire " + bob.id());
    int adaOffers = ada.events.offers().size();
    bridges.log.clear();
    bridges.nextUfrag = "bridgeufrag2";
    held.release();
    var third = cyd.get(5, TimeUnit.SECONDS);
    settle();
    // the pair stays on its bridge connections: no new endpoint; Cyd's sources come as a re-offer
    assertThat(bridges.log).doesNotContain("allocate " + ada.id(), "allocate " + bob.id());
    assertThat(ada.events.offers()).hasSizeGreaterThan(adaOffers);
    assertThat(ada.events.lastOffer())
        .contains("a=ice-ufrag:" + ConferenceTest.FakeBridges.UFRAG)
        .contains(third.id());
  }

  @Test
  void a_third_starting_to_join_gets_the_released_pair_new_endpoints_before_its_own_allocation()
      throws Exception {
    var ada = join("Ada", true);
    var bob = join("Bob", true);
    String session = ada.events.sessionId();
    ada.participant.p2pState(session, true);
    bob.participant.p2pState(session, true);
    settle();
    assertThat(ada.events.p2p).last().isEqualTo("active " + session);
    int adaOffers = ada.events.offers().size();
    int bobOffers = bob.events.offers().size();
    bridges.log.clear();
    bridges.nextUfrag = "bridgeufrag2";
    var held = bridges.holdFirstAllocationOf("Cyd");
    var cyd = joinAsync("Cyd");
    assertThat(held.awaitAllocating()).isTrue();
    settle();
    // Cyd's allocation is still on its way; the pair's new endpoints and offers do not wait for it
    assertThat(ada.events.p2p).last().isEqualTo("stop " + session + " participants");
    assertThat(bob.events.p2p).last().isEqualTo("stop " + session + " participants");
    assertThat(bridges.log).contains("allocate " + ada.id(), "allocate " + bob.id());
    assertThat(ada.events.offers()).hasSize(adaOffers + 1);
    assertThat(bob.events.offers()).hasSize(bobOffers + 1);
    assertThat(ada.events.lastOffer()).contains("a=ice-ufrag:bridgeufrag2");
    // Ada's browser answers on its new connection before Cyd is in
    ada.participant.answer(ConferenceTest.BrowserAnswer.to(ada.events.lastOffer(), 3000));
    held.release();
    var third = cyd.get(5, TimeUnit.SECONDS);
    settle();
    // so Cyd's first offer already carries the sources of Ada's new connection
    assertThat(third.events.offers().get(0)).contains("a=ssrc:3001 ");
    assertThat(ada.events.lastOffer()).contains(third.id());
  }

  @Test
  void a_third_whose_join_fails_lets_the_pair_go_back_to_p2p() throws Exception {
    var ada = join("Ada", true);
    var bob = join("Bob", true);
    String session = ada.events.sessionId();
    ada.participant.p2pState(session, true);
    bob.participant.p2pState(session, true);
    settle();
    var held = bridges.holdFirstAllocationOf("Cyd");
    var cyd = joinAsync("Cyd");
    assertThat(held.awaitAllocating()).isTrue();
    settle();
    assertThat(ada.events.p2p).last().isEqualTo("stop " + session + " participants");
    held.refuse();
    assertThatThrownBy(() -> cyd.get(5, TimeUnit.SECONDS))
        .hasCauseInstanceOf(IllegalStateException.class);
    settle();
    // the two are alone again: a new session
    String second = ada.events.sessionId();
    assertThat(second).isNotEqualTo(session);
    assertThat(bob.events.sessionId()).isEqualTo(second);
  }

  @Test
  void frames_from_outside_the_session_or_malformed_are_refused_and_reach_nobody()
      throws Exception {
    var ada = join("Ada", true);
    var bob = join("Bob", true);
    String session = ada.events.sessionId();
    Peer initiator = ada.id().compareTo(bob.id()) < 0 ? ada : bob;
    Peer responder = initiator == ada ? bob : ada;
    int adaSeen = ada.events.p2p.size();
    int bobSeen = bob.events.p2p.size();

    // a wrong session id
    assertFails(
        () -> initiator.participant.p2pDescription("nope", "offer", browserSdp(initiator)),
        FocusException.Reason.NO_P2P_SESSION);
    assertFails(
        () -> initiator.participant.p2pCandidate("nope", CANDIDATE, "0", 0),
        FocusException.Reason.NO_P2P_SESSION);
    assertFails(
        () -> initiator.participant.p2pState("nope", false), FocusException.Reason.NO_P2P_SESSION);
    // malformed SDP, and an answer that leaves the DTLS role open
    assertFails(
        () -> initiator.participant.p2pDescription(session, "offer", "v=0\r\nnonsense"),
        FocusException.Reason.INVALID_SDP);
    assertFails(
        () ->
            responder.participant.p2pDescription(
                session, "answer", browserSdp(responder).replace("setup:active", "setup:actpass")),
        FocusException.Reason.INVALID_SDP);
    // the responder does not offer, the initiator does not answer
    assertFails(
        () -> responder.participant.p2pDescription(session, "offer", browserSdp(responder)),
        FocusException.Reason.UNEXPECTED);
    assertFails(
        () -> initiator.participant.p2pDescription(session, "answer", browserSdp(initiator)),
        FocusException.Reason.UNEXPECTED);
    assertThat(ada.events.p2p).hasSize(adaSeen);
    assertThat(bob.events.p2p).hasSize(bobSeen);

    // a third (no P2P session of its own once the pair's ended) gets nothing relayed
    var cyd = join("Cyd", true);
    assertFails(
        () -> cyd.participant.p2pDescription(session, "offer", browserSdp(cyd)),
        FocusException.Reason.NO_P2P_SESSION);
    assertFails(
        () -> cyd.participant.p2pCandidate(session, CANDIDATE, "0", 0),
        FocusException.Reason.NO_P2P_SESSION);
    assertThat(ada.events.p2p).noneMatch(e -> e.startsWith("offer") || e.startsWith("candidate"));
    assertThat(bob.events.p2p).noneMatch(e -> e.startsWith("offer") || e.startsWith("candidate"));
  }

  @Test
  void a_failed_connection_keeps_the_pair_on_the_bridge_and_is_not_retried() throws Exception {
    var ada = join("Ada", true);
    var bob = join("Bob", true);
    String session = ada.events.sessionId();
    bob.participant.p2pState(session, false);
    settle();
    assertThat(ada.events.p2p).last().isEqualTo("stop " + session + " failed");
    assertThat(bob.events.p2p).last().isEqualTo("stop " + session + " failed");
    assertThat(bridges.log).doesNotContain("expire " + ada.id(), "expire " + bob.id());
    // the same pair is not tried again; a third joining and leaving starts over
    var cyd = join("Cyd", true);
    cyd.participant.leave(LeaveReason.LEAVE);
    assertThat(ada.events.p2p).last().asString().startsWith("start ");
  }

  @Test
  void a_failure_after_the_release_brings_the_pair_back_to_the_bridge() throws Exception {
    var ada = join("Ada", true);
    var bob = join("Bob", true);
    String session = ada.events.sessionId();
    ada.participant.p2pState(session, true);
    bob.participant.p2pState(session, true);
    settle();
    bridges.log.clear();
    ada.participant.p2pState(session, false);
    settle();
    assertThat(bridges.log).contains("allocate " + ada.id(), "allocate " + bob.id());
    assertThat(ada.events.p2p).last().isEqualTo("stop " + session + " failed");
  }

  @Test
  void audio_only_requests_reach_only_the_peer() throws Exception {
    var ada = join("Ada", true);
    var bob = join("Bob", true);
    String session = ada.events.sessionId();
    ada.participant.p2pVideo(session, false);
    assertThat(bob.events.p2p).last().isEqualTo("video " + ada.id() + " false");
    assertThat(ada.events.p2p).noneMatch(e -> e.startsWith("video"));
    assertFails(() -> bob.participant.p2pVideo("nope", true), FocusException.Reason.NO_P2P_SESSION);
  }

  @Test
  void a_force_mute_moves_the_pair_to_the_bridge_until_it_is_lifted() throws Exception {
    var mod = join("Mod", true, true);
    var bob = join("Bob", true);
    String session = mod.events.sessionId();
    mod.participant.p2pState(session, true);
    bob.participant.p2pState(session, true);
    settle();
    bridges.log.clear();
    // in P2P no server sees the media: the pair goes back to the bridge, which drops Bob's video
    mod.participant.forceMute(bob.id(), Moderation.Media.VIDEO, true);
    settle();
    assertThat(mod.events.p2p).last().isEqualTo("stop " + session + " moderation");
    assertThat(bob.events.p2p).last().isEqualTo("stop " + session + " moderation");
    assertThat(bridges.log).contains("allocate " + mod.id(), "allocate " + bob.id());
    // no new P2P session while the mute lasts, not even after a third comes and goes
    var cyd = join("Cyd", true);
    cyd.participant.leave(LeaveReason.LEAVE);
    settle();
    assertThat(bob.events.p2p).last().isEqualTo("stop " + session + " moderation");
    // allowed again: back to P2P
    mod.participant.forceMute(bob.id(), Moderation.Media.VIDEO, false);
    assertThat(bob.events.p2p).last().asString().startsWith("start ");
    assertThat(bob.events.sessionId()).isNotEqualTo(session);
  }

  @Test
  void no_session_unless_both_allow_p2p_and_none_for_one() throws Exception {
    var ada = join("Ada", true);
    var bob = join("Bob", false);
    assertThat(ada.events.p2p).isEmpty();
    assertThat(bob.events.p2p).isEmpty();
    bob.participant.leave(LeaveReason.LEAVE);
    var cyd = join("Cyd", true);
    String session = ada.events.sessionId();
    cyd.participant.leave(LeaveReason.LEAVE);
    // alone again: the session ends
    assertThat(ada.events.p2p).last().isEqualTo("stop " + session + " participants");
  }

  private static void assertFails(Executable call, FocusException.Reason reason) {
    assertThatThrownBy(call::execute)
        .isInstanceOfSatisfying(
            FocusException.class, e -> assertThat(e.reason()).isEqualTo(reason));
  }

  /** Records the P2P events besides the others. */
  static final class P2pEvents extends ConferenceTest.RecordingEvents {
    final List<String> p2p = new CopyOnWriteArrayList<>();

    String sessionId() {
      for (int i = p2p.size() - 1; i >= 0; i--) {
        if (p2p.get(i).startsWith("start ")) {
          return p2p.get(i).split(" ")[1];
        }
      }
      throw new AssertionError("no p2p-start: " + p2p);
    }

    @Override
    public void p2pStart(String sessionId, String peerId, boolean initiator) {
      p2p.add("start " + sessionId + " " + peerId + " " + initiator);
    }

    @Override
    public void p2pActive(String sessionId) {
      p2p.add("active " + sessionId);
    }

    @Override
    public void p2pStop(String sessionId, String reason) {
      p2p.add("stop " + sessionId + " " + reason);
    }

    @Override
    public void p2pDescription(String sessionId, String from, String kind, String sdp) {
      p2p.add(kind + " " + from + " " + sdp);
    }

    @Override
    public void p2pVideo(String sessionId, String from, boolean receive) {
      p2p.add("video " + from + " " + receive);
    }

    @Override
    public void p2pCandidate(
        String sessionId, String from, String candidate, String sdpMid, Integer sdpMLineIndex) {
      p2p.add("candidate " + from + " " + candidate + " " + sdpMid + " " + sdpMLineIndex);
    }
  }
}
