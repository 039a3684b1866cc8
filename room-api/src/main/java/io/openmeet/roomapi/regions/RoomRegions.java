package io.openmeet.roomapi.regions;

import io.openmeet.roomapi.config.OpenmeetConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * Finds the region that holds a room this region does not know: asks every other region's {@code
 * GET /api/rooms/<id or slug>} at once, marked with {@link #LOOKUP_HEADER} so that the asked region
 * answers from its own database only (never asks further, so lookups cannot loop).
 */
@ApplicationScoped
public class RoomRegions {

  /** Marks a lookup from another region; its value is the asking region's name. */
  public static final String LOOKUP_HEADER = "X-Openmeet-Region-Lookup";

  /** Most remembered answers; beyond it the memory starts afresh (a bound, not an LRU). */
  static final int MAX_REMEMBERED = 10_000;

  private static final Logger LOG = Logger.getLogger(RoomRegions.class);

  private final String localRegion;
  private final List<Peer> peers;
  private final RegionsConfig config;
  private final HttpClient http;
  private final Semaphore inFlight;
  private final Map<String, Remembered> remembered = new ConcurrentHashMap<>();

  private record Remembered(Optional<Peer> home, long expiresAtNanos) {}

  RoomRegions(RegionsConfig config, OpenmeetConfig openmeet) {
    this.config = config;
    this.localRegion = openmeet.rooms().defaultRegion();
    this.peers = Peer.parse(config.peers().orElse(List.of()), localRegion);
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(config.lookupTimeout())
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    this.inFlight = new Semaphore(Math.max(1, config.maxConcurrentLookups()));
    if (!peers.isEmpty()) {
      LOG.infof(
          "region %s: rooms missing here are looked up in %s",
          localRegion, peers.stream().map(Peer::region).toList());
    }
  }

  /** Whether other regions are configured (one region: no lookups at all). */
  public boolean enabled() {
    return !peers.isEmpty();
  }

  /** This region's name. */
  public String localRegion() {
    return localRegion;
  }

  /**
   * The region holding the room {@code idOrSlug}, if another region answers that it has it within
   * the lookup timeout; empty when none does, none answers, or too many lookups are running.
   */
  public CompletionStage<Optional<Peer>> homeOf(String idOrSlug) {
    long now = System.nanoTime();
    Remembered known = remembered.get(idOrSlug);
    if (known != null && now - known.expiresAtNanos() < 0) {
      return CompletableFuture.completedFuture(known.home());
    }
    if (peers.isEmpty() || !inFlight.tryAcquire()) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    CompletableFuture<Optional<Peer>> result = new CompletableFuture<>();
    AtomicInteger pending = new AtomicInteger(peers.size());
    // a region that did not answer may have the room: such a miss is not remembered
    AtomicInteger unanswered = new AtomicInteger();
    String path = "/api/rooms/" + URLEncoder.encode(idOrSlug, StandardCharsets.UTF_8);
    for (Peer peer : peers) {
      HttpRequest request =
          HttpRequest.newBuilder(peer.baseUrl().resolve(path))
              .timeout(config.lookupTimeout())
              .header(LOOKUP_HEADER, localRegion)
              .header("Accept", "application/json")
              .GET()
              .build();
      http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
          .whenComplete(
              (response, failure) -> {
                if (failure != null || response.statusCode() >= 500) {
                  unanswered.incrementAndGet();
                  LOG.debugf(
                      "region %s did not answer a room lookup: %s",
                      peer.region(), failure != null ? failure : "HTTP " + response.statusCode());
                } else if (response.statusCode() == 200) {
                  result.complete(Optional.of(peer));
                }
                if (pending.decrementAndGet() == 0) {
                  result.complete(Optional.empty());
                }
              });
    }
    return result.whenComplete(
        (home, failure) -> {
          inFlight.release();
          if (home != null && (home.isPresent() || unanswered.get() == 0)) {
            remember(idOrSlug, home);
          }
        });
  }

  private void remember(String idOrSlug, Optional<Peer> home) {
    if (remembered.size() >= MAX_REMEMBERED) {
      remembered.clear();
    }
    Duration ttl = home.isPresent() ? config.foundTtl() : config.missTtl();
    remembered.put(idOrSlug, new Remembered(home, System.nanoTime() + ttl.toNanos()));
  }

  /** The same path and query in the room's home region. */
  public static URI redirectTarget(Peer home, String rawPath, String rawQuery) {
    return URI.create(
        home.baseUrl().toString() + rawPath + (rawQuery == null ? "" : "?" + rawQuery));
  }
}
