import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CallStatsMonitor } from './CallStatsMonitor';
import { initialCallState, type CallState } from '../store/callStore';
import { useQualityStore } from '../store/qualityStore';
import { FakeMediaStream, FakeTrack, asStream } from '../test/fakes';
import type { RtcStat } from '../media/connectionQuality';
import { LOW_BANDWIDTH } from '../media/lowBandwidth';

beforeEach(() => {
  vi.stubGlobal('MediaStream', FakeMediaStream);
  useQualityStore.getState().reset();
});
afterEach(() => vi.unstubAllGlobals());

/** A call with Bob's camera and microphone, our camera and microphone; stats built per tick. */
function setup() {
  const bobCam = new FakeTrack('video');
  const bobMic = new FakeTrack('audio');
  const myCam = new FakeTrack('video');
  const myMic = new FakeTrack('audio');
  let state: CallState = {
    ...initialCallState,
    selfId: 'me',
    localStream: asStream(new FakeMediaStream([myMic, myCam])),
    remoteStreams: {
      bob: { camera: asStream(new FakeMediaStream([bobCam])), audio: asStream(new FakeMediaStream([bobMic])) },
    },
  };
  let now = 0;
  let report: RtcStat[] | null = [];
  const monitor = new CallStatsMonitor({
    getStats: async () => report,
    callState: () => state,
    quality: () => useQualityStore.getState(),
    now: () => now,
  });
  /** One tick `dt` ms later, the counters grown as `t` says. */
  const tick = async (dt: number, r: RtcStat[] | null) => {
    now += dt;
    report = r;
    await monitor.tick();
  };
  const setState = (patch: Partial<CallState>) => (state = { ...state, ...patch });
  return { bobCam, bobMic, myCam, myMic, tick, monitor, setState };
}

function stats(t: number, ids: { bobCam: string; bobMic: string; myCam: string }, availableBps: number, lost = 0): RtcStat[] {
  return [
    { id: 'T', type: 'transport', timestamp: t, selectedCandidatePairId: 'CP' },
    { id: 'CP', type: 'candidate-pair', timestamp: t, currentRoundTripTime: 0.04, availableOutgoingBitrate: availableBps },
    { id: 'IV', type: 'inbound-rtp', timestamp: t, kind: 'video', trackIdentifier: ids.bobCam, packetsReceived: t * 100, packetsLost: lost, bytesReceived: t * 100_000, frameWidth: 640, frameHeight: 360, framesPerSecond: 20, framesDecoded: t * 40 },
    { id: 'IA', type: 'inbound-rtp', timestamp: t, kind: 'audio', trackIdentifier: ids.bobMic, packetsReceived: t * 100, bytesReceived: t * 8000 },
    { id: 'MS', type: 'media-source', timestamp: t, kind: 'video', trackIdentifier: ids.myCam },
    { id: 'OV', type: 'outbound-rtp', timestamp: t, kind: 'video', mediaSourceId: 'MS', packetsSent: t * 100, bytesSent: t * 120_000, frameWidth: 1280, frameHeight: 720, framesPerSecond: 30, framesEncoded: t * 60 },
  ];
}

describe('CallStatsMonitor', () => {
  it('gives each tile the numbers of the stream its track carries', async () => {
    const s = setup();
    const ids = { bobCam: s.bobCam.id, bobMic: s.bobMic.id, myCam: s.myCam.id };
    await s.tick(2000, stats(1, ids, 2_000_000));
    await s.tick(2000, stats(2, ids, 2_000_000, 10));
    const tiles = useQualityStore.getState().tiles;
    expect(tiles['bob:camera']).toMatchObject({ direction: 'receive', width: 640, height: 360, fps: 20, rttMs: 40 });
    expect(tiles['bob:camera']?.lossFraction).toBeCloseTo(10 / 110);
    expect(tiles['bob:camera']?.bitrateKbps).toBeCloseTo(400);
    expect(tiles['bob:camera']?.level).toBe('fair');
    expect(tiles['me:camera']).toMatchObject({ direction: 'send', width: 1280, height: 720, availableOutgoingKbps: 2000 });
    expect(Object.keys(tiles).sort()).toEqual(['bob:camera', 'me:camera']);
  });

  it("falls back to the participant's audio when its camera sends nothing, and clears without a connection", async () => {
    const s = setup();
    const ids = { bobCam: 'not-arriving', bobMic: s.bobMic.id, myCam: s.myCam.id };
    await s.tick(2000, stats(1, ids, 2_000_000));
    await s.tick(2000, stats(2, ids, 2_000_000));
    expect(useQualityStore.getState().tiles['bob:camera']).toMatchObject({ width: null, lossFraction: 0, level: 'good' });
    await s.tick(2000, null);
    expect(useQualityStore.getState().tiles).toEqual({});
  });

  it('suggests audio only after the send estimate stayed low, stops suggesting in audio-only mode, and honours "not now"', async () => {
    const s = setup();
    const ids = { bobCam: s.bobCam.id, bobMic: s.bobMic.id, myCam: s.myCam.id };
    let t = 0;
    const run = async (ms: number, bps: number) => {
      for (let end = t + ms / 2000; t < end; ) await s.tick(2000, stats(++t, ids, bps));
    };
    await run(30_000, 2_000_000);
    expect(useQualityStore.getState().suggestAudioOnly).toBe(false);
    await run(LOW_BANDWIDTH.lowForMs + 4000, 90_000);
    expect(useQualityStore.getState()).toMatchObject({ suggestAudioOnly: true, bandwidthEstimateKbps: 90 });
    s.monitor.dismissSuggestion();
    await run(30_000, 90_000);
    expect(useQualityStore.getState().suggestAudioOnly).toBe(false);
    // the downlink estimate counts too; audio-only mode hides the suggestion
    const s2 = setup();
    const ids2 = { bobCam: s2.bobCam.id, bobMic: s2.bobMic.id, myCam: s2.myCam.id };
    useQualityStore.getState().reset();
    useQualityStore.getState().setDownlinkEstimate(100);
    for (let i = 1; i <= 8; i++) await s2.tick(2000, stats(i, ids2, 2_000_000));
    expect(useQualityStore.getState().suggestAudioOnly).toBe(true);
    s2.setState({ local: { ...initialCallState.local, audioOnly: true } });
    await s2.tick(2000, stats(9, ids2, 2_000_000));
    expect(useQualityStore.getState().suggestAudioOnly).toBe(false);
  });
});
