package io.openmeet.roomapi.repository;

import io.openmeet.roomapi.entity.CallLog;
import io.quarkus.hibernate.orm.panache.PanacheQuery;
import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

/** Call logs of rooms, newest first. */
@ApplicationScoped
public class CallLogRepository implements PanacheRepositoryBase<CallLog, UUID> {

  public PanacheQuery<CallLog> forRoom(UUID roomId) {
    return find("roomId", Sort.descending("startedAt").and("id"), roomId);
  }
}
