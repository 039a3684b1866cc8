package io.openmeet.loadgen;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The few room-api REST calls a joining client makes (create a room, get a join token), and its
 * metrics, which room-api serves on its management port, not on {@code baseUrl}.
 */
public final class RoomApiClient {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final HttpClient http;
  private final URI baseUrl;
  private final URI managementUrl;

  /** A client without metrics ({@link #metrics()} throws). */
  public RoomApiClient(HttpClient http, URI baseUrl) {
    this(http, baseUrl, null);
  }

  /** {@code managementUrl}: room-api's management interface (e.g. http://127.0.0.1:9000). */
  public RoomApiClient(HttpClient http, URI baseUrl, URI managementUrl) {
    this.http = http;
    this.baseUrl = baseUrl;
    this.managementUrl = managementUrl;
  }

  /**
   * {@code POST /api/rooms}; returns the response body (id, slug, joinUrl, signallingUrl, token).
   */
  public JsonNode createRoom(String name, String access, String password, int maxParticipants)
      throws IOException, InterruptedException {
    var body = MAPPER.createObjectNode().put("name", name).put("access", access);
    if (password != null) {
      body.put("password", password);
    }
    body.put("maxParticipants", maxParticipants);
    return post("/api/rooms", body.toString(), 201);
  }

  /** {@code POST /api/rooms/{idOrSlug}/tokens}; returns the join token. */
  public String joinToken(String roomIdOrSlug, String displayName, String password)
      throws IOException, InterruptedException {
    var body = MAPPER.createObjectNode().put("displayName", displayName);
    if (password != null) {
      body.put("password", password);
    }
    return post("/api/rooms/" + roomIdOrSlug + "/tokens", body.toString(), 200)
        .path("token")
        .asText();
  }

  /** The Prometheus text of {@code /q/metrics} on the management interface. */
  public String metrics() throws IOException, InterruptedException {
    if (managementUrl == null) {
      throw new IllegalStateException("no management URL given: room-api's metrics are there");
    }
    var request = HttpRequest.newBuilder(managementUrl.resolve("/q/metrics")).GET().build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException(request.uri() + " answered " + response.statusCode());
    }
    return response.body();
  }

  private JsonNode post(String path, String json, int expected)
      throws IOException, InterruptedException {
    var request =
        HttpRequest.newBuilder(baseUrl.resolve(path))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build();
    var response = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != expected && !(expected == 200 && response.statusCode() == 201)) {
      throw new IOException(
          "POST " + path + " answered " + response.statusCode() + ": " + response.body());
    }
    return MAPPER.readTree(response.body());
  }
}
