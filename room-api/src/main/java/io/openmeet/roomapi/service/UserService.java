package io.openmeet.roomapi.service;

import io.openmeet.focus.text.HumanText;
import io.openmeet.roomapi.entity.User;
import io.openmeet.roomapi.repository.UserRepository;
import io.openmeet.roomapi.security.TokenIssuer;
import io.openmeet.roomapi.security.TokenIssuer.IssuedToken;
import io.openmeet.roomapi.security.TokenIssuer.Person;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.UUID;

/** Registered users (administration only; the REST layer enforces the admin role). */
@ApplicationScoped
public class UserService {

  private final UserRepository users;
  private final TokenIssuer tokens;

  UserService(UserRepository users, TokenIssuer tokens) {
    this.users = users;
    this.tokens = tokens;
  }

  /**
   * Registers a user; emails are unique regardless of case. The name is the one the user's tokens
   * carry, so it keeps to {@link HumanText#DISPLAY_NAME}.
   *
   * @throws ApiException {@link ErrorCode#EMAIL_TAKEN} when the email is registered
   * @throws io.openmeet.focus.text.InvalidTextException when the name breaks that policy
   */
  @Transactional
  public User create(String email, String name, String avatarUrl) {
    String normalized = email.strip().toLowerCase(Locale.ROOT);
    if (users.findByEmail(normalized).isPresent()) {
      throw new ApiException(ErrorCode.EMAIL_TAKEN, "a user with email " + normalized + " exists");
    }
    User user = new User();
    user.id = UUID.randomUUID();
    user.email = normalized;
    user.name = HumanText.DISPLAY_NAME.normalize("name", name);
    user.avatarUrl = avatarUrl;
    user.createdAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
    user.updatedAt = user.createdAt;
    users.persist(user);
    // a concurrent insert of the same email fails here, on the unique index, as a 409
    users.flush();
    return user;
  }

  public User find(String id) {
    UUID uuid = Ids.parse(id, "user id");
    return users
        .findByIdOptional(uuid)
        .orElseThrow(() -> new ApiException(ErrorCode.USER_NOT_FOUND, "no user " + uuid));
  }

  public Page<User> list(Paging paging) {
    return new Page<>(
        users.page(paging.page(), paging.size()), paging.page(), paging.size(), users.count());
  }

  /** A user token ({@code room} = {@code *}) for the user, signed with our key. */
  public IssuedToken token(String id, boolean admin) {
    User user = find(id);
    return tokens.userToken(new Person(user.id.toString(), user.name, user.email), admin);
  }
}
