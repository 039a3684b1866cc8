package io.openmeet.focus.colibri;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.openmeet.focus.conference.ConferenceBridge;
import io.openmeet.focus.conference.FocusException;
import io.openmeet.focus.sdp.CodecSettings;
import io.openmeet.focus.sdp.DtlsFingerprint;
import io.openmeet.focus.sdp.IceCandidate;
import io.openmeet.focus.sdp.MediaKind;
import io.openmeet.focus.sdp.MediaSource;
import io.openmeet.focus.sdp.Setup;
import io.openmeet.focus.sdp.SsrcGroup;
import io.openmeet.focus.sdp.TransportDescription;
import io.openmeet.litebridge.LiteBridge;
import io.openmeet.litebridge.config.BridgeConfig;
import io.openmeet.litebridge.media.Ice4jMediaEngine;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.jivesoftware.smack.ConnectionConfiguration.SecurityMode;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smack.tcp.XMPPTCPConnectionConfiguration;
import org.jivesoftware.smackx.muc.MultiUserChat;
import org.jivesoftware.smackx.muc.MultiUserChatManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Resourcepart;

/**
 * Colibri2 from the focus side against a real lite-bridge (in-process) over the real Prosody, in a
 * brewery room of its own.
 */
class Colibri2ConferenceBridgeTest {

  private static LiteBridge bridge;
  private static Ice4jMediaEngine engine;
  private static XMPPTCPConnection xmpp;
  private static MultiUserChat brewery;

  static String env(String name) {
    String value = System.getenv(name);
    if (value == null || value.isBlank()) {
      throw new IllegalStateException(name + " is not set: run the tests through scripts/test");
    }
    return value;
  }

  static String random(String prefix) {
    byte[] b = new byte[4];
    ThreadLocalRandom.current().nextBytes(b);
    return prefix + HexFormat.of().formatHex(b);
  }

