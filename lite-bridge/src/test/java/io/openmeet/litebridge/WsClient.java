package io.openmeet.litebridge;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A bridge-channel client over java.net.http's WebSocket, collecting received JSON messages. It
 * sends an Origin header, as every browser does.
 */
public final class WsClient implements AutoCloseable {
  public final BlockingQueue<JsonObject> received = new LinkedBlockingQueue<>();
  public final CompletableFuture<Integer> closed = new CompletableFuture<>();
  private final WebSocket socket;

  public WsClient(HttpClient http, String url) throws Exception {
    socket =
        http.newWebSocketBuilder()
            .header("Origin", "https://meet.example.org")
            .buildAsync(
                URI.create(url),
                new WebSocket.Listener() {
                  private final StringBuilder partial = new StringBuilder();

                  @Override
                  public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                    partial.append(data);
                    if (last) {
                      received.add(new JsonObject(partial.toString()));
                      partial.setLength(0);
                    }
                    ws.request(1);
                    return null;
                  }

                  @Override
                  public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
                    closed.complete(status);
                    return null;
                  }

                  @Override
                  public void onError(WebSocket ws, Throwable error) {
                    closed.complete(-1);
                  }
                })
            .get(10, TimeUnit.SECONDS);
  }

  public void send(JsonObject message) throws Exception {
    socket.sendText(message.encode(), true).get(5, TimeUnit.SECONDS);
  }

  public JsonObject next() throws InterruptedException {
    JsonObject m = received.poll(10, TimeUnit.SECONDS);
    if (m == null) {
      throw new AssertionError("no bridge-channel message within 10 s");
    }
    return m;
  }

  /** The next message of a class, skipping others. */
  public JsonObject next(String colibriClass) throws InterruptedException {
    while (true) {
      JsonObject m = next();
      if (colibriClass.equals(m.getString("colibriClass"))) {
        return m;
      }
    }
  }

  @Override
  public void close() {
    socket.abort();
  }
}
