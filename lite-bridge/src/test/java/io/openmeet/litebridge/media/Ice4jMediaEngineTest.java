package io.openmeet.litebridge.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.openmeet.transport.DtlsFingerprint;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class Ice4jMediaEngineTest {

  private Ice4jMediaEngine engine;

  @BeforeEach
  void start() {
    engine = new Ice4jMediaEngine(new MediaConfig(0, List.of("127.0.0.1"), List.of("203.0.113.7")));
  }

  @AfterEach
  void stop() {
    engine.close();
  }

  @Test
  void describesARealLoopbackCandidateOnTheBoundPort() {
    MediaConference conference = engine.createConference("m-1", (id, previous) -> {});
    EndpointTransport endpoint = conference.createEndpoint("ep1");

    LocalIce ice = endpoint.localIce();
    assertThat(ice.ufrag()).isNotBlank();
    assertThat(ice.password()).hasSizeGreaterThanOrEqualTo(22);
    assertThat(engine.port()).isPositive();
    assertThat(ice.candidates())
        .anySatisfy(
            c -> {
              assertThat(c.type()).isEqualTo("host");
              assertThat(c.ip()).isEqualTo("127.0.0.1");
              assertThat(c.port()).isEqualTo(engine.port());
              assertThat(c.protocol()).isEqualTo("udp");
              assertThat(c.component()).isEqualTo(1);
              assertThat(c.priority()).isPositive();
            });
    assertThat(ice.candidates())
        .anySatisfy(
            c -> {
              assertThat(c.type()).isEqualTo("srflx");
              assertThat(c.ip()).isEqualTo("203.0.113.7");
              assertThat(c.relatedAddress()).isEqualTo("127.0.0.1");
            });
    assertThat(endpoint.state()).isEqualTo(TransportState.NEW);
  }

  @Test
  void everyEndpointHasItsOwnCredentialsButTheBridgeHasOneFingerprint() {
    MediaConference conference = engine.createConference("m-2", (id, previous) -> {});
    LocalIce a = conference.createEndpoint("a").localIce();
    LocalIce b = conference.createEndpoint("b").localIce();
    assertThat(a.ufrag()).isNotEqualTo(b.ufrag());
    assertThat(a.password()).isNotEqualTo(b.password());

    DtlsFingerprint fingerprint = engine.localFingerprint();
    assertThat(fingerprint.hash()).isEqualTo("sha-256");
    assertThat(fingerprint.setup()).isEqualTo("actpass");
    assertThat(fingerprint.value()).matches("([0-9A-F]{2}:){31}[0-9A-F]{2}");
    assertThat(engine.localFingerprint()).isEqualTo(fingerprint);
  }

  @Test
  void feedbackSourcesAreTheJvbNamesWithDistinctNonZeroSsrcs() {
    MediaConference conference = engine.createConference("m-3", (id, previous) -> {});
    List<MediaSourceDesc> sources = conference.feedbackSources();
    assertThat(sources).extracting(MediaSourceDesc::name).containsExactly("jvb-a0", "jvb-v0");
    assertThat(sources).extracting(MediaSourceDesc::type).containsExactly("audio", "video");
    long audio = sources.get(0).ssrcs().get(0);
    long video = sources.get(1).ssrcs().get(0);
    assertThat(audio).isNotEqualTo(video).isBetween(1L, 0xFFFFFFFFL);
    assertThat(video).isBetween(1L, 0xFFFFFFFFL);
    assertThat(conference.feedbackSources()).isEqualTo(sources);
  }

  @Test
  void duplicateEndpointIdsAndBadRemoteTransportsAreRejected() {
    MediaConference conference = engine.createConference("m-4", (id, previous) -> {});
    EndpointTransport endpoint = conference.createEndpoint("dup");
    assertThatThrownBy(() -> conference.createEndpoint("dup"))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(
            () -> endpoint.setRemoteTransport(new RemoteTransport("", "", List.of(), List.of())))
        .isInstanceOf(IllegalArgumentException.class);
    endpoint.close();
    assertThat(endpoint.state()).isEqualTo(TransportState.CLOSED);
    assertThat(conference.createEndpoint("dup").state()).isEqualTo(TransportState.NEW);
  }
}
