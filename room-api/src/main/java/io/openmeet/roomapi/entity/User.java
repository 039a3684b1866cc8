package io.openmeet.roomapi.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** A registered user (row of {@code users}); guests have no row. */
@Entity
@Table(name = "users")
public class User {
  @Id public UUID id;

  @Column(nullable = false, length = 320)
  public String email;

  @Column(nullable = false, length = 200)
  public String name;

  @Column(name = "avatar_url", length = 2048)
  public String avatarUrl;

  @Column(name = "created_at", nullable = false)
  public Instant createdAt;

  @Column(name = "updated_at", nullable = false)
  public Instant updatedAt;
}
