package io.openmeet.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.openmeet.litebridge.media.MediaFormats;
import io.openmeet.testkit.SyntheticEndpoint.ReceivedRtp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * lite-bridge's per-receiver bandwidth estimation with real packets: the bridge numbers what it
 * sends to receiver b (transport-cc), and b answers with transport-cc feedback as if its path were
 * a bottleneck of a capacity the test sets (a drop-tail queue of 200 ms, simulated on b's arrival
 * times). With room, b gets a's top simulcast layer; squeezed, the bridge moves it down to the low
 * layer; given room again, the bridge's probing padding shows the path carries more and b is moved
 * back up.
 */
class BandwidthAllocationMediaTest {

  private static final String TRANSPORT_CC =
      "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
  private static final int TCC_ID = 5;
  private static final Duration WAIT = Duration.ofSeconds(40);

  private BridgeHarness bridge;

  @BeforeEach
  void start() {
    bridge = new BridgeHarness();
  }

  @AfterEach
  void stop() {
    bridge.close();
  }

  private static MediaFormats withTransportCc() {
    MediaFormats base = SyntheticEndpoint.mediaFormats();
    Map<Integer, String> extensions = new HashMap<>(base.headerExtensions());
    extensions.put(TCC_ID, TRANSPORT_CC);
    return new MediaFormats(base.payloadTypes(), base.rtxPayloadTypes(), extensions);
  }

  @Test
  void aSqueezedReceiverGetsALowerLayerAndTheTopOneBackAfterProbing() throws Exception {
    SyntheticEndpoint a =
        bridge.join(
            "a",
            SyntheticEndpoint.Options.loopback().withSimulcast(3),
            SyntheticEndpoint.mediaFormats());
    SyntheticEndpoint b = bridge.join("b", SyntheticEndpoint.Options.loopback(), withTransportCc());
    long primary = a.videoSsrc();
    bridge.transports.get("b").setForwardedVideo(Map.of("a-v0", 720));
    // ~72, ~200 and ~360 kbit/s
    SimulcastSender camera = new SimulcastSender(a, new int[] {0, 400, 900});
    Bottleneck path = new Bottleneck(b, 5_000_000);

    run(camera, path, () -> lastLayer(b, primary) == 2 && count(b, primary, 2) >= 40, "720 at b");
    assertThat(path.numbered)
        .as("packets to b carry the bridge's transport-wide numbers")
        .isPositive();

    path.capacityBps = 150_000; // room for the low layer only
    long squeezedAt = System.nanoTime();
    run(
        camera,
        path,
        () -> lastLayer(b, primary) == 0 && countSince(b, primary, 0, squeezedAt) >= 40,
        "180 at b");
    long downAfterMs = (firstSince(b, primary, 0, squeezedAt) - squeezedAt) / 1_000_000;

    path.capacityBps = 5_000_000;
    long freedAt = System.nanoTime();
    run(
        camera,
        path,
        () -> lastLayer(b, primary) == 2 && countSince(b, primary, 2, freedAt) >= 40,
        "720 again");
    long upAfterMs = (firstSince(b, primary, 2, freedAt) - freedAt) / 1_000_000;
    long padding =
        b.receivedRtp(a.layerRtxSsrcs()[0]).stream()
            .filter(r -> r.receivedNanos() > squeezedAt && r.payload().length >= 200)
            .count();
    System.out.printf(
        "down to 180 after %d ms, back to 720 after %d ms, %d probing packets%n",
        downAfterMs, upAfterMs, padding);
    assertThat(padding).as("padding probes on the RTX SSRC while squeezed").isPositive();
    assertThat(b.undecryptablePackets()).isZero();
  }

