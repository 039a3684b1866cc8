package io.openmeet.presence.room;

import static org.assertj.core.api.Assertions.assertThat;

import io.openmeet.presence.redis.RedisTestSupport;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;

class RedisRoomBansTest {

  private static RedissonClient redis;

  @BeforeAll
  static void connect() {
    redis = RedisTestSupport.connect();
  }

  @AfterAll
  static void disconnect() {
    redis.shutdown();
  }

  @Test
  void a_ban_holds_for_the_token_and_the_user_in_that_room_until_it_ends() {
    var bans = new RedisRoomBans(redis);
    String room = UUID.randomUUID().toString();
    Instant now = Instant.now();
    bans.ban(room, "jti-1", "user-1", now.plusSeconds(600));

    assertThat(bans.banned(room, "jti-1", null, now)).isTrue();
    assertThat(bans.banned(room, null, "user-1", now)).isTrue();
    assertThat(bans.banned(room, "jti-2", "user-2", now)).isFalse();
    assertThat(bans.banned(room, null, null, now)).isFalse();
    assertThat(bans.banned(UUID.randomUUID().toString(), "jti-1", "user-1", now)).isFalse();
    // over at its end, even while the hash still lives
    assertThat(bans.banned(room, "jti-1", "user-1", now.plusSeconds(601))).isFalse();
    // the hash expires with its longest ban
    long ttl = redis.getMap(RedisRoomBans.key(room)).remainTimeToLive();
    assertThat(ttl).isBetween(590_000L, 600_000L);
    // a shorter ban later does not shorten it
    bans.ban(room, "jti-1", null, now.plusSeconds(10));
    assertThat(bans.banned(room, "jti-1", null, now.plusSeconds(300))).isTrue();
    redis.getMap(RedisRoomBans.key(room)).delete();
  }
}
