package io.openmeet.presence.conference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/** Leases and participant presence against the real Redis that scripts/test starts (REDIS_URL). */
class RedisConferenceStateTest {

  private static RedissonClient redis;

  @BeforeAll
  static void connect() {
    String url = System.getenv("REDIS_URL");
    if (url == null || url.isBlank()) {
      throw new IllegalStateException("REDIS_URL is not set: run the tests through scripts/test");
    }
    Config config = new Config();
    config.useSingleServer().setAddress(url);
    redis = Redisson.create(config);
    leases().started();
  }

  /** Leases with a guard of this class' own: one test loses it on purpose. */
  private static final String GUARD = "it-leases-open-at-" + UUID.randomUUID();

  private static RedisConferenceLeases leases() {
    return new RedisConferenceLeases(redis, GUARD);
  }

  @AfterAll
  static void disconnect() {
    redis.getBucket(GUARD).delete();
    redis.shutdown();
  }

  private static String unique(String what) {
    return what + "-" + UUID.randomUUID();
  }

  @Test
  void only_one_node_holds_a_conference_lease() {
    var leases = leases();
    String conf = unique("conf");
    var a = leases.tryAcquire(conf, "node-a", Duration.ofSeconds(5));
    var b = leases.tryAcquire(conf, "node-b", Duration.ofSeconds(5));
    assertThat(a).isPresent();
    assertThat(b).isEmpty();
    assertThat(leases.owner(conf)).contains("node-a");
    leases.release(a.orElseThrow());
  }

  @Test
  void a_node_cannot_renew_or_release_a_lease_it_does_not_hold() {
    var leases = leases();
    String conf = unique("conf");
    var a = leases.tryAcquire(conf, "node-a", Duration.ofSeconds(5)).orElseThrow();
    var forged = new ConferenceLeases.Lease(conf, "node-b");
    assertThat(leases.renew(forged, Duration.ofSeconds(5))).isFalse();
    leases.release(forged);
    assertThat(leases.owner(conf)).contains("node-a");
    assertThat(leases.renew(a, Duration.ofSeconds(5))).isTrue();
    leases.release(a);
    assertThat(leases.owner(conf)).isEmpty();
  }

  @Test
  void a_lease_lost_with_redis_data_is_written_again_with_its_epoch_unless_a_later_one_exists() {
    var leases = leases();
    String conf = unique("conf");
    var a = leases.tryAcquire(conf, "node-a", Duration.ofSeconds(5)).orElseThrow();
    // Redis came back empty: lease and epoch counter gone
    redis.getBucket(RedisConferenceLeases.key(conf)).delete();
    redis.getBucket(RedisConferenceLeases.epochKey(conf)).delete();
    assertThat(leases.renew(a, Duration.ofSeconds(5))).isFalse();
    assertThat(leases.reassert(a, Duration.ofSeconds(5))).isTrue();
    assertThat(leases.owner(conf)).contains("node-a");
    assertThat(leases.renew(a, Duration.ofSeconds(5))).isTrue();
    // a later acquire (after the lease is gone) gets a higher epoch than the reasserted one
    leases.release(a);
    var b = leases.tryAcquire(conf, "node-b", Duration.ofSeconds(5)).orElseThrow();
    assertThat(b.epoch()).isGreaterThan(a.epoch());
    // a lease another node holds, or one whose epoch was passed, is never taken back
    assertThat(leases.reassert(a, Duration.ofSeconds(5))).isFalse();
    leases.release(b);
    assertThat(leases.reassert(a, Duration.ofSeconds(5))).isFalse();
    assertThat(leases.owner(conf)).isEmpty();
  }

