package io.openmeet.roomapi.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** One conference session in a room, from the first join to the last leave. */
@Entity
@Table(name = "call_logs")
public class CallLog {
  @Id public UUID id;

  @Column(name = "room_id", nullable = false)
  public UUID roomId;

  @Column(name = "started_at", nullable = false)
  public Instant startedAt;

  @Column(name = "ended_at")
  public Instant endedAt;

  @Column(name = "duration_seconds")
  public Integer durationSeconds;

  @Column(name = "peak_participants", nullable = false)
  public int peakParticipants;

  @Column(name = "total_participants", nullable = false)
  public int totalParticipants;

  @Column(nullable = false, length = 64)
  public String region;

  /** Comma-separated ids of the bridges the call used. */
  @Column(length = 1024)
  public String bridges;
}
