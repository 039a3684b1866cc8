package io.openmeet.systemtests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.openmeet.jvbtestkit.HostAddresses;
import io.openmeet.jvbtestkit.JvbProcess;
import io.openmeet.testkit.SyntheticEndpoint;
import java.net.InetAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The stock Jitsi Videobridge as a child process in a room-api's brewery. Its state comes from its
 * private REST API: {@code /debug} for conferences and endpoints, a Colibri2 request over REST for
 * its certificate's fingerprint.
 */
final class JvbSystemBridge implements SystemBridge {

  private static final ObjectMapper JSON = new ObjectMapper();
  final JvbProcess jvb;
  private final HttpClient http = HttpClient.newHttpClient();
  private String fingerprint;

  private JvbSystemBridge(JvbProcess jvb) {
    this.jvb = jvb;
  }

  /**
   * Starts it and learns its fingerprint, which is also the first allocation after start (≈ 1 s of
   * class loading on an idle machine) that the first join would otherwise wait for.
   */
  static JvbSystemBridge start(String breweryJid) throws Exception {
    JvbSystemBridge bridge = new JvbSystemBridge(JvbProcess.start(breweryJid));
    try {
      bridge.fingerprint = bridge.probeFingerprint();
    } catch (Exception | Error e) {
      bridge.close();
      throw e;
    }
    return bridge;
  }

  @Override
  public String kind() {
    return "JVB";
  }

  @Override
  public String fingerprint() {
    return fingerprint;
  }

  /**
   * Creates a throw-away conference with one endpoint over JVB's Colibri2 REST API, reads the
   * fingerprint from its transport and expires it again.
   */
  private String probeFingerprint() throws Exception {
    String meetingId = UUID.randomUUID().toString();
    JsonNode created =
        post(
            "{\"meeting-id\":\""
                + meetingId
                + "\",\"name\":\"fingerprint-probe@conference.meet.local\",\"create\":true,"
                + "\"endpoints\":[{\"id\":\"probe\",\"create\":true,"
                + "\"transport\":{\"ice-controlling\":true},\"capabilities\":[\"source-names\"]}]}");
    post("{\"meeting-id\":\"" + meetingId + "\",\"expire\":true}");
    JsonNode fingerprint = created.findValue("fingerprints").get(0);
    if (!"sha-256".equals(fingerprint.path("hash").asText())) {
      throw new IllegalStateException("JVB described no sha-256 fingerprint: " + created);
    }
    return fingerprint.path("fingerprint").asText();
  }

  private JsonNode post(String body) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(jvb.privateUri("/colibri/v2/conferences"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(
          "JVB's Colibri2 REST answered " + r.statusCode() + ": " + r.body());
    }
    return JSON.readTree(r.body());
  }

  @Override
  public Set<String> endpoints() throws Exception {
    Set<String> ids = new HashSet<>();
    for (JsonNode conference : JSON.readTree(jvb.get("/debug")).path("conferences")) {
      Iterator<String> names = conference.path("endpoints").fieldNames();
      names.forEachRemaining(ids::add);
    }
    return ids;
  }

  @Override
  public int conferenceCount() throws Exception {
    return JSON.readTree(jvb.get("/debug")).path("conferences").size();
  }

  /** Bound to the machine's first harvestable IPv4 address: JVB's ICE never binds loopback. */
  @Override
  public Optional<SyntheticEndpoint.Options> mediaOptions() {
    return hostMediaOptions();
  }

  /** {@link #mediaOptions()}, without a bridge: the same for every JVB on this machine. */
  static Optional<SyntheticEndpoint.Options> hostMediaOptions() {
    Optional<InetAddress> address = HostAddresses.firstIpv4();
    return address.map(
        a -> {
          SyntheticEndpoint.Options loopback = SyntheticEndpoint.Options.loopback();
          return new SyntheticEndpoint.Options(
              a.getHostAddress(),
              loopback.recordPackets(),
              loopback.srtpProfiles(),
              loopback.dtlsPassive());
        });
  }

  @Override
  public String noMediaReason() {
    return NO_MEDIA;
  }

  static final String NO_MEDIA =
      "no IPv4 address on a non-loopback interface that is up (JVB's ice4j never binds"
          + " loopback; give the machine or namespace one, e.g. a veth pair)";

  @Override
  public void close() {
    jvb.close();
  }
}
