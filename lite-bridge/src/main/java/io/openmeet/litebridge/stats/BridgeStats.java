package io.openmeet.litebridge.stats;

import io.openmeet.litebridge.conference.Conferences;
import io.openmeet.litebridge.media.MediaEngine;
import io.openmeet.litebridge.media.MediaStats;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * Gathers the bridge's statistics under JVB's stat names, for the brewery presence and for `GET
 * /colibri/stats`.
 */
public final class BridgeStats {
  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

  /** The bridge's lifecycle flags as they appear in the stats. */
  public interface State {
    boolean drain();

    boolean gracefulShutdown();

    boolean shuttingDown();

    boolean healthy();
  }

  private final Conferences conferences;
  private final MediaEngine engine;
  private final StressLevel stress;
  private final State state;
  private final BooleanSupplier mucJoined;
  private final Clock clock;
  private final String version;
  private final String region;
  private final String relayId;

  /** Bridge-channel message counters, incremented by the colibri-ws service. */
  public final AtomicLong webSocketMessagesReceived = new AtomicLong();

  public final AtomicLong webSocketMessagesSent = new AtomicLong();

  public BridgeStats(
      Conferences conferences,
      MediaEngine engine,
      StressLevel stress,
      State state,
      BooleanSupplier mucJoined,
      Clock clock,
      String version,
      String region,
      String relayId) {
    this.conferences = conferences;
    this.engine = engine;
    this.stress = stress;
    this.state = state;
    this.mucJoined = mucJoined;
    this.clock = clock;
    this.version = version;
    this.region = region;
    this.relayId = relayId;
  }

  /** A snapshot; values are numbers, booleans or strings. */
  public Map<String, Object> snapshot() {
    MediaStats m = engine.stats();
    int endpoints = conferences.endpointCount();
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("bit_rate_download", m.bitRateDownloadKbps());
    s.put("bit_rate_upload", m.bitRateUploadKbps());
    s.put("packet_rate_download", m.packetRateDownload());
    s.put("packet_rate_upload", m.packetRateUpload());
    s.put("octo_conferences", 0);
    s.put("p2p_conferences", 0);
    s.put("endpoints", endpoints);
    s.put("participants", endpoints);
    s.put("local_endpoints", endpoints);
    s.put("octo_endpoints", 0);
    s.put("visitors", 0);
    s.put("largest_conference", conferences.largestConference());
    s.put("total_conferences_created", conferences.totalConferencesCreated());
    s.put("total_conferences_completed", conferences.totalConferencesCompleted());
    s.put("total_conference_seconds", conferences.totalConferenceSeconds());
    s.put("total_participants", conferences.totalParticipants());
    s.put("total_relays", 0);
    s.put("stress_level", stress.compute(m));
    s.put("conferences", conferences.conferenceCount());
    s.put("total_colibri_web_socket_messages_received", webSocketMessagesReceived.get());
    s.put("total_colibri_web_socket_messages_sent", webSocketMessagesSent.get());
    s.put("total_bytes_received", m.totalBytesReceived());
    s.put("total_bytes_sent", m.totalBytesSent());
    s.put("total_packets_received", m.totalPacketsReceived());
    s.put("total_packets_sent", m.totalPacketsSent());
    s.put("dtls_failed_endpoints", m.dtlsFailedEndpoints());
    s.put("total_packets_dropped", m.totalPacketsDropped());
    s.put("total_dominant_speaker_changes", conferences.totalDominantSpeakerChanges());
    s.put("total_ice_failed", m.totalIceFailed());
    s.put("total_ice_succeeded", m.totalIceSucceeded());
    s.put("threads", Thread.activeCount());
    s.put("graceful_shutdown", state.gracefulShutdown());
    s.put("shutting_down", state.shuttingDown());
    s.put("drain", state.drain());
    s.put("current_timestamp", TIMESTAMP.format(clock.instant()));
    s.put("muc_clients_configured", 1);
    s.put("muc_clients_connected", mucJoined.getAsBoolean() ? 1 : 0);
    s.put("mucs_configured", 1);
    s.put("mucs_joined", mucJoined.getAsBoolean() ? 1 : 0);
    s.put("healthy", state.healthy());
    s.put("version", version);
    if (!region.isBlank()) {
      s.put("region", region);
    }
    if (!relayId.isBlank()) {
      s.put("relay_id", relayId);
    }
    return s;
  }
}
