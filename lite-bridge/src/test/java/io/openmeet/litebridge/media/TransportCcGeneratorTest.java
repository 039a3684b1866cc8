package io.openmeet.litebridge.media;

import static org.assertj.core.api.Assertions.assertThat;

import io.openmeet.litebridge.media.TransportCcFeedbackDecoder.Feedback;
import io.openmeet.litebridge.media.TransportCcFeedbackDecoder.Status;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** What a sender is told about its packets, read back with the independent test decoder. */
class TransportCcGeneratorTest {

  private static final long SENDER = 0xABCDEF01L;
  private static final long MEDIA = 0x01020304L;
  private static final long T0 = 1_000_000_000L; // nanoTime origin
  private static final long MS = 1_000_000L;

  private final TransportCcGenerator generator = new TransportCcGenerator(SENDER, T0);

  private void receive(int seq, long atMillis) {
    generator.packetReceived(seq, T0 + atMillis * MS, MEDIA);
  }

  private List<Feedback> due(long atMillis) {
    List<Feedback> out = new ArrayList<>();
    for (byte[] p : generator.feedbackDue(T0 + atMillis * MS)) {
      out.add(TransportCcFeedbackDecoder.decode(p));
    }
    return out;
  }

  /** Sequence number → arrival (ms after the origin) or null for "not received". */
  private static Map<Integer, Long> statuses(List<Feedback> feedback) {
    Map<Integer, Long> out = new LinkedHashMap<>();
    for (Feedback f : feedback) {
      for (Status s : f.statuses()) {
        out.put(s.sequence(), s.received() ? Math.round(s.arrivalMicros() / 1000.0) : null);
      }
    }
    return out;
  }

  @Test
  void reportsEveryPacketWithItsArrivalOnceTheIntervalHasPassed() {
    receive(10, 0);
    receive(11, 5);
    receive(12, 20);
    assertThat(due(50)).isEmpty();
    List<Feedback> fb = due(100);
    assertThat(fb).hasSize(1);
    Feedback f = fb.get(0);
    assertThat(f.senderSsrc()).isEqualTo(SENDER);
    assertThat(f.mediaSsrc()).isEqualTo(MEDIA);
    assertThat(f.baseSequence()).isEqualTo(10);
    assertThat(f.feedbackCount()).isZero();
    Map<Integer, Long> s = statuses(fb);
    assertThat(s).containsExactly(Map.entry(10, 0L), Map.entry(11, 5L), Map.entry(12, 20L));

    assertThat(due(300)).as("nothing new, nothing sent").isEmpty();
    receive(13, 310);
    List<Feedback> next = due(320);
    assertThat(next).hasSize(1);
    assertThat(next.get(0).feedbackCount()).isEqualTo(1);
    assertThat(next.get(0).baseSequence()).isEqualTo(13);
    assertThat(statuses(next)).containsExactly(Map.entry(13, 310L));
  }

  @Test
  void aHundredPendingPacketsDoNotWaitForTheInterval() {
    for (int i = 0; i < TransportCcGenerator.MAX_PENDING - 1; i++) {
      receive(i, 0);
    }
    assertThat(due(1)).isEmpty();
    receive(TransportCcGenerator.MAX_PENDING - 1, 1);
    assertThat(due(1)).hasSize(1);
  }

  @Test
  void lossesAreReportedAlsoRightAfterTheEndOfTheLastReport() {
    receive(0, 0);
    receive(1, 1);
    receive(3, 3); // 2 lost
    assertThat(statuses(due(100)))
        .containsExactly(Map.entry(0, 0L), Map.entry(1, 1L), entry(2, null), Map.entry(3, 3L));
    receive(6, 110); // 4 and 5 lost after the last report's end
    assertThat(statuses(due(200)))
        .containsExactly(entry(4, null), entry(5, null), Map.entry(6, 110L));
  }

  private static Map.Entry<Integer, Long> entry(int seq, Long arrival) {
    return new java.util.AbstractMap.SimpleEntry<>(seq, arrival);
  }

