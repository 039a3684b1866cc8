package io.openmeet.presence.room;

import java.time.Instant;
import java.util.Objects;

/**
 * What every node needs to know about an open room without asking Postgres: the live copy of the
 * room's settings kept in the {@code room:{id}} hash.
 *
 * @param accessVersion bumped whenever who may enter changes; join tokens of an older version are
 *     refused
 * @param p2p whether two-participant calls go peer-to-peer; null follows the deployment default
 */
public record RoomRecord(
    String id,
    String slug,
    String name,
    String access,
    int maxParticipants,
    boolean lobbyEnabled,
    String region,
    Instant createdAt,
    int accessVersion,
    Boolean p2p) {

  public RoomRecord {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(slug, "slug");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(access, "access");
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(createdAt, "createdAt");
  }
}
