package io.openmeet.roomapi.metrics;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.openmeet.presence.redis.RedisCommandListener;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code redis_command_duration_ms{command,outcome}}: presence's Redis command timings as a
 * Prometheus histogram in milliseconds ({@code command} is the Redisson type and method, e.g.
 * {@code RMap.put}; {@code outcome} is success, timeout or error).
 */
@Singleton
public class RedisCommandMetrics implements RedisCommandListener {

  static final String NAME = "redis_command_duration_ms";

  private final MeterRegistry registry;
  private final Map<String, DistributionSummary[]> byCommand = new ConcurrentHashMap<>();

  RedisCommandMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public void completed(String command, Outcome outcome, long nanos) {
    // one map lookup per command; an outcome's series appears when it first happens
    DistributionSummary[] summaries =
        byCommand.computeIfAbsent(command, c -> new DistributionSummary[Outcome.values().length]);
    DistributionSummary summary = summaries[outcome.ordinal()];
    if (summary == null) {
      // registering twice (a race) returns the same meter
      summary =
          Histograms.millis(NAME, "time of one Redis command (or batch), in ms")
              .tag("command", command)
              .tag("outcome", outcome.tag())
              .register(registry);
      summaries[outcome.ordinal()] = summary;
    }
    summary.record(nanos / 1_000_000.0);
  }
}
