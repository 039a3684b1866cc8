package io.openmeet.roomapi.lobby;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Settings of room lobbies (waiting rooms). */
@ConfigMapping(prefix = "openmeet.lobby")
public interface LobbyConfig {

  /**
   * How long a waiter's or a present moderator's entry in Redis lasts unless the node holding its
   * socket refreshes it (every third of this): after a node dies, its waiters vanish from the list
   * and its moderators stop counting as present within this time.
   */
  @WithDefault("30s")
  Duration entryTtl();
}
