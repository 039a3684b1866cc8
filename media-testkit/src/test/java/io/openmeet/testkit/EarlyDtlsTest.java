package io.openmeet.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.openmeet.litebridge.media.EndpointTransport;
import io.openmeet.litebridge.media.TransportState;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A browser's first DTLS ClientHello often reaches the bridge before the focus has handed the
 * bridge the browser's answer (the bridge answers ICE checks with its own credentials alone, and
 * Chromium starts DTLS on the first answered check). The bridge keeps it, as JVB does, so that the
 * handshake does not wait for the browser to send it again (about a second later).
 */
class EarlyDtlsTest {

  /** Far longer than the test waits: a ClientHello the bridge dropped is not sent again in time. */
  private static final int RESEND_MILLIS = 20_000;

  private BridgeHarness bridge;
  private SyntheticEndpoint endpoint;

  @BeforeEach
  void start() {
    bridge = new BridgeHarness();
  }

  @AfterEach
  void stop() {
    if (endpoint != null) {
      endpoint.close();
    }
    bridge.close();
  }

  @Test
  void aClientHelloThatCameBeforeTheRemoteTransportIsAnswered() throws Exception {
    EndpointTransport transport = bridge.conference.createEndpoint("early");
    endpoint = SyntheticEndpoint.create("early", SyntheticEndpoint.Options.loopback());
    transport.setMediaFormats(SyntheticEndpoint.mediaFormats());
    transport.setSources(endpoint.sources());
    endpoint.connectEarly(transport.localIce(), bridge.engine.localFingerprint(), RESEND_MILLIS);

    // our check was answered and the ClientHello sent while the bridge knows nothing of us
    BridgeHarness.await(
        () -> endpoint.sentPackets() > 0, Duration.ofSeconds(10), "the endpoint's ClientHello");
    Thread.sleep(300); // it has arrived at the bridge
    assertThat(transport.state()).isEqualTo(TransportState.NEW);
    assertThat(endpoint.isConnected()).isFalse();

    transport.setRemoteTransport(endpoint.transportDescription());
    assertThat(endpoint.awaitConnected(Duration.ofSeconds(8)))
        .as("connected without a second ClientHello (failure: %s)", endpoint.failure())
        .isTrue();
    BridgeHarness.await(
        () -> transport.state() == TransportState.CONNECTED,
        Duration.ofSeconds(5),
        "the bridge side to be connected");
  }
}
