package io.openmeet.focus.colibri;

import static io.openmeet.focus.colibri.BridgeAnswers.answered;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;

import io.openmeet.focus.bridge.BridgeRegistry;
import io.openmeet.focus.bridge.BridgeSelector;
import io.openmeet.focus.colibri.ColibriSessionManager.Conference;
import io.openmeet.focus.sdp.CodecSettings;
import io.openmeet.focus.sdp.IceCandidate;
import io.openmeet.focus.sdp.MediaKind;
import io.openmeet.focus.sdp.MediaSource;
import io.openmeet.focus.sdp.SdpAnswer;
import io.openmeet.focus.sdp.SdpParser;
import io.openmeet.focus.sdp.SdpWriter;
import io.openmeet.focus.sdp.SessionDescription;
import io.openmeet.focus.sdp.Setup;
import io.openmeet.focus.sdp.TransportDescription;
import io.openmeet.focus.sdp.UnifiedPlanOffer;
import io.openmeet.focus.testing.ColibriProbe;
import io.openmeet.focus.testing.Eventually;
import io.openmeet.focus.testing.FocusStack;
import io.openmeet.focus.testing.TestBridge;
import io.openmeet.focus.testing.TestEnv;
import io.openmeet.focus.xmpp.FocusXmppConnection;
import io.openmeet.presence.bridge.BridgeSnapshot;
import io.openmeet.presence.bridge.RedisBridgeAdmission;
import io.openmeet.presence.bridge.RedisBridgeStateStore;
import java.io.InputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.assertj.core.api.SoftAssertions;
import org.jitsi.xmpp.extensions.colibri2.Colibri2Endpoint;
import org.jitsi.xmpp.extensions.colibri2.Colibri2Error;
import org.jitsi.xmpp.extensions.colibri2.ConferenceModifyIQ;
import org.jivesoftware.smack.StanzaListener;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.StanzaError;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.jxmpp.jid.impl.JidCreate;

