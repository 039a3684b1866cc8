package io.openmeet.roomapi.repository;

import io.openmeet.roomapi.entity.Participant;
import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.UUID;

/** Participants of a call, in join order. */
@ApplicationScoped
public class ParticipantRepository implements PanacheRepositoryBase<Participant, UUID> {

  public List<Participant> forCall(UUID callLogId) {
    return list("callLogId = ?1 order by joinedAt, id", callLogId);
  }
}
