package io.openmeet.bridgeconfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JvbTemplateTest {
  private static final String XMPP = "videobridge.apis.xmpp-client.configs.openmeet.";

  private static Config render(Map<String, String> values) {
    return ConfigFactory.parseString(TemplateRenderer.render(ConfigTemplate.JVB, values)).resolve();
  }

  @Test
  void localRunConnectsToLoopbackProsodyAndJoinsTheBrewery() {
    Config c = render(Inputs.local());

    assertThat(c.getString(XMPP + "hostname")).isEqualTo("127.0.0.1");
    assertThat(c.getInt(XMPP + "port")).isEqualTo(5222);
    assertThat(c.getString(XMPP + "domain")).isEqualTo("auth.meet.local");
    assertThat(c.getString(XMPP + "username")).isEqualTo("jvb");
    assertThat(c.getString(XMPP + "password")).isEqualTo("local-Secret-123");
    assertThat(c.getString(XMPP + "muc_jids")).isEqualTo("jvbbrewery@internal.auth.meet.local");
    assertThat(c.getString(XMPP + "muc_nickname")).isEqualTo("lite-bridge-1");
    assertThat(c.getBoolean(XMPP + "disable_certificate_verification")).isTrue();
    assertThat(c.getDuration("videobridge.apis.xmpp-client.presence-interval"))
        .isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void privateRestStaysOnLocalhostWithShutdownEnabled() {
    Config c = render(Inputs.production());

    assertThat(c.getString("videobridge.http-servers.private.host")).isEqualTo("127.0.0.1");
    assertThat(c.getInt("videobridge.http-servers.private.port")).isEqualTo(8080);
    assertThat(c.getBoolean("videobridge.apis.rest.enabled")).isTrue();
    assertThat(c.getBoolean("videobridge.rest.shutdown.enabled")).isTrue();
    assertThat(c.getDuration("videobridge.shutdown.graceful-shutdown-max-duration"))
        .isEqualTo(Duration.ofHours(3));
  }

  @Test
  void bridgeIdIsTheNicknameTheRelayIdAndTheWebSocketServerId() {
    Config c = render(Inputs.production());

    assertThat(c.getString(XMPP + "muc_nickname")).isEqualTo("openmeet-jvb-3");
    assertThat(c.getString("videobridge.relay.relay-id")).isEqualTo("openmeet-jvb-3");
    assertThat(c.getString("videobridge.websockets.server-id")).isEqualTo("openmeet-jvb-3");
    assertThat(c.getString("videobridge.relay.region")).isEqualTo("eu-west-1");
    assertThat(c.getBoolean("videobridge.relay.enabled")).isTrue();
  }

  @Test
  void mediaWebSocketsStatsAndPublicAddressDiscoveryAreConfigured() {
    Config c = render(Inputs.production());

    assertThat(c.getInt("videobridge.ice.udp.port")).isEqualTo(10000);
    assertThat(c.getBoolean("videobridge.websockets.enabled")).isTrue();
    assertThat(c.getString("videobridge.websockets.domain")).isEqualTo("meet.example.com:443");
    assertThat(c.getBoolean("videobridge.websockets.tls")).isTrue();
    assertThat(c.getBoolean("videobridge.stats.enabled")).isTrue();
    assertThat(c.getStringList("ice4j.harvest.mapping.stun.addresses"))
        .containsExactly("stun1.example.com:3478", "stun2.example.com:443");
    assertThat(c.getBoolean("ice4j.harvest.mapping.aws.enabled")).isTrue();
  }

  @Test
  void onlyProductionRequiresAValidPublicAddressForHealth() {
    assertThat(render(Inputs.production()).getBoolean("videobridge.health.require-valid-address"))
        .isTrue();
    assertThat(render(Inputs.local()).getBoolean("videobridge.health.require-valid-address"))
        .isFalse();
  }

  @Test
  void stressComesFromPacketRateOnOneMachineAndFromCpuInProduction() {
    String key = "videobridge.load-management.load-measurements.load-measurement";
    assertThat(render(Inputs.local()).getString(key)).isEqualTo("packet-rate");
    assertThat(render(Inputs.production()).getString(key)).isEqualTo("cpu-usage");
  }

  @Test
  void anEmptyStunListRendersAnEmptyHoconList() {
    Config c = render(Inputs.local());

    assertThat(c.getStringList("ice4j.harvest.mapping.stun.addresses")).isEmpty();
  }

  @Test
  void aMissingVariableIsNamedWithWhatItShouldHold() {
    Map<String, String> values = Inputs.local();
    values.remove("JVB_REGION");

    assertThatThrownBy(() -> TemplateRenderer.render(ConfigTemplate.JVB, values))
        .isInstanceOfSatisfying(
            MissingVariableException.class,
            e -> assertThat(e.variable()).isEqualTo(RenderVariable.JVB_REGION))
        .hasMessageContaining("jvb/jvb.conf.template needs JVB_REGION");
  }

  @Test
  void badValuesAreRejectedByKind() {
    assertRejected("XMPP_PORT", "70000", "outside 1..65535");
    assertRejected("XMPP_PORT", "5222x", "port number");
    assertRejected("JVB_WEBSOCKET_TLS", "yes", "true or false");
    assertRejected("JVB_LOAD_MEASUREMENT", "cpu", "cpu-usage or packet-rate");
    assertRejected("JVB_PRESENCE_INTERVAL", "5", "duration with a unit");
    assertRejected("JVB_REGION", "eu west", "letters, digits");
    assertRejected("XMPP_AUTH_DOMAIN", "auth..meet", "domain");
    assertRejected("JVB_STUN_ADDRESSES", "stun.example.com", "host:port");
    assertRejected("JVB_STUN_ADDRESSES", "a.example:3478,b.example:99999", "outside 1..65535");
  }

  @Test
  void aPasswordThatCouldBreakOutOfItsQuotesIsRejectedWithoutBeingEchoed() {
    Map<String, String> values = Inputs.local();
    values.put("JVB_PASSWORD", "abc\"def}ghi");

    assertThatThrownBy(() -> TemplateRenderer.render(ConfigTemplate.JVB, values))
        .isInstanceOf(InvalidVariableException.class)
        .hasMessageContaining("JVB_PASSWORD")
        .hasMessageNotContaining("abc");
  }

  @Test
  void anUnknownPlaceholderInATemplateIsATemplateBug() {
    assertThatThrownBy(() -> TemplateRenderer.substitute("t.conf", "a = ${NOT_A_VAR}", Map.of()))
        .isInstanceOfSatisfying(
            UnknownVariableException.class,
            e -> assertThat(e.placeholder()).isEqualTo("NOT_A_VAR"));
  }

  @Test
  void everyPlaceholderInTheShippedTemplatesIsAKnownVariable() {
    for (ConfigTemplate t : ConfigTemplate.values()) {
      assertThat(TemplateRenderer.variablesOf(t)).as(t.name()).isNotEmpty();
    }
  }

  private static void assertRejected(String name, String value, String reasonFragment) {
    Map<String, String> values = Inputs.local();
    values.put(name, value);
    assertThatThrownBy(() -> TemplateRenderer.render(ConfigTemplate.JVB, values))
        .as(name + "=" + value)
        .isInstanceOfSatisfying(
            InvalidVariableException.class, e -> assertThat(e.variable().name()).isEqualTo(name))
        .hasMessageContaining(reasonFragment);
  }
}
