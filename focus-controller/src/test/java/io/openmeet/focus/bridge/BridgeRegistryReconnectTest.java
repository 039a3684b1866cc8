package io.openmeet.focus.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.openmeet.focus.testing.BreweryBridge;
import io.openmeet.focus.testing.Eventually;
import io.openmeet.focus.testing.TcpProxy;
import io.openmeet.focus.testing.TestEnv;
import io.openmeet.focus.testing.TestRedis;
import io.openmeet.focus.xmpp.FocusXmppConnection;
import io.openmeet.focus.xmpp.XmppSettings;
import io.openmeet.presence.bridge.RedisBridgeAdmission;
import io.openmeet.presence.bridge.RedisBridgeStateStore;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;

/**
 * The focus's connection to the real Prosody runs through a relay the test cuts: Smack reconnects
 * by itself, the registry is back in the brewery and follows the bridges again.
 */
class BridgeRegistryReconnectTest {

  @Test
  void afterALostConnectionTheFocusReconnectsRejoinsTheBreweryAndSeesNewStats() throws Exception {
    String brewery = TestEnv.uniqueBrewery();
    XmppSettings direct = TestEnv.focus();
    RedissonClient redis = TestRedis.connect();
    try (TcpProxy proxy = new TcpProxy(direct.host(), direct.port());
        BreweryBridge jvb1 = new BreweryBridge(brewery, "jvb1")) {
      XmppSettings viaProxy =
          new XmppSettings(
              "127.0.0.1",
              proxy.port(),
              direct.domain(),
              direct.username(),
              direct.password(),
              direct.resource(),
              false,
              direct.replyTimeout());
      RedisBridgeStateStore store =
          new RedisBridgeStateStore(redis, "test-" + UUID.randomUUID() + ":");
      try (FocusXmppConnection focus = new FocusXmppConnection(viaProxy);
          BridgeRegistry registry =
              new BridgeRegistry(
                  focus,
                  store,
                  new RedisBridgeAdmission(
                      redis,
                      store,
                      Clock.systemUTC(),
                      0.01,
                      Duration.ofSeconds(2),
                      Duration.ofSeconds(30)),
                  BridgeRegistryConfig.defaults(
                      brewery, "focus-" + UUID.randomUUID().toString().substring(0, 8)),
                  Clock.systemUTC())) {
        focus.connect(3, Duration.ofMillis(200), Duration.ofSeconds(1));
        registry.start();
        jvb1.publish(Map.of("stress_level", "0.1"));
        Eventually.within(
            Duration.ofSeconds(20),
            () -> assertThat(registry.bridge("jvb1").orElseThrow().stress()).isEqualTo(0.1));

        proxy.cutAll();
        Eventually.within(
            Duration.ofSeconds(20), () -> assertThat(focus.smack().isConnected()).isFalse());

        // Smack's reconnection manager waits a random, increasing delay (up to ~15 s at first).
        Eventually.within(
            Duration.ofSeconds(60), () -> assertThat(focus.smack().isAuthenticated()).isTrue());
        Eventually.within(
            Duration.ofSeconds(30),
            () -> {
              try {
                jvb1.publish(Map.of("stress_level", "0.6"));
              } catch (Exception e) {
                throw new AssertionError(e);
              }
              assertThat(registry.bridge("jvb1").orElseThrow().stress()).isEqualTo(0.6);
            });
        assertThat(store.get("jvb1").orElseThrow().stress()).isEqualTo(0.6);
      }
    } finally {
      redis.shutdown();
    }
  }
}