  /** Sends a frame of every layer every 50 ms and b's feedback, until the condition holds. */
  private static void run(
      SimulcastSender camera, Bottleneck path, BooleanSupplier condition, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      camera.tick();
      Thread.sleep(50);
      path.feedback();
    }
  }

  private static List<ReceivedRtp> video(SyntheticEndpoint receiver, long ssrc) {
    return receiver.receivedRtp(ssrc);
  }

  private static int lastLayer(SyntheticEndpoint receiver, long ssrc) {
    List<ReceivedRtp> got = video(receiver, ssrc);
    return got.isEmpty() ? -1 : SimulcastSender.layerOf(got.get(got.size() - 1).payload());
  }

  private static long count(SyntheticEndpoint receiver, long ssrc, int layer) {
    return countSince(receiver, ssrc, layer, 0);
  }

  private static long countSince(SyntheticEndpoint receiver, long ssrc, int layer, long since) {
    return video(receiver, ssrc).stream()
        .filter(r -> r.receivedNanos() > since && SimulcastSender.layerOf(r.payload()) == layer)
        .count();
  }

  private static long firstSince(SyntheticEndpoint receiver, long ssrc, int layer, long since) {
    return video(receiver, ssrc).stream()
        .filter(r -> r.receivedNanos() > since && SimulcastSender.layerOf(r.payload()) == layer)
        .mapToLong(ReceivedRtp::receivedNanos)
        .min()
        .orElse(since);
  }

  /**
   * b's side of the path: every packet the bridge numbered for b goes through a simulated drop-tail
   * queue of {@code capacityBps} (what arrives late by the queue is reported later, what overflows
   * it is reported lost), and b sends transport-cc feedback about them.
   */
  private static final class Bottleneck {
    final SyntheticEndpoint receiver;
    volatile long capacityBps;
    int seen;
    long linkFreeNanos;
    long numbered;
    int feedbackCount;
    final long originNanos = System.nanoTime();

    Bottleneck(SyntheticEndpoint receiver, long capacityBps) {
      this.receiver = receiver;
      this.capacityBps = capacityBps;
    }

    void feedback() {
      List<ReceivedRtp> all = new ArrayList<>(receiver.receivedRtp());
      List<int[]> batch = new ArrayList<>(); // seq, received?, arrival micros (low bits)
      List<Long> arrivals = new ArrayList<>();
      for (int i = seen; i < all.size(); i++) {
        ReceivedRtp r = all.get(i);
        byte[] tcc = r.extensions().get(TCC_ID);
        if (tcc == null || tcc.length != 2) {
          continue;
        }
        numbered++;
        int seq = ((tcc[0] & 0xFF) << 8) | (tcc[1] & 0xFF);
        int bytes = r.payload().length + 40;
        long start = Math.max(r.receivedNanos(), linkFreeNanos);
        if (start - r.receivedNanos() > 200_000_000L) {
          batch.add(new int[] {seq, 0});
          arrivals.add(0L);
          continue;
        }
        linkFreeNanos = start + bytes * 8L * 1_000_000_000L / capacityBps;
        batch.add(new int[] {seq, 1});
        arrivals.add((linkFreeNanos - originNanos) / 1_000);
      }
      seen = all.size();
      if (!batch.isEmpty()) {
        receiver.sendProtectedRtcp(encode(batch, arrivals, feedbackCount++));
      }
    }

    /**
     * A transport-cc feedback for the batch (in sending order, as the bridge numbered it): from the
     * first number to the last, two-bit status chunks, 2-byte deltas; numbers not in the batch, or
     * dropped by the queue, are reported missing.
     */
    private static byte[] encode(List<int[]> batch, List<Long> arrivals, int count) {
      int base = batch.get(0)[0];
      int n = ((batch.get(batch.size() - 1)[0] - base) & 0xFFFF) + 1;
      long[] at = new long[n];
      java.util.Arrays.fill(at, -1);
      for (int i = 0; i < batch.size(); i++) {
        int offset = (batch.get(i)[0] - base) & 0xFFFF;
        if (offset < n && batch.get(i)[1] == 1) {
          at[offset] = arrivals.get(i);
        }
      }
      long reference = -1;
      for (long t : at) {
        if (t >= 0) {
          reference = t / 64_000;
          break;
        }
      }
      if (reference < 0) {
        reference = 0;
      }
      int chunks = (n + 6) / 7;
      int received = 0;
      for (long t : at) {
        received += t >= 0 ? 1 : 0;
      }
      int length = 20 + 2 * chunks + 2 * received;
      int padded = (length + 3) & ~3;
      byte[] p = new byte[padded];
      p[0] = (byte) (0x80 | 15);
      p[1] = (byte) 205;
      p[2] = (byte) ((padded / 4 - 1) >>> 8);
      p[3] = (byte) (padded / 4 - 1);
      p[12] = (byte) (base >>> 8);
      p[13] = (byte) base;
      p[14] = (byte) (n >>> 8);
      p[15] = (byte) n;
      p[16] = (byte) (reference >>> 16);
      p[17] = (byte) (reference >>> 8);
      p[18] = (byte) reference;
      p[19] = (byte) count;
      int pos = 20;
      for (int c = 0; c < chunks; c++) {
        int chunk = 0xC000;
        for (int k = 0; k < 7; k++) {
          int i = c * 7 + k;
          int symbol = i < n && at[i] >= 0 ? 2 : 0;
          chunk |= symbol << (2 * (6 - k));
        }
        p[pos++] = (byte) (chunk >>> 8);
        p[pos++] = (byte) chunk;
      }
      long previous = reference * 64_000;
      for (long t : at) {
        if (t < 0) {
          continue;
        }
        long ticks = (t - previous) / 250;
        ticks = Math.max(-32_768, Math.min(32_767, ticks));
        p[pos++] = (byte) (ticks >>> 8);
        p[pos++] = (byte) ticks;
        previous += ticks * 250;
      }
      if (padded > length) {
        p[0] |= 0x20;
        p[padded - 1] = (byte) (padded - length);
      }
      return p;
    }
  }
}
