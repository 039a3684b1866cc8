package io.openmeet.systemtests;

import com.fasterxml.jackson.databind.JsonNode;
import io.openmeet.loadgen.RoomApiClient;
import io.openmeet.loadgen.SdpExchange;
import io.openmeet.loadgen.SignallingClient;
import io.openmeet.testkit.SyntheticEndpoint;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A participant of the system tests: a signalling client joined to a room on one room-api node and
 * a synthetic media endpoint that answered its first offer.
 */
final class Peer implements AutoCloseable {

  static final Duration WAIT = Duration.ofSeconds(15);

  /**
   * What the peer sends on the bridge channel when it opens, like a jitsi-meet client in tile view
   * with every tile visible: without it neither JVB nor lite-bridge forwards any video to it.
   */
  static final String RECEIVER_VIDEO_CONSTRAINTS =
      "{\"colibriClass\":\"ReceiverVideoConstraints\",\"lastN\":-1,"
          + "\"defaultConstraints\":{\"maxHeight\":360}}";

  final SignallingClient signalling;
  final SyntheticEndpoint media;

  /** The colibri-ws bridge channel, when the offer named one. */
  final SignallingClient bridgeChannel;

  final String id;
  final List<String> offers = new ArrayList<>();

  Peer(HttpClient http, RoomApiProcess node, String slug, String name) throws Exception {
    signalling = join(http, node, slug, name);
    id = joinedFrame().path("participantId").asText();
    media = SyntheticEndpoint.create(id, SyntheticEndpoint.Options.loopback());
    JsonNode offerFrame = signalling.await("offer", WAIT).json();
    String offer = offerFrame.path("sdp").asText();
    offers.add(offer);
    String bridgeChannelUrl = offerFrame.path("bridgeChannelUrl").asText("");
    if (bridgeChannelUrl.isEmpty()) {
      bridgeChannel = null;
    } else {
      bridgeChannel = SignallingClient.connect(http, URI.create(bridgeChannelUrl), WAIT);
      bridgeChannel.send(RECEIVER_VIDEO_CONSTRAINTS);
    }
    var bridgeTransport = SdpExchange.bridgeTransport(offer);
    media.connect(bridgeTransport.ice(), bridgeTransport.fingerprint());
    signalling.send("type", "answer", "sdp", SdpExchange.answer(offer, media));
  }

  /**
   * Opens a socket on {@code node} and joins with a fresh join token; while the focus has not
   * discovered the bridge yet ({@code no-bridge-available}), the join is retried for up to 40 s.
   * Any other error fails the test.
   */
  static SignallingClient join(HttpClient http, RoomApiProcess node, String slug, String name)
      throws Exception {
    var rest = new RoomApiClient(http, node.baseUrl);
    long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
    while (true) {
      SignallingClient client = SignallingClient.connect(http, node.socket(slug), WAIT);
      client.send("type", "join", "token", rest.joinToken(slug, name, null), "displayName", name);
      SignallingClient.Frame f = client.next(WAIT);
      while (!f.type().equals("joined") && !f.type().equals("error")) {
        f = client.next(WAIT);
      }
      if (f.type().equals("joined")) {
        return client;
      }
      client.close();
      String code = f.json().path("code").asText();
      if (!code.equals("no-bridge-available") || System.nanoTime() > deadline) {
        throw new AssertionError("join on port " + node.port + " failed: " + f.json());
      }
      Thread.sleep(500);
    }
  }

  /** The `joined` frame (the join loop already took it off the queue). */
  JsonNode joinedFrame() {
    return signalling.received().stream()
        .filter(f -> f.type().equals("joined"))
        .findFirst()
        .orElseThrow()
        .json();
  }

  /** Answers every offer that arrived meanwhile (re-offers when others come and go). */
  void answerReoffers() throws Exception {
    for (SignallingClient.Frame f : signalling.received()) {
      if (f.type().equals("offer")) {
        String sdp = f.json().path("sdp").asText();
        if (!offers.contains(sdp)) {
          offers.add(sdp);
          signalling.send("type", "answer", "sdp", SdpExchange.answer(sdp, media));
        }
      }
    }
  }

  String lastOffer() {
    return offers.get(offers.size() - 1);
  }

  /**
   * Leaves like the app's Leave button; a socket that only drops keeps the participant for the
   * resume window (docs/API.md).
   */
  @Override
  public void close() {
    try {
      signalling.send("type", "leave");
    } catch (RuntimeException alreadyClosed) {
      // left already, or the server closed the socket
    }
    signalling.close();
    if (bridgeChannel != null) {
      bridgeChannel.close();
    }
    media.close();
  }
}
