package io.openmeet.litebridge;

import static io.openmeet.litebridge.Colibri2Requests.createEndpoint;
import static io.openmeet.litebridge.Colibri2Requests.expireEndpoint;
import static io.openmeet.litebridge.Colibri2Requests.request;
import static io.openmeet.litebridge.Colibri2Requests.updateEndpoint;
import static org.assertj.core.api.Assertions.assertThat;

import io.openmeet.litebridge.config.BridgeConfig;
import io.openmeet.litebridge.media.Ice4jMediaEngine;
import java.time.Duration;
import java.util.UUID;
import org.jitsi.xmpp.extensions.colibri2.ConferenceModifiedIQ;
import org.jitsi.xmpp.extensions.colibri2.MediaSource;
import org.jitsi.xmpp.extensions.jingle.DtlsFingerprintPacketExtension;
import org.jitsi.xmpp.extensions.jingle.IceUdpTransportPacketExtension;
import org.jivesoftware.smack.packet.IQ;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.jxmpp.jid.Jid;

/**
 * The product wiring: lite-bridge with the real ice4j/DTLS media engine on the real Prosody. The
 * Colibri2 answers carry the engine's actual UDP candidate, ICE credentials and certificate.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RealEngineColibri2Test {
  private final String brewery = TestEnv.uniqueBrewery();
  private final String nickname = TestEnv.random("bridge-");
  private Ice4jMediaEngine engine;
  private LiteBridge bridge;
  private FocusClient focus;
  private Jid bridgeJid;

  @BeforeAll
  void start() throws Exception {
    BridgeConfig config = BridgeConfig.load(TestEnv.bridgeOverrides(brewery, nickname));
    bridge = LiteBridge.create(config).start();
    engine = (Ice4jMediaEngine) bridge.mediaEngine();
    focus = new FocusClient(brewery);
    focus.awaitStats(nickname, s -> true, Duration.ofSeconds(15));
    bridgeJid = focus.occupant(nickname);
  }

  @AfterAll
  void stop() {
    if (focus != null) {
      focus.close();
    }
    if (bridge != null) {
      bridge.close();
    }
  }

  @Test
  void createUpdateExpireWithTheRealEngine() throws Exception {
    String meetingId = UUID.randomUUID().toString();
    var create = request(bridgeJid, meetingId).setCreate(true).setConferenceName("r@c.meet.local");
    create.addEndpoint(createEndpoint("ep1", true));
    ConferenceModifiedIQ first = (ConferenceModifiedIQ) focus.request(create.build());

    IceUdpTransportPacketExtension t =
        first.getEndpoints().get(0).getTransport().getIceUdpTransport();
    assertThat(t.getUfrag()).isNotBlank();
    assertThat(t.getPassword()).hasSizeGreaterThanOrEqualTo(22);
    assertThat(t.getCandidateList())
        .anySatisfy(
            c -> {
              assertThat(c.getIP()).isEqualTo("127.0.0.1");
              assertThat(c.getPort()).isEqualTo(engine.port());
              assertThat(c.getType().toString()).isEqualTo("host");
            });
    DtlsFingerprintPacketExtension fp = t.getFirstChildOfType(DtlsFingerprintPacketExtension.class);
    assertThat(fp.getSetup()).isEqualTo("actpass");
    assertThat(fp.getHash()).isEqualTo(engine.localFingerprint().hash());
    assertThat(fp.getFingerprint()).isEqualTo(engine.localFingerprint().value());
    assertThat(first.getSources().getMediaSources())
        .extracting(MediaSource::getId)
        .containsExactly("jvb-a0", "jvb-v0");

    var second = request(bridgeJid, meetingId);
    second.addEndpoint(createEndpoint("ep2", true));
    ConferenceModifiedIQ other = (ConferenceModifiedIQ) focus.request(second.build());
    IceUdpTransportPacketExtension t2 =
        other.getEndpoints().get(0).getTransport().getIceUdpTransport();
    assertThat(t2.getUfrag()).isNotEqualTo(t.getUfrag());
    assertThat(t2.getFirstChildOfType(DtlsFingerprintPacketExtension.class).getFingerprint())
        .isEqualTo(fp.getFingerprint());
    assertThat(other.getSources().toXML().toString())
        .isEqualTo(first.getSources().toXML().toString());

    var update = request(bridgeJid, meetingId);
    update.addEndpoint(updateEndpoint("ep1", 111L, 222L, 333L));
    ConferenceModifiedIQ updated = (ConferenceModifiedIQ) focus.request(update.build());
    assertThat(updated.getEndpoints())
        .singleElement()
        .satisfies(e -> assertThat(e.getTransport()).isNull());

    var expire = request(bridgeJid, meetingId);
    expire.addEndpoint(expireEndpoint("ep2"));
    assertThat(focus.request(expire.build()).getType()).isEqualTo(IQ.Type.result);
    assertThat(focus.request(request(bridgeJid, meetingId).setExpire(true).build()).getType())
        .isEqualTo(IQ.Type.result);
    assertThat(bridge.conferences().get(meetingId)).isEmpty();
  }
}
