package io.openmeet.presence.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.openmeet.presence.redis.RedissonClientFactory.Auth;
import io.openmeet.presence.redis.RedissonClientFactory.Mode;
import io.openmeet.presence.redis.RedissonClientFactory.Sentinel;
import io.openmeet.presence.redis.RedissonClientFactory.Settings;
import io.openmeet.presence.redis.RedissonClientFactory.Tls;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.redisson.config.ReadMode;
import org.redisson.config.SslVerificationMode;
import org.redisson.config.SubscriptionMode;

class RedissonClientFactoryTest {

  private static final Auth PASSWORD = new Auth(Optional.empty(), Optional.of("s3cret"));

  @Test
  void accepts_redis_and_rediss_urls() {
    assertThat(RedissonClientFactory.validated("redis://127.0.0.1:6379"))
        .isEqualTo("redis://127.0.0.1:6379");
    assertThat(RedissonClientFactory.validated(" rediss://cache.example:6380 "))
        .isEqualTo("rediss://cache.example:6380");
  }

  @Test
  void rejects_urls_that_are_not_redis_urls() {
    assertThatThrownBy(() -> RedissonClientFactory.validated("http://127.0.0.1:6379"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("redis://");
    assertThatThrownBy(() -> RedissonClientFactory.validated("127.0.0.1:6379"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RedissonClientFactory.validated("redis://"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("redis://");
  }

  @Test
  void a_password_in_the_url_is_refused_without_echoing_it() {
    assertThatThrownBy(() -> Settings.of("rediss://:hunter2@cache.example:6379"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("password separately")
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void rejects_an_empty_pool() {
    assertThatThrownBy(() -> Settings.of("redis://h:1").withPool(0, 100))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void modes_are_standalone_and_sentinel_and_cluster_is_refused_with_the_reason() {
    assertThat(Mode.parse("standalone")).isEqualTo(Mode.STANDALONE);
    assertThat(Mode.parse(" Sentinel ")).isEqualTo(Mode.SENTINEL);
    assertThatThrownBy(() -> Mode.parse("cluster"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("CROSSSLOT");
    assertThatThrownBy(() -> Mode.parse("true"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("standalone or sentinel");
  }

  @Test
  void sentinel_mode_needs_addresses_of_one_scheme() {
    assertThatThrownBy(() -> Settings.sentinel(new Sentinel("m", List.of(), Optional.empty())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Sentinel addresses");
    assertThatThrownBy(
            () ->
                Settings.sentinel(
                    new Sentinel(
                        "m", List.of("redis://a:26379", "rediss://b:26379"), Optional.empty())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("mix");
    assertThatThrownBy(() -> new Sentinel(" ", List.of("redis://a:1"), Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void a_ca_file_without_tls_is_a_mistake() {
    assertThatThrownBy(
            () -> Settings.of("redis://h:1").withTls(new Tls(Optional.of(Path.of("ca.pem")), true)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not rediss://");
  }

  @Test
  void a_user_name_needs_a_password() {
    assertThatThrownBy(() -> new Auth(Optional.of("app"), Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(new Auth(Optional.of(""), Optional.of(""))).isEqualTo(Auth.NONE);
  }

  @Test
  void passwords_never_show_in_settings_text() {
    Settings s =
        Settings.sentinel(
                new Sentinel("m", List.of("rediss://a:26379"), Optional.of("sentinel-secret")))
            .withAuth(PASSWORD);
    assertThat(s.toString()).doesNotContain("s3cret").doesNotContain("sentinel-secret");
  }

  @Test
  void standalone_settings_reach_redisson() {
    var config =
        RedissonClientFactory.config(
            Settings.of("rediss://cache.example:6379")
                .withAuth(new Auth(Optional.of("app"), Optional.of("s3cret")))
                .withTls(new Tls(Optional.empty(), false))
                .withPool(8, 1_500));
    var single = config.useSingleServer();
    assertThat(single.getAddress()).isEqualTo("rediss://cache.example:6379");
    assertThat(config.getUsername()).isEqualTo("app");
    assertThat(config.getPassword()).isEqualTo("s3cret");
    assertThat(single.getConnectionPoolSize()).isEqualTo(8);
    assertThat(single.getTimeout()).isEqualTo(1_500);
    assertThat(config.getSslVerificationMode()).isEqualTo(SslVerificationMode.CA_ONLY);
    assertThat(single.getDnsMonitoringInterval())
        .isEqualTo(RedissonClientFactory.DNS_MONITORING_MILLIS);
  }

  @Test
  void sentinel_settings_reach_redisson_and_everything_goes_to_the_master() {
    var config =
        RedissonClientFactory.config(
            Settings.sentinel(
                    new Sentinel(
                        "openmeet",
                        List.of("rediss://s1:26379", "rediss://s2:26379"),
                        Optional.of("sentinel-secret")))
                .withAuth(PASSWORD));
    var sentinel = config.useSentinelServers();
    assertThat(sentinel.getMasterName()).isEqualTo("openmeet");
    assertThat(sentinel.getSentinelAddresses())
        .containsExactly("rediss://s1:26379", "rediss://s2:26379");
    assertThat(config.getPassword()).isEqualTo("s3cret");
    assertThat(sentinel.getSentinelPassword()).isEqualTo("sentinel-secret");
    assertThat(sentinel.getReadMode()).isEqualTo(ReadMode.MASTER);
    assertThat(sentinel.getSubscriptionMode()).isEqualTo(SubscriptionMode.MASTER);
    assertThat(config.getSslVerificationMode()).isEqualTo(SslVerificationMode.STRICT);
  }

  @Test
  void a_created_client_talks_to_the_real_server() {
    var redis = RedisTestSupport.connect();
    try {
      var bucket = redis.<String>getBucket("presence-test:factory:" + java.util.UUID.randomUUID());
      bucket.set("ok", java.time.Duration.ofSeconds(10));
      assertThat(bucket.get()).isEqualTo("ok");
      bucket.delete();
    } finally {
      redis.shutdown();
    }
  }

  @Test
  void redisPasswordsAreMaskedWhenPrinted() {
    Auth auth = new Auth(Optional.of("app"), Optional.of("redis-pw-4711"));
    Sentinel sentinel =
        new Sentinel(
            "mymaster", List.of("redis://10.0.0.1:26379"), Optional.of("sentinel-pw-0815"));
    assertThat(auth.toString()).doesNotContain("redis-pw-4711").contains("app", "***");
    assertThat(sentinel.toString()).doesNotContain("sentinel-pw-0815").contains("mymaster", "***");
  }
}
