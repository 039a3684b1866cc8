package io.openmeet.bridgeconfig;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LiteBridgeTemplateTest {
  /** Keys both bridges have: the same relative path must carry the same value. */
  private static final List<String> SHARED_KEYS =
      List.of(
          "apis.xmpp-client.presence-interval",
          "apis.xmpp-client.configs.openmeet.hostname",
          "apis.xmpp-client.configs.openmeet.port",
          "apis.xmpp-client.configs.openmeet.domain",
          "apis.xmpp-client.configs.openmeet.username",
          "apis.xmpp-client.configs.openmeet.password",
          "apis.xmpp-client.configs.openmeet.muc_jids",
          "apis.xmpp-client.configs.openmeet.muc_nickname",
          "apis.xmpp-client.configs.openmeet.disable_certificate_verification",
          "http-servers.private.host",
          "http-servers.private.port",
          "websockets.enabled",
          "websockets.server-id",
          "websockets.domain",
          "websockets.tls",
          "relay.region",
          "relay.relay-id",
          "ice.udp.port",
          "shutdown.graceful-shutdown-max-duration");

  @Test
  void sharesJvbKeyNamesAndValuesForTheSameInputs() {
    for (Map<String, String> values : List.of(Inputs.local(), Inputs.production())) {
      Config jvb = parse(ConfigTemplate.JVB, values).getConfig("videobridge");
      Config lite = parse(ConfigTemplate.LITE_BRIDGE, values).getConfig("lite-bridge");

      for (String key : SHARED_KEYS) {
        assertThat(lite.hasPath(key)).as("lite-bridge." + key).isTrue();
        assertThat(lite.getValue(key).unwrapped()).as(key).isEqualTo(jvb.getValue(key).unwrapped());
      }
    }
  }

  @Test
  void localRunBindsMediaToLoopback() {
    Config lite = parse(ConfigTemplate.LITE_BRIDGE, Inputs.local()).getConfig("lite-bridge");

    assertThat(lite.getStringList("ice.bind-addresses")).containsExactly("127.0.0.1");
    assertThat(lite.getInt("ice.udp.port")).isEqualTo(10000);
    assertThat(lite.getInt("http-servers.private.port")).isEqualTo(8180);
  }

  private static Config parse(ConfigTemplate template, Map<String, String> values) {
    return ConfigFactory.parseString(TemplateRenderer.render(template, values)).resolve();
  }
}
