package io.openmeet.presence.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.openmeet.presence.bridge.BridgeSnapshot;
import io.openmeet.presence.bridge.RedisBridgeAdmission;
import io.openmeet.presence.bridge.RedisBridgeStateStore;
import io.openmeet.presence.redis.RedissonClientFactory.Auth;
import io.openmeet.presence.redis.RedissonClientFactory.Settings;
import io.openmeet.presence.redis.RedissonClientFactory.Tls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.redisson.Redisson;
import org.redisson.api.RTopic;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;

/**
 * A production-like Redis: Debian's redis-server with requirepass and TLS only (scripts/lib/
 * redis-ha.sh, a server of this test's own). The client needs the password and the CA, and every
 * presence mechanism (plain commands, the admission script, pub/sub) works over it.
 */
class RedisAuthTlsTest {

  private static RedisGroup group;

  @BeforeAll
  static void startRedis() throws Exception {
    group = RedisGroup.start("auth-tls", true, 0, 0);
  }

  @AfterAll
  static void stopRedis() throws Exception {
    if (group != null) {
      group.close();
    }
  }

  private static Settings settings() {
    return Settings.of(group.url(group.masterPort))
        .withAuth(new Auth(Optional.empty(), Optional.of(group.password)))
        .withTls(new Tls(Optional.of(group.caFile()), true));
  }

  @Test
  void with_the_password_and_the_ca_every_mechanism_works() throws Exception {
    RedissonClient redis = RedissonClientFactory.create(settings());
    try {
      var bucket = redis.<String>getBucket("auth-tls:bucket");
      bucket.set("ok", Duration.ofSeconds(30));
      assertThat(bucket.get()).isEqualTo("ok");

      // the multi-key admission script
      var store = new RedisBridgeStateStore(redis, "auth-tls:");
      store.put(
          new BridgeSnapshot(
              "b1", "jid/b1", "", "", "", 0.1, true, false, false, false, Instant.now()),
          Duration.ofSeconds(30));
      var admission =
          new RedisBridgeAdmission(
              redis, store, Clock.systemUTC(), 0.02, Duration.ofSeconds(2), Duration.ofSeconds(30));
      assertThat(admission.reserve(List.of(List.of("b1")), 0.8, false))
          .hasValueSatisfying(r -> assertThat(r.bridgeId()).isEqualTo("b1"));

      // pub/sub (the lobby's events)
      RTopic topic = redis.getTopic("auth-tls:events", StringCodec.INSTANCE);
      var received = new LinkedBlockingQueue<String>();
      int listener = topic.addListener(String.class, (channel, m) -> received.add(m));
      assertThat(topic.publish("hello")).isPositive();
      assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("hello");
      topic.removeListener(listener);
    } finally {
      redis.shutdown();
    }
  }

  /**
   * A first read through a client configured as {@link RedissonClientFactory} configures it, but
   * without Redisson's retries: a refused connection is not transient, and the retries only made
   * each of these tests wait 5-11 s for the same exception.
   */
  private static Object firstRead(Settings s) {
    Config config = RedissonClientFactory.config(s);
    config.useSingleServer().setRetryAttempts(0);
    RedissonClient client = Redisson.create(config);
    try {
      return client.getBucket("x").get();
    } finally {
      client.shutdown();
    }
  }

  @Test
  void the_server_refuses_a_client_without_the_password() {
    assertThatThrownBy(() -> firstRead(settings().withAuth(Auth.NONE)))
        .hasStackTraceContaining("NOAUTH");
  }

  @Test
  void the_server_refuses_a_wrong_password() {
    assertThatThrownBy(
            () -> firstRead(settings().withAuth(new Auth(Optional.empty(), Optional.of("wrong")))))
        .hasStackTraceContaining("WRONGPASS");
  }

  @Test
  void the_client_refuses_a_server_certificate_it_does_not_trust() {
    // the JVM's trust store does not hold the test CA
    assertThatThrownBy(() -> firstRead(settings().withTls(Tls.DEFAULT)))
        .hasStackTraceContaining("PKIX");
  }

  @Test
  void a_plain_connection_to_the_tls_port_fails() {
    String plain = "redis://127.0.0.1:" + group.masterPort;
    assertThatThrownBy(
            () ->
                firstRead(
                    Settings.of(plain)
                        .withAuth(new Auth(Optional.empty(), Optional.of(group.password)))
                        .withPool(2, 1_000)))
        .isInstanceOf(RuntimeException.class);
  }

  @Test
  void a_ca_file_without_certificates_is_a_clear_error(@TempDir Path tmp) throws Exception {
    Path empty = Files.writeString(tmp.resolve("ca.pem"), "not a certificate\n");
    assertThatThrownBy(
            () ->
                RedissonClientFactory.create(settings().withTls(new Tls(Optional.of(empty), true))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Redis TLS CA file");
  }
}
