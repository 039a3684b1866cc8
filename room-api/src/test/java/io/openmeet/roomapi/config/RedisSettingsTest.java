package io.openmeet.roomapi.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.openmeet.presence.redis.RedissonClientFactory.Mode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** openmeet.redis.* as the deployment sets it, turned into connection settings or a clear error. */
class RedisSettingsTest {

  /** A settings group with the defaults of OpenmeetConfig.Redis, changed by the tests. */
  private static final class Values implements OpenmeetConfig.Redis {
    String mode = "standalone";
    String url = "redis://127.0.0.1:6379";
    Optional<String> username = Optional.empty();
    Optional<String> password = Optional.empty();
    Optional<String> caFile = Optional.empty();
    boolean verifyHostname = true;
    String master = "mymaster";
    Optional<List<String>> sentinels = Optional.empty();
    Optional<String> sentinelPassword = Optional.empty();

    @Override
    public String mode() {
      return mode;
    }

    @Override
    public String url() {
      return url;
    }

    @Override
    public Optional<String> username() {
      return username;
    }

    @Override
    public Optional<String> password() {
      return password;
    }

    @Override
    public Tls tls() {
      return new Tls() {
        @Override
        public Optional<String> caFile() {
          return caFile;
        }

        @Override
        public boolean verifyHostname() {
          return verifyHostname;
        }
      };
    }

    @Override
    public Sentinel sentinel() {
      return new Sentinel() {
        @Override
        public String master() {
          return master;
        }

        @Override
        public Optional<List<String>> addresses() {
          return sentinels;
        }

        @Override
        public Optional<String> password() {
          return sentinelPassword;
        }
      };
    }

    @Override
    public int poolSize() {
      return 32;
    }

    @Override
    public Duration timeout() {
      return Duration.ofSeconds(3);
    }

    @Override
    public Duration probeInterval() {
      return Duration.ofMillis(500);
    }
  }

  @Test
  void the_defaults_are_the_local_server_without_auth() {
    var s = RedisSettings.from(new Values());
    assertThat(s.mode()).isEqualTo(Mode.STANDALONE);
    assertThat(s.url()).isEqualTo("redis://127.0.0.1:6379");
    assertThat(s.auth().password()).isEmpty();
    assertThat(s.secure()).isFalse();
    assertThat(s.poolSize()).isEqualTo(32);
    assertThat(s.timeoutMillis()).isEqualTo(3_000);
  }

  @Test
  void a_managed_primary_endpoint_with_tls_and_a_password() {
    var v = new Values();
    v.url = "rediss://master.openmeet.abc123.euw1.cache.amazonaws.com:6379";
    v.password = Optional.of("auth-token");
    var s = RedisSettings.from(v);
    assertThat(s.secure()).isTrue();
    assertThat(s.auth().password()).contains("auth-token");
    assertThat(s.tls().caFile()).isEmpty();
    assertThat(s.tls().verifyHostname()).isTrue();
  }

  @Test
  void sentinel_mode_takes_the_sentinels_and_their_master() {
    var v = new Values();
    v.mode = "sentinel";
    v.master = "openmeet";
    v.sentinels = Optional.of(List.of("rediss://s1:26379", " rediss://s2:26379 "));
    v.password = Optional.of("pw");
    var s = RedisSettings.from(v);
    assertThat(s.mode()).isEqualTo(Mode.SENTINEL);
    assertThat(s.sentinel().orElseThrow().master()).isEqualTo("openmeet");
    assertThat(s.sentinel().orElseThrow().urls())
        .containsExactly("rediss://s1:26379", "rediss://s2:26379");
    assertThat(s.secure()).isTrue();
  }

  @Test
  void sentinel_mode_without_sentinels_is_refused() {
    var v = new Values();
    v.mode = "sentinel";
    assertThatThrownBy(() -> RedisSettings.from(v))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("REDIS_SENTINEL_ADDRESSES");
  }

  @Test
  void sentinels_in_standalone_mode_are_a_mistake() {
    var v = new Values();
    v.sentinels = Optional.of(List.of("redis://s1:26379"));
    assertThatThrownBy(() -> RedisSettings.from(v))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("REDIS_MODE");
  }

  @Test
  void cluster_mode_is_refused_with_the_reason() {
    var v = new Values();
    v.mode = "cluster";
    assertThatThrownBy(() -> RedisSettings.from(v))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("CROSSSLOT");
  }

  @Test
  void a_missing_ca_file_is_named(@TempDir Path tmp) throws Exception {
    var v = new Values();
    v.url = "rediss://cache:6379";
    v.caFile = Optional.of(tmp.resolve("missing.pem").toString());
    assertThatThrownBy(() -> RedisSettings.from(v))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("REDIS_TLS_CA_FILE");
    Path ca = Files.writeString(tmp.resolve("ca.pem"), "x");
    v.caFile = Optional.of(ca.toString());
    v.verifyHostname = false;
    var s = RedisSettings.from(v);
    assertThat(s.tls().caFile()).contains(ca);
    assertThat(s.tls().verifyHostname()).isFalse();
  }
}
