package io.openmeet.focus.conference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.openmeet.focus.conference.ConferenceTest.BrowserAnswer;
import io.openmeet.focus.conference.ConferenceTest.FakeBridges;
import io.openmeet.focus.conference.ConferenceTest.MemoryLeases;
import io.openmeet.focus.conference.ConferenceTest.MemoryPresence;
import io.openmeet.focus.conference.ConferenceTest.RecordingEvents;
import io.openmeet.focus.sdp.CodecSettings;
import io.openmeet.presence.conference.ConferenceLeases;
import io.openmeet.presence.conference.ConferenceStateStore;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two nodes' {@link Conferences} over one in-memory lease and state store (fenced like the Redis
 * ones): node A runs a conference and mirrors it; when A's lease goes, node B takes the conference
 * over on the same bridge conference, and A, once it learns, never acts on it again.
 */
class ConferenceTakeoverTest {

  private final MemoryLeases leases = new MemoryLeases();
  private final MemoryStates states = new MemoryStates(leases);
  private final FakeBridges bridgesA = new FakeBridges();
  private final FakeBridges bridgesB = new FakeBridges();
  private final List<String> adopted = new CopyOnWriteArrayList<>();
  private final Conferences nodeA = node("node-a", bridgesA);
  private final Conferences nodeB = node("node-b", bridgesB);
  private final UUID roomId = UUID.randomUUID();

  private Conferences node(String id, FakeBridges fake) {
    ConferenceBridge.Factory bridges =
        new ConferenceBridge.Factory() {
          @Override
          public ConferenceBridge open(String meetingId, String roomName, Optional<String> region) {
            return fake.open(meetingId, roomName, region);
          }

          @Override
          public ConferenceBridge.Adopted adopt(
              String meetingId,
              String roomName,
              Optional<String> region,
              String bridgeId,
              Set<String> endpointIds) {
            adopted.add(id + " " + meetingId + " " + bridgeId + " " + endpointIds.size());
            return new ConferenceBridge.Adopted(fake.open(meetingId, roomName, region), true);
          }
        };
    return new Conferences(
        new ConferenceContext(
            bridges,
            CodecSettings.defaults(false),
            new MemoryPresence(),
            e -> {},
            Clock.systemUTC(),
            id,
            states,
            Duration.ofSeconds(20)),
        leases,
        Duration.ofSeconds(10));
  }

  @AfterEach
  void close() {
    nodeA.close();
    nodeB.close();
  }

  private JoinRequest request(String name) {
    return request(name, false);
  }

  private JoinRequest request(String name, boolean p2p) {
    return new JoinRequest(
        roomId,
        "room-slug",
        12,
        Optional.empty(),
        Optional.empty(),
        "guest-" + name,
        name,
        false,
        true,
        true,
        p2p);
  }

  @Test
  void another_node_continues_the_conference_on_its_bridge_conference_and_the_old_one_is_fenced()
      throws Exception {
    var adaEvents = new RecordingEvents();
    FocusParticipant ada = nodeA.join(request("Ada"), adaEvents);
    var bobEvents = new RecordingEvents();
    FocusParticipant bob = nodeA.join(request("Bob"), bobEvents);
    ada.answer(BrowserAnswer.to(adaEvents.lastOffer(), 1000));
    bob.answer(BrowserAnswer.to(bobEvents.lastOffer(), 2000));
    assertThat(nodeA.awaitQuiet(Duration.ofSeconds(5))).isTrue();
    String adaOffer = adaEvents.lastOffer();
    assertThat(adaOffer).contains("a=ssrc:2001 ");
    assertThat(states.read(roomId.toString())).get().asString().contains(bob.id());

    // node A's lease lapses (it froze or died): node B resumes Ada, taking the conference over
    synchronized (leases) {
      leases.owners.remove(roomId.toString());
    }
    var adaOnB = new RecordingEvents();
    FocusParticipant resumed = nodeB.resume(roomId, ada.id(), "guest-Ada", adaOnB);

    assertThat(resumed.id()).isEqualTo(ada.id());
    assertThat(adopted).singleElement().asString().startsWith("node-b ").endsWith(" jvb-test 2");
    assertThat(adaOnB.types()).startsWith("joined");
    assertThat(adaOnB.othersAtJoin).extracting(ParticipantInfo::participantId).contains(bob.id());
    // the same bridge transport and m-lines as the offer Ada has, with Bob's sources: no new
    // endpoint, nothing expired
    String again = adaOnB.lastOffer();
    assertThat(again).contains("a=ice-ufrag:" + FakeBridges.UFRAG).contains("a=ssrc:2001 ");
    assertThat(again.split("\r\nm=")).hasSameSizeAs(adaOffer.split("\r\nm="));
    assertThat(bridgesB.log).doesNotContain("allocate " + ada.id(), "expire " + ada.id());
    resumed.answer(BrowserAnswer.to(again, 1000));
    assertThat(nodeB.awaitQuiet(Duration.ofSeconds(5))).isTrue();
    assertThat(bridgesB.log).contains("update " + ada.id());
    // someone else joining on B is on the conference taken over
    var cyEvents = new RecordingEvents();
    FocusParticipant cy = nodeB.join(request("Cy"), cyEvents);
    assertThat(cyEvents.othersAtJoin)
        .extracting(ParticipantInfo::participantId)
        .containsExactlyInAnyOrder(ada.id(), bob.id());
    // (the adopted bridge side was opened once, by the takeover; no new bridge conference)
    assertThat(bridgesB.log).filteredOn(l -> l.startsWith("open ")).hasSize(1);

    // node A learns it lost the lease at its next renewal: it does nothing for the room any more
    int before = bridgesA.log.size();
    nodeA.renewNow();
    assertThat(bobEvents.types()).endsWith("moved");
    bob.leave(LeaveReason.LEAVE);
    assertThat(nodeA.awaitQuiet(Duration.ofSeconds(5))).isTrue();
    assertThat(bridgesA.log.subList(before, bridgesA.log.size())).isEmpty();
    assertThat(nodeB.awaitQuiet(Duration.ofSeconds(5))).isTrue();
    assertThat(states.read(roomId.toString())).get().asString().contains(bob.id(), cy.id());
    // a resume of a participant who is not in the conference is refused
    assertThatThrownBy(() -> nodeB.resume(roomId, "nobody", "guest-Ada", new RecordingEvents()))
        .isInstanceOf(FocusException.class);
  }

