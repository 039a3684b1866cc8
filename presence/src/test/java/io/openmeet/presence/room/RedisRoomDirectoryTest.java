package io.openmeet.presence.room;

import static org.assertj.core.api.Assertions.assertThat;

import io.openmeet.presence.redis.RedisTestSupport;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

class RedisRoomDirectoryTest {

  private static RedissonClient redis;

  @BeforeAll
  static void connect() {
    redis = RedisTestSupport.connect();
  }

  @AfterAll
  static void disconnect() {
    redis.shutdown();
  }

  private static RoomRecord room(String id, String name) {
    return new RoomRecord(
        id,
        "slug-" + id.substring(0, 8),
        name,
        "public",
        12,
        true,
        "eu-west",
        Instant.now().truncatedTo(ChronoUnit.MILLIS),
        3,
        null);
  }

  @Test
  void the_rooms_p2p_setting_round_trips_and_can_be_cleared() {
    var directory = new RedisRoomDirectory(redis);
    RoomRecord base = room(UUID.randomUUID().toString(), "P2P");
    try {
      assertThat(directory.find(base.id()).isPresent()).isFalse();
      RoomRecord on =
          new RoomRecord(
              base.id(),
              base.slug(),
              base.name(),
              base.access(),
              base.maxParticipants(),
              base.lobbyEnabled(),
              base.region(),
              base.createdAt(),
              base.accessVersion(),
              true);
      directory.opened(on);
      assertThat(directory.find(base.id()).orElseThrow().p2p()).isTrue();
      directory.opened(base);
      assertThat(directory.find(base.id()).orElseThrow().p2p()).isNull();
    } finally {
      directory.closed(base.id());
    }
  }

  @Test
  void an_opened_room_is_a_hash_under_room_id() {
    var directory = new RedisRoomDirectory(redis);
    String id = UUID.randomUUID().toString();
    RoomRecord record = room(id, "Standup");

    directory.opened(record);

    var raw = redis.<String, String>getMap("room:" + id, StringCodec.INSTANCE).readAllMap();
    assertThat(raw)
        .containsEntry("slug", record.slug())
        .containsEntry("name", "Standup")
        .containsEntry("access", "public")
        .containsEntry("maxParticipants", "12")
        .containsEntry("lobbyEnabled", "true")
        .containsEntry("region", "eu-west")
        .containsEntry("accessVersion", "3");
    assertThat(directory.find(id)).contains(record);
    directory.closed(id);
  }

  @Test
  void a_hash_written_before_access_versions_reads_as_version_zero() {
    var directory = new RedisRoomDirectory(redis);
    String id = UUID.randomUUID().toString();
    directory.opened(room(id, "Old"));
    redis.<String, String>getMap("room:" + id, StringCodec.INSTANCE).remove("accessVersion");
    assertThat(directory.find(id).orElseThrow().accessVersion()).isZero();
    directory.closed(id);
  }

  @Test
  void reopening_replaces_the_fields() {
    var directory = new RedisRoomDirectory(redis);
    String id = UUID.randomUUID().toString();
    directory.opened(room(id, "Old name"));
    directory.opened(room(id, "New name"));
    assertThat(directory.find(id).orElseThrow().name()).isEqualTo("New name");
    directory.closed(id);
  }

  @Test
  void a_closed_room_is_gone_and_closing_twice_is_harmless() {
    var directory = new RedisRoomDirectory(redis);
    String id = UUID.randomUUID().toString();
    directory.opened(room(id, "Retro"));
    directory.closed(id);
    directory.closed(id);
    assertThat(directory.find(id)).isEmpty();
    assertThat(redis.getKeys().countExists(RedisRoomDirectory.key(id))).isZero();
  }
}