  @Test
  void theNumberingWrapsWithoutAGap() {
    for (int i = 0; i < 8; i++) {
      receive((65532 + i) & 0xFFFF, i);
    }
    List<Feedback> fb = due(100);
    assertThat(fb.get(0).baseSequence()).isEqualTo(65532);
    assertThat(statuses(fb).keySet()).containsExactly(65532, 65533, 65534, 65535, 0, 1, 2, 3);
    assertThat(statuses(fb).values()).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L);
  }

  @Test
  void reorderedPacketsAreReportedInSequenceOrderWithTheirOwnArrival() {
    receive(0, 0);
    receive(1, 2);
    receive(3, 4);
    receive(2, 6); // overtaken by 3
    receive(4, 8);
    Map<Integer, Long> s = statuses(due(100));
    assertThat(s)
        .containsExactly(
            Map.entry(0, 0L),
            Map.entry(1, 2L),
            Map.entry(2, 6L),
            Map.entry(3, 4L),
            Map.entry(4, 8L));
  }

  @Test
  void aPacketReportedLostThatArrivesLaterIsReportedAgainAsReceived() {
    receive(0, 0);
    receive(2, 10);
    assertThat(statuses(due(100))).containsEntry(1, null);
    receive(1, 105); // late
    receive(3, 110);
    List<Feedback> fb = due(200);
    assertThat(fb.get(0).baseSequence()).isEqualTo(1);
    assertThat(statuses(fb))
        .containsExactly(Map.entry(1, 105L), Map.entry(2, 10L), Map.entry(3, 110L));
  }

  @Test
  void aSecondCopyIsNotReportedTwice() {
    receive(0, 0);
    receive(0, 3);
    receive(1, 4);
    assertThat(statuses(due(100))).containsExactly(Map.entry(0, 0L), Map.entry(1, 4L));
    assertThat(generator.duplicates()).isEqualTo(1);
  }

  @Test
  void aJumpInTheNumberingIsARestartNotThousandsOfLosses() {
    receive(100, 0);
    receive(101, 1);
    receive(5000, 2); // pending 100..101 are reported first
    receive(5001, 3);
    List<Feedback> fb = due(100);
    assertThat(fb).hasSize(2);
    assertThat(statuses(List.of(fb.get(0))))
        .containsExactly(Map.entry(100, 0L), Map.entry(101, 1L));
    assertThat(statuses(List.of(fb.get(1))))
        .containsExactly(Map.entry(5000, 2L), Map.entry(5001, 3L));
    assertThat(fb.get(1).feedbackCount()).isEqualTo(fb.get(0).feedbackCount() + 1);
    assertThat(generator.restarts()).isEqualTo(1);

    receive(4000, 104); // backwards by more than MAX_JUMP: a restart as well
    receive(4001, 105);
    assertThat(statuses(due(200)).keySet()).containsExactly(4000, 4001);
    assertThat(generator.restarts()).isEqualTo(2);
  }

  @Test
  void aLongLossRunIsCutToWhatOneFeedbackHolds() {
    receive(0, 0);
    due(100);
    receive(900, 150); // 1..899 lost
    List<Feedback> fb = due(250);
    assertThat(fb).hasSize(1);
    assertThat(fb.get(0).statusCount()).isEqualTo(TransportCcFeedback.MAX_STATUSES);
    assertThat(fb.get(0).baseSequence()).isEqualTo(900 - TransportCcFeedback.MAX_STATUSES + 1);
    assertThat(fb.get(0).received()).hasSize(1);
  }

  @Test
  void arrivalsTooFarApartForOneFeedbackAreSplit() {
    receive(0, 0);
    receive(1, 9_000); // more than the 8.19 s a delta can say, and no feedback in between
    List<Feedback> fb = due(9_100);
    assertThat(fb).hasSize(2);
    assertThat(statuses(fb)).containsExactly(Map.entry(0, 0L), Map.entry(1, 9_000L));
  }

  @Test
  void aBurstLargerThanOneFeedbackIsSplitWithoutLosingAPacket() {
    // alternating arrival times make every delta two bytes: ~480 fit one feedback
    for (int i = 0; i < 1500; i++) {
      receive(i, (i % 2) * 100);
    }
    List<Feedback> fb = due(1);
    assertThat(fb.size()).isGreaterThan(2);
    Map<Integer, Long> s = statuses(fb);
    assertThat(s).hasSize(1500);
    for (int i = 0; i < 1500; i++) {
      assertThat(s.get(i)).isEqualTo((i % 2) * 100L);
    }
    for (int i = 1; i < fb.size(); i++) {
      assertThat(fb.get(i).feedbackCount()).isEqualTo((fb.get(i - 1).feedbackCount() + 1) & 0xFF);
    }
  }

  @Test
  void aCapturedChromiumSenderIsReportedPacketForPacket() throws IOException {
    // arrival (µs), transport-wide seq, payload type, size: see the resource's header
    List<long[]> captured = new ArrayList<>();
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(
                getClass().getResourceAsStream("/chromium-transport-cc-arrivals.csv"),
                StandardCharsets.US_ASCII))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (line.startsWith("#") || line.startsWith("arrival")) {
          continue;
        }
        String[] f = line.split(",");
        captured.add(new long[] {Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2])});
      }
    }
    assertThat(captured).hasSizeGreaterThan(500);

    // as on the bridge: each packet recorded, then whatever is due sent at once
    List<byte[]> sent = new ArrayList<>();
    for (long[] packet : captured) {
      long at = T0 + packet[0] * 1_000;
      generator.packetReceived((int) packet[1], at, MEDIA);
      sent.addAll(generator.feedbackDue(at));
    }
    sent.addAll(
        generator.feedbackDue(T0 + (captured.get(captured.size() - 1)[0] + 200_000) * 1000));

    Map<Integer, Status> reported = new HashMap<>();
    int previousCount = -1;
    for (byte[] p : sent) {
      assertThat(p.length).isLessThanOrEqualTo(1200);
      Feedback f = TransportCcFeedbackDecoder.decode(p);
      if (previousCount >= 0) {
        assertThat(f.feedbackCount()).isEqualTo((previousCount + 1) & 0xFF);
      }
      previousCount = f.feedbackCount();
      for (Status st : f.statuses()) {
        assertThat(reported)
            .as("reported twice: " + st.sequence())
            .doesNotContainKey(st.sequence());
        reported.put(st.sequence(), st);
      }
    }
    // nothing was lost or reordered on loopback: every packet once, received, at its own arrival
    assertThat(reported).hasSize(captured.size());
    for (long[] packet : captured) {
      Status st = reported.get((int) packet[1]);
      assertThat(st.received()).isTrue();
      assertThat(Math.abs(st.arrivalMicros() - packet[0])).isLessThanOrEqualTo(125);
    }
    // Chromium's first probe (the RTX packets at the start) keeps its spacing to within 250 µs:
    // its receive rate is what the sender's probe estimator measures
    List<long[]> probe = captured.stream().filter(c -> c[2] == 96 && c[0] < 1_000_000).toList();
    assertThat(probe).hasSizeGreaterThanOrEqualTo(5);
    long capturedSpan = probe.get(probe.size() - 1)[0] - probe.get(0)[0];
    long reportedSpan =
        reported.get((int) probe.get(probe.size() - 1)[1]).arrivalMicros()
            - reported.get((int) probe.get(0)[1]).arrivalMicros();
    assertThat(Math.abs(reportedSpan - capturedSpan)).isLessThanOrEqualTo(250);
    // about one feedback per 100 ms of media (6 s), not one per packet
    assertThat(sent.size()).isBetween(40, 80);
  }

  @Test
  void garbageNumbersAndTimesNeverBreakTheFeedback() {
    Random random = new Random(7);
    long now = T0;
    int seq = 0;
    for (int i = 0; i < 20_000; i++) {
      int kind = random.nextInt(10);
      seq =
          kind == 0
              ? random.nextInt(65536) // a stray number anywhere
              : kind == 1 ? seq - random.nextInt(200) : seq + 1 + random.nextInt(3);
      // time mostly moves on, sometimes jumps far, sometimes goes back
      now += kind == 2 ? 9_000 * MS : kind == 3 ? -5 * MS : random.nextInt(2_000_000);
      generator.packetReceived(seq & 0xFFFF, now, MEDIA);
      for (byte[] p : generator.feedbackDue(now)) {
        assertThat(p.length).isLessThanOrEqualTo(1200);
        Feedback f = TransportCcFeedbackDecoder.decode(p);
        assertThat(f.received()).isNotEmpty();
      }
    }
    assertThat(generator.restarts()).isPositive();
  }
}
