import { describe, expect, it } from 'vitest';
import {
  QUALITY_THRESHOLDS,
  SampleWindows,
  classifyQuality,
  readReport,
  streamQuality,
  type RtcStat,
  type StreamSample,
} from './connectionQuality';

const sample = (over: Partial<StreamSample>): StreamSample => ({
  at: 0,
  kind: 'video',
  bytes: 0,
  packets: 0,
  lost: 0,
  frames: 0,
  width: 640,
  height: 360,
  fps: 20,
  rttS: null,
  fractionLost: null,
  ...over,
});

describe('classifyQuality', () => {
  it('is good on a clean, fast link', () => {
    expect(classifyQuality({ lossFraction: 0, rttMs: 20, fps: 25, video: true })).toBe('good');
  });

  it('goes fair and poor at the documented loss, RTT and frame rate thresholds', () => {
    const t = QUALITY_THRESHOLDS;
    expect(classifyQuality({ lossFraction: t.fairLoss - 0.001, rttMs: 10, fps: null })).toBe('good');
    expect(classifyQuality({ lossFraction: t.fairLoss, rttMs: 10, fps: null })).toBe('fair');
    expect(classifyQuality({ lossFraction: t.poorLoss, rttMs: 10, fps: null })).toBe('poor');
    expect(classifyQuality({ lossFraction: 0, rttMs: t.fairRttMs, fps: null })).toBe('fair');
    expect(classifyQuality({ lossFraction: 0, rttMs: t.poorRttMs, fps: null })).toBe('poor');
    expect(classifyQuality({ lossFraction: 0, rttMs: 10, fps: t.fairFps - 1, video: true })).toBe('fair');
    expect(classifyQuality({ lossFraction: 0, rttMs: 10, fps: 0, video: true })).toBe('poor');
    // the worst number wins
    expect(classifyQuality({ lossFraction: t.fairLoss, rttMs: t.poorRttMs, fps: 30, video: true })).toBe('poor');
  });

  it('ignores the frame rate of audio and says unknown with nothing measured', () => {
    expect(classifyQuality({ lossFraction: 0, rttMs: 10, fps: 0, video: false })).toBe('good');
    expect(classifyQuality({ lossFraction: null, rttMs: null, fps: null })).toBe('unknown');
  });
});

describe('streamQuality', () => {
  it('takes loss over the whole window and bitrate over the last interval (receive side)', () => {
    const w = [
      sample({ at: 0, bytes: 0, packets: 0, lost: 0, frames: 0 }),
      sample({ at: 2000, bytes: 100_000, packets: 180, lost: 0, frames: 40 }),
      sample({ at: 4000, bytes: 350_000, packets: 380, lost: 20, frames: 80 }),
    ];
    const q = streamQuality(w, 'receive', 0.05);
    expect(q.lossFraction).toBeCloseTo(20 / 400);
    expect(q.bitrateKbps).toBeCloseTo((250_000 * 8) / 2000);
    expect(q.rttMs).toBeCloseTo(50);
    expect([q.width, q.height, q.fps]).toEqual([640, 360, 20]);
    expect(q.level).toBe('fair');
  });

  it('uses the receiver report on the send side: lost of sent, its own RTT before the pair RTT', () => {
    const w = [
      sample({ at: 0, packets: 1000, lost: 10, rttS: 0.1 }),
      sample({ at: 2000, packets: 2000, lost: 160, rttS: 0.12 }),
    ];
    const q = streamQuality(w, 'send', 0.5);
    expect(q.lossFraction).toBeCloseTo(150 / 1000);
    expect(q.rttMs).toBeCloseTo(120);
    expect(q.level).toBe('poor');
    // one sample only: the last report's fractionLost
    expect(streamQuality([sample({ fractionLost: 0.03 })], 'send', null).lossFraction).toBe(0.03);
  });

  it('says 0 fps when the frame counter stood still, whatever framesPerSecond still says', () => {
    const w = [sample({ at: 0, frames: 100, fps: 20 }), sample({ at: 2000, frames: 100, fps: 20 })];
    const q = streamQuality(w, 'receive', 0.01);
    expect(q.fps).toBe(0);
    expect(q.level).toBe('poor');
  });

  it('gives audio no picture and is unknown without samples', () => {
    const q = streamQuality([sample({ kind: 'audio', at: 0 }), sample({ kind: 'audio', at: 2000, packets: 100 })], 'receive', null);
    expect([q.width, q.height, q.fps, q.lossFraction]).toEqual([null, null, null, 0]);
    expect(streamQuality([], 'receive', 0.1).level).toBe('unknown');
  });
});

