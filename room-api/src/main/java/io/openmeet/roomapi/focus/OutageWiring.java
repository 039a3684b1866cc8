package io.openmeet.roomapi.focus;

import io.openmeet.focus.conference.Conferences;
import io.openmeet.presence.redis.RedisReachability;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * How this node's conferences ride out a Redis outage (docs/ARCHITECTURE.md, "Outages"): their
 * leases are held while Redis is unreachable, and confirmed again, with presence rewritten, as soon
 * as a PING is answered.
 */
@ApplicationScoped
public class OutageWiring {

  void start(
      @Observes StartupEvent event,
      Conferences conferences,
      RedisReachability reachability,
      FocusConfig config) {
    conferences.holdLeasesThroughOutages(config.leaseOutageHold());
    reachability.onReachable(conferences::redisReachable);
  }
}
