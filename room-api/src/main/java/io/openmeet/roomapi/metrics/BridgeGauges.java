package io.openmeet.roomapi.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.openmeet.presence.bridge.BridgeSnapshot;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * One set of gauges per bridge this node knows, tagged {@code bridge} and {@code region}: {@code
 * bridge_stress_level}, {@code bridge_participants} and {@code bridge_healthy}. They follow the
 * registry: {@link #refresh()} adds the gauges of new bridges and removes those of bridges that
 * left, so a gone bridge's series ends instead of repeating its last value.
 */
final class BridgeGauges {

  static final String STRESS = "bridge_stress_level";
  static final String PARTICIPANTS = "bridge_participants";
  static final String HEALTHY = "bridge_healthy";

  private final MeterRegistry registry;
  private final Supplier<List<BridgeSnapshot>> bridges;
  private final Map<String, BridgeSnapshot> latest = new ConcurrentHashMap<>();

  /** Registered gauges by bridge id (guarded by this). */
  private final Map<String, Registered> registered = new HashMap<>();

  private record Registered(String region, List<Meter> meters) {}

  BridgeGauges(MeterRegistry registry, Supplier<List<BridgeSnapshot>> bridges) {
    this.registry = registry;
    this.bridges = bridges;
  }

  /** Brings the gauges in line with the bridges the registry knows now. */
  synchronized void refresh() {
    Set<String> present = new HashSet<>();
    for (BridgeSnapshot bridge : bridges.get()) {
      present.add(bridge.id());
      latest.put(bridge.id(), bridge);
      Registered r = registered.get(bridge.id());
      if (r != null && !r.region().equals(bridge.region())) {
        remove(bridge.id());
        r = null;
      }
      if (r == null) {
        registered.put(bridge.id(), register(bridge.id(), bridge.region()));
      }
    }
    for (String id : Set.copyOf(registered.keySet())) {
      if (!present.contains(id)) {
        remove(id);
        latest.remove(id);
      }
    }
  }

  /** Ids of the bridges that have gauges now (tests). */
  synchronized Set<String> bridgeIds() {
    return Set.copyOf(registered.keySet());
  }

  private Registered register(String id, String region) {
    Tags tags = Tags.of("bridge", id, "region", region);
    Meter stress =
        Gauge.builder(STRESS, () -> value(id, BridgeSnapshot::stress))
            .description("the bridge's stress_level from its brewery presence (1 = full)")
            .tags(tags)
            .register(registry);
    Meter count =
        Gauge.builder(PARTICIPANTS, () -> value(id, BridgeSnapshot::participants))
            .description(
                "participants on the bridge from its brewery presence (-1 until it reports)")
            .tags(tags)
            .register(registry);
    Meter healthy =
        Gauge.builder(HEALTHY, () -> value(id, b -> b.healthy() ? 1.0 : 0.0))
            .description("1 when the bridge passes its health checks and reports healthy")
            .tags(tags)
            .register(registry);
    return new Registered(region, List.of(stress, count, healthy));
  }

  private double value(String id, java.util.function.ToDoubleFunction<BridgeSnapshot> f) {
    BridgeSnapshot b = latest.get(id);
    return b == null ? Double.NaN : f.applyAsDouble(b);
  }

  private void remove(String id) {
    Registered r = registered.remove(id);
    if (r != null) {
      r.meters().forEach(registry::remove);
    }
  }
}
