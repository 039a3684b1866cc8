package io.openmeet.roomapi.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** An invitation to an invite-only room, for a registered user or for an email address. */
@Entity
@Table(name = "room_invites")
public class RoomInvite {
  @Id public UUID id;

  @Column(name = "room_id", nullable = false)
  public UUID roomId;

  @Column(name = "user_id")
  public UUID userId;

  @Column(length = 320)
  public String email;

  @Column(name = "created_at", nullable = false)
  public Instant createdAt;
}
