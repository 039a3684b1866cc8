package io.openmeet.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.openmeet.loadgen.RoomApiClient;
import io.openmeet.testkit.SyntheticEndpoint;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * A bridge that goes silent (SIGSTOP: still in the brewery, its XMPP connection open, answering
 * nothing) loses its conference to the other bridge within seconds, not after the ~90 s a missing
 * presence takes. Real processes: one room-api, two lite-bridges (the packaged jar); the
 * participants are synthetic media endpoints on loopback.
 */
@Order(SuiteLanes.LAST) // timings under live media: after the outages, see SuiteLanes
@ResourceLock(SuiteLanes.QUIET_MACHINE)
class BridgeFailoverSystemTest {

  private static final Duration WAIT = Duration.ofSeconds(15);

  private final HttpClient http = HttpClient.newHttpClient();
  private final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }

  @Test
  void a_silent_bridge_loses_its_conference_to_the_other_one_and_media_flows_again()
      throws Exception {
    // the health-check cadence is room-api's default (1 s, 2 s timeout), spelled out here
    RoomApiProcess api =
        RoomApiProcess.start(
            RoomApiProcess.random("failover-"),
            RoomApiProcess.freePort(),
            Map.of(
                "OPENMEET_FOCUS_HEALTH_CHECK_INTERVAL", "1s",
                "OPENMEET_FOCUS_HEALTH_CHECK_TIMEOUT", "2s"));
    closing.add(api);
    LiteBridgeProcess one = LiteBridgeProcess.start(api.run, "one");
    closing.add(one);
    LiteBridgeProcess two = LiteBridgeProcess.start(api.run, "two");
    closing.add(two);
    Eventually.within(
        Duration.ofSeconds(60),
        () -> assertThat(healthyBridges(api)).contains(one.nickname, two.nickname));

    var rest = new RoomApiClient(http, api.baseUrl);
    String slug =
        rest.createRoom("Failover " + RoomApiProcess.random(""), "public", null, 12)
            .path("slug")
            .asText();
    Peer ada = peer(api, slug, "Ada");
    Peer bob = peer(api, slug, "Bob");
    List<Peer> peers = List.of(ada, bob);
    awaitMedia(peers);

    LiteBridgeProcess host = ada.bridgeChannelUrl().contains(":" + one.restPort + "/") ? one : two;
    LiteBridgeProcess other = host == one ? two : one;
    assertThat(bob.bridgeChannelUrl()).contains(":" + host.restPort + "/");

    long silentAt = System.nanoTime();
    host.pause();
    for (Peer p : peers) {
      JsonNode moved = p.followNewTransport(Duration.ofSeconds(20));
      double seconds = (System.nanoTime() - silentAt) / 1e9;
      System.out.printf(
          "%s offered the other bridge %.2f s after its bridge went silent%n", p.id, seconds);
      assertThat(moved.path("bridgeChannelUrl").asText()).contains(":" + other.restPort + "/");
      // the health checks find a silent bridge within 5 s; the rest is room for a busy machine
      assertThat(seconds).as(p.id + " moved").isLessThan(8.0);
    }
    awaitMedia(peers);
  }

  private Peer peer(RoomApiProcess api, String slug, String name) throws Exception {
    Peer p =
        new Peer(
            http,
            api,
            slug,
            name,
            SyntheticEndpoint.Options.loopback(),
            Peer.RECEIVER_VIDEO_CONSTRAINTS);
    closing.add(p);
    return p;
  }

  /** Each hears and sees the other, answering re-offers meanwhile. */
  private static void awaitMedia(List<Peer> peers) throws Exception {
    for (Peer p : peers) {
      assertThat(p.media.awaitConnected(Duration.ofSeconds(30)))
          .as(p.id + " connected: " + p.media.failure())
          .isTrue();
    }
    Eventually.within(
        Duration.ofSeconds(20),
        () -> {
          for (Peer p : peers) {
            p.answerReoffers();
            p.media.sendAudio(30);
            p.media.sendVideo(400, true);
          }
          for (Peer receiver : peers) {
            for (Peer sender : peers) {
              if (receiver != sender) {
                assertThat(receiver.media.receivedCount(sender.media.audioSsrc()))
                    .as(receiver.id + " hears " + sender.id)
                    .isPositive();
                assertThat(receiver.media.receivedCount(sender.media.videoSsrc()))
                    .as(receiver.id + " sees " + sender.id)
                    .isPositive();
              }
            }
          }
        });
  }

  private static final Pattern HEALTHY =
      Pattern.compile("(?m)^bridge_healthy\\{[^}]*bridge=\"([^\"]+)\"[^}]*\\} ([0-9.]+)$");

  /** The bridges room-api's focus knows and finds healthy, from its metrics. */
  private List<String> healthyBridges(RoomApiProcess api) throws Exception {
    String text =
        http.send(
                HttpRequest.newBuilder(api.managementUrl.resolve("/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    List<String> healthy = new ArrayList<>();
    var m = HEALTHY.matcher(text);
    while (m.find()) {
      if (Double.parseDouble(m.group(2)) >= 1) {
        healthy.add(m.group(1));
      }
    }
    return healthy;
  }
}
