package io.openmeet.focus.colibri;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.openmeet.focus.colibri.ColibriSessionManager.Conference;
import io.openmeet.focus.sdp.SdpAnswer;
import io.openmeet.focus.testing.Eventually;
import io.openmeet.focus.testing.LiteTestBridge;
import io.openmeet.focus.testing.TestBridge;
import io.openmeet.litebridge.LiteBridge;
import io.openmeet.litebridge.media.EndpointTransport;
import io.openmeet.litebridge.media.MediaConference;
import io.openmeet.litebridge.media.MediaEngine;
import io.openmeet.litebridge.media.MediaSourceDesc;
import io.openmeet.litebridge.media.MediaStats;
import io.openmeet.transport.DtlsFingerprint;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.jitsi.xmpp.extensions.colibri2.ConferenceModifyIQ;
import org.jivesoftware.smack.StanzaListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The session manager against a real lite-bridge (in-process) found through our own registry in a
 * brewery room of its own on the real Prosody, with admission in the real Redis: the conformance
 * tests every bridge passes, plus what needs lite-bridge's insides (holding or failing a create on
 * the bridge, reading its conferences).
 */
class Colibri2SessionManagerTest extends Colibri2ConformanceTest {

  private LiteBridge bridge;
  // runs on the bridge before it creates a conference's media (a test holds or fails one there)
  private static volatile Consumer<String> beforeCreateConference = meetingId -> {};
  private static volatile Consumer<String> beforeCreateEndpoint = endpointId -> {};

  @Override
  protected TestBridge startBridge(String brewery) throws Exception {
    LiteTestBridge lite =
        LiteTestBridge.start(
            brewery, "lite-" + UUID.randomUUID().toString().substring(0, 8), GatedMediaEngine::new);
    bridge = lite.bridge();
    return lite;
  }

  /**
   * The real media engine, with {@link #beforeCreateConference} and {@link #beforeCreateEndpoint}.
   */
  private record GatedMediaEngine(MediaEngine real) implements MediaEngine {
    @Override
    public DtlsFingerprint localFingerprint() {
      return real.localFingerprint();
    }

    @Override
    public MediaConference createConference(String meetingId, MediaConference.Listener listener) {
      beforeCreateConference.accept(meetingId);
      MediaConference conference = real.createConference(meetingId, listener);
      return new MediaConference() {
        @Override
        public EndpointTransport createEndpoint(String endpointId) {
          beforeCreateEndpoint.accept(endpointId);
          return conference.createEndpoint(endpointId);
        }

        @Override
        public List<MediaSourceDesc> feedbackSources() {
          return conference.feedbackSources();
        }

        @Override
        public void close() {
          conference.close();
        }
      };
    }

    @Override
    public MediaStats stats() {
      return real.stats();
    }

    @Override
    public void close() {
      real.close();
    }
  }

  // sending listeners a test added to the shared connection, removed after it
  private final List<StanzaListener> counting = new CopyOnWriteArrayList<>();

  @AfterEach
  void stopCounting() {
    counting.forEach(l -> focus.smack().removeStanzaSendingListener(l));
    counting.clear(); // one instance serves every test of the class
  }

  /** Counts the conference-modify requests this focus sends to create an endpoint. */
  private AtomicInteger countRequestsFor(String endpointId) {
    AtomicInteger sent = new AtomicInteger();
    StanzaListener count = stanza -> sent.incrementAndGet();
    counting.add(count);
    focus
        .smack()
        .addStanzaSendingListener(
            count,
            stanza ->
                stanza instanceof ConferenceModifyIQ request
                    && request.getEndpoints().stream()
                        .anyMatch(e -> endpointId.equals(e.getId()) && e.getCreate()));
    return sent;
  }