  @BeforeAll
  static void start() throws Exception {
    String breweryJid = random("jvbbrewery-test-") + "@" + env("XMPP_INTERNAL_MUC");
    Map<String, Object> o = new HashMap<>();
    String x = "lite-bridge.apis.xmpp-client.";
    o.put(x + "configs.test.muc_jids", breweryJid);
    o.put(x + "configs.test.muc_nickname", random("bridge-"));
    o.put(x + "presence-interval", "1 second");
    o.put("lite-bridge.http-servers.private.host", "127.0.0.1");
    o.put("lite-bridge.http-servers.private.port", 0);
    o.put("lite-bridge.ice.udp.port", 0);
    o.put("lite-bridge.ice.bind-addresses", List.of("127.0.0.1"));
    BridgeConfig config = BridgeConfig.load(o);
    engine = new Ice4jMediaEngine(config.media());
    bridge = new LiteBridge(config, engine, Clock.systemUTC(), () -> 0.0).start();

    ColibriProviders.register();
    xmpp =
        new XMPPTCPConnection(
            XMPPTCPConnectionConfiguration.builder()
                .setHost(env("XMPP_HOST"))
                .setPort(Integer.parseInt(env("XMPP_PORT")))
                .setXmppDomain(env("XMPP_AUTH_DOMAIN"))
                .setUsernameAndPassword(env("FOCUS_USER"), env("FOCUS_PASSWORD"))
                .setResource(random("focus-test-"))
                .setSecurityMode(SecurityMode.disabled)
                .build());
    xmpp.connect().login();
    // Colibri2 IQs travel through the brewery MUC, so the focus is an occupant too
    brewery =
        MultiUserChatManager.getInstanceFor(xmpp)
            .getMultiUserChat(JidCreate.entityBareFrom(breweryJid));
    var created = brewery.createOrJoin(Resourcepart.from(random("focus-")));
    if (created != null) {
      created.makeInstant();
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (!bridge.isJoined() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(bridge.isJoined()).as("bridge joined the brewery").isTrue();
  }

  @AfterAll
  static void stop() throws Exception {
    if (xmpp != null) {
      xmpp.disconnect();
    }
    if (bridge != null) {
      bridge.close();
    }
  }

  private Colibri2ConferenceBridge conference(String meetingId) throws Exception {
    return new Colibri2ConferenceBridge(
        xmpp,
        (region, avoid) -> {
          if (avoid.contains(bridge.occupantJid())) {
            throw new FocusException(FocusException.Reason.NO_BRIDGE, "no other bridge");
          }
          return bridge.occupantJid();
        },
        meetingId,
        JidCreate.entityBareFrom("room-" + meetingId.substring(0, 8) + "@conference.meet.local"),
        Optional.empty(),
        CodecSettings.defaults(false),
        Duration.ofSeconds(10));
  }

  private static TransportDescription browserTransport() {
    return new TransportDescription(
        "brws",
        "browserpassword0123456789",
        List.of(
            new DtlsFingerprint(
                "sha-256",
                "68:39:BA:EE:D9:E2:4E:73:A0:08:CD:7F:17:24:5F:1B:49:08:63:80:F9:86:CB:92:38:22:83:F2:22:F5:DD:43",
                Setup.ACTIVE)),
        List.of(
            new IceCandidate(
                "1", 1, "udp", 2122194687L, "127.0.0.1", 43570, "host", null, -1, null, 0),
            new IceCandidate(
                "2", 1, "tcp", 1518214911L, "127.0.0.1", 9, "host", null, -1, "active", 0)));
  }

  @Test
  void allocates_endpoints_with_the_bridges_transport_and_feedback_sources() throws Exception {
    String meeting = UUID.randomUUID().toString();
    var conference = conference(meeting);
    ConferenceBridge.Allocation a = conference.allocate("ep1aaaaa", "Ada");
    ConferenceBridge.Allocation b = conference.allocate("ep2bbbbb", "Bob");

    assertThat(a.transport().ufrag()).isNotBlank().isNotEqualTo(b.transport().ufrag());
    assertThat(a.transport().pwd()).hasSizeGreaterThanOrEqualTo(22);
    assertThat(a.transport().fingerprints())
        .singleElement()
        .satisfies(
            fp -> {
              assertThat(fp.setup()).isEqualTo(Setup.ACTPASS);
              assertThat(fp.value()).isEqualTo(engine.localFingerprint().value());
            });
    // one certificate per bridge: both endpoints see the same fingerprint
    assertThat(b.transport().fingerprints()).isEqualTo(a.transport().fingerprints());
    assertThat(a.transport().candidates())
        .anySatisfy(c -> assertThat(c.address()).isEqualTo("127.0.0.1"));
    assertThat(a.feedbackSources())
        .extracting(MediaSource::name)
        .containsExactlyInAnyOrder("jvb-a0", "jvb-v0");
    assertThat(a.bridgeChannelUrl())
        .hasValueSatisfying(u -> assertThat(u).contains("/colibri-ws/"));
    assertThat(bridge.conferences().get(meeting)).isPresent();

    conference.close();
    assertThat(bridge.conferences().get(meeting)).isEmpty();
  }

  @Test
  void updates_carry_the_browsers_transport_and_sources() throws Exception {
    var conference = conference(UUID.randomUUID().toString());
    conference.allocate("ep1ccccc", "Ada");
    List<MediaSource> sources =
        List.of(
            MediaSource.of(MediaKind.AUDIO, "ep1ccccc-a0", "ep1ccccc", List.of(1111L), List.of()),
            MediaSource.of(
                MediaKind.VIDEO,
                "ep1ccccc-v0",
                "ep1ccccc",
                List.of(2222L, 3333L),
                List.of(new SsrcGroup("FID", List.of(2222L, 3333L)))));
    conference.update("ep1ccccc", browserTransport(), sources);

    assertThatThrownBy(() -> conference.update("nobody00", browserTransport(), List.of()))
        .isInstanceOfSatisfying(
            FocusException.class,
            e -> assertThat(e.reason()).isEqualTo(FocusException.Reason.UNEXPECTED));
    conference.expire("ep1ccccc");
    conference.expire("ep1ccccc"); // JVB answers expire-only for unknown endpoints with a result
    conference.close();
  }

  @Test
  void a_conference_the_bridge_lost_is_created_again() throws Exception {
    String meeting = UUID.randomUUID().toString();
    var conference = conference(meeting);
    conference.allocate("ep1ddddd", "Ada");
    // the bridge forgets the conference (restart or expiry) behind the focus' back
    var other = conference(meeting);
    other.allocate(
        "ep0eeeee", "x"); // create='true' on an existing meeting: conflict, then joins it
    other.close();
    assertThat(bridge.conferences().get(meeting)).isEmpty();

    ConferenceBridge.Allocation again = conference.allocate("ep2fffff", "Bob");
    assertThat(again.transport().ufrag()).isNotBlank();
    assertThat(bridge.conferences().get(meeting)).isPresent();
    conference.close();
  }
}
