package io.openmeet.roomapi.regions;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The other regions of a multi-region deployment. Each region keeps its rooms in its own database;
 * a room link or room lookup that misses here is asked of the other regions, and the browser is
 * redirected to the region that has the room. This region's own name is {@code
 * openmeet.rooms.default-region}.
 */
@ConfigMapping(prefix = "openmeet.regions")
public interface RegionsConfig {

  /**
   * Every region as {@code <region>=<base URL>} (e.g. {@code
   * eu-west-1=https://eu-west-1.meet.example.com}); the entry naming this region is skipped, so
   * every region can get the same list. None (the default): one region, no lookups.
   */
  Optional<List<String>> peers();

  /** How long one lookup waits for the other regions before the room counts as not found. */
  @WithDefault("2s")
  Duration lookupTimeout();

  /** How long a room found in another region is remembered (rooms do not move between regions). */
  @WithDefault("5m")
  Duration foundTtl();

  /** How long a room every other region said it lacks is remembered, so a repeated miss waits. */
  @WithDefault("10s")
  Duration missTtl();

  /** Lookups of other regions in flight at once; beyond this a miss is answered without asking. */
  @WithDefault("64")
  int maxConcurrentLookups();
}
