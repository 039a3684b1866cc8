package io.openmeet.loadgen;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A browser-like client of the signalling WebSocket (docs/API.md): sends JSON frames and queues the
 * frames it receives, with the time each arrived. Used by the load generator and by integration
 * tests.
 */
public final class SignallingClient implements AutoCloseable {

  /** A received frame and when it arrived ({@link System#nanoTime()}). */
  public record Frame(JsonNode json, long receivedNanos) {
    /** The frame's `type`. */
    public String type() {
      return json.path("type").asText();
    }
  }

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final WebSocket socket;
  private final BlockingQueue<Frame> inbox;
  private final List<Frame> all;
  private final CompletableFuture<Integer> closed;

  private SignallingClient(WebSocket socket, Listener listener) {
    this.socket = socket;
    this.inbox = listener.inbox;
    this.all = listener.all;
    this.closed = listener.closed;
  }

  /** Opens a socket to e.g. {@code ws://127.0.0.1:8080/api/signalling/<room>}. */
  public static SignallingClient connect(HttpClient http, URI uri, Duration timeout)
      throws IOException, InterruptedException {
    var listener = new Listener();
    try {
      WebSocket ws =
          http.newWebSocketBuilder()
              .connectTimeout(timeout)
              .buildAsync(uri, listener)
              .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return new SignallingClient(ws, listener);
    } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
      throw new IOException("cannot open " + uri + ": " + e.getMessage() + refusal(e), e);
    }
  }

  /** What the server answered instead of switching protocols, when it answered: status, body. */
  private static String refusal(Exception e) {
    if (!(e.getCause() instanceof java.net.http.WebSocketHandshakeException h)
        || h.getResponse() == null) {
      return "";
    }
    var response = h.getResponse();
    String body = String.valueOf(response.body());
    return " (HTTP "
        + response.statusCode()
        + ", "
        + response.headers().map()
        + ", body "
        + (body.length() > 300 ? body.substring(0, 300) + "..." : body)
        + ")";
  }

  /** Sends one frame given as JSON text (one at a time: the JDK client allows one pending send). */
  public synchronized void send(String json) {
    socket.sendText(json, true).join();
  }

  /** Sends one frame built from alternating field names and values, e.g. {@code "type","join"}. */
  public void send(Object... fieldsAndValues) {
    var node = MAPPER.createObjectNode();
    for (int i = 0; i + 1 < fieldsAndValues.length; i += 2) {
      node.set((String) fieldsAndValues[i], MAPPER.valueToTree(fieldsAndValues[i + 1]));
    }
    send(node.toString());
  }

  /** The next received frame, or a timeout. */
  public Frame next(Duration timeout) throws InterruptedException, TimeoutException {
    Frame f = inbox.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    if (f == null) {
      throw new TimeoutException("no frame within " + timeout);
    }
    return f;
  }

  /**
   * Skips frames until one of the given type arrives (skipped frames stay in {@link #received()}).
   */
  public Frame await(String type, Duration timeout) throws InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new TimeoutException(
            "no `" + type + "` frame within " + timeout + "; got " + types());
      }
      Frame f = next(Duration.ofNanos(left));
      if (f.type().equals(type)) {
        return f;
      }
    }
  }

  /** Every frame received so far, in order. */
  public List<Frame> received() {
    synchronized (all) {
      return List.copyOf(all);
    }
  }

  private List<String> types() {
    return received().stream().map(Frame::type).toList();
  }

  /** Completes with the close status code when the server closes the socket. */
  public CompletableFuture<Integer> closed() {
    return closed;
  }

  /**
   * Closes like a tab that closes the socket on purpose: status {@code code} (1000 or 1001), then
   * waits up to {@code timeout} for the server's close before dropping the connection.
   */
  public void closeWith(int code, Duration timeout) throws InterruptedException {
    try {
      socket.sendClose(code, "bye").get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
      // the server closed first or did not answer: the connection is dropped below either way
    } finally {
      socket.abort();
    }
  }

  /** Drops the connection without a close frame, like a crashed tab: the server sees 1006. */
  public void abort() {
    socket.abort();
  }

  /**
   * Closes like a browser's {@code close()}: status 1000, then waits (up to a second) for the
   * server's close before dropping the connection. Dropping it at once could reach the server
   * before the frames just sent are handled, and count as a lost connection (1006).
   */
  @Override
  public void close() {
    try {
      if (!socket.isOutputClosed()) {
        closeWith(WebSocket.NORMAL_CLOSURE, Duration.ofSeconds(1));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      socket.abort();
    }
  }

  private static final class Listener implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final BlockingQueue<Frame> inbox = new LinkedBlockingQueue<>();
    private final List<Frame> all = Collections.synchronizedList(new ArrayList<>());

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        String text = partial.toString();
        partial.setLength(0);
        deliver(text);
      }
      ws.request(1);
      return null;
    }

    private void deliver(String text) {
      JsonNode json;
      try {
        json = MAPPER.readTree(text);
      } catch (IOException e) {
        json = MAPPER.createObjectNode().put("type", "unparseable").put("raw", text);
      }
      // queued here, never waiting for connect() to return: a server that speaks first (a
      // bridge's ServerHello) delivers on the thread that would complete connect()
      Frame f = new Frame(json, System.nanoTime());
      all.add(f);
      inbox.add(f);
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
      closed.complete(statusCode);
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      closed.completeExceptionally(error);
    }
  }
}
