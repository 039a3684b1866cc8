package io.openmeet.systemtests;

import com.fasterxml.jackson.databind.JsonNode;
import io.openmeet.loadgen.RoomApiClient;
import io.openmeet.loadgen.SdpExchange;
import io.openmeet.loadgen.SignallingClient;
import io.openmeet.testkit.SyntheticEndpoint;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * A participant of the system tests: a signalling client joined to a room on one room-api node, a
 * synthetic media endpoint that answered its first offer, and, like the web app, the offer's
 * colibri-ws bridge channel.
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

  // the join token, sent again with the resume token when the session resumes (as the web app does)
  private volatile String joinToken;

  // replaced when the session resumes on a new socket
  volatile SignallingClient signalling;
  final String id;
  final List<String> offers = new ArrayList<>();

  /** The offer frames answered so far, in order (sdp and bridgeChannelUrl). */
  final List<JsonNode> offerFrames = new ArrayList<>();

  private final HttpClient http;
  private final SyntheticEndpoint.Options options;
  // replaced by an ICE restart, as a browser's ICE session is
  volatile SyntheticEndpoint media;
  // the colibri-ws bridge channel (null when the offer named none), reopened after an ICE restart;
  // it completes once open and the constraints were sent on it
  private volatile CompletableFuture<BridgeChannel> bridgeChannel;
  // the last ReceiverVideoConstraints sent, sent again on every new channel like the web app does
  private volatile String constraints;

  /** A participant on loopback that asks for every video at 360p as soon as its channel opens. */
  Peer(HttpClient http, RoomApiProcess node, String slug, String name) throws Exception {
    this(http, node, slug, name, SyntheticEndpoint.Options.loopback(), RECEIVER_VIDEO_CONSTRAINTS);
  }

  /**
   * A participant whose media endpoint binds where {@code options} say, and that opens the offer's
   * bridge channel and sends {@code constraints} on it (null: opens it and asks for no video yet).
   */
  Peer(
      HttpClient http,
      RoomApiProcess node,
      String slug,
      String name,
      SyntheticEndpoint.Options options,
      String constraints)
      throws Exception {
    this.http = http;
    this.options = options;
    this.constraints = constraints;
    String[] token = new String[1];
    signalling = join(http, node, slug, name, token);
    joinToken = token[0];
    id = joinedFrame().path("participantId").asText();
    JsonNode offer = signalling.await("offer", WAIT).json();
    media = SyntheticEndpoint.create(id, options);
    answerWithNewConnection(offer);
  }

  /**
   * Connects {@link #media} to the bridge transport of {@code offer}, answers it and starts opening
   * its bridge channel (closing an older one), like the web app: the answer does not wait for the
   * channel's handshake.
   */
  private void answerWithNewConnection(JsonNode offer) throws Exception {
    String sdp = offer.path("sdp").asText();
    offers.add(sdp);
    offerFrames.add(offer);
    CompletableFuture<BridgeChannel> old = bridgeChannel;
    bridgeChannel = null;
    if (old != null) {
      closeWhenOpen(old);
    }
    var bridgeTransport = SdpExchange.bridgeTransport(sdp);
    media.connect(bridgeTransport.ice(), bridgeTransport.fingerprint());
    signalling.send("type", "answer", "sdp", SdpExchange.answer(sdp, media));
    answeredNanos = System.nanoTime();
    String url = offer.path("bridgeChannelUrl").asText("");
    if (!url.isEmpty()) {
      // the constraints go on the new channel first; sent off the JDK's WebSocket threads
      bridgeChannel =
          BridgeChannel.openAsync(http, url, WAIT)
              .thenApplyAsync(
                  channel -> {
                    String c = constraints;
                    if (c != null) {
                      try {
                        channel.send(c);
                      } catch (Exception e) {
                        channel.close();
                        throw new CompletionException(e);
                      }
                    }
                    return channel;
                  });
    }
  }

  private static void closeWhenOpen(CompletableFuture<BridgeChannel> channel) {
    channel.whenComplete(
        (c, failure) -> {
          if (c != null) {
            c.close();
          }
        });
  }

  /** When the answer to the last offer on a new transport was sent ({@link System#nanoTime}). */
  volatile long answeredNanos;

  /** The open bridge channel; fails when the bridge offered none. */
  BridgeChannel bridgeChannel() {
    CompletableFuture<BridgeChannel> channel = bridgeChannel;
    if (channel == null) {
      throw new AssertionError(id + "'s offer named no bridge channel");
    }
    try {
      return channel.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(id + " interrupted while its bridge channel opened", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new AssertionError(id + "'s bridge channel did not open: " + e, e);
    }
  }

  /** Sends ReceiverVideoConstraints (JSON) on the bridge channel, and again on any new one. */
  void askForVideo(String receiverVideoConstraints) throws Exception {
    constraints = receiverVideoConstraints;
    bridgeChannel().send(receiverVideoConstraints);
  }

  /**
   * Restarts ICE like a browser whose connection failed: {@code ice-restart}, then the offer with
   * new ICE credentials is answered by a new media endpoint (the old one is closed).
   *
   * @return the new offer frame
   */
  JsonNode restartIce() throws Exception {
    signalling.send("type", "ice-restart");
    return followNewTransport(WAIT);
  }

  /**
   * Waits for an offer on a new transport (new ICE credentials: an ICE restart, or the conference
   * moved to another bridge) and answers it with a new media endpoint, like a browser.
   *
   * @return the new offer frame
   */
  JsonNode followNewTransport(Duration timeout) throws Exception {
    String oldUfrag = ufrag(lastOffer());
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      for (SignallingClient.Frame f : signalling.received()) {
        if (f.type().equals("offer") && !ufrag(f.json().path("sdp").asText()).equals(oldUfrag)) {
          media.close();
          media = SyntheticEndpoint.create(id, options);
          answerWithNewConnection(f.json());
          return f.json();
        }
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(id + " got no offer with new ICE credentials within " + timeout);
      }
      Thread.sleep(20);
    }
  }

  // frames before this index were looked at for a new transport already
  private int scannedForTransport;

  /**
   * Answers, like {@link #followNewTransport}, the first offer on a new transport that arrived
   * since the last call, if any; returns at once.
   *
   * @return the offer frame it followed, or empty
   */
  Optional<SignallingClient.Frame> followNewTransportIfOffered() throws Exception {
    List<SignallingClient.Frame> frames = signalling.received();
    String current = ufrag(lastOffer());
    for (int i = scannedForTransport; i < frames.size(); i++) {
      JsonNode f = frames.get(i).json();
      if (f.path("type").asText().equals("offer")
          && !ufrag(f.path("sdp").asText()).equals(current)) {
        scannedForTransport = i + 1;
        media.close();
        media = SyntheticEndpoint.create(id, options);
        answerWithNewConnection(f);
        return Optional.of(frames.get(i));
      }
    }
    scannedForTransport = frames.size();
    return Optional.empty();
  }

  static String ufrag(String sdp) {
    for (String line : sdp.split("\r?\n")) {
      if (line.startsWith("a=ice-ufrag:")) {
        return line.substring("a=ice-ufrag:".length());
      }
    }
    throw new AssertionError("an offer without a=ice-ufrag");
  }

  /** The bridge-channel URL of the last offer answered (empty when the bridge offers none). */
  String bridgeChannelUrl() {
    return offerFrames.get(offerFrames.size() - 1).path("bridgeChannelUrl").asText();
  }

  /**
   * Opens a socket on {@code node} and joins with a fresh join token; while the focus has not
   * discovered the bridge yet ({@code no-bridge-available}), the join is retried for up to 40 s.
   * Any other error fails the test.
   */
  static SignallingClient join(HttpClient http, RoomApiProcess node, String slug, String name)
      throws Exception {
    return join(http, node, slug, name, new String[1]);
  }

  /** Like {@link #join(HttpClient, RoomApiProcess, String, String)}; the token goes to token[0]. */
  private static SignallingClient join(
      HttpClient http, RoomApiProcess node, String slug, String name, String[] token)
      throws Exception {
    var rest = new RoomApiClient(http, node.baseUrl);
    long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
    while (true) {
      SignallingClient client = SignallingClient.connect(http, node.socket(slug), WAIT);
      token[0] = rest.joinToken(slug, name, null);
      client.send("type", "join", "token", token[0], "displayName", name);
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

  /**
   * Resumes the session on {@code node} like the web app after its socket dropped: a new socket, a
   * fresh join token and the resume token of the last `joined`; then answers the offer that follows
   * (with the same media connection while its ICE credentials are unchanged).
   *
   * @return the `joined` frame of the resumed session
   */
  JsonNode resumeOn(RoomApiProcess node, String slug, String name, Duration timeout)
      throws Exception {
    String resumeToken = joinedFrame().path("resumeToken").asText();
    SignallingClient client = SignallingClient.connect(http, node.socket(slug), WAIT);
    client.send(
        "type", "join", "token", joinToken, "displayName", name, "resumeToken", resumeToken);
    SignallingClient.Frame f = client.next(timeout);
    while (!f.type().equals("joined") && !f.type().equals("error")) {
      f = client.next(timeout);
    }
    if (f.type().equals("error")) {
      client.close();
      throw new AssertionError(id + " could not resume on port " + node.port + ": " + f.json());
    }
    if (!f.json().path("participantId").asText().equals(id)) {
      throw new AssertionError(id + " resumed as another participant: " + f.json());
    }
    signalling = client;
    JsonNode offer = client.await("offer", timeout).json();
    String sdp = offer.path("sdp").asText();
    if (ufrag(sdp).equals(ufrag(lastOffer()))) {
      offers.add(sdp);
      offerFrames.add(offer);
      client.send("type", "answer", "sdp", SdpExchange.answer(sdp, media));
    } else {
      media.close();
      media = SyntheticEndpoint.create(id, options);
      answerWithNewConnection(offer);
    }
    return f.json();
  }

  /** Answers every offer that arrived meanwhile (re-offers when others come and go). */
  void answerReoffers() throws Exception {
    for (SignallingClient.Frame f : signalling.received()) {
      if (f.type().equals("offer")) {
        String sdp = f.json().path("sdp").asText();
        if (!offers.contains(sdp) && ufrag(sdp).equals(ufrag(lastOffer()))) {
          offers.add(sdp);
          offerFrames.add(f.json());
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
    CompletableFuture<BridgeChannel> channel = bridgeChannel;
    if (channel != null) {
      closeWhenOpen(channel);
    }
    media.close();
  }

  /** The frames of {@code type} this peer received since {@code sinceNanos} ({@code nanoTime}). */
  List<JsonNode> framesSince(String type, long sinceNanos) {
    List<JsonNode> frames = new ArrayList<>();
    for (SignallingClient.Frame f : signalling.received()) {
      if (f.receivedNanos() >= sinceNanos && f.type().equals(type)) {
        frames.add(f.json());
      }
    }
    return frames;
  }

  /**
   * Waits up to 10 s for a frame of {@code type} matching {@code match} received since {@code
   * sinceNanos}.
   */
  JsonNode awaitFrame(String type, Predicate<JsonNode> match, long sinceNanos) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      for (JsonNode f : framesSince(type, sinceNanos)) {
        if (match.test(f)) {
          return f;
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError(id + " got no matching `" + type + "` within 10 s");
  }

  /**
   * Joins like the web app after an outage: a fresh token and socket every 250 ms until one joins
   * or {@code within} has passed (then fails with every refusal). Each refusal is added to {@code
   * failures}.
   */
  static Peer joinRetrying(
      HttpClient http,
      RoomApiProcess node,
      String slug,
      String name,
      Duration within,
      List<String> failures)
      throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        return new Peer(http, node, slug, name);
      } catch (AssertionError | Exception e) {
        failures.add(String.valueOf(e.getMessage()));
        Thread.sleep(250);
      }
    }
    throw new AssertionError(name + " did not join within " + within + "; failures " + failures);
  }
}
