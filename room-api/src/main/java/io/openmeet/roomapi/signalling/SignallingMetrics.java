package io.openmeet.roomapi.signalling;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.openmeet.focus.conference.Conferences;
import io.openmeet.roomapi.regions.RoomRegions;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Signalling metrics under the names the Helm chart's dashboards and alerts use: participants
 * joined through this node ({@code webrtc_active_connections}, {@code room_participant_count} by
 * region), conferences owned ({@code room_active_count}), join → first offer latency ({@code
 * signaling_latency_ms{operation="join"}}) and refused joins by reason ({@code
 * room_join_failures_total}), media connection attempts by outcome as browsers report them ({@code
 * webrtc_connection_attempts_total{outcome}}), signalling resumes ({@code
 * signalling_resumes_total{outcome}}) and sockets closed by the limits ({@code
 * signalling_sockets_closed_total{reason}}). A {@code region} label is a configured region or
 * {@value #OTHER_REGION}: anyone may create a room with any region name.
 */
@Singleton
public class SignallingMetrics {

  /** Why the server closes a socket for a limit: the values of {@code reason}. */
  static final java.util.List<String> CLOSE_REASONS =
      java.util.List.of(
          "too-many-sockets", "join-timeout", "frame-too-large", "invalid-utf8", "protocol-error");

  /** The {@code region} label of rooms whose region is not configured here. */
  static final String OTHER_REGION = "other";

  private final MeterRegistry registry;
  private final Set<String> regions;
  private final AtomicInteger joined = new AtomicInteger();
  private final Map<String, AtomicInteger> byRegion = new ConcurrentHashMap<>();
  private final DistributionSummary joinLatency;

  @Inject
  SignallingMetrics(MeterRegistry registry, Conferences conferences, RoomRegions regions) {
    this(registry, conferences, regions.configuredRegions());
  }

  SignallingMetrics(MeterRegistry registry, Conferences conferences, Set<String> regions) {
    this.registry = registry;
    this.regions = regions;
    Gauge.builder("webrtc_active_connections", joined, AtomicInteger::get)
        .description("participants joined through this node's signalling sockets")
        .register(registry);
    Gauge.builder("room_active_count", conferences, Conferences::size)
        .description("conferences owned by this node")
        .register(registry);
    joinLatency =
        DistributionSummary.builder("signaling_latency_ms")
            .description("time from a join frame to the participant's first offer, in ms")
            .tag("operation", "join")
            .publishPercentileHistogram()
            .minimumExpectedValue(1.0)
            .maximumExpectedValue(10_000.0)
            .register(registry);
    // every outcome exists from the start, so that rates and ratios over them are defined
    for (ConnectionAttempts.Outcome outcome : ConnectionAttempts.Outcome.values()) {
      attemptCounter(outcome);
    }
    for (String reason : CLOSE_REASONS) {
      closedCounter(reason);
    }
  }

  void joined(String region, double latencyMillis) {
    joined.incrementAndGet();
    regionCounter(region).incrementAndGet();
    joinLatency.record(latencyMillis);
  }

  void left(String region) {
    joined.decrementAndGet();
    regionCounter(region).decrementAndGet();
  }

  void joinFailed(SignallingError reason) {
    Counter.builder("room_join_failures")
        .description("joins refused, by error code")
        .tag("reason", reason.code())
        .register(registry)
        .increment();
  }

  void connectionAttempt(ConnectionAttempts.Outcome outcome) {
    attemptCounter(outcome).increment();
  }

  /** A resume: {@code resumed}, {@code refused} (bad token) or {@code expired} (window passed). */
  void resume(String outcome) {
    Counter.builder("signalling_resumes")
        .description("signalling sessions resumed on a new socket, refused, or expired")
        .tag("outcome", outcome)
        .register(registry)
        .increment();
  }

  /**
   * A socket the server closed to protect itself: {@code too-many-sockets}, {@code join-timeout},
   * {@code frame-too-large}, {@code invalid-utf8} or {@code protocol-error}.
   */
  void socketClosed(String reason) {
    closedCounter(reason).increment();
  }

  private Counter closedCounter(String reason) {
    return Counter.builder("signalling_sockets_closed")
        .description("signalling sockets closed by the server's limits, by reason")
        .tag("reason", reason)
        .register(registry);
  }

  private Counter attemptCounter(ConnectionAttempts.Outcome outcome) {
    return Counter.builder("webrtc_connection_attempts")
        .description(
            "media connection attempts (answered offers with new ICE credentials), by outcome")
        .tag("outcome", outcome.tag())
        .register(registry);
  }

  private AtomicInteger regionCounter(String region) {
    return byRegion.computeIfAbsent(
        regions.contains(region) ? region : OTHER_REGION,
        r -> {
          AtomicInteger count = new AtomicInteger();
          Gauge.builder("room_participant_count", count, AtomicInteger::get)
              .description("participants in rooms of this region, joined through this node")
              .tag("region", r)
              .register(registry);
          return count;
        });
  }
}
