package io.openmeet.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.openmeet.litebridge.FocusClient;
import io.openmeet.litebridge.LiteBridge;
import io.openmeet.litebridge.TestEnv;
import io.openmeet.litebridge.WsClient;
import io.openmeet.litebridge.config.BridgeConfig;
import io.openmeet.litebridge.media.Ice4jMediaEngine;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jitsi.xmpp.extensions.colibri.WebSocketPacketExtension;
import org.jitsi.xmpp.extensions.colibri2.ConferenceModifiedIQ;
import org.jitsi.xmpp.extensions.colibri2.ConferenceModifyIQ;
import org.jitsi.xmpp.extensions.jingle.IceUdpTransportPacketExtension;
import org.jivesoftware.smack.packet.IQ;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.jxmpp.jid.Jid;

/**
 * JVB's video allocation with real packets: synthetic endpoints allocated over Colibri2 (XMPP on
 * the real Prosody) on a real lite-bridge with its real media engine, each with its colibri-ws
 * bridge channel. Video flows to a receiver only as its ReceiverVideoConstraints allow; audio
 * always; the bridge's ForwardedSources and SenderSourceConstraints say what it does; a source that
 * starts being forwarded costs its sender a keyframe request.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VideoAllocationMediaTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  private final String brewery = TestEnv.uniqueBrewery();
  private final String nickname = TestEnv.random("bridge-");
  private final HttpClient http = HttpClient.newHttpClient();
  private final List<AutoCloseable> opened = new ArrayList<>();
  private LiteBridge bridge;
  private FocusClient focus;
  private Jid bridgeJid;
  private String meetingId;
  private int iqs;

  /** One participant: its media and its bridge channel. */
  private record Peer(SyntheticEndpoint media, WsClient channel) {}

  @BeforeAll
  void start() throws Exception {
    BridgeConfig config = BridgeConfig.load(TestEnv.bridgeOverrides(brewery, nickname));
    bridge =
        new LiteBridge(config, new Ice4jMediaEngine(config.media()), Clock.systemUTC(), () -> 0.0)
            .start();
    focus = new FocusClient(brewery);
    focus.awaitStats(nickname, s -> true, Duration.ofSeconds(15));
    bridgeJid = focus.occupant(nickname);
  }

  @AfterEach
  void leave() throws Exception {
    for (AutoCloseable c : opened) {
      c.close();
    }
    opened.clear();
    meetingId = null;
  }

  @AfterAll
  void stop() {
    if (focus != null) {
      focus.close();
    }
    if (bridge != null) {
      bridge.close();
    }
  }

  @Test
  void aReceiverGetsNoVideoBeforeItsConstraintsAndThenGetsItStartingWithAKeyframeRequest()
      throws Exception {
    Peer a = join("a");
    Peer b = join("b");
    assertThat(forwarded(b)).isEmpty();
    assertThat(senderConstraints(a)).isEqualTo(constraint("a-v0", 0));

    // audio always flows; video waits for b's ReceiverVideoConstraints
    sendUntil(a, () -> b.media().receivedCount(a.media().audioSsrc()) >= 5, "a's audio at b");
    assertThat(b.media().receivedCount(a.media().videoSsrc())).isZero();
    // nobody receives a's video, so nobody asked a for a keyframe
    assertThat(plis(a)).isZero();

    b.channel().send(rvc(new JsonObject().put("defaultConstraints", maxHeight(360))));
    assertThat(forwarded(b)).containsExactly("a-v0");
    assertThat(senderConstraints(a)).isEqualTo(constraint("a-v0", 360));
    BridgeHarness.await(() -> plis(a) == 1, WAIT, "the bridge's PLI at a");
    sendUntil(a, () -> b.media().receivedCount(a.media().videoSsrc()) >= 5, "a's video at b");
  }

  @Test
  void lastNOneForwardsOnlyTheRankedSenderAndFollowsTheDominantSpeaker() throws Exception {
    Peer a = join("a");
    Peer b = join("b");
    Peer c = join("c");
    c.channel()
        .send(rvc(new JsonObject().put("lastN", 1).put("defaultConstraints", maxHeight(180))));
    // nobody spoke yet: the first to join ranks first
    assertThat(forwarded(c)).isEmpty();
    assertThat(forwarded(c)).containsExactly("a-v0");
    // video only: audio from a and b would let dominant-speaker detection pick whichever it heard
    // first (a lone speaker is dominant), and the ranking would no longer be the join order
    sendUntil(
        List.of(a, b), false, () -> c.media().receivedCount(a.media().videoSsrc()) >= 5, "a at c");
    assertThat(c.media().receivedCount(b.media().videoSsrc())).isZero();

    // b talks until it is the dominant speaker: c now gets b instead of a
    ForwardingTest.speakUntil(
        List.of(a.media(), b.media(), c.media()),
        b.media(),
        () -> c.channel().received.stream().anyMatch(m -> isDominant(m, "b")),
        "b dominant");
    // the allocation reports before the dominant-speaker event goes out, so it is queued already
    assertThat(lastForwarded(c)).containsExactly("b-v0");
    BridgeHarness.await(() -> plis(b) >= 1, WAIT, "a PLI at b for c");
    long fromA = c.media().receivedCount(a.media().videoSsrc());
    sendUntil(
        List.of(a, b), false, () -> c.media().receivedCount(b.media().videoSsrc()) >= 5, "b at c");
    assertThat(c.media().receivedCount(a.media().videoSsrc())).isEqualTo(fromA);
  }

  @Test
  void aSourceAtMaxHeightZeroOrUnnamedUnderADefaultOfZeroIsNotForwarded() throws Exception {
    Peer a = join("a");
    Peer b = join("b");
    Peer c = join("c");
    assertThat(forwarded(c)).isEmpty();
    // c shows a's tile only; b's is on another grid page
    c.channel()
        .send(
            rvc(
                new JsonObject()
                    .put("defaultConstraints", maxHeight(0))
                    .put("constraints", new JsonObject().put("a-v0", maxHeight(360)))));
    assertThat(forwarded(c)).containsExactly("a-v0");
    sendUntil(List.of(a, b), () -> c.media().receivedCount(a.media().videoSsrc()) >= 5, "a at c");
    assertThat(c.media().receivedCount(b.media().videoSsrc())).isZero();
    assertThat(senderConstraints(a)).isEqualTo(constraint("a-v0", 0));
    assertThat(senderConstraints(a)).isEqualTo(constraint("a-v0", 360));

    // a's tile is hidden too: a's video stops for c, and a hears nobody wants it
    c.channel()
        .send(rvc(new JsonObject().put("constraints", new JsonObject().put("a-v0", maxHeight(0)))));
    assertThat(forwarded(c)).isEmpty();
    assertThat(senderConstraints(a)).isEqualTo(constraint("a-v0", 0));
    // video a forwarded just before the change may still be on its way: count once it landed
    long atC = BridgeHarness.settledCount(c.media(), a.media().videoSsrc(), WAIT);
    long audioAtC = c.media().receivedCount(a.media().audioSsrc());
    sendUntil(
        List.of(a),
        () -> c.media().receivedCount(a.media().audioSsrc()) >= audioAtC + 10,
        "a's audio at c");
    assertThat(c.media().receivedCount(a.media().videoSsrc())).isEqualTo(atC);
  }

  /** Allocates an endpoint over Colibri2, connects its media and opens its bridge channel. */
  private Peer join(String id) throws Exception {
    boolean first = meetingId == null;
    if (first) {
      meetingId = UUID.randomUUID().toString();
    }
    SyntheticEndpoint media = SyntheticEndpoint.create(id, SyntheticEndpoint.Options.loopback());
    opened.add(media::close);
    ConferenceModifyIQ.Builder create = request();
    if (first) {
      create.setCreate(true).setConferenceName("allocation@conference.meet.local");
    }
    IQ created = focus.request(create.addEndpoint(SyntheticColibri2.create(id)).build());
    assertThat(created).as(created.toXML().toString()).isInstanceOf(ConferenceModifiedIQ.class);
    IceUdpTransportPacketExtension transport =
        ((ConferenceModifiedIQ) created).getEndpoints().get(0).getTransport().getIceUdpTransport();
    IQ updated = focus.request(request().addEndpoint(SyntheticColibri2.update(id, media)).build());
    assertThat(updated).as(updated.toXML().toString()).isInstanceOf(ConferenceModifiedIQ.class);
    media.connect(SyntheticColibri2.localIce(transport), SyntheticColibri2.fingerprint(transport));
    if (!media.awaitConnected(WAIT)) {
      throw new AssertionError(id + " did not connect: " + media.failure());
    }
    WsClient channel =
        new WsClient(http, transport.getFirstChildOfType(WebSocketPacketExtension.class).getUrl());
    opened.add(channel);
    assertThat(channel.next().getString("colibriClass")).isEqualTo("ServerHello");
    return new Peer(media, channel);
  }

  private ConferenceModifyIQ.Builder request() {
    ConferenceModifyIQ.Builder b = ConferenceModifyIQ.builder("allocation-" + ++iqs);
    b.to(bridgeJid);
    b.ofType(IQ.Type.get);
    return b.setMeetingId(meetingId);
  }

  /** 20 ms of audio and video from each sender until the condition holds. */
  private static void sendUntil(
      List<Peer> senders, java.util.function.BooleanSupplier condition, String what)
      throws InterruptedException {
    sendUntil(senders, true, condition, what);
  }

  /** 20 ms of video (and audio, if asked) from each sender until the condition holds. */
  private static void sendUntil(
      List<Peer> senders,
      boolean withAudio,
      java.util.function.BooleanSupplier condition,
      String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    int n = 0;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      for (Peer p : senders) {
        if (withAudio) {
          p.media().sendAudio(60);
        }
        p.media().sendVideo(400, n % 30 == 0);
      }
      n++;
      Thread.sleep(20);
    }
  }

  private static void sendUntil(
      Peer sender, java.util.function.BooleanSupplier condition, String what)
      throws InterruptedException {
    sendUntil(List.of(sender), condition, what);
  }

  /** PLIs the bridge sent to this endpoint for its video SSRC. */
  private static long plis(Peer p) {
    return p.media().receivedRtcp().stream()
        .filter(
            r -> r.packetType() == 206 && r.fmt() == 1 && r.mediaSsrc() == p.media().videoSsrc())
        .count();
  }

  private static boolean isDominant(JsonObject m, String id) {
    return "DominantSpeakerEndpointChangeEvent".equals(m.getString("colibriClass"))
        && id.equals(m.getString("dominantSpeakerEndpoint"));
  }

  private static JsonObject rvc(JsonObject fields) {
    return fields.copy().put("colibriClass", "ReceiverVideoConstraints");
  }

  private static JsonObject maxHeight(int px) {
    return new JsonObject().put("maxHeight", px);
  }

  private static List<String> forwarded(Peer p) throws InterruptedException {
    JsonArray sources = p.channel().next("ForwardedSources").getJsonArray("forwardedSources");
    return sources.stream().map(String.class::cast).toList();
  }

  /** The last ForwardedSources among the messages already received. */
  private static List<String> lastForwarded(Peer p) {
    List<String> last = null;
    for (JsonObject m = p.channel().received.poll(); m != null; m = p.channel().received.poll()) {
      if ("ForwardedSources".equals(m.getString("colibriClass"))) {
        last = m.getJsonArray("forwardedSources").stream().map(String.class::cast).toList();
      }
    }
    assertThat(last).as("a ForwardedSources message").isNotNull();
    return last;
  }

  private static JsonObject senderConstraints(Peer p) throws InterruptedException {
    return p.channel().next("SenderSourceConstraints");
  }

  private static JsonObject constraint(String source, int maxHeight) {
    return new JsonObject()
        .put("colibriClass", "SenderSourceConstraints")
        .put("sourceName", source)
        .put("maxHeight", maxHeight);
  }
}
