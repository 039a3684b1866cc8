package io.openmeet.roomapi.repository;

import io.openmeet.roomapi.entity.RoomInvite;
import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.UUID;

/** Invitations to invite-only rooms. */
@ApplicationScoped
public class RoomInviteRepository implements PanacheRepositoryBase<RoomInvite, UUID> {

  /** Whether the user (by id or by lower-cased email) is invited to the room. */
  public boolean isInvited(UUID roomId, UUID userId, String email) {
    return count(
            "roomId = ?1 and (userId = ?2 or (email is not null and email = ?3))",
            roomId,
            userId,
            email == null ? "" : email)
        > 0;
  }

  public boolean exists(UUID roomId, UUID userId, String email) {
    if (userId != null) {
      return count("roomId = ?1 and userId = ?2", roomId, userId) > 0;
    }
    return count("roomId = ?1 and email = ?2", roomId, email) > 0;
  }

  public List<RoomInvite> forRoom(UUID roomId) {
    return list("roomId = ?1 order by createdAt, id", roomId);
  }
}