/**
 * What the focus sees of a bridge, through our own registry and session manager: the same tests run
 * against lite-bridge ({@link Colibri2SessionManagerTest}) and the stock Jitsi Videobridge ({@link
 * JvbColibri2SessionManagerTest}), so lite-bridge behaves like JVB wherever the focus or the
 * browser can tell. The bridge's state is read over Colibri2 ({@link ColibriProbe}), never from its
 * insides.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class Colibri2ConformanceTest {

  protected static final Duration WAIT = Duration.ofSeconds(15);
  private static final String HEX_PAIR = "[0-9A-F]{2}";

  protected TestBridge testBridge;
  protected String bridgeId;
  protected FocusStack stack;
  protected FocusXmppConnection focus;
  protected RedisBridgeStateStore store;
  protected RedisBridgeAdmission admission;
  protected BridgeRegistry registry;
  protected BridgeSelector selector;
  protected Colibri2SessionManager manager;
  protected ColibriProbe probe;

  /** Starts the bridge under test as an occupant of {@code brewery}. */
  protected abstract TestBridge startBridge(String brewery) throws Exception;

  @BeforeAll
  void startBridgeAndFocus() throws Exception {
    String brewery = TestEnv.uniqueBrewery();
    testBridge = startBridge(brewery);
    bridgeId = testBridge.id();
    stack = FocusStack.start(brewery);
    focus = stack.focus();
    store = stack.store();
    admission = stack.admission();
    registry = stack.registry();
    selector = stack.selector("region-aware");
    manager = newManager(ignored -> {});
    Eventually.within(WAIT, () -> assertThat(registry.bridge(bridgeId)).isPresent());
    // what admission reads: written before the registry offers the bridge
    assertThat(store.get(bridgeId)).isPresent();
    probe = new ColibriProbe(focus.smack(), testBridge.occupantJid());
    warmUp();
  }

  /**
   * The first allocation on a freshly started bridge loads its classes (JVB: ≈ 1 s on an idle
   * machine, many more while other builds share its cores); it is done once here with a long
   * timeout, so that the tests measure behaviour, not class loading.
   */
  private void warmUp() throws Exception {
    Colibri2SessionManager patient =
        stack.manager(selector, ignored -> {}, Duration.ofSeconds(60), 1);
    Conference c = newConference();
    patient.allocate(c, "warm-up", "warm-up");
    patient.expireConference(c.meetingId());
  }

  @AfterAll
  void stopBridgeAndFocus() {
    if (stack != null) {
      stack.close();
    }
    if (testBridge != null) {
      testBridge.close();
    }
  }

  /** A session manager of its own (another focus node's state) on the shared connection. */
  protected Colibri2SessionManager newManager(Consumer<String> bridgeFailed) {
    return stack.manager(selector, bridgeFailed, Duration.ofSeconds(5), 3);
  }

  protected static Conference newConference() {
    String meetingId = UUID.randomUUID().toString();
    return new Conference(
        meetingId,
        "room-" + meetingId.substring(0, 8) + "@conference.meet.local",
        Optional.empty());
  }

  protected static String resource(String path) throws Exception {
    try (InputStream in = Colibri2ConformanceTest.class.getResourceAsStream(path)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static InetAddress address(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      throw new AssertionError("not an address: " + literal, e);
    }
  }

  @Test
  void theRegistrySeesTheBridgesStats() {
    BridgeSnapshot seen = registry.bridge(bridgeId).orElseThrow();
    assertThat(seen.jid()).isEqualTo(testBridge.occupantJid());
    assertThat(seen.acceptsNewConferences()).isTrue();
    assertThat(seen.healthy()).isTrue();
  }

  @Test
  void allocationsCreateTheConferenceOnceAndGiveEachEndpointItsOwnIce() throws Exception {
    Conference c = newConference();
    ColibriAllocation first = manager.allocate(c, "ep1", "Ada");
    ColibriAllocation second = manager.allocate(c, "ep2", "Bob");

    assertThat(first.bridgeId()).isEqualTo(bridgeId);
    assertThat(manager.bridgeOf(c.meetingId())).contains(bridgeId);
    assertThat(probe.conferenceExists(c.meetingId())).isTrue();
    assertThat(probe.endpointExists(c.meetingId(), "ep1")).isTrue();
    assertThat(probe.endpointExists(c.meetingId(), "ep2")).isTrue();

    // ICE: credentials of its own per endpoint (RFC 8445 sizes)
    assertThat(first.transport().ufrag()).isNotEqualTo(second.transport().ufrag());
    assertThat(first.transport().ufrag().length()).isGreaterThanOrEqualTo(4);
    assertThat(first.transport().pwd().length()).isGreaterThanOrEqualTo(22);
    // DTLS: one certificate per bridge, sha-256, the role left to the browser
    assertThat(first.transport().fingerprints()).isEqualTo(second.transport().fingerprints());
    assertThat(first.transport().fingerprints())
        .singleElement()
        .satisfies(
            fp -> {
              assertThat(fp.hash()).isEqualTo("sha-256");
              assertThat(fp.setup()).isEqualTo(Setup.ACTPASS);
              assertThat(fp.value()).matches("(" + HEX_PAIR + ":){31}" + HEX_PAIR);
            });
    // host candidates on the addresses this bridge can use here (JVB: none on loopback)
    Set<InetAddress> usable = new HashSet<>();
    testBridge.candidateAddresses().forEach(a -> usable.add(address(a)));
    for (ColibriAllocation a : List.of(first, second)) {
      assertThat(a.transport().candidates())
          .allSatisfy(
              cand -> {
                assertThat(address(cand.address())).isIn(usable);
                assertThat(cand.protocol()).isEqualTo("udp");
                assertThat(cand.type()).isEqualTo("host");
                assertThat(cand.component()).isEqualTo(1);
              });
    }
    if (usable.stream().anyMatch(a -> a instanceof Inet4Address)) {
      assertThat(first.transport().candidates())
          .extracting(cand -> address(cand.address()))
          .anySatisfy(a -> assertThat(a).isInstanceOf(Inet4Address.class));
    }
    assertThat(first.transport().candidates())
        .extracting(IceCandidate::port)
        .isEqualTo(second.transport().candidates().stream().map(IceCandidate::port).toList());
    // the feedback sources belong to the conference: the same for every endpoint
    assertThat(first.feedbackSources())
        .extracting(MediaSource::kind, MediaSource::name)
        .containsExactlyInAnyOrder(
            tuple(MediaKind.AUDIO, "jvb-a0"), tuple(MediaKind.VIDEO, "jvb-v0"));
    assertThat(first.feedbackSources()).allSatisfy(s -> assertThat(s.ssrcs()).hasSize(1));
    assertThat(second.feedbackSources()).isEqualTo(first.feedbackSources());
    // the bridge channel: one URL per endpoint, ending in its id and a password of its own
    assertThat(first.webSocketUrl())
        .hasValueSatisfying(
            url -> assertThat(url).matches("wss?://[^/]+/colibri-ws/[^/]+/[^/]+/ep1\\?pwd=\\w+"));
    assertThat(second.webSocketUrl())
        .hasValueSatisfying(
            url -> assertThat(url).matches("wss?://[^/]+/colibri-ws/[^/]+/[^/]+/ep2\\?pwd=\\w+"));
    assertThat(password(first)).isNotEqualTo(password(second));

    // The offer built from the allocation carries the bridge's ICE and DTLS parameters.
    UnifiedPlanOffer offer =
        new UnifiedPlanOffer(
            CodecSettings.defaults(false),
            first.transport(),
            first.feedbackSources(),
            List.of(MediaKind.AUDIO, MediaKind.VIDEO));
    SessionDescription sdp = SdpParser.parse(SdpWriter.write(offer.next(List.of())));
    assertThat(sdp.media().get(0).attribute("ice-ufrag").orElseThrow().value())
        .isEqualTo(first.transport().ufrag());
    assertThat(sdp.media().get(0).attribute("fingerprint").orElseThrow().value())
        .isEqualTo(first.transport().fingerprints().get(0).render());
    manager.expireConference(c.meetingId());
  }

  private static String password(ColibriAllocation a) {
    String url = a.webSocketUrl().orElseThrow();
    return url.substring(url.indexOf("?pwd=") + 5);
  }

  @Test
  void theBridgeChannelUrlOpensAndTheBridgeSaysHello() throws Exception {
    Conference c = newConference();
    ColibriAllocation a = manager.allocate(c, "ep1", "Ada");
    List<String> received = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> hello = new CompletableFuture<>();
    WebSocket ws =
        HttpClient.newHttpClient()
            .newWebSocketBuilder()
            .buildAsync(
                URI.create(a.webSocketUrl().orElseThrow()),
                new WebSocket.Listener() {
                  @Override
                  public CompletionStage<?> onText(
                      WebSocket webSocket, CharSequence data, boolean last) {
                    received.add(data.toString());
                    if (data.toString().contains("\"ServerHello\"")) {
                      hello.complete(null);
                    }
                    webSocket.request(1);
                    return null;
                  }
                })
            .get(10, TimeUnit.SECONDS);
    try {
      hello.get(10, TimeUnit.SECONDS);
      assertThat(received.get(0)).contains("\"colibriClass\":\"ServerHello\"");
      // a wrong password is refused (the URL is the endpoint's only credential)
      String wrong = a.webSocketUrl().orElseThrow().replaceAll("pwd=\\w+", "pwd=wrong");
      assertThat(
              catchThrowableOfType(
                  ExecutionException.class,
                  () ->
                      HttpClient.newHttpClient()
                          .newWebSocketBuilder()
                          .buildAsync(URI.create(wrong), new WebSocket.Listener() {})
                          .get(10, TimeUnit.SECONDS)))
          .isNotNull();
    } finally {
      ws.abort();
      manager.expireConference(c.meetingId());
    }
  }

  @Test
  void theBrowsersAnswerGoesToTheBridgeAndUnknownEndpointsSayReallocate() throws Exception {
    Conference c = newConference();
    manager.allocate(c, "ep1", "Ada");
    SdpAnswer answer = SdpAnswer.parse(resource("/sdp/chromium-answer-1-sendrecv.sdp"));

    answered(manager.update(c.meetingId(), "ep1", answer.transport(), answer.sources("ep1")));
    assertThat(probe.endpointExists(c.meetingId(), "ep1")).isTrue();

    UnknownEndpointException e =
        catchThrowableOfType(
            UnknownEndpointException.class,
            () ->
                answered(
                    manager.update(
                        c.meetingId(), "ghost", answer.transport(), answer.sources("ghost"))));
    assertThat(e.endpointId()).isEqualTo("ghost");
    manager.expireConference(c.meetingId());
  }

  @Test
  void candidatesTrickledAfterTheAnswerAreAcceptedAndUnknownEndpointsSayReallocate()
      throws Exception {
    Conference c = newConference();
    manager.allocate(c, "ep1", "Ada");
    SdpAnswer answer = SdpAnswer.parse(resource("/sdp/chromium-answer-1-sendrecv.sdp"));
    answered(manager.update(c.meetingId(), "ep1", answer.transport(), answer.sources("ep1")));
    TransportDescription trickled =
        new TransportDescription(
            answer.transport().ufrag(),
            answer.transport().pwd(),
            List.of(),
            List.of(
                IceCandidate.parse(
                    "candidate:2 1 udp 41885439 127.0.0.1 49212 typ relay raddr 10.0.0.5"
                        + " rport 50001 generation 0")));

    answered(manager.addCandidates(c.meetingId(), "ep1", trickled));
    assertThat(probe.endpointExists(c.meetingId(), "ep1")).isTrue();

    UnknownEndpointException e =
        catchThrowableOfType(
            UnknownEndpointException.class,
            () -> answered(manager.addCandidates(c.meetingId(), "ghost", trickled)));
    assertThat(e.endpointId()).isEqualTo("ghost");
    manager.expireConference(c.meetingId());
  }

  @Test
  void aConferenceTheBridgeLostIsReportedAndRecreatedOnTheNextAllocation() throws Exception {
    Conference c = newConference();
    manager.allocate(c, "ep1", "Ada");
    // The bridge loses it behind our back (as after an expiry on the bridge).
    focus
        .smack()
        .createStanzaCollectorAndSend(
            Colibri2Messages.expireConference(
                ConferenceModifyIQ.builder(focus.smack()),
                JidCreate.from(testBridge.occupantJid()),
                c.meetingId()))
        .nextResultOrThrow(5000);
    Eventually.within(WAIT, () -> assertThat(exists(c)).isFalse());
    SdpAnswer answer = SdpAnswer.parse(resource("/sdp/chromium-answer-1-sendrecv.sdp"));

    ConferenceNotFoundException e =
        catchThrowableOfType(
            ConferenceNotFoundException.class,
            () ->
                answered(
                    manager.update(
                        c.meetingId(), "ep1", answer.transport(), answer.sources("ep1"))));

    ColibriAllocation again = manager.allocate(c, "ep1", "Ada");
    assertThat(again.bridgeId()).isEqualTo(bridgeId);
    assertThat(probe.conferenceExists(c.meetingId())).isTrue();
    answered(manager.update(c.meetingId(), "ep1", answer.transport(), answer.sources("ep1")));
    manager.expireConference(c.meetingId());
  }

  @Test
  void aSecondFocusCreatingTheSameConferenceIsToldItExistsAndJoinsIt() throws Exception {
    Conference c = newConference();
    manager.allocate(c, "ada", "Ada");
    List<IQ> errors = new CopyOnWriteArrayList<>();
    StanzaListener collect = stanza -> errors.add((IQ) stanza);
    focus
        .smack()
        .addSyncStanzaListener(
            collect, stanza -> stanza instanceof IQ iq && iq.getType() == IQ.Type.error);
    // another node's manager has never seen the conference, so it asks to create it
    Colibri2SessionManager other = newManager(ignored -> {});
    try {
      assertThat(other.allocate(c, "bob", "Bob").bridgeId()).isEqualTo(bridgeId);
    } finally {
      focus.smack().removeSyncStanzaListener(collect);
    }
    assertThat(errors).hasSize(1);
    StanzaError error = errors.get(0).getError();
    assertThat(error.getCondition()).isEqualTo(StanzaError.Condition.conflict);
    ColibriException typed = Colibri2Messages.error(error, bridgeId, "bob", null);
    assertThat(typed).isInstanceOf(ColibriRejectedException.class);
    assertThat(((ColibriRejectedException) typed).reason())
        .contains(Colibri2Error.Reason.CONFERENCE_ALREADY_EXISTS);
    // both are in the one conference
    assertThat(probe.endpointExists(c.meetingId(), "ada")).isTrue();
    assertThat(probe.endpointExists(c.meetingId(), "bob")).isTrue();
    manager.expireConference(c.meetingId());
  }

  @Test
  void concurrentJoinsToOneConferenceAllGetAnEndpoint() throws Exception {
    Conference c = newConference();
    manager.allocate(c, "ep0", "Ada");
    var pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<ColibriAllocation>> joins = new ArrayList<>();
      for (int i = 1; i <= 8; i++) {
        String id = "ep" + i;
        joins.add(pool.submit(() -> manager.allocate(c, id, id)));
      }
      Set<String> ufrags = new HashSet<>();
      for (var join : joins) {
        ufrags.add(join.get(WAIT.toMillis(), TimeUnit.MILLISECONDS).transport().ufrag());
      }
      assertThat(ufrags).hasSize(8);
    } finally {
      pool.shutdownNow();
    }
    for (int i = 0; i <= 8; i++) {
      assertThat(probe.endpointExists(c.meetingId(), "ep" + i)).as("ep" + i).isTrue();
    }
    for (int i = 0; i <= 8; i++) {
      manager.expire(c.meetingId(), "ep" + i);
    }
    Eventually.within(WAIT, () -> assertThat(exists(c)).isFalse());
  }

  @Test
  void endpointsThatMoveAreAllocatedTogetherEachWithItsOwnIce() throws Exception {
    Conference c = newConference();
    Map<String, String> moving = new java.util.LinkedHashMap<>();
    for (int i = 0; i < 4; i++) {
      moving.put("mv" + i, "Mover " + i);
    }
    var moved = manager.allocateAll(c, moving);
    assertThat(moved.keySet()).containsExactlyElementsOf(moving.keySet());
    Set<String> ufrags = new HashSet<>();
    for (var e : moved.entrySet()) {
      assertThat(e.getValue().failure()).as(e.getKey()).isNull();
      assertThat(e.getValue().allocation().bridgeId()).isEqualTo(bridgeId);
      ufrags.add(e.getValue().allocation().transport().ufrag());
      assertThat(probe.endpointExists(c.meetingId(), e.getKey())).as(e.getKey()).isTrue();
    }
    assertThat(ufrags).hasSize(4);
    manager.expireConference(c.meetingId());
    Eventually.within(WAIT, () -> assertThat(exists(c)).isFalse());
  }

  @Test
  void expiringAnEndpointRemovesItAndTheLastOneTakesTheConferenceWithIt() throws Exception {
    Conference c = newConference();
    manager.allocate(c, "ep1", "Ada");
    manager.allocate(c, "ep2", "Bob");
    manager.expire(c.meetingId(), "ep1");
    // the expire is sent without waiting for the bridge's answer
    Eventually.within(
        WAIT, () -> assertThat(endpointExists(c, "ep1")).as("ep1 after expire").isFalse());
    assertThat(probe.endpointExists(c.meetingId(), "ep2")).isTrue();
    manager.expire(c.meetingId(), "ep2");
    assertThat(manager.bridgeOf(c.meetingId())).isEmpty();
    Eventually.within(WAIT, () -> assertThat(exists(c)).isFalse());
  }

  @Test
  void expiringTheConferenceRemovesItFromTheBridge() throws Exception {
    Conference c = newConference();
    manager.allocate(c, "ep1", "Ada");
    manager.allocate(c, "ep2", "Bob");
    manager.expireConference(c.meetingId());
    Eventually.within(WAIT, () -> assertThat(exists(c)).isFalse());
    // and a join after that creates it anew
    assertThat(manager.allocate(c, "ep3", "Cy").bridgeId()).isEqualTo(bridgeId);
    assertThat(probe.endpointExists(c.meetingId(), "ep3")).isTrue();
    assertThat(probe.endpointExists(c.meetingId(), "ep1")).isFalse();
    manager.expireConference(c.meetingId());
  }

  @Test
  void anEndpointAllocatedAgainGetsFreshIceAndAFreshBridgeChannel() throws Exception {
    // what the focus does for an ICE restart: expire the endpoint, allocate it again
    Conference c = newConference();
    manager.allocate(c, "ep1", "Ada");
    ColibriAllocation before = manager.allocate(c, "ep2", "Bob");
    manager.expire(c.meetingId(), "ep2");
    ColibriAllocation after = manager.allocate(c, "ep2", "Bob");

    assertThat(after.transport().ufrag()).isNotEqualTo(before.transport().ufrag());
    assertThat(after.transport().pwd()).isNotEqualTo(before.transport().pwd());
    assertThat(after.transport().fingerprints()).isEqualTo(before.transport().fingerprints());
    assertThat(password(after)).isNotEqualTo(password(before));
    assertThat(after.feedbackSources()).isEqualTo(before.feedbackSources());
    assertThat(probe.endpointExists(c.meetingId(), "ep2")).isTrue();
    manager.expireConference(c.meetingId());
  }

  @Test
  void aDrainingBridgeTakesNoNewConferenceButGrowsItsOwn() throws Exception {
    Conference running = newConference();
    manager.allocate(running, "ep1", "Ada");
    testBridge.setDrain(true);
    try {
      Eventually.within(
          WAIT, () -> assertThat(registry.bridge(bridgeId).orElseThrow().drain()).isTrue());

      NoBridgeException e =
          catchThrowableOfType(
              NoBridgeException.class, () -> manager.allocate(newConference(), "ep1", "Cy"));
      assertThat(manager.allocate(running, "ep2", "Bob").bridgeId()).isEqualTo(bridgeId);
    } finally {
      testBridge.setDrain(false);
      Eventually.within(
          WAIT, () -> assertThat(registry.bridge(bridgeId).orElseThrow().drain()).isFalse());
      manager.expireConference(running.meetingId());
    }
  }

  /**
   * A request that creates nothing and carries no media, transport or sources (an expire, a batch
   * of force-mutes, nothing at all) ignores endpoints the bridge does not have: jicofo expires or
   * mutes many endpoints in one request while some may be gone already. JVB answers with a result.
   */
  @Test
  void aRequestWithNothingToApplyIgnoresUnknownEndpoints() throws Exception {
    Conference c = newConference();
    manager.allocate(c, "ep1", "Ada");
    try {
      var expire = probe.request(c.meetingId());
      expire.addEndpoint(endpoint("ghost", b -> b.setExpire(true)));
      var mute = probe.request(c.meetingId());
      mute.addEndpoint(endpoint("ep1", b -> b.setForceMute(true, false)));
      mute.addEndpoint(endpoint("ghost", b -> b.setForceMute(true, false)));
      var nothing = probe.request(c.meetingId());
      nothing.addEndpoint(endpoint("ghost", b -> {}));

      SoftAssertions answers = new SoftAssertions();
      answers.assertThat(probe.answer(expire.build())).as("expire").isNull();
      answers.assertThat(probe.answer(mute.build())).as("force-mute batch").isNull();
      answers.assertThat(probe.answer(nothing.build())).as("an empty endpoint").isNull();
      answers.assertAll();
      assertThat(probe.endpointExists(c.meetingId(), "ghost")).isFalse();
    } finally {
      manager.expireConference(c.meetingId());
    }
  }

  /**
   * A moderator's mute as jicofo sends it (an endpoint's {@code <force-mute audio video/>}, set and
   * cleared): the bridge accepts it for its endpoint, which stays, and ignores an endpoint it does
   * not have. What it does to the media is tested with media (media-testkit's Colibri2MediaTest,
   * and the browser suite's 11-moderation on both bridges).
   */
  @Test
  void aForceMuteIsAcceptedAndClearedAndIgnoredForAnEndpointTheBridgeDoesNotHave()
      throws Exception {
    Conference c = newConference();
    manager.allocate(c, "ep1", "Ada");
    manager.allocate(c, "ep2", "Bob");
    try {
      manager.forceMute(c.meetingId(), "ep1", true, false);
      manager.forceMute(c.meetingId(), "ep1", true, true);
      manager.forceMute(c.meetingId(), "ep1", false, false);
      manager.forceMute(c.meetingId(), "ghost", true, true);
      assertThat(probe.endpointExists(c.meetingId(), "ep1")).isTrue();
      assertThat(probe.endpointExists(c.meetingId(), "ep2")).isTrue();
      assertThat(probe.endpointExists(c.meetingId(), "ghost")).isFalse();
    } finally {
      manager.expireConference(c.meetingId());
    }
    // an expired conference has nothing to mute: a typed error, nothing sent
    assertThat(
            catchThrowableOfType(
                ConferenceNotFoundException.class,
                () -> manager.forceMute(c.meetingId(), "ep1", true, false)))
        .isNotNull();
  }

  private static Colibri2Endpoint endpoint(String id, Consumer<Colibri2Endpoint.Builder> fill) {
    Colibri2Endpoint.Builder b = Colibri2Endpoint.getBuilder();
    b.setId(id);
    fill.accept(b);
    return b.build();
  }

  private boolean exists(Conference c) {
    try {
      return probe.conferenceExists(c.meetingId());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private boolean endpointExists(Conference c, String endpointId) {
    try {
      return probe.endpointExists(c.meetingId(), endpointId);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
