package io.openmeet.presence.lobby;

import static org.assertj.core.api.Assertions.assertThat;

import io.openmeet.presence.lobby.RoomLobby.Event;
import io.openmeet.presence.lobby.RoomLobby.Waiter;
import io.openmeet.presence.redis.RedisTestSupport;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;

class RedisRoomLobbyTest {

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
  void waiters_are_listed_in_order_taken_once_and_lapse_unless_refreshed() {
    var lobby = new RedisRoomLobby(redis);
    String room = UUID.randomUUID().toString();
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    var ada = new Waiter("w-ada", "Ada Lovelace", "node-a", now);
    var bob = new Waiter("w-bob", "Bob", "node-b", now.plusMillis(5));
    lobby.enter(room, bob, now.plusSeconds(30));
    lobby.enter(room, ada, now.plusSeconds(30));

    assertThat(lobby.waiters(room, now)).containsExactly(ada, bob);
    assertThat(lobby.waiters(UUID.randomUUID().toString(), now)).isEmpty();
    // lapsed at +30 s unless refreshed; Bob is refreshed
    lobby.refresh(room, "w-bob", now.plusSeconds(90));
    assertThat(lobby.waiters(room, now.plusSeconds(60))).containsExactly(bob);

    assertThat(lobby.take(room, "w-bob", now)).contains(bob);
    assertThat(lobby.take(room, "w-bob", now)).isEmpty();
    // a lapsed waiter cannot be taken (its node stopped refreshing it)
    assertThat(lobby.take(room, "w-ada", now.plusSeconds(31))).isEmpty();
    assertThat(lobby.waiters(room, now)).isEmpty();
    // refreshing a taken waiter does not bring it back
    lobby.refresh(room, "w-bob", now.plusSeconds(90));
    assertThat(lobby.waiters(room, now)).isEmpty();
    assertThat(redis.getMap(RedisRoomLobby.key(room)).isExists()).isFalse();
  }

  @Test
  void moderators_count_while_present_and_not_after_leaving_or_lapsing() {
    var lobby = new RedisRoomLobby(redis);
    String room = UUID.randomUUID().toString();
    Instant now = Instant.now();
    assertThat(lobby.moderators(room, now)).isZero();
    lobby.moderatorPresent(room, "m1", now.plusSeconds(30));
    lobby.moderatorPresent(room, "m2", now.plusSeconds(60));
    assertThat(lobby.moderators(room, now)).isEqualTo(2);
    assertThat(lobby.moderators(room, now.plusSeconds(45))).isEqualTo(1);
    lobby.moderatorGone(room, "m2");
    assertThat(lobby.moderators(room, now)).isEqualTo(1);
    redis.getMap(RedisRoomLobby.moderatorsKey(room)).delete();
  }

  @Test
  void events_reach_every_subscriber_with_their_fields() throws Exception {
    var lobby = new RedisRoomLobby(redis);
    var other = new RedisRoomLobby(redis);
    var seen = new LinkedBlockingQueue<Event>();
    var seenElsewhere = new LinkedBlockingQueue<Event>();
    String room = UUID.randomUUID().toString();
    try (var a = lobby.subscribe(seen::add);
        var b = other.subscribe(seenElsewhere::add)) {
      var knocked = new Event(Event.Kind.KNOCKED, room, "w-1", "Ada Lovelace", false);
      var moderators = new Event(Event.Kind.MODERATORS, room, "", "", true);
      lobby.publish(knocked);
      lobby.publish(moderators);
      for (var queue : List.of(seen, seenElsewhere)) {
        assertThat(queue.poll(5, TimeUnit.SECONDS)).isEqualTo(knocked);
        assertThat(queue.poll(5, TimeUnit.SECONDS)).isEqualTo(moderators);
      }
    }
  }

  @Test
  void a_malformed_event_is_refused() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> RedisRoomLobby.decodeEvent("KNOCKED\tonly-two"))
        .isInstanceOf(IllegalArgumentException.class);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> RedisRoomLobby.decodeEvent("NOPE\tr\tw\tfalse\t"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