  @Test
  void a_p2p_call_taken_over_keeps_its_session_and_a_third_join_brings_the_pair_to_the_bridge()
      throws Exception {
    var adaEvents = new P2pConferenceTest.P2pEvents();
    FocusParticipant ada = nodeA.join(request("Ada", true), adaEvents);
    ada.answer(BrowserAnswer.to(adaEvents.lastOffer(), 1000));
    var bobEvents = new P2pConferenceTest.P2pEvents();
    FocusParticipant bob = nodeA.join(request("Bob", true), bobEvents);
    bob.answer(BrowserAnswer.to(bobEvents.lastOffer(), 2000));
    String session = adaEvents.sessionId();
    ada.p2pState(session, true);
    bob.p2pState(session, true);
    assertThat(nodeA.awaitQuiet(Duration.ofSeconds(5))).isTrue();
    assertThat(adaEvents.p2p).last().isEqualTo("active " + session);

    // node A dies; both resume on node B
    synchronized (leases) {
      leases.owners.remove(roomId.toString());
    }
    var adaOnB = new P2pConferenceTest.P2pEvents();
    FocusParticipant adaB = nodeB.resume(roomId, ada.id(), "guest-Ada", adaOnB);
    var bobOnB = new P2pConferenceTest.P2pEvents();
    FocusParticipant bobB = nodeB.resume(roomId, bob.id(), "guest-Bob", bobOnB);
    // the direct connection goes on: no bridge endpoint, no offer, and its frames still pass
    assertThat(adaOnB.offers()).isEmpty();
    adaB.p2pCandidate(session, CANDIDATE, "0", 0);
    assertThat(bobOnB.p2p).last().isEqualTo("candidate " + ada.id() + " " + CANDIDATE + " 0 0");

    // a third joins on B: the pair is told the session ends and gets bridge endpoints and offers
    nodeB.join(request("Cy", true), new P2pConferenceTest.P2pEvents());
    assertThat(nodeB.awaitQuiet(Duration.ofSeconds(5))).isTrue();
    assertThat(adaOnB.p2p).contains("stop " + session + " participants");
    assertThat(bobOnB.p2p).contains("stop " + session + " participants");
    assertThat(bridgesB.log).contains("allocate " + ada.id(), "allocate " + bob.id());
    assertThat(adaOnB.offers()).isNotEmpty();
    assertThat(bobOnB.offers()).isNotEmpty();
    assertThat(bobB.id()).isEqualTo(bob.id());
  }

  private static final String CANDIDATE =
      "candidate:1 1 udp 2122260223 10.0.0.2 50000 typ host generation 0";

  @Test
  void a_node_that_shuts_down_hands_its_conference_over_at_once() throws Exception {
    var adaEvents = new RecordingEvents();
    FocusParticipant ada = nodeA.join(request("Ada"), adaEvents);
    ada.answer(BrowserAnswer.to(adaEvents.lastOffer(), 1000));
    var bobEvents = new RecordingEvents();
    FocusParticipant bob = nodeA.join(request("Bob"), bobEvents);
    assertThat(nodeA.awaitQuiet(Duration.ofSeconds(5))).isTrue();

    nodeA.handOver();

    // both are told to reconnect, the bridge conference is left alone, the lease is free
    assertThat(adaEvents.types()).endsWith("moved");
    assertThat(bobEvents.types()).endsWith("moved");
    assertThat(bridgesA.log).doesNotContain("close", "expire " + ada.id(), "expire " + bob.id());
    assertThat(leases.owner(roomId.toString())).isEmpty();
    // node B continues at once; node A takes nothing new
    FocusParticipant resumed = nodeB.resume(roomId, bob.id(), "guest-Bob", new RecordingEvents());
    assertThat(resumed.id()).isEqualTo(bob.id());
    assertThatThrownBy(() -> nodeA.join(request("Cy"), new RecordingEvents()))
        .isInstanceOf(FocusException.class)
        .hasMessageContaining("shutting down");
  }

  /** The state store, fenced by the in-memory leases like the Redis one by its Lua script. */
  private static final class MemoryStates implements ConferenceStateStore {
    private final MemoryLeases leases;
    private final Map<String, String> byConference = new HashMap<>();

    MemoryStates(MemoryLeases leases) {
      this.leases = leases;
    }

    @Override
    public boolean write(ConferenceLeases.Lease lease, String state) {
      synchronized (leases) {
        if (!lease.nodeId().equals(leases.owners.get(lease.conferenceId()))) {
          return false;
        }
        byConference.put(lease.conferenceId(), state);
        return true;
      }
    }

    @Override
    public synchronized Optional<String> read(String conferenceId) {
      synchronized (leases) {
        return Optional.ofNullable(byConference.get(conferenceId));
      }
    }

    @Override
    public void end(ConferenceLeases.Lease lease) {
      synchronized (leases) {
        if (lease.nodeId().equals(leases.owners.get(lease.conferenceId()))) {
          byConference.remove(lease.conferenceId());
          leases.owners.remove(lease.conferenceId());
        }
      }
    }
  }
}
