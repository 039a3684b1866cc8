package io.openmeet.litebridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.openmeet.litebridge.conference.Conference;
import io.openmeet.litebridge.conference.Conferences;
import io.openmeet.litebridge.conference.Endpoint;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Idle-endpoint and empty-conference expiry, driven by a hand-moved clock (no sleeping). */
class ConferencesExpiryTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T18:00:00Z"));
  private final RecordingMediaEngine engine = new RecordingMediaEngine();
  private final List<String> expiredEndpoints = new ArrayList<>();
  private final List<String> expiredConferences = new ArrayList<>();
  private final Conferences conferences =
      new Conferences(
          engine,
          clock,
          Duration.ofMinutes(1),
          Duration.ofSeconds(30),
          new Conferences.Listener() {
            @Override
            public void endpointExpired(Conference conference, Endpoint endpoint) {
              expiredEndpoints.add(endpoint.id());
            }

            @Override
            public void conferenceExpired(Conference conference) {
              expiredConferences.add(conference.meetingId());
            }
          });

  @Test
  void anEndpointExpiresAfterAMinuteWithoutActivityAndItsTransportCloses() throws Exception {
    Conference c = conferences.create("m1", null);
    conferences.createEndpoint(c, "idle", null);
    conferences.createEndpoint(c, "busy", null);

    clock.advance(Duration.ofSeconds(50));
    engine.conferences.get("m1").endpoints.get("busy").lastActivity = clock.instant();
    conferences.expireIdle();
    assertThat(expiredEndpoints).isEmpty();

    clock.advance(Duration.ofSeconds(11));
    conferences.expireIdle();
    assertThat(expiredEndpoints).containsExactly("idle");
    assertThat(engine.conferences.get("m1").endpoints.get("idle").closed).isTrue();
    assertThat(c.endpoint("busy")).isPresent();
  }

  @Test
  void signallingCountsAsActivity() throws Exception {
    Conference c = conferences.create("m1", null);
    Endpoint e = conferences.createEndpoint(c, "ep", null);
    clock.advance(Duration.ofSeconds(45));
    e.touch();
    clock.advance(Duration.ofSeconds(45));
    conferences.expireIdle();
    assertThat(c.endpoint("ep")).isPresent();
  }

  @Test
  void anEmptyConferenceLingersThenExpires() throws Exception {
    Conference c = conferences.create("m1", null);
    conferences.createEndpoint(c, "ep", null);
    clock.advance(Duration.ofMinutes(2));
    conferences.expireIdle();
    assertThat(expiredEndpoints).containsExactly("ep");
    assertThat(conferences.get("m1")).isPresent();

    clock.advance(Duration.ofSeconds(29));
    conferences.expireIdle();
    assertThat(conferences.get("m1")).isPresent();

    clock.advance(Duration.ofSeconds(2));
    conferences.expireIdle();
    assertThat(conferences.get("m1")).isEmpty();
    assertThat(expiredConferences).containsExactly("m1");
    assertThat(engine.conferences.get("m1").closed).isTrue();
    assertThat(conferences.totalConferencesCompleted()).isEqualTo(1);
    assertThat(conferences.totalConferenceSeconds()).isEqualTo(151);
  }

  @Test
  void aConferenceWithEndpointsIsNotExpiredAsEmpty() throws Exception {
    Conference c = conferences.create("m1", null);
    Endpoint e = conferences.createEndpoint(c, "ep", null);
    for (int i = 0; i < 10; i++) {
      clock.advance(Duration.ofSeconds(40));
      e.touch();
      conferences.expireIdle();
    }
    assertThat(conferences.get("m1")).isPresent();
  }

  @Test
  void aFailedTransportExpiresItsEndpoint() throws Exception {
    Conference c = conferences.create("m1", null);
    conferences.createEndpoint(c, "ep", null);
    engine.conferences.get("m1").listener.transportFailed("ep", "ICE failed");
    assertThat(c.endpoint("ep")).isEmpty();
    assertThat(expiredEndpoints).containsExactly("ep");
  }

  @Test
  void gracefulShutdownRefusesNewConferencesButKeepsExistingOnes() throws Exception {
    Conference c = conferences.create("m1", null);
    conferences.startGracefulShutdown();
    assertThatThrownBy(() -> conferences.create("m2", null))
        .isInstanceOf(Conferences.GracefulShutdownException.class);
    assertThat(conferences.createEndpoint(c, "late", null)).isNotNull();
    assertThatThrownBy(() -> conferences.create("m1", null))
        .isInstanceOf(Conferences.ConferenceExistsException.class);
  }
}
