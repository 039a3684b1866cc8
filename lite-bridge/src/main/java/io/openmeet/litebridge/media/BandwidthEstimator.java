package io.openmeet.litebridge.media;

import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * The bridge's estimate of how much it can send to one receiver, from that receiver's feedback on
 * the transport-wide sequence numbers the bridge stamps on everything it sends there, in the spirit
 * of Google congestion control (draft-ietf-rmcat-gcc) as JVB runs it per endpoint:
 *
 * <ul>
 *   <li><b>Delay-based.</b> Packets are grouped into bursts (sent within {@link #BURST_NANOS}, or
 *       arriving together after being held up, which a busy machine's scheduling does); the growth
 *       of one-way delay between consecutive groups is smoothed and a trend line is fitted over the
 *       last {@link #TREND_WINDOW} groups. A slope above an adaptive threshold means the path's
 *       queue is filling (overuse): the rate drops to {@link #BETA} times what the receiver
 *       acknowledged. Below minus the threshold (the queue draining) the rate holds; otherwise it
 *       grows by 8 % a second, and never above 1.5 times the acknowledged rate, so it cannot run
 *       away from what the path has shown.
 *   <li><b>Loss-based.</b> Over each window of at least {@link #LOSS_MIN_PACKETS} reported packets,
 *       more than 10 % lost cuts the bound by half the loss fraction, but never below the rate the
 *       receiver still acknowledged; less than 2 % lets it grow by 8 % a second.
 *   <li><b>REMB.</b> A receiver that never sends transport-cc feedback is taken at its REMB value.
 * </ul>
 *
 * <p>The estimate is the smaller of the two bounds, within [{@link #MIN_BPS}, {@link #MAX_BPS}].
 * Until the first feedback there is none ({@link #estimate()} is -1), so receivers that give no
 * feedback are not limited. Every method is synchronized: packets are sent from several senders'
 * threads while feedback arrives on the receiver's.
 */
final class BandwidthEstimator {

  /** Where the estimate starts at the first feedback (JVB's initial bandwidth). */
  static final long INITIAL_BPS = 2_500_000;

  static final long MIN_BPS = 30_000;
  static final long MAX_BPS = 20_000_000;

  /** Packets sent within this of a group's first packet form one group (one burst). */
  static final long BURST_NANOS = 5_000_000L;

  /** A burst of arrivals merged into one group spans at most this. */
  static final long MAX_BURST_MICROS = 100_000;

  /** Groups in the trend line's window. */
  static final int TREND_WINDOW = 20;

  /** Multiplicative decrease on overuse: the rate becomes this times the acknowledged rate. */
  static final double BETA = 0.85;

  static final int LOSS_MIN_PACKETS = 20;

  /** A probe cluster needs this many packets to arrive to give a rate (GCC's minimum). */
  static final int MIN_PROBE_PACKETS = 5;

  private static final int MAX_CLUSTERS = 8;

  /** A group sent over at least this and stamped within a quarter of it is a catch-up. */
  static final long CATCH_UP_MIN_NANOS = 20_000_000L;

  /** How far back the delay a catch-up must return to is taken from. */
  static final long BASELINE_WINDOW_MICROS = 3_000_000;

  /** How close to that delay a catch-up must bring it back, ms. */
  static final double CATCH_UP_TOLERANCE_MS = 5;

  /** A delay cut this recent is undone by a catch-up. */
  static final long UNDO_NANOS = 1_000_000_000L;

  /** An overuse is acted on once it has lasted this long in arrival time without a catch-up. */
  static final long CONFIRM_MICROS = 200_000;

  private static final int HISTORY = 8192;
  private static final double SMOOTHING = 0.9;
  private static final double TREND_GAIN = 4.0;
  private static final double THRESHOLD_MIN_MS = 6;
  private static final double THRESHOLD_MAX_MS = 600;
  private static final double K_UP = 0.0087;
  private static final double K_DOWN = 0.039;
  private static final long OVERUSE_TIME_NANOS = 10_000_000L;
  private static final long ACKED_WINDOW_MICROS = 500_000;

  /** What went out besides probing padding is measured over this. */
  static final long SENT_WINDOW_NANOS = 500_000_000L;

  private static final long DECREASE_INTERVAL_NANOS = 300_000_000L;
  private static final double GROWTH_PER_SECOND = 1.08;

  // send history, indexed by the low bits of the extended transport-wide sequence number
  private final long[] sentSequence = new long[HISTORY];
  private final long[] sentNanos = new long[HISTORY];
  private final int[] sentBytes = new int[HISTORY];
  private final byte[] reported = new byte[HISTORY];
  private long lastSent = -1;

  // delay-based state
  private long groupFirstSend = Long.MIN_VALUE;
  private long groupLastSend;
  private long groupLastArrival;
  private long groupFirstArrival;
  private long previousGroupSend = Long.MIN_VALUE;
  private long previousGroupArrival;
  private double accumulatedDelayMs;
  private double smoothedDelayMs;
  private long firstArrivalMicros = Long.MIN_VALUE;
  private final ArrayDeque<double[]> trend = new ArrayDeque<>();
  private int deltas;
  private double thresholdMs = 12.5;
  private long lastThresholdUpdateMicros = Long.MIN_VALUE;
  private double previousTrend;
  private long overuseStartNanos = Long.MIN_VALUE;
  private Signal signal = Signal.NORMAL;
  private long overuseSignalMicros = Long.MIN_VALUE;
  private long catchUps;
  private long undoneCuts;
  private long beforeCutBps;
  // (arrival micros, accumulated delay ms), accumulated rising: the window's minimum comes first
  private final ArrayDeque<double[]> recentDelays = new ArrayDeque<>();

  // send rate without padding: (send nanos, bytes) of the packets sent in the last window
  private final ArrayDeque<long[]> sends = new ArrayDeque<>();
  private long sendBytes;

  // acknowledged rate: (arrival micros, bytes) of the packets received in the last window
  private final ArrayDeque<long[]> acked = new ArrayDeque<>();
  private long ackedBytes;

  private long delayBps = -1;
  private long lossBps = -1;
  private long rembBps = -1;
  private boolean feedbackSeen;
  private long lastUpdateNanos;
  private long lastDecreaseNanos = Long.MIN_VALUE;
  private long lastLossDecreaseNanos = Long.MIN_VALUE;
  private int lossWindowLost;
  private int lossWindowTotal;
  private double lastLossFraction;
  private long overuses;
  private long lossCuts;
  private Consumer<String> events = event -> {};

  // probe clusters, oldest first: sent, waiting for feedback, or open
  private final ArrayDeque<Cluster> clusters = new ArrayDeque<>();
  private Cluster openCluster;
  private long probeResults;
  private long probeClusters;

  /** What the delay trend says about the path. */
  enum Signal {
    NORMAL,
    OVERUSE,
    UNDERUSE
  }

  /**
   * A probe cluster: the run of transport-wide numbers sent while it was open (media and padding
   * alike), and what the feedback said about them. Its rate is GCC's probe bitrate: the send rate
   * without the last packet and the receive rate without the first, whichever is smaller.
   */
  private static final class Cluster {
    final long targetBps;
    final long firstSequence;
    long lastSequence = Long.MAX_VALUE;
    int reported;
    int received;
    long bytes;
    long firstSendNanos = Long.MAX_VALUE;
    long lastSendNanos = Long.MIN_VALUE;
    int lastSendBytes;
    long firstArrivalMicros = Long.MAX_VALUE;
    long lastArrivalMicros = Long.MIN_VALUE;
    int firstArrivalBytes;

    Cluster(long targetBps, long firstSequence) {
      this.targetBps = targetBps;
      this.firstSequence = firstSequence;
    }

    boolean contains(long sequence) {
      return sequence >= firstSequence && sequence <= lastSequence;
    }

    void add(long sendNanos, long arrivalMicros, int bytes) {
      received++;
      this.bytes += bytes;
      if (sendNanos < firstSendNanos) {
        firstSendNanos = sendNanos;
      }
      if (sendNanos >= lastSendNanos) {
        lastSendNanos = sendNanos;
        lastSendBytes = bytes;
      }
      if (arrivalMicros < firstArrivalMicros) {
        firstArrivalMicros = arrivalMicros;
        firstArrivalBytes = bytes;
      }
      lastArrivalMicros = Math.max(lastArrivalMicros, arrivalMicros);
    }
  }

  /**
   * Opens a probe cluster: every packet sent from now until {@link #endProbe} belongs to it, and
   * the sender pads what it sends meanwhile up to {@code targetBps}. When the feedback shows the
   * path carried the cluster's rate, the estimate jumps there (GCC's probing), instead of growing 8
   * % a second from a cut.
   */
  synchronized void startProbe(long targetBps) {
    if (openCluster != null) {
      return;
    }
    openCluster = new Cluster(targetBps, lastSent + 1);
    probeClusters++;
    clusters.addLast(openCluster);
    while (clusters.size() > MAX_CLUSTERS) {
      clusters.removeFirst();
    }
  }

  /** Closes the open probe cluster (nothing when none is open). */
  synchronized void endProbe() {
    if (openCluster == null) {
      return;
    }
    openCluster.lastSequence = lastSent;
    if (lastSent < openCluster.firstSequence) {
      clusters.remove(openCluster); // nothing was sent while it was open
    }
    openCluster = null;
  }

  /** Whether a probe cluster is open. */
  synchronized boolean probing() {
    return openCluster != null;
  }

  /** How many probe clusters were opened. */
  synchronized long probeClusters() {
    return probeClusters;
  }

  /** How many probe clusters gave a usable rate. */
  synchronized long probeResults() {
    return probeResults;
  }

  /** Where a line goes for every cut (the endpoint's timeline), so a run's log says why. */
  synchronized void onEvent(Consumer<String> listener) {
    this.events = listener;
  }

  /** Remembers a packet sent with transport-wide number {@code sequence} (extended, 64-bit). */
  synchronized void packetSent(long sequence, int bytes, long nowNanos) {
    packetSent(sequence, bytes, nowNanos, false);
  }

  /** The same, saying whether the packet is probing padding (which {@link #sentBps} leaves out). */
  synchronized void packetSent(long sequence, int bytes, long nowNanos, boolean padding) {
    int i = (int) (sequence & (HISTORY - 1));
    sentSequence[i] = sequence;
    sentNanos[i] = nowNanos;
    sentBytes[i] = bytes;
    reported[i] = 0;
    lastSent = Math.max(lastSent, sequence);
    if (!padding) {
      sends.addLast(new long[] {nowNanos, bytes});
      sendBytes += bytes;
      trimSends(nowNanos);
    }
  }

  /**
   * What was sent to the receiver over the last {@link #SENT_WINDOW_NANOS} besides probing padding
   * (media, audio, retransmissions), bits/s: padding tops this up, not just the layers' rates, so
   * that audio and retransmissions do not take a full link over its estimate.
   */
  synchronized long sentBps(long nowNanos) {
    trimSends(nowNanos);
    return (long) (sendBytes * 8e9 / SENT_WINDOW_NANOS);
  }

  private void trimSends(long nowNanos) {
    while (!sends.isEmpty() && sends.peekFirst()[0] < nowNanos - SENT_WINDOW_NANOS) {
      sendBytes -= sends.removeFirst()[1];
    }
  }

  /** Applies one transport-cc feedback from the receiver. */
  synchronized void onFeedback(TransportCcParser.Report report, long nowNanos) {
    if (lastSent < 0) {
      return;
    }
    // the base is a 16-bit number: the nearest extended number at or before the last one sent
    long base = lastSent - ((lastSent - report.baseSequence()) & 0xFFFF);
    long[] arrivals = report.arrivalMicros();
    boolean any = false;
    for (int k = 0; k < arrivals.length; k++) {
      long sequence = base + k;
      int i = (int) (sequence & (HISTORY - 1));
      if (sequence < 0 || sequence > lastSent || sentSequence[i] != sequence) {
        continue; // not sent by us, or too old to remember
      }
      any = true;
      Cluster cluster = clusterOf(sequence);
      if (cluster != null && reported[i] == 0) {
        cluster.reported++;
      }
      if (arrivals[k] == TransportCcParser.LOST) {
        if (reported[i] == 0) {
          reported[i] = 1;
          lossWindowLost++;
          lossWindowTotal++;
        }
        continue;
      }
      if (reported[i] == 2) {
        continue; // reported received before
      }
      if (reported[i] == 1) {
        lossWindowLost--; // reported missing before, arrived late
      } else {
        lossWindowTotal++;
      }
      reported[i] = 2;
      if (cluster != null) {
        cluster.add(sentNanos[i], arrivals[k], sentBytes[i]);
      }
      packetArrived(sentNanos[i], arrivals[k], sentBytes[i], nowNanos);
    }
    if (!any) {
      return;
    }
    if (!feedbackSeen) {
      feedbackSeen = true;
      delayBps = INITIAL_BPS;
      lossBps = INITIAL_BPS;
      lastUpdateNanos = nowNanos;
    }
    update(nowNanos);
    finishClusters(base + arrivals.length - 1);
  }

  private Cluster clusterOf(long sequence) {
    for (Cluster c : clusters) {
      if (c.contains(sequence)) {
        return c;
      }
    }
    return null;
  }

  /**
   * Reads the clusters the feedback has covered up to {@code reportedUpTo}: a cluster whose rate
   * the path carried (most of it arrived, at about the rate it was sent) lifts a lower estimate to
   * that rate; one the path could not carry says nothing the delay and loss parts do not.
   */
  private void finishClusters(long reportedUpTo) {
    while (!clusters.isEmpty()) {
      Cluster c = clusters.peekFirst();
      if (c == openCluster || c.lastSequence > reportedUpTo) {
        return;
      }
      clusters.removeFirst();
      long count = c.lastSequence - c.firstSequence + 1;
      if (c.received < MIN_PROBE_PACKETS || c.received < 0.8 * count) {
        events.accept(
            "bwe probe at "
                + c.targetBps / 1000
                + " kbit/s: "
                + c.received
                + " of "
                + count
                + " packets arrived, no result");
        continue;
      }
      double sendSeconds = (c.lastSendNanos - c.firstSendNanos) / 1e9;
      double receiveSeconds = (c.lastArrivalMicros - c.firstArrivalMicros) / 1e6;
      if (sendSeconds < 0.001 || receiveSeconds < 0.001 || sendSeconds > 1 || receiveSeconds > 1) {
        continue;
      }
      long sendBps = (long) ((c.bytes - c.lastSendBytes) * 8 / sendSeconds);
      long receiveBps = (long) ((c.bytes - c.firstArrivalBytes) * 8 / receiveSeconds);
      // a path that delivered well under what was sent is saturated: its rate is what got through
      long rate =
          receiveBps < 0.9 * sendBps ? (long) (0.95 * receiveBps) : Math.min(sendBps, receiveBps);
      probeResults++;
      long before = estimateUnclamped();
      if (rate > before && signal != Signal.OVERUSE) {
        delayBps = Math.max(delayBps, rate);
        lossBps = Math.max(lossBps, rate);
      }
      events.accept(
          "bwe probe at "
              + c.targetBps / 1000
              + " kbit/s: sent "
              + sendBps / 1000
              + ", received "
              + receiveBps / 1000
              + " kbit/s, estimate "
              + before / 1000
              + " -> "
              + estimateUnclamped() / 1000);
    }
  }

  /** A REMB from the receiver; used while it sends no transport-cc feedback. */
  synchronized void onRemb(long bps) {
    if (bps >= 0) {
      rembBps = bps;
    }
  }

  private void packetArrived(long sendNanos, long arrivalMicros, int bytes, long nowNanos) {
    acked.addLast(new long[] {arrivalMicros, bytes});
    ackedBytes += bytes;
    if (firstArrivalMicros == Long.MIN_VALUE) {
      firstArrivalMicros = arrivalMicros;
    }
    if (groupFirstSend == Long.MIN_VALUE) {
      startGroup(sendNanos, arrivalMicros);
      return;
    }
    if (sendNanos - groupFirstSend <= BURST_NANOS && sendNanos >= groupFirstSend) {
      groupLastSend = Math.max(groupLastSend, sendNanos);
      groupLastArrival = Math.max(groupLastArrival, arrivalMicros);
      return;
    }
    if (sendNanos < groupFirstSend) {
      return; // reordered into an earlier group: its delay says nothing new
    }
    if (arrivedInBurst(sendNanos, arrivalMicros)) {
      // held up together (a receiver thread that did not run, a stalled link) and let go at once:
      // the packets queued for a reason unrelated to the rate, so they count as one group
      groupLastSend = sendNanos;
      groupLastArrival = Math.max(groupLastArrival, arrivalMicros);
      return;
    }
    if (previousGroupSend != Long.MIN_VALUE) {
      double sendDeltaMs = (groupLastSend - previousGroupSend) / 1e6;
      double arrivalDeltaMs = (groupLastArrival - previousGroupArrival) / 1e3;
      double deltaMs = arrivalDeltaMs - sendDeltaMs;
      if (caughtUp() && accumulatedDelayMs + deltaMs <= baselineDelayMs() + CATCH_UP_TOLERANCE_MS) {
        accumulatedDelayMs += deltaMs;
        rememberDelay(groupLastArrival);
        afterCatchUp(nowNanos);
      } else {
        trendSample(arrivalDeltaMs - sendDeltaMs, groupLastArrival, nowNanos);
      }
    }
    previousGroupSend = groupLastSend;
    previousGroupArrival = groupLastArrival;
    startGroup(sendNanos, arrivalMicros);
  }

  /**
   * Whether the group just closed is a receiver catching up: packets sent over at least {@link
   * #CATCH_UP_MIN_NANOS} stamped within a quarter of that. A queue at a bottleneck lets packets go
   * at its link's pace, never faster than they were sent; a receiver thread that fell behind (a
   * busy machine) stamps its backlog at once. When that brings the delay back to where it was
   * before (the lowest of the last {@link #BASELINE_WINDOW_MICROS}), what built up was never a
   * queue; a queue that is still there after the burst is.
   */
  private boolean caughtUp() {
    long sendSpanNanos = groupLastSend - groupFirstSend;
    long arrivalSpanNanos = (groupLastArrival - groupFirstArrival) * 1_000;
    return sendSpanNanos >= CATCH_UP_MIN_NANOS && arrivalSpanNanos * 4 <= sendSpanNanos;
  }

  /**
   * After a catch-up the delay is back where it was: the trend starts afresh, an overuse not yet
   * acted on is dropped, and a delay cut made within {@link #UNDO_NANOS} is undone.
   */
  private void afterCatchUp(long nowNanos) {
    catchUps++;
    smoothedDelayMs = accumulatedDelayMs;
    trend.clear();
    overuseStartNanos = Long.MIN_VALUE;
    overuseSignalMicros = Long.MIN_VALUE;
    previousTrend = 0;
    signal = Signal.NORMAL;
    if (lastDecreaseNanos != Long.MIN_VALUE
        && nowNanos - lastDecreaseNanos <= UNDO_NANOS
        && beforeCutBps > delayBps) {
      events.accept(
          "bwe receiver caught up: delay cut to "
              + delayBps / 1000
              + " kbit/s undone, back at "
              + beforeCutBps / 1000);
      delayBps = beforeCutBps;
      undoneCuts++;
    }
  }

  /** Remembers the accumulated delay at {@code arrivalMicros} for {@link #baselineDelayMs}. */
  private void rememberDelay(long arrivalMicros) {
    while (!recentDelays.isEmpty() && recentDelays.peekLast()[1] >= accumulatedDelayMs) {
      recentDelays.removeLast();
    }
    recentDelays.addLast(new double[] {arrivalMicros, accumulatedDelayMs});
    while (recentDelays.peekFirst()[0] < arrivalMicros - BASELINE_WINDOW_MICROS) {
      recentDelays.removeFirst();
    }
  }

  /** The lowest accumulated delay of the last {@link #BASELINE_WINDOW_MICROS}. */
  private double baselineDelayMs() {
    return recentDelays.isEmpty() ? accumulatedDelayMs : recentDelays.peekFirst()[1];
  }

  private void startGroup(long sendNanos, long arrivalMicros) {
    groupFirstSend = sendNanos;
    groupLastSend = sendNanos;
    groupLastArrival = arrivalMicros;
    groupFirstArrival = arrivalMicros;
  }

  /**
   * Whether a packet sent after the current group arrived in the same burst as it: within {@link
   * #BURST_NANOS} of the group's last arrival, closer to it than their send times were apart (so it
   * caught up, the opposite of queueing), and the group's arrivals span under {@link
   * #MAX_BURST_MICROS} (GCC's pre-filter for delay transients).
   */
  private boolean arrivedInBurst(long sendNanos, long arrivalMicros) {
    long arrivalDeltaMicros = arrivalMicros - groupLastArrival;
    long sendDeltaMicros = (sendNanos - groupLastSend) / 1_000;
    return arrivalDeltaMicros - sendDeltaMicros < 0
        && arrivalDeltaMicros <= BURST_NANOS / 1_000
        && arrivalMicros - groupFirstArrival < MAX_BURST_MICROS;
  }

  private void trendSample(double delayDeltaMs, long arrivalMicros, long nowNanos) {
    deltas = Math.min(deltas + 1, 1000);
    accumulatedDelayMs += delayDeltaMs;
    rememberDelay(arrivalMicros);
    smoothedDelayMs = SMOOTHING * smoothedDelayMs + (1 - SMOOTHING) * accumulatedDelayMs;
    trend.addLast(new double[] {(arrivalMicros - firstArrivalMicros) / 1e3, smoothedDelayMs});
    if (trend.size() > TREND_WINDOW) {
      trend.removeFirst();
    }
    if (trend.size() < TREND_WINDOW) {
      return;
    }
    double slope = slope();
    double modified = Math.min(deltas, 60) * slope * TREND_GAIN;
    if (modified > thresholdMs) {
      if (overuseStartNanos == Long.MIN_VALUE) {
        overuseStartNanos = nowNanos;
      }
      if (nowNanos - overuseStartNanos >= OVERUSE_TIME_NANOS && modified >= previousTrend) {
        if (signal != Signal.OVERUSE) {
          overuseSignalMicros = arrivalMicros;
        }
        signal = Signal.OVERUSE;
      }
    } else if (modified < -thresholdMs) {
      overuseStartNanos = Long.MIN_VALUE;
      signal = Signal.UNDERUSE;
    } else {
      overuseStartNanos = Long.MIN_VALUE;
      signal = Signal.NORMAL;
    }
    previousTrend = modified;
    adaptThreshold(modified, arrivalMicros);
  }

  /** Least-squares slope of smoothed delay over arrival time, ms per ms. */
  private double slope() {
    double sumX = 0;
    double sumY = 0;
    for (double[] p : trend) {
      sumX += p[0];
      sumY += p[1];
    }
    double meanX = sumX / trend.size();
    double meanY = sumY / trend.size();
    double num = 0;
    double den = 0;
    for (double[] p : trend) {
      num += (p[0] - meanX) * (p[1] - meanY);
      den += (p[0] - meanX) * (p[0] - meanX);
    }
    return den == 0 ? 0 : num / den;
  }

  private void adaptThreshold(double modified, long arrivalMicros) {
    if (lastThresholdUpdateMicros == Long.MIN_VALUE) {
      lastThresholdUpdateMicros = arrivalMicros;
    }
    // a spike far above the threshold (a route change, a paused sender) must not drag it along
    if (Math.abs(modified) > thresholdMs + 15) {
      lastThresholdUpdateMicros = arrivalMicros;
      return;
    }
    double k = Math.abs(modified) < thresholdMs ? K_DOWN : K_UP;
    double dtMs = Math.min((arrivalMicros - lastThresholdUpdateMicros) / 1e3, 100);
    thresholdMs += k * (Math.abs(modified) - thresholdMs) * Math.max(0, dtMs);
    thresholdMs = Math.max(THRESHOLD_MIN_MS, Math.min(THRESHOLD_MAX_MS, thresholdMs));
    lastThresholdUpdateMicros = arrivalMicros;
  }

  private long ackedBps() {
    if (acked.isEmpty()) {
      return 0;
    }
    long latest = acked.peekLast()[0];
    while (!acked.isEmpty() && acked.peekFirst()[0] < latest - ACKED_WINDOW_MICROS) {
      ackedBytes -= acked.removeFirst()[1];
    }
    long span = Math.max(latest - acked.peekFirst()[0], 100_000);
    return ackedBytes * 8_000_000 / span;
  }

  private void update(long nowNanos) {
    double seconds = Math.max(0, (nowNanos - lastUpdateNanos) / 1e9);
    lastUpdateNanos = nowNanos;
    long ackedBps = ackedBps();
    switch (signal) {
      case OVERUSE -> {
        // a queue keeps growing; a receiver that fell behind catches up within a few hundred ms
        boolean confirmed = groupLastArrival - overuseSignalMicros >= CONFIRM_MICROS;
        if (confirmed
            && (lastDecreaseNanos == Long.MIN_VALUE
                || nowNanos - lastDecreaseNanos >= DECREASE_INTERVAL_NANOS)) {
          // what the receiver got is what the path carries now; never raise on overuse
          long base = ackedBps > 0 ? ackedBps : delayBps;
          long before = delayBps;
          beforeCutBps =
              Math.max(
                  delayBps,
                  lastDecreaseNanos == Long.MIN_VALUE || nowNanos - lastDecreaseNanos > UNDO_NANOS
                      ? 0
                      : beforeCutBps);
          delayBps = Math.min(delayBps, (long) (BETA * base));
          lastDecreaseNanos = nowNanos;
          overuses++;
          events.accept(
              String.format(
                  "bwe delay cut %d -> %d kbit/s (acked %d, trend %.1f, threshold %.1f)",
                  before / 1000, delayBps / 1000, ackedBps / 1000, previousTrend, thresholdMs));
        }
      }
      case UNDERUSE -> {
        // the queue drains: hold until it is empty
      }
      case NORMAL -> {
        long grown = (long) (delayBps * Math.pow(GROWTH_PER_SECOND, seconds));
        long cap = (long) (1.5 * ackedBps) + 10_000;
        // growth is capped by what the path carried; an estimate above the cap stays, unproven
        delayBps = Math.max(delayBps, Math.min(grown, cap));
      }
    }
    if (lossWindowTotal >= LOSS_MIN_PACKETS) {
      double loss = Math.max(0, (double) lossWindowLost) / lossWindowTotal;
      lastLossFraction = loss;
      if (loss > 0.10) {
        // one cut per interval: a burst reported over several feedbacks is one event
        if (lastLossDecreaseNanos == Long.MIN_VALUE
            || nowNanos - lastLossDecreaseNanos >= DECREASE_INTERVAL_NANOS) {
          lossBps = (long) (Math.min(lossBps, estimateUnclamped()) * (1 - 0.5 * loss));
          // never far below what got through: bursts lost at a short queue (the bridge forwards a
          // frame's packets at once, unpaced) must not take it to the floor cut after cut; but
          // below it by the same share as the cut, so that a link the layers fill gets headroom
          lossBps = Math.max(lossBps, (long) (ackedBps * (1 - 0.5 * loss)));
          lastLossDecreaseNanos = nowNanos;
          lossCuts++;
          events.accept(
              String.format(
                  "bwe loss cut to %d kbit/s (loss %d of %d, acked %d, delay bound %d)",
                  lossBps / 1000,
                  lossWindowLost,
                  lossWindowTotal,
                  ackedBps / 1000,
                  delayBps / 1000));
        }
      } else if (loss < 0.02) {
        lossBps = (long) (lossBps * Math.pow(GROWTH_PER_SECOND, Math.max(seconds, 0)));
      }
      lossWindowLost = 0;
      lossWindowTotal = 0;
    } else if (lastLossFraction < 0.02) {
      lossBps = (long) (lossBps * Math.pow(GROWTH_PER_SECOND, seconds));
    }
    // the loss bound never runs far ahead of the delay bound it would otherwise not limit
    lossBps = Math.min(lossBps, Math.max(delayBps, MIN_BPS) * 2);
    delayBps = clamp(delayBps);
    lossBps = clamp(lossBps);
  }

  private long estimateUnclamped() {
    return Math.min(delayBps, lossBps);
  }

  private static long clamp(long bps) {
    return Math.max(MIN_BPS, Math.min(MAX_BPS, bps));
  }

  /** The estimate in bits/s, or -1 while the receiver has given no feedback at all. */
  synchronized long estimate() {
    if (feedbackSeen) {
      return clamp(estimateUnclamped());
    }
    return rembBps >= 0 ? clamp(rembBps) : -1;
  }

  /** The rate the receiver acknowledged over the last half second, bits/s. */
  synchronized long acknowledgedBps() {
    return ackedBps();
  }

  /** What the delay trend said last. */
  synchronized Signal signal() {
    return signal;
  }

  /** How often the loss-based bound was cut. */
  synchronized long lossCuts() {
    return lossCuts;
  }

  /** How often a receiver caught up (a burst of backlog, see {@link #caughtUp}). */
  synchronized long catchUps() {
    return catchUps;
  }

  /** How many delay cuts a catch-up undid. */
  synchronized long undoneCuts() {
    return undoneCuts;
  }

  /** How often the delay-based bound was cut. */
  synchronized long overuses() {
    return overuses;
  }

  /** The loss fraction of the last complete loss window. */
  synchronized double lossFraction() {
    return lastLossFraction;
  }
}
