package io.openmeet.litebridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import io.openmeet.litebridge.config.BridgeConfig;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reading reference.conf, overrides, the bridge-config template's layout and invalid values. */
class BridgeConfigTest {

  private static BridgeConfig parse(String hocon) {
    return BridgeConfig.from(
        ConfigFactory.parseString(hocon).withFallback(ConfigFactory.defaultReference()).resolve());
  }

  @Test
  void defaultsFollowJvb() {
    BridgeConfig c = parse("");
    assertThat(c.xmpp().presenceInterval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.endpointTimeout()).isEqualTo(Duration.ofMinutes(1));
    assertThat(c.webSockets().serverId()).isEqualTo("default-id");
    assertThat(c.packetRateLoadThreshold()).isEqualTo(50000);
    assertThat(c.xmpp().nickname()).matches("lite-bridge-[0-9a-f]{8}");
    assertThat(c.xmpp().mucJid()).contains("@");
    // no video before a receiver's first constraints; 180p for unnamed sources after a first
    // message without defaultConstraints
    assertThat(c.allocation().initialMaxHeightPx()).isZero();
    assertThat(c.allocation().defaultMaxHeightPx()).isEqualTo(180);
    assertThat(c.media().trustBwe()).isTrue();
  }

  @Test
  void allocationHeightsAreRead() {
    BridgeConfig c =
        parse(
            "lite-bridge.cc { initial-max-height-px = -1, default-max-height-px = 360,"
                + " trust-bwe = false }");
    assertThat(c.allocation().initialMaxHeightPx()).isEqualTo(-1);
    assertThat(c.allocation().defaultMaxHeightPx()).isEqualTo(360);
    assertThat(c.media().trustBwe()).isFalse();
  }

  @Test
  void theBridgeConfigTemplateLayoutIsRead() {
    // The shape bridge-config/lite-bridge/lite-bridge.conf.template renders.
    BridgeConfig c =
        parse(
            """
            lite-bridge {
              apis.xmpp-client {
                presence-interval = 3 seconds
                configs { openmeet {
                  hostname = "10.0.0.5", port = 5223, domain = "auth.example.org"
                  username = "jvb", password = "s3cret"
                  muc_jids = "jvbbrewery@internal.auth.example.org"
                  muc_nickname = "jvb-eu-1"
                  disable_certificate_verification = true
                } }
              }
              http-servers.private { host = "0.0.0.0", port = 8181 }
              relay { region = "eu-west", relay-id = "jvb-eu-1" }
              ice { udp.port = 10001, bind-addresses = ["10.0.0.7"] }
              shutdown.graceful-shutdown-max-duration = 2 hours
            }
            """);
    assertThat(c.xmpp().host()).isEqualTo("10.0.0.5");
    assertThat(c.xmpp().port()).isEqualTo(5223);
    assertThat(c.xmpp().mucJid()).isEqualTo("jvbbrewery@internal.auth.example.org");
    assertThat(c.xmpp().nickname()).isEqualTo("jvb-eu-1");
    assertThat(c.xmpp().disableCertificateVerification()).isTrue();
    assertThat(c.xmpp().presenceInterval()).isEqualTo(Duration.ofSeconds(3));
    assertThat(c.restPort()).isEqualTo(8181);
    assertThat(c.region()).isEqualTo("eu-west");
    assertThat(c.relayId()).isEqualTo("jvb-eu-1");
    assertThat(c.media().port()).isEqualTo(10001);
    assertThat(c.media().bindAddresses()).containsExactly("10.0.0.7");
    assertThat(c.gracefulShutdownMaxDuration()).isEqualTo(Duration.ofHours(2));
  }

  @Test
  void overridesWin() {
    BridgeConfig c =
        BridgeConfig.load(
            Map.of(
                "lite-bridge.http-servers.private.port",
                0,
                "lite-bridge.apis.xmpp-client.configs.test.muc_nickname",
                "n1"));
    assertThat(c.restPort()).isZero();
    assertThat(c.xmpp().nickname()).isEqualTo("n1");
  }

  @Test
  void invalidValuesAreTypedErrorsNamingTheKey() {
    assertThatThrownBy(() -> parse("lite-bridge.http-servers.private.port = 70000"))
        .isInstanceOf(BridgeConfig.InvalidConfigException.class)
        .hasMessageContaining("http-servers.private.port");
    assertThatThrownBy(() -> parse("lite-bridge.entity-expiration.timeout = 0s"))
        .isInstanceOf(BridgeConfig.InvalidConfigException.class)
        .hasMessageContaining("entity-expiration.timeout");
    assertThatThrownBy(() -> parse("lite-bridge.ice.udp.port = \"many\""))
        .isInstanceOf(BridgeConfig.InvalidConfigException.class)
        .hasMessageContaining("ice.udp.port");
    assertThatThrownBy(() -> parse("lite-bridge.apis.xmpp-client.configs.test.muc_jids = []"))
        .isInstanceOf(BridgeConfig.InvalidConfigException.class)
        .hasMessageContaining("muc_jids");
    assertThatThrownBy(() -> parse("lite-bridge.cc.initial-max-height-px = -2"))
        .isInstanceOf(BridgeConfig.InvalidConfigException.class)
        .hasMessageContaining("cc.initial-max-height-px");
    assertThatThrownBy(() -> parse("lite-bridge.cc.default-max-height-px = tall"))
        .isInstanceOf(BridgeConfig.InvalidConfigException.class)
        .hasMessageContaining("cc.default-max-height-px");
  }

  @Test
  void toStringNeverShowsTheXmppPasswordOrTheControlSecret() {
    BridgeConfig c =
        parse(
            """
            lite-bridge {
              apis.xmpp-client.configs.x { username = "jvb", password = "xmpp-pw-4711" }
              rest.control-secret = "ctl-secret-0815"
            }
            """);
    assertThat(c.xmpp().password()).isEqualTo("xmpp-pw-4711");
    assertThat(c.controlSecret()).isEqualTo("ctl-secret-0815");
    assertThat(c.toString())
        .doesNotContain("xmpp-pw-4711")
        .doesNotContain("ctl-secret-0815")
        .contains("password=***", "controlSecret=***", "username=jvb");
    assertThat(c.xmpp().toString()).doesNotContain("xmpp-pw-4711").contains("password=***");
    // an empty secret (no control endpoints) stays visibly empty
    assertThat(parse("").toString()).contains("controlSecret=,");
  }
}
