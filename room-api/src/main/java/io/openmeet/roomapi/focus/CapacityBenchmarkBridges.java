package io.openmeet.roomapi.focus;

import io.openmeet.focus.conference.ConferenceBridge;
import io.openmeet.focus.sdp.DtlsFingerprint;
import io.openmeet.focus.sdp.IceCandidate;
import io.openmeet.focus.sdp.MediaKind;
import io.openmeet.focus.sdp.MediaSource;
import io.openmeet.focus.sdp.Setup;
import io.openmeet.focus.sdp.TransportDescription;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Bridge "allocations" that touch no bridge, for the signalling capacity benchmark only ({@code
 * openmeet.focus.capacity-benchmark-without-bridge=true}): they let one node hold more signalling
 * sessions than a single lite-bridge could host endpoints. Offers made with them point at no real
 * bridge, so no media can flow; never enable this for meetings.
 */
final class CapacityBenchmarkBridges implements ConferenceBridge.Factory {

  private static final String FINGERPRINT =
      "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF";

  @Override
  public ConferenceBridge open(String meetingId, String roomName, Optional<String> region) {
    List<MediaSource> feedback =
        List.of(
            new MediaSource(
                MediaKind.AUDIO,
                "jvb-a0",
                "jvb",
                List.of(ssrc()),
                List.of(),
                "mixedmslabel",
                "mixedlabelaudio0"),
            new MediaSource(
                MediaKind.VIDEO,
                "jvb-v0",
                "jvb",
                List.of(ssrc()),
                List.of(),
                "mixedmslabel",
                "mixedlabelvideo0"));
    return new ConferenceBridge() {
      @Override
      public Allocation allocate(String endpointId, String statsId) {
        var transport =
            new TransportDescription(
                Long.toHexString(ThreadLocalRandom.current().nextLong()),
                Long.toHexString(ThreadLocalRandom.current().nextLong())
                    + Long.toHexString(ThreadLocalRandom.current().nextLong()),
                List.of(new DtlsFingerprint("sha-256", FINGERPRINT, Setup.ACTPASS)),
                List.of(
                    new IceCandidate(
                        "1", 1, "udp", 2130706431L, "127.0.0.1", 9, "host", null, -1, null, 0)));
        return new Allocation(transport, feedback, Optional.empty(), "capacity-benchmark");
      }

      @Override
      public CompletionStage<Void> update(
          String endpointId, TransportDescription transport, List<MediaSource> sources) {
        return CompletableFuture.completedFuture(null);
      }

      @Override
      public CompletionStage<Void> addCandidates(
          String endpointId, TransportDescription transport) {
        return CompletableFuture.completedFuture(null);
      }

      @Override
      public void forceMute(String endpointId, boolean audio, boolean video) {}

      @Override
      public void expire(String endpointId) {}

      @Override
      public void close() {}
    };
  }

  private static long ssrc() {
    return ThreadLocalRandom.current().nextLong(1, 0xFFFFFFFFL);
  }
}
