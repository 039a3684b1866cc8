/**
 * When to suggest audio only: the estimated bandwidth stays below what video needs. Pure (time is
 * passed in), so the windows and the hysteresis are unit-tested.
 */

/**
 * The numbers, in one place. Jitsi's lowest camera layer (180p) needs about 150-200 kbit/s and audio
 * about 40: below 150 kbit/s there is no useful video. Ten seconds below it (not a single dip) starts the
 * suggestion; it goes away by itself only after ten seconds back above 300 kbit/s (the gap keeps a
 * link that wobbles around one number from flapping). Once the user says "not now", it stays quiet
 * for ten minutes.
 */
export const LOW_BANDWIDTH = {
  thresholdKbps: 150,
  lowForMs: 10_000,
  recoverKbps: 300,
  recoverForMs: 10_000,
  snoozeMs: 10 * 60_000,
} as const;

export type LowBandwidthConfig = typeof LOW_BANDWIDTH;

/** Feeds on bandwidth estimates over time; says whether the audio-only suggestion should show. */
export class LowBandwidthDetector {
  private lowSince: number | null = null;
  private highSince: number | null = null;
  private suggesting = false;
  private snoozedUntil = Number.NEGATIVE_INFINITY;

  constructor(private readonly config: LowBandwidthConfig = LOW_BANDWIDTH) {}

  /**
   * One estimate (kbit/s) at `nowMs`; null: nothing to judge now (no video sent or received, or no
   * estimate): a run in progress is broken, a suggestion shown stays. Answers whether to suggest.
   */
  update(nowMs: number, estimateKbps: number | null): boolean {
    const c = this.config;
    if (estimateKbps === null || !Number.isFinite(estimateKbps)) {
      this.lowSince = this.highSince = null;
      return this.suggesting;
    }
    if (!this.suggesting) {
      if (estimateKbps < c.thresholdKbps) {
        this.lowSince ??= nowMs;
        if (nowMs - this.lowSince >= c.lowForMs && nowMs >= this.snoozedUntil) {
          this.suggesting = true;
          this.highSince = null;
        }
      } else {
        this.lowSince = null;
      }
    } else if (estimateKbps >= c.recoverKbps) {
      this.highSince ??= nowMs;
      if (nowMs - this.highSince >= c.recoverForMs) {
        this.suggesting = false;
        this.lowSince = null;
      }
    } else {
      this.highSince = null;
    }
    return this.suggesting;
  }

  get suggested(): boolean {
    return this.suggesting;
  }

  /** "Not now": hidden, and not shown again before the snooze has passed and a new low run has lasted. */
  dismiss(nowMs: number): void {
    this.suggesting = false;
    this.lowSince = null;
    this.highSince = null;
    this.snoozedUntil = nowMs + this.config.snoozeMs;
  }

  /** Accepted (or audio only chosen some other way): start over. */
  reset(): void {
    this.suggesting = false;
    this.lowSince = null;
    this.highSince = null;
  }
}

/**
 * The estimate to judge: the lowest of the send estimate (only while we send video: an idle
 * sender's estimate means nothing) and the bridge's downlink estimate (only while video arrives).
 * Inbound bitrate is not used: a 180p thumbnail is legitimately below the threshold. kbit/s or null.
 */
export function bandwidthEstimate(input: {
  sendingVideo: boolean;
  availableOutgoingKbps: number | null;
  receivingVideo: boolean;
  downlinkEstimateKbps: number | null;
}): number | null {
  const candidates: number[] = [];
  if (input.sendingVideo && input.availableOutgoingKbps !== null) candidates.push(input.availableOutgoingKbps);
  if (input.receivingVideo && input.downlinkEstimateKbps !== null) candidates.push(input.downlinkEstimateKbps);
  return candidates.length === 0 ? null : Math.min(...candidates);
}
