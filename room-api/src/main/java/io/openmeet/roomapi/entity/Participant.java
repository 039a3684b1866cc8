package io.openmeet.roomapi.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** One join of a user or guest to a call. */
@Entity
@Table(name = "participants")
public class Participant {
  @Id public UUID id;

  @Column(name = "call_log_id", nullable = false)
  public UUID callLogId;

  @Column(name = "user_id")
  public UUID userId;

  @Column(name = "display_name", nullable = false, length = 200)
  public String displayName;

  @Column(name = "joined_at", nullable = false)
  public Instant joinedAt;

  @Column(name = "left_at")
  public Instant leftAt;

  @Column(name = "audio_enabled", nullable = false)
  public boolean audioEnabled;

  @Column(name = "video_enabled", nullable = false)
  public boolean videoEnabled;

  @Column(name = "leave_reason", length = 32)
  public String leaveReason;
}