  @Test
  void after_redis_lost_its_data_no_lease_is_taken_for_one_ttl_but_owners_write_theirs_again()
      throws Exception {
    String guard = unique("it-leases-open-at");
    var leases = new RedisConferenceLeases(redis, guard);
    Duration ttl = Duration.ofMillis(1_500);
    leases.started();
    // a store in use from the start: leases are taken at once, and nothing is noticed
    assertThat(leases.noticeDataLoss(ttl)).isFalse();
    String owned = unique("conf");
    var a = leases.tryAcquire(owned, "node-a", ttl).orElseThrow();

    // Redis came back empty: the guard, the lease and the epoch counter are gone
    redis.getBucket(guard).delete();
    redis.getBucket(RedisConferenceLeases.key(owned)).delete();
    redis.getBucket(RedisConferenceLeases.epochKey(owned)).delete();
    long lostAt = System.nanoTime();
    assertThat(leases.noticeDataLoss(ttl)).as("the first node to look notices").isTrue();
    assertThat(leases.noticeDataLoss(ttl)).as("and only the first").isFalse();
    // another node cannot take the owned room meanwhile, nor a new one
    assertThatThrownBy(() -> leases.tryAcquire(owned, "node-b", ttl))
        .isInstanceOfSatisfying(
            ConferenceLeases.HeldBackException.class,
            e -> assertThat(e.retryAfter()).isPositive().isLessThanOrEqualTo(ttl));
    assertThatThrownBy(() -> leases.tryAcquire(unique("conf"), "node-b", ttl))
        .isInstanceOf(ConferenceLeases.HeldBackException.class);
    // the owner writes its lease again; from then on the room is simply owned
    assertThat(leases.reassert(a, ttl)).isTrue();
    assertThat(leases.tryAcquire(owned, "node-b", ttl)).isEmpty();
    assertThat(leases.owner(owned)).contains("node-a");
    leases.release(a);

    // past the hold, leases are taken again
    long deadline = lostAt + Duration.ofSeconds(5).toNanos();
    Optional<ConferenceLeases.Lease> b = Optional.empty();
    while (b.isEmpty() && System.nanoTime() < deadline) {
      try {
        b = leases.tryAcquire(unique("conf"), "node-b", ttl);
      } catch (ConferenceLeases.HeldBackException e) {
        Thread.sleep(50);
      }
    }
    assertThat(b).isPresent();
    assertThat(Duration.ofNanos(System.nanoTime() - lostAt)).isGreaterThanOrEqualTo(ttl);
    leases.release(b.get());
    redis.getBucket(guard).delete();
  }

  @Test
  void a_lapsed_lease_can_be_taken_over_and_the_old_owner_cannot_renew_it() throws Exception {
    var leases = leases();
    String conf = unique("conf");
    var a = leases.tryAcquire(conf, "node-a", Duration.ofMillis(150)).orElseThrow();
    long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
    while (leases.owner(conf).isPresent() && System.nanoTime() < deadline) {
      Thread.sleep(25);
    }
    var b = leases.tryAcquire(conf, "node-b", Duration.ofSeconds(5));
    assertThat(b).isPresent();
    assertThat(leases.renew(a, Duration.ofSeconds(5))).isFalse();
    assertThat(leases.owner(conf)).contains("node-b");
    leases.release(b.orElseThrow());
  }

  @Test
  void presence_tracks_the_room_set_and_the_user_hash() {
    var presence = new RedisParticipantPresence(redis);
    String room = unique("room");
    String user = unique("user");
    presence.joined(new ParticipantPresence.Participant(room, "p1", user, "Ada", "node-a"));
    presence.joined(
        new ParticipantPresence.Participant(room, "p2", unique("guest"), "Bob", "node-a"));
    assertThat(presence.participants(room)).containsExactlyInAnyOrder("p1", "p2");
    assertThat(presence.count(room)).isEqualTo(2);
    assertThat(redis.getMap(RedisParticipantPresence.userKey(user)).isExists()).isTrue();

    presence.left(room, "p1", user);
    assertThat(presence.participants(room)).containsExactly("p2");
    assertThat(redis.getMap(RedisParticipantPresence.userKey(user)).isExists()).isFalse();
    presence.left(room, "p2", "nobody");
    assertThat(presence.count(room)).isZero();
  }

