package io.openmeet.roomapi.repository;

import io.openmeet.roomapi.entity.User;
import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Users by id and by (lower-cased) email. */
@ApplicationScoped
public class UserRepository implements PanacheRepositoryBase<User, UUID> {

  public Optional<User> findByEmail(String email) {
    return find("email", email).firstResultOptional();
  }

  public List<User> page(int page, int size) {
    return findAll(Sort.descending("createdAt").and("id")).page(page, size).list();
  }
}
