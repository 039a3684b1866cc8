package io.openmeet.roomapi.signalling;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class TurnCredentialsTest {

  private static TurnCredentials.TurnConfig config(List<String> uris, String secret) {
    return new TurnCredentials.TurnConfig() {
      @Override
      public Optional<List<String>> uris() {
        return Optional.ofNullable(uris);
      }

      @Override
      public Optional<String> secret() {
        return Optional.ofNullable(secret);
      }

      @Override
      public Duration credentialTtl() {
        return Duration.ofHours(12);
      }
    };
  }

  private final Clock clock = Clock.fixed(Instant.parse("2026-11-27T12:00:00Z"), ZoneOffset.UTC);

  @Test
  void credentials_follow_coturns_shared_secret_scheme() throws Exception {
    var turn =
        new TurnCredentials(
            config(List.of("turn:turn.example.org:3478?transport=udp"), "s3cret"), clock);
    var servers = turn.forUser("guest-1:x");
    assertThat(servers).hasSize(1);
    var s = servers.get(0);
    long expiry = Instant.parse("2026-11-28T00:00:00Z").getEpochSecond();
    assertThat(s.username()).isEqualTo(expiry + ":guest-1_x");
    // what coturn computes to check the password
    Mac mac = Mac.getInstance("HmacSHA1");
    mac.init(new SecretKeySpec("s3cret".getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
    assertThat(s.credential())
        .isEqualTo(
            Base64.getEncoder()
                .encodeToString(mac.doFinal(s.username().getBytes(StandardCharsets.UTF_8))));
    assertThat(s.urls()).containsExactly("turn:turn.example.org:3478?transport=udp");
  }

  @Test
  void nothing_is_offered_without_uris_or_secret() {
    assertThat(new TurnCredentials(config(null, "s3cret"), clock).forUser("u")).isEmpty();
    assertThat(new TurnCredentials(config(List.of("turn:x:3478"), null), clock).forUser("u"))
        .isEmpty();
  }
}