  @Test
  void leaving_an_old_session_keeps_the_users_newer_session() {
    var presence = new RedisParticipantPresence(redis);
    String room = unique("room");
    String user = unique("user");
    presence.joined(new ParticipantPresence.Participant(room, "old", user, "Ada", "node-a"));
    presence.joined(new ParticipantPresence.Participant(room, "new", user, "Ada", "node-b"));
    presence.left(room, "old", user);
    assertThat(presence.participants(room)).containsExactly("new");
    assertThat(
            redis
                .<String, String>getMap(
                    RedisParticipantPresence.userKey(user),
                    org.redisson.client.codec.StringCodec.INSTANCE)
                .get("participantId"))
        .isEqualTo("new");
    presence.left(room, "new", user);
  }

  @Test
  void every_acquire_gets_a_higher_epoch_and_an_old_epoch_renews_nothing() throws Exception {
    var leases = leases();
    String conf = unique("conf");
    var first = leases.tryAcquire(conf, "node-a", Duration.ofSeconds(5)).orElseThrow();
    leases.release(first);
    var second = leases.tryAcquire(conf, "node-a", Duration.ofSeconds(5)).orElseThrow();
    assertThat(second.epoch()).isGreaterThan(first.epoch());
    // the same node, but the earlier lease: it no longer counts
    assertThat(leases.renew(first, Duration.ofSeconds(5))).isFalse();
    leases.release(first);
    assertThat(leases.owner(conf)).contains("node-a");
    leases.release(second);
  }

  @Test
  void state_is_written_only_under_the_current_lease_and_goes_with_it_when_the_call_ends()
      throws Exception {
    var leases = leases();
    var states = new RedisConferenceStateStore(redis);
    String conf = unique("conf");
    // long enough for the fenced write below to land inside it on a loaded machine (a write
    // refused because 200 ms had passed would fail the test, not the product)
    var a = leases.tryAcquire(conf, "node-a", Duration.ofMillis(1000)).orElseThrow();
    assertThat(states.write(a, "{\"v\":1}")).isTrue();
    assertThat(states.read(conf)).contains("{\"v\":1}");

    // node a's lease lapses and node b takes the conference over: a's writes are refused
    long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
    while (leases.owner(conf).isPresent() && System.nanoTime() < deadline) {
      Thread.sleep(25);
    }
    var b = leases.tryAcquire(conf, "node-b", Duration.ofSeconds(5)).orElseThrow();
    assertThat(states.read(conf)).as("b starts from a's state").contains("{\"v\":1}");
    assertThat(states.write(a, "{\"v\":2}")).isFalse();
    assertThat(states.write(b, "{\"v\":3}")).isTrue();
    states.end(a); // not a's to end
    assertThat(states.read(conf)).contains("{\"v\":3}");
    assertThat(leases.owner(conf)).contains("node-b");

    states.end(b);
    assertThat(states.read(conf)).isEmpty();
    assertThat(leases.owner(conf)).isEmpty();
  }

  @Test
  void fenced_presence_writes_need_the_current_lease() {
    var leases = leases();
    var presence = new RedisParticipantPresence(redis);
    String room = unique("room");
    String user = unique("user");
    var lease = leases.tryAcquire(room, "node-a", Duration.ofSeconds(5)).orElseThrow();
    var stale = new ConferenceLeases.Lease(room, "node-a", lease.epoch() - 1);
    var ada = new ParticipantPresence.Participant(room, "p1", user, "Ada", "node-a");

    assertThat(presence.joined(ada, stale)).isFalse();
    assertThat(presence.participants(room)).isEmpty();
    assertThat(presence.joined(ada, lease)).isTrue();
    assertThat(presence.participants(room)).containsExactly("p1");
    assertThat(
            redis
                .<String, String>getMap(
                    RedisParticipantPresence.userKey(user),
                    org.redisson.client.codec.StringCodec.INSTANCE)
                .get("displayName"))
        .isEqualTo("Ada");

    assertThat(presence.left(room, "p1", user, stale)).isFalse();
    assertThat(presence.participants(room)).containsExactly("p1");
    assertThat(presence.left(room, "p1", user, lease)).isTrue();
    assertThat(presence.participants(room)).isEmpty();
    assertThat(redis.getMap(RedisParticipantPresence.userKey(user)).isExists()).isFalse();
    leases.release(lease);
  }
}
