package io.openmeet.testkit;

import io.openmeet.litebridge.media.EndpointTransport;
import io.openmeet.litebridge.media.Ice4jMediaEngine;
import io.openmeet.litebridge.media.MediaConference;
import io.openmeet.litebridge.media.MediaConfig;
import io.openmeet.litebridge.media.RemoteTransport;
import io.openmeet.litebridge.media.TransportState;
import io.openmeet.transport.DtlsFingerprint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

/** One in-process bridge on 127.0.0.1 (ephemeral UDP port) and the synthetic endpoints in it. */
final class BridgeHarness implements AutoCloseable {

  final Ice4jMediaEngine engine;
  final MediaConference conference;
  final List<String> dominantSpeakers = new CopyOnWriteArrayList<>();
  final Map<String, String> failures = new ConcurrentHashMap<>();
  final Map<String, EndpointTransport> transports = new ConcurrentHashMap<>();
  private final List<SyntheticEndpoint> endpoints = new ArrayList<>();

  BridgeHarness() {
    engine = new Ice4jMediaEngine(new MediaConfig(0, List.of("127.0.0.1"), List.of()));
    conference =
        engine.createConference(
            "test-" + UUID.randomUUID(),
            new MediaConference.Listener() {
              @Override
              public void dominantSpeakerChanged(String endpointId, List<String> previous) {
                dominantSpeakers.add(endpointId);
              }

              @Override
              public void transportFailed(String endpointId, String reason) {
                failures.put(endpointId, reason);
              }
            });
  }

  /** Adds an endpoint the way Colibri2 would and waits until both sides have SRTP keys. */
  SyntheticEndpoint join(String id) throws InterruptedException {
    SyntheticEndpoint endpoint = start(id, SyntheticEndpoint.Options.loopback(), null);
    if (!endpoint.awaitConnected(Duration.ofSeconds(20))) {
      throw new AssertionError(id + " did not connect: " + endpoint.failure());
    }
    EndpointTransport transport = transports.get(id);
    await(() -> transport.state() == TransportState.CONNECTED, Duration.ofSeconds(10), id);
    return endpoint;
  }

  /**
   * Creates the bridge transport and a synthetic endpoint, hands the endpoint's description to the
   * bridge (optionally with another fingerprint) and starts connecting. Does not wait.
   */
  SyntheticEndpoint start(String id, SyntheticEndpoint.Options options, String fakeFingerprint) {
    return start(id, options, fakeFingerprint, SyntheticEndpoint.mediaFormats());
  }

  /** Like {@link #join(String)} with other options and formats. */
  SyntheticEndpoint join(
      String id,
      SyntheticEndpoint.Options options,
      io.openmeet.litebridge.media.MediaFormats formats)
      throws InterruptedException {
    SyntheticEndpoint endpoint = start(id, options, null, formats);
    if (!endpoint.awaitConnected(Duration.ofSeconds(20))) {
      throw new AssertionError(id + " did not connect: " + endpoint.failure());
    }
    EndpointTransport transport = transports.get(id);
    await(() -> transport.state() == TransportState.CONNECTED, Duration.ofSeconds(10), id);
    return endpoint;
  }

  SyntheticEndpoint start(
      String id,
      SyntheticEndpoint.Options options,
      String fakeFingerprint,
      io.openmeet.litebridge.media.MediaFormats formats) {
    EndpointTransport transport = conference.createEndpoint(id);
    transports.put(id, transport);
    SyntheticEndpoint endpoint = SyntheticEndpoint.create(id, options);
    endpoints.add(endpoint);
    RemoteTransport description = endpoint.transportDescription();
    if (fakeFingerprint != null) {
      description =
          new RemoteTransport(
              description.ufrag(),
              description.password(),
              description.candidates(),
              List.of(new DtlsFingerprint("sha-256", fakeFingerprint, "active")));
    }
    transport.setMediaFormats(formats);
    transport.setSources(endpoint.sources());
    transport.setRemoteTransport(description);
    endpoint.connect(transport.localIce(), engine.localFingerprint());
    return endpoint;
  }

  static void await(BooleanSupplier condition, Duration timeout, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(20);
    }
  }

  /**
   * What {@code at} has received of {@code ssrc} once no more arrives for 300 ms: packets already
   * on their way have landed (a fixed wait can end before they do on a loaded machine).
   */
  static long settledCount(SyntheticEndpoint at, long ssrc, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    long last = at.receivedCount(ssrc);
    while (true) {
      Thread.sleep(300);
      long now = at.receivedCount(ssrc);
      if (now == last) {
        return now;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("packets of " + ssrc + " still arriving after " + timeout);
      }
      last = now;
    }
  }

  @Override
  public void close() {
    endpoints.forEach(SyntheticEndpoint::close);
    engine.close();
  }
}
