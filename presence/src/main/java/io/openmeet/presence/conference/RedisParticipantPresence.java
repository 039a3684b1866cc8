package io.openmeet.presence.conference;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.redisson.api.RBatch;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * Presence in Redis: the set {@code room:{id}:participants} and the hash {@code user:{id}} (room,
 * participant, name, node, joined-at), written together in one batch.
 */
public final class RedisParticipantPresence implements ParticipantPresence {

  private static final String LEAVE =
      "redis.call('srem', KEYS[1], ARGV[1]); "
          + "if redis.call('hget', KEYS[2], 'participantId') == ARGV[1] then "
          + "redis.call('del', KEYS[2]) end; return 1";

  private static final String FENCED_JOIN =
      "if redis.call('get', KEYS[1]) ~= ARGV[1] then return 0 end "
          + "redis.call('sadd', KEYS[2], ARGV[2]) "
          + "redis.call('hset', KEYS[3], 'roomId', ARGV[3], 'participantId', ARGV[2], "
          + "'displayName', ARGV[4], 'nodeId', ARGV[5], 'joinedAt', ARGV[6]) "
          + "return 1";
  private static final String FENCED_LEAVE =
      "if redis.call('get', KEYS[3]) ~= ARGV[2] then return 0 end " + LEAVE;

  private final RedissonClient redis;

  public RedisParticipantPresence(RedissonClient redis) {
    this.redis = redis;
  }

  /** The Redis key of a room's participant set. */
  public static String roomKey(String roomId) {
    return "room:" + roomId + ":participants";
  }

  /** The Redis key of a user's presence hash. */
  public static String userKey(String userId) {
    return "user:" + userId;
  }

  @Override
  public void joined(Participant p) {
    RBatch batch = redis.createBatch();
    batch.getSet(roomKey(p.roomId()), StringCodec.INSTANCE).addAsync(p.participantId());
    batch
        .getMap(userKey(p.userId()), StringCodec.INSTANCE)
        .putAllAsync(
            Map.of(
                "roomId", p.roomId(),
                "participantId", p.participantId(),
                "displayName", p.displayName(),
                "nodeId", p.nodeId(),
                "joinedAt", Instant.now().toString()));
    batch.execute();
  }

  @Override
  public void left(String roomId, String participantId, String userId) {
    // the user hash goes only if it still describes this participant: the same user may have joined
    // again from another tab or device meanwhile
    redis
        .getScript(StringCodec.INSTANCE)
        .eval(
            RScript.Mode.READ_WRITE,
            LEAVE,
            RScript.ReturnType.LONG,
            List.of(roomKey(roomId), userKey(userId)),
            participantId);
  }

  @Override
  public boolean joined(Participant p, ConferenceLeases.Lease fence) {
    Long written =
        redis
            .getScript(StringCodec.INSTANCE)
            .eval(
                RScript.Mode.READ_WRITE,
                FENCED_JOIN,
                RScript.ReturnType.LONG,
                List.of(
                    RedisConferenceLeases.key(fence.conferenceId()),
                    roomKey(p.roomId()),
                    userKey(p.userId())),
                fence.token(),
                p.participantId(),
                p.roomId(),
                p.displayName(),
                p.nodeId(),
                Instant.now().toString());
    return written != null && written == 1L;
  }

  @Override
  public boolean left(
      String roomId, String participantId, String userId, ConferenceLeases.Lease fence) {
    Long written =
        redis
            .getScript(StringCodec.INSTANCE)
            .eval(
                RScript.Mode.READ_WRITE,
                FENCED_LEAVE,
                RScript.ReturnType.LONG,
                List.of(
                    roomKey(roomId),
                    userKey(userId),
                    RedisConferenceLeases.key(fence.conferenceId())),
                participantId,
                fence.token());
    return written != null && written == 1L;
  }

  @Override
  public Set<String> participants(String roomId) {
    return redis.<String>getSet(roomKey(roomId), StringCodec.INSTANCE).readAll();
  }

  @Override
  public int count(String roomId) {
    return redis.getSet(roomKey(roomId), StringCodec.INSTANCE).size();
  }
}