  /** The bridge holds the first create of {@code endpointId} until {@code release}. */
  private static void holdCreateOf(
      String endpointId, CountDownLatch creating, CountDownLatch release) {
    beforeCreateEndpoint =
        id -> {
          if (id.equals(endpointId) && creating.getCount() > 0) {
            creating.countDown();
            await(release);
          }
        };
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void aJoinWhileItsConferenceIsBeingCreatedIsSentBehindTheCreateWithoutWaitingForIt()
      throws Exception {
    Conference c = newConference();
    CountDownLatch creating = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    beforeCreateConference =
        id -> {
          if (id.equals(c.meetingId())) {
            creating.countDown();
            await(release);
          }
        };
    AtomicInteger bobSent = countRequestsFor("bob");
    var pool = Executors.newFixedThreadPool(2);
    try {
      Future<ColibriAllocation> ada = pool.submit(() -> manager.allocate(c, "ada", "Ada"));
      assertThat(creating.await(10, TimeUnit.SECONDS)).isTrue();
      Future<ColibriAllocation> bob = pool.submit(() -> manager.allocate(c, "bob", "Bob"));
      // Bob's request leaves while the bridge still holds the conference's create
      Eventually.within(WAIT, () -> assertThat(bobSent).hasValue(1));
      assertThat(ada).isNotDone();

      release.countDown();
      assertThat(ada.get(10, TimeUnit.SECONDS).bridgeId()).isEqualTo(bridgeId);
      assertThat(bob.get(10, TimeUnit.SECONDS).bridgeId()).isEqualTo(bridgeId);
      assertThat(bridge.conferences().get(c.meetingId()).orElseThrow().endpointCount())
          .isEqualTo(2);
    } finally {
      release.countDown();
      beforeCreateConference = id -> {};
      pool.shutdownNow();
    }
    manager.expireConference(c.meetingId());
  }

  @Test
  void endpointsThatMoveAreAllOnTheWireBeforeTheFirstAnswer() throws Exception {
    Conference c = newConference();
    CountDownLatch creating = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    beforeCreateConference =
        id -> {
          if (id.equals(c.meetingId())) {
            creating.countDown();
            await(release);
          }
        };
    List<AtomicInteger> sent =
        List.of(countRequestsFor("m0"), countRequestsFor("m1"), countRequestsFor("m2"));
    var pool = Executors.newSingleThreadExecutor();
    try {
      var moved =
          pool.submit(() -> manager.allocateAll(c, Map.of("m0", "M0", "m1", "M1", "m2", "M2")));
      assertThat(creating.await(10, TimeUnit.SECONDS)).isTrue();
      // while the bridge still holds the first create, the other two have left too
      Eventually.within(
          WAIT, () -> assertThat(sent).allSatisfy(count -> assertThat(count).hasValue(1)));
      assertThat(moved).isNotDone();

      release.countDown();
      var outcome = moved.get(10, TimeUnit.SECONDS);
      assertThat(outcome.values())
          .allSatisfy(m -> assertThat(m.allocation().bridgeId()).isEqualTo(bridgeId));
      assertThat(bridge.conferences().get(c.meetingId()).orElseThrow().endpointCount())
          .isEqualTo(3);
    } finally {
      release.countDown();
      beforeCreateConference = id -> {};
      pool.shutdownNow();
    }
    manager.expireConference(c.meetingId());
  }

  @Test
  void whenTheCreateFailsTheJoinsSentBehindItCreateTheConferenceAgain() throws Exception {
    // its own manager: the failed create must not mark the shared bridge unhealthy
    var failures = new CopyOnWriteArrayList<String>();
    var own = newManager(failures::add);
    Conference c = newConference();
    AtomicInteger creates = new AtomicInteger();
    AtomicInteger bobSent = countRequestsFor("bob");
    CountDownLatch creating = new CountDownLatch(1);
    beforeCreateConference =
        id -> {
          if (id.equals(c.meetingId()) && creates.incrementAndGet() == 1) {
            creating.countDown();
            // fail the first create once Bob's request is queued behind it
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (bobSent.get() < 1 && System.nanoTime() < deadline) {
              LockSupport.parkNanos(1_000_000);
            }
            throw new IllegalStateException("test: the first create fails");
          }
        };
    var pool = Executors.newFixedThreadPool(2);
    try {
      Future<ColibriAllocation> ada = pool.submit(() -> own.allocate(c, "ada", "Ada"));
      assertThat(creating.await(10, TimeUnit.SECONDS)).isTrue();
      Future<ColibriAllocation> bob = pool.submit(() -> own.allocate(c, "bob", "Bob"));

      assertThat(ada.get(15, TimeUnit.SECONDS).bridgeId()).isEqualTo(bridgeId);
      assertThat(bob.get(15, TimeUnit.SECONDS).bridgeId()).isEqualTo(bridgeId);
      assertThat(creates).hasValue(2);
      assertThat(bobSent.get()).isGreaterThanOrEqualTo(2); // once behind the failed create, again
      assertThat(bridge.conferences().get(c.meetingId()).orElseThrow().endpoints())
          .extracting(e -> e.id())
          .containsExactlyInAnyOrder("ada", "bob");
      assertThat(failures).containsOnly(bridgeId);
    } finally {
      beforeCreateConference = id -> {};
      pool.shutdownNow();
    }
    own.expireConference(c.meetingId());
  }

  @Test
  void anEndpointThatLeavesGivesBackItsAdmissionReservation() throws Exception {
    // The registry settles reservations older than 2 s when stats arrive (every second here), so
    // the figures below are only conclusive when one round takes well under 2 s; a machine too
    // busy for that gets a few tries, then the test is skipped rather than guessed.
    for (int attempt = 0; attempt < 3; attempt++) {
      long start = System.nanoTime();
      Conference c = newConference();
      double before = admission.reservedLoad(bridgeId);
      manager.allocate(c, "ep1", "Ada");
      manager.allocate(c, "ep2", "Bob");
      double allocated = admission.reservedLoad(bridgeId);
      manager.expire(c.meetingId(), "ep1");
      double oneLeft = admission.reservedLoad(bridgeId);
      manager.expire(c.meetingId(), "ep2");
      double noneLeft = admission.reservedLoad(bridgeId);
      if (System.nanoTime() - start > Duration.ofMillis(1500).toNanos()) {
        continue;
      }
      assertThat(allocated).isGreaterThanOrEqualTo(0.02 - 1e-9); // two reservations of 0.01
      assertThat(oneLeft).isLessThanOrEqualTo(allocated - 0.01 + 1e-9);
      assertThat(noneLeft)
          .isLessThanOrEqualTo(Math.max(0, Math.min(before, allocated - 0.02)) + 1e-9);
      return;
    }
    org.junit.jupiter.api.Assumptions.abort("the machine was too busy for a conclusive round");
  }

  @Test
  void removingABridgeReportsItsEndpointsAndForgetsItsConferences() throws Exception {
    Conference c = newConference();
    manager.allocate(c, "ep1", "Ada");
    manager.allocate(c, "ep2", "Bob");
    List<Map<String, Set<String>>> reported = new CopyOnWriteArrayList<>();
    manager.addListener((id, endpoints) -> reported.add(endpoints));

    Map<String, Set<String>> affected = manager.removeBridge(bridgeId);

    assertThat(affected.get(c.meetingId())).containsExactlyInAnyOrder("ep1", "ep2");
    assertThat(reported).hasSize(1);
    assertThat(reported.get(0)).containsEntry(c.meetingId(), affected.get(c.meetingId()));
    assertThat(manager.bridgeOf(c.meetingId())).isEmpty();
    // The next join places the conference anew (here on the same, only bridge).
    assertThat(manager.allocate(c, "ep3", "Cy").bridgeId()).isEqualTo(bridgeId);
    manager.expireConference(c.meetingId());
  }

  @Test
  void aBridgeThatLeavesIsRemovedAtOnceWhileAnEndpointChangeAwaitsItsAnswer() throws Exception {
    Conference c = newConference();
    manager.allocate(c, "ada", "Ada");
    SdpAnswer answer = SdpAnswer.parse(resource("/sdp/chromium-answer-1-sendrecv.sdp"));
    CountDownLatch creating = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    holdCreateOf("bob", creating, release);
    var pool = Executors.newFixedThreadPool(2);
    try {
      Future<ColibriAllocation> bob = pool.submit(() -> manager.allocate(c, "bob", "Bob"));
      assertThat(creating.await(10, TimeUnit.SECONDS)).isTrue();
      // the bridge applies the conference's requests in order: Ada's update waits behind Bob's
      // held create, as a request to a bridge that died waits for its timeout
      var update = manager.update(c.meetingId(), "ada", answer.transport(), answer.sources("ada"));
      Thread.sleep(300); // the update is on the wire
      assertThat(update).isNotDone();

      long start = System.nanoTime();
      var removed =
          Executors.newSingleThreadExecutor().submit(() -> manager.removeBridge(bridgeId));
      assertThat(removed.get(2, TimeUnit.SECONDS).get(c.meetingId())).contains("ada");
      // and the update fails at once (its conference's lane moves on), the bridge not marked
      // unhealthy: it is gone, not slow
      assertThatThrownBy(() -> update.get(2, TimeUnit.SECONDS))
          .cause()
          .isInstanceOfSatisfying(
              BridgeFailedException.class, e -> assertThat(e.bridgeUnhealthy()).isFalse());
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
      // Bob's allocation was cancelled with the bridge and tried again; it ends before the next
      // test counts this bridge's reservations
      release.countDown();
      assertThat(bob.get(15, TimeUnit.SECONDS).bridgeId()).isEqualTo(bridgeId);
    } finally {
      release.countDown();
      beforeCreateEndpoint = id -> {};
      pool.shutdownNow();
    }
    manager.expireConference(c.meetingId());
  }

  @Test
  void anEndpointAllocatedForAConferenceWeLeftMeanwhileIsExpiredBeforeTheRetry() throws Exception {
    Conference c = newConference();
    manager.allocate(c, "ada", "Ada");
    CountDownLatch creating = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    holdCreateOf("bob", creating, release);
    var pool = Executors.newSingleThreadExecutor();
    try {
      Future<ColibriAllocation> bob = pool.submit(() -> manager.allocate(c, "bob", "Bob"));
      assertThat(creating.await(10, TimeUnit.SECONDS)).isTrue();
      // while Bob's endpoint is being made, the focus gives up on the bridge's conference (as when
      // the bridge leaves the brewery for a moment): Bob's answer comes back for a conference the
      // focus no longer uses, and the retry places the conference anew
      manager.removeBridge(bridgeId);
      release.countDown();

      assertThat(bob.get(15, TimeUnit.SECONDS).bridgeId()).isEqualTo(bridgeId);
      // the first "bob" was expired before the retry made it again (otherwise: endpoint exists)
      assertThat(bridge.conferences().get(c.meetingId()).orElseThrow().endpoint("bob")).isPresent();
    } finally {
      release.countDown();
      beforeCreateEndpoint = id -> {};
      pool.shutdownNow();
    }
    manager.expireConference(c.meetingId());
  }
}
