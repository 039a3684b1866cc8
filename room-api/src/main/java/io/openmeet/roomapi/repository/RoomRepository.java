package io.openmeet.roomapi.repository;

import io.openmeet.roomapi.entity.Room;
import io.quarkus.hibernate.orm.panache.PanacheQuery;
import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import java.util.UUID;

/** Rooms by id, by slug, and in pages. */
@ApplicationScoped
public class RoomRepository implements PanacheRepositoryBase<Room, UUID> {

  public Optional<Room> findBySlug(String slug) {
    return find("slug", slug).firstResultOptional();
  }

  /**
   * Rooms newest first, optionally only active or only closed ones, optionally only those created
   * by one user.
   */
  public PanacheQuery<Room> query(Boolean active, UUID createdBy) {
    Sort sort = Sort.descending("createdAt").and("id");
    if (active != null && createdBy != null) {
      return find("active = ?1 and createdBy = ?2", sort, active, createdBy);
    }
    if (active != null) {
      return find("active", sort, active);
    }
    if (createdBy != null) {
      return find("createdBy", sort, createdBy);
    }
    return findAll(sort);
  }

  public long countActive() {
    return count("active", true);
  }
}
