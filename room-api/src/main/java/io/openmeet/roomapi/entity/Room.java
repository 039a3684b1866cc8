package io.openmeet.roomapi.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** A meeting room (row of {@code rooms}); closing a room keeps the row for the call history. */
@Entity
@Table(name = "rooms")
public class Room {
  @Id public UUID id;

  @Column(nullable = false, length = 64)
  public String slug;

  @Column(nullable = false, length = 200)
  public String name;

  @Column(name = "created_by")
  public UUID createdBy;

  @Column(nullable = false, length = 64)
  public String region;

  @Convert(converter = RoomAccessConverter.class)
  @Column(nullable = false, length = 16)
  public RoomAccess access;

  /** bcrypt hash, only for {@link RoomAccess#PASSWORD} rooms; the password itself is never kept. */
  @Column(name = "password_hash")
  public String passwordHash;

  @Column(name = "lobby_enabled", nullable = false)
  public boolean lobbyEnabled;

  // null: the deployment's openmeet.rooms.p2p-enabled decides
  @Column(name = "p2p_enabled")
  public Boolean p2pEnabled;

  @Column(name = "max_participants", nullable = false)
  public int maxParticipants;

  @Column(name = "is_active", nullable = false)
  public boolean active;

  @Column(name = "created_at", nullable = false)
  public Instant createdAt;

  @Column(name = "closed_at")
  public Instant closedAt;

  /**
   * Bumped when who may enter changes (access, password) and on close; join tokens carry it and an
   * older one no longer joins.
   */
  @Column(name = "access_version", nullable = false)
  public int accessVersion;
}
