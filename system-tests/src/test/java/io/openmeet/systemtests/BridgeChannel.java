package io.openmeet.systemtests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A participant's bridge channel (colibri-ws), as the web app opens it from the offer's {@code
 * bridgeChannelUrl}: JSON messages keyed by {@code colibriClass} both ways.
 */
final class BridgeChannel implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<JsonNode> received = new ArrayList<>();
  private final StringBuilder partial = new StringBuilder();
  private final Object sending = new Object();
  private volatile WebSocket ws;

  static BridgeChannel open(HttpClient http, String url, Duration timeout) throws Exception {
    return openAsync(http, url, timeout).get();
  }

  /**
   * Starts opening the channel, like a browser's {@code new WebSocket(url)}: the caller goes on
   * (answers its offer) while the handshake runs.
   */
  static CompletableFuture<BridgeChannel> openAsync(HttpClient http, String url, Duration timeout) {
    BridgeChannel channel = new BridgeChannel();
    return http.newWebSocketBuilder()
        .connectTimeout(timeout)
        .buildAsync(URI.create(url), channel.listener())
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .thenApply(
            ws -> {
              channel.ws = ws;
              return channel;
            });
  }

  private WebSocket.Listener listener() {
    return new WebSocket.Listener() {
      @Override
      public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        synchronized (BridgeChannel.this) {
          partial.append(data);
          if (last) {
            try {
              received.add(JSON.readTree(partial.toString()));
            } catch (Exception e) {
              received.add(JSON.createObjectNode().put("unparsable", partial.toString()));
            }
            partial.setLength(0);
            BridgeChannel.this.notifyAll();
          }
        }
        webSocket.request(1);
        return null;
      }
    };
  }

  /** Sends one JSON message (a string is sent as it is); one at a time, as the JDK requires. */
  void send(Object message) throws Exception {
    String text = message instanceof String s ? s : JSON.writeValueAsString(message);
    // not under the receiving lock: the JDK may deliver frames on the thread a send waits for
    synchronized (sending) {
      ws.sendText(text, true).get(10, TimeUnit.SECONDS);
    }
  }

  synchronized List<JsonNode> received() {
    return List.copyOf(received);
  }

  /** The first message of this class, waiting for it. */
  JsonNode await(String colibriClass, Duration timeout)
      throws InterruptedException, TimeoutException {
    return await(colibriClass, m -> true, timeout);
  }

  /** The first message of this class that {@code matches}, waiting for it. */
  synchronized JsonNode await(
      String colibriClass, java.util.function.Predicate<JsonNode> matches, Duration timeout)
      throws InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      for (JsonNode m : received) {
        if (colibriClass.equals(m.path("colibriClass").asText()) && matches.test(m)) {
          return m;
        }
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new TimeoutException("no " + colibriClass + " within " + timeout + ": " + received);
      }
      wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
    }
  }

  @Override
  public void close() {
    if (ws != null) {
      ws.abort();
    }
  }
}
