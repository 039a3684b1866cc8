import { describe, expect, it } from 'vitest';
import { LOW_BANDWIDTH, LowBandwidthDetector, bandwidthEstimate } from './lowBandwidth';

/** Feeds `kbps` every second from `from` to `to` (inclusive); answers the last answer. */
function feed(d: LowBandwidthDetector, from: number, to: number, kbps: number | null): boolean {
  let last = false;
  for (let t = from; t <= to; t += 1000) last = d.update(t, kbps);
  return last;
}

describe('LowBandwidthDetector', () => {
  it('suggests only after the estimate stayed below the threshold for the whole window', () => {
    const d = new LowBandwidthDetector();
    expect(feed(d, 0, LOW_BANDWIDTH.lowForMs - 1000, 100)).toBe(false);
    expect(d.update(LOW_BANDWIDTH.lowForMs, 100)).toBe(true);
  });

  it('starts the window over after one sample at or above the threshold', () => {
    const d = new LowBandwidthDetector();
    feed(d, 0, 8000, 100);
    expect(d.update(9000, LOW_BANDWIDTH.thresholdKbps)).toBe(false);
    expect(feed(d, 10_000, 18_000, 100)).toBe(false);
    expect(d.update(19_000, 100)).toBe(false);
    expect(d.update(20_000, 100)).toBe(true);
  });

  it('never suggests on a good link, or with nothing to judge', () => {
    const d = new LowBandwidthDetector();
    expect(feed(d, 0, 120_000, 2500)).toBe(false);
    expect(feed(d, 121_000, 200_000, null)).toBe(false);
  });

  it('a gap without an estimate breaks a low run', () => {
    const d = new LowBandwidthDetector();
    feed(d, 0, 8000, 100);
    d.update(9000, null);
    expect(feed(d, 10_000, 19_000, 100)).toBe(false);
    expect(d.update(20_000, 100)).toBe(true);
  });

  it('keeps suggesting between the threshold and the recovery level (hysteresis), stops after a sustained recovery', () => {
    const d = new LowBandwidthDetector();
    feed(d, 0, 10_000, 100);
    expect(feed(d, 11_000, 60_000, 200)).toBe(true); // above 150 but below 300: still too slow
    expect(feed(d, 61_000, 61_000 + LOW_BANDWIDTH.recoverForMs - 1000, 400)).toBe(true);
    expect(d.update(61_000 + LOW_BANDWIDTH.recoverForMs, 400)).toBe(false);
    // a dip during recovery restarts the recovery window
    const e = new LowBandwidthDetector();
    feed(e, 0, 10_000, 100);
    feed(e, 11_000, 18_000, 400);
    e.update(19_000, 250);
    expect(feed(e, 20_000, 29_000, 400)).toBe(true);
    expect(e.update(30_000, 400)).toBe(false);
  });

  it('stays quiet for the snooze after "not now", then needs a fresh low run', () => {
    const d = new LowBandwidthDetector();
    feed(d, 0, 10_000, 100);
    d.dismiss(10_000);
    expect(d.suggested).toBe(false);
    expect(feed(d, 11_000, 10_000 + LOW_BANDWIDTH.snoozeMs - 1000, 100)).toBe(false);
    // the run went on through the snooze: it suggests again once the snooze is over
    expect(d.update(10_000 + LOW_BANDWIDTH.snoozeMs, 100)).toBe(true);
    const e = new LowBandwidthDetector();
    feed(e, 0, 10_000, 100);
    e.dismiss(10_000);
    const after = 10_000 + LOW_BANDWIDTH.snoozeMs;
    expect(e.update(after, 100)).toBe(false); // a new run starts here
    expect(feed(e, after + 1000, after + LOW_BANDWIDTH.lowForMs - 1000, 100)).toBe(false);
    expect(e.update(after + LOW_BANDWIDTH.lowForMs, 100)).toBe(true);
  });

  it('a shown suggestion is not withdrawn by a missing estimate; reset withdraws it', () => {
    const d = new LowBandwidthDetector();
    feed(d, 0, 10_000, 100);
    expect(d.update(11_000, null)).toBe(true);
    d.reset();
    expect(d.suggested).toBe(false);
    expect(d.update(12_000, 100)).toBe(false);
  });
});

describe('bandwidthEstimate', () => {
  it('takes the lowest estimate that applies', () => {
    expect(bandwidthEstimate({ sendingVideo: true, availableOutgoingKbps: 900, receivingVideo: true, downlinkEstimateKbps: 120 })).toBe(120);
    expect(bandwidthEstimate({ sendingVideo: true, availableOutgoingKbps: 90, receivingVideo: true, downlinkEstimateKbps: 1200 })).toBe(90);
  });

  it('ignores the send estimate while no video is sent and the downlink estimate while none arrives', () => {
    expect(bandwidthEstimate({ sendingVideo: false, availableOutgoingKbps: 90, receivingVideo: true, downlinkEstimateKbps: 1200 })).toBe(1200);
    expect(bandwidthEstimate({ sendingVideo: true, availableOutgoingKbps: 900, receivingVideo: false, downlinkEstimateKbps: 50 })).toBe(900);
    expect(bandwidthEstimate({ sendingVideo: false, availableOutgoingKbps: 90, receivingVideo: false, downlinkEstimateKbps: 50 })).toBeNull();
    expect(bandwidthEstimate({ sendingVideo: true, availableOutgoingKbps: null, receivingVideo: true, downlinkEstimateKbps: null })).toBeNull();
  });
});
