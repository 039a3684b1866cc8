package io.openmeet.roomapi.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.restassured.RestAssured;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A browser's signalling socket in tests: records every text message (fragments joined) and how the
 * socket closed. {@link #close()} drops the connection without a close frame.
 */
public final class SignallingSocket implements WebSocket.Listener, AutoCloseable {

  /** How long {@link #await} waits for a message. */
  public static final Duration WAIT = Duration.ofSeconds(10);

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The text messages received, in order. */
  public final List<String> frames = new CopyOnWriteArrayList<>();

  /** Completes with the close code, or -1 when the connection failed. */
  public final CompletableFuture<Integer> closed = new CompletableFuture<>();

  public volatile int closeCode;
  public volatile String closeReason;

  private final StringBuilder partial = new StringBuilder();
  private volatile WebSocket socket;

  /** The test app's signalling URL of a room. */
  public static URI uri(String slug) {
    return URI.create("ws://127.0.0.1:" + RestAssured.port + "/api/signalling/" + slug);
  }

  /** Opens a socket to the room on the test app and waits until it is open. */
  public static SignallingSocket open(String slug) throws Exception {
    SignallingSocket s = new SignallingSocket();
    s.opened(HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(uri(slug), s))
        .get(10, TimeUnit.SECONDS);
    return s;
  }

  /** Remembers the socket {@code opening} will give, for {@link #send} and {@link #close}. */
  public CompletableFuture<WebSocket> opened(CompletableFuture<WebSocket> opening) {
    return opening.thenApply(
        ws -> {
          socket = ws;
          return ws;
        });
  }

  public void send(String frame) throws Exception {
    socket.sendText(frame, true).get(10, TimeUnit.SECONDS);
  }

  /**
   * Closes the way a browser does: a close frame with {@code code} (e.g. 1001, a tab that closes).
   */
  public void closeWith(int code, String reason) throws Exception {
    socket.sendClose(code, reason).get(10, TimeUnit.SECONDS);
  }

  /** The first message of {@code type}, waiting up to {@link #WAIT}. */
  public JsonNode await(String type) throws Exception {
    return awaitNth(type, 1);
  }

  /** The {@code n}th message of {@code type}, waiting up to {@link #WAIT}. */
  public JsonNode awaitNth(String type, int n) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      List<JsonNode> matching =
          parsed().stream().filter(f -> f.get("type").asText().equals(type)).toList();
      if (matching.size() >= n) {
        return matching.get(n - 1);
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no " + type + " #" + n + " within " + WAIT + "; got " + frames);
  }

  /** The types of the messages received, in order. */
  public List<String> types() {
    return parsed().stream().map(n -> n.get("type").asText()).toList();
  }

  private List<JsonNode> parsed() {
    List<JsonNode> out = new ArrayList<>();
    for (String f : frames) {
      try {
        out.add(JSON.readTree(f));
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
    return out;
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      frames.add(partial.toString());
      partial.setLength(0);
    }
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    closeCode = statusCode;
    closeReason = reason;
    closed.complete(statusCode);
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    closed.complete(-1);
  }

  @Override
  public void close() {
    if (socket != null) {
      socket.abort();
    }
  }
}