describe('readReport', () => {
  const report: RtcStat[] = [
    { id: 'T1', type: 'transport', timestamp: 1, selectedCandidatePairId: 'CP2' },
    { id: 'CP1', type: 'candidate-pair', timestamp: 1, currentRoundTripTime: 0.9, availableOutgoingBitrate: 1 },
    { id: 'CP2', type: 'candidate-pair', timestamp: 1, currentRoundTripTime: 0.03, availableOutgoingBitrate: 1_200_000 },
    { id: 'IV', type: 'inbound-rtp', timestamp: 1, kind: 'video', trackIdentifier: 'remote-cam', packetsReceived: 500, packetsLost: 5, bytesReceived: 400_000, frameWidth: 1280, frameHeight: 720, framesPerSecond: 24, framesDecoded: 300 },
    { id: 'IA', type: 'inbound-rtp', timestamp: 1, kind: 'audio', trackIdentifier: 'remote-mic', packetsReceived: 800, packetsLost: -1, bytesReceived: 50_000 },
    { id: 'MS1', type: 'media-source', timestamp: 1, kind: 'video', trackIdentifier: 'my-cam' },
    { id: 'O1', type: 'outbound-rtp', timestamp: 1, kind: 'video', mediaSourceId: 'MS1', packetsSent: 100, bytesSent: 10_000, frameWidth: 320, frameHeight: 180, framesPerSecond: 15 },
    { id: 'O2', type: 'outbound-rtp', timestamp: 1, kind: 'video', mediaSourceId: 'MS1', packetsSent: 300, bytesSent: 90_000, frameWidth: 640, frameHeight: 360, framesPerSecond: 20 },
    { id: 'RI2', type: 'remote-inbound-rtp', timestamp: 1, kind: 'video', localId: 'O2', packetsLost: 7, roundTripTime: 0.04, fractionLost: 0.01 },
    { id: 'O3', type: 'outbound-rtp', timestamp: 1, kind: 'video', packetsSent: 3 }, // no media source: nothing sent
  ];

  it('reads the selected pair, inbound streams by track and outbound streams by their media source', () => {
    const r = readReport(report, 5000);
    expect(r.pairRttS).toBe(0.03);
    expect(r.availableOutgoingBps).toBe(1_200_000);
    expect(r.inbound.get('remote-cam')).toMatchObject({ kind: 'video', packets: 500, lost: 5, width: 1280, height: 720, fps: 24, frames: 300 });
    expect(r.inbound.get('remote-mic')).toMatchObject({ kind: 'audio', lost: 0 });
    // two simulcast layers of one track: summed, the larger picture
    expect(r.outbound.get('my-cam')).toMatchObject({ packets: 400, bytes: 100_000, lost: 7, width: 640, height: 360, rttS: 0.04 });
    expect(r.outbound.size).toBe(1);
  });

  it('takes the picture of a simulcast track from the layers being sent, not from one switched off', () => {
    const stopped = { id: 'O4', type: 'outbound-rtp', timestamp: 1, kind: 'video', mediaSourceId: 'MS1', active: false, packetsSent: 50, bytesSent: 50_000, frameWidth: 1280, frameHeight: 720, framesPerSecond: 20 };
    const r = readReport([...report, stopped], 5000);
    expect(r.outbound.get('my-cam')).toMatchObject({ bytes: 150_000, width: 640, height: 360, fps: 20 });
  });

  it('falls back to the nominated succeeded pair without a transport entry', () => {
    const r = readReport(
      [
        { id: 'A', type: 'candidate-pair', timestamp: 1, currentRoundTripTime: 0.5, nominated: false, state: 'succeeded' },
        { id: 'B', type: 'candidate-pair', timestamp: 1, currentRoundTripTime: 0.02, nominated: true, state: 'succeeded' },
      ],
      0,
    );
    expect(r.pairRttS).toBe(0.02);
    expect(r.availableOutgoingBps).toBeNull();
  });
});

describe('SampleWindows', () => {
  it('keeps the last samples per stream, forgets streams gone and restarts on counters that went back', () => {
    const w = new SampleWindows(3);
    for (let i = 1; i <= 5; i++) w.update(new Map([['a', sample({ at: i, packets: i * 10 })], ['b', sample({ at: i })]]));
    expect(w.get('a').map((s) => s.at)).toEqual([3, 4, 5]);
    w.update(new Map([['a', sample({ at: 6, packets: 5 })]]));
    expect(w.get('a').map((s) => s.at)).toEqual([6]);
    expect(w.get('b')).toEqual([]);
  });
});
