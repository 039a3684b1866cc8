import {
  SampleWindows,
  readReport,
  streamQuality,
  type RtcStat,
  type StreamQuality,
  type StreamSample,
} from '../media/connectionQuality';
import { LowBandwidthDetector, bandwidthEstimate } from '../media/lowBandwidth';
import type { CallState } from '../store/callStore';
import type { QualityActions, QualityState } from '../store/qualityStore';
import { expose } from '../debug/expose';

export interface StatsMonitorDeps {
  /** The current media connection's stats; null when there is none. */
  getStats(): Promise<Iterable<RtcStat> | null>;
  callState(): Pick<CallState, 'selfId' | 'local' | 'localStream' | 'localScreen' | 'remoteStreams'>;
  quality(): QualityState & QualityActions;
  now(): number;
}

/**
 * Reads getStats() on every tick and turns it into each tile's quality (by the track each stream
 * carries: remote tracks are the ones the app routed to participants by msid) and the audio-only
 * suggestion.
 */
export class CallStatsMonitor {
  private readonly windows = new SampleWindows();
  private readonly detector = new LowBandwidthDetector();
  private busy = false;

  constructor(private readonly deps: StatsMonitorDeps) {}

  /** One reading; a tick while the previous one still waits for getStats is skipped. */
  async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const report = await this.deps.getStats();
      this.apply(report === null ? null : readReport(report, this.deps.now()));
    } finally {
      this.busy = false;
    }
  }

  /** "Not now" on the suggestion. */
  dismissSuggestion(): void {
    this.detector.dismiss(this.deps.now());
    this.deps.quality().setSuggestion(false, this.deps.quality().bandwidthEstimateKbps);
  }

  private apply(reading: ReturnType<typeof readReport> | null): void {
    const call = this.deps.callState();
    const quality = this.deps.quality();
    if (reading === null) {
      this.windows.update(new Map());
      quality.setTiles({});
      quality.setSuggestion(this.detector.update(this.deps.now(), null), null);
      return;
    }
    // Every stream under one key space: `in:<track id>` / `out:<track id>`.
    const samples = new Map<string, StreamSample>();
    for (const [id, s] of reading.inbound) samples.set(`in:${id}`, s);
    for (const [id, s] of reading.outbound) samples.set(`out:${id}`, s);
    this.windows.update(samples);
    const q = (key: string, direction: 'send' | 'receive'): StreamQuality | null =>
      this.windows.get(key).length === 0 ? null : streamQuality(this.windows.get(key), direction, reading.pairRttS);

    const tiles: Record<string, StreamQuality> = {};
    for (const [participantId, streams] of Object.entries(call.remoteStreams)) {
      const cam = streams.camera?.getVideoTracks()[0];
      const mic = streams.audio?.getAudioTracks()[0];
      // A camera that sends nothing (off, or not forwarded) still has a connection: its audio says how it is.
      const camera = (cam && q(`in:${cam.id}`, 'receive')) || (mic && q(`in:${mic.id}`, 'receive')) || null;
      if (camera) tiles[`${participantId}:camera`] = camera;
      const scr = streams.screen?.getVideoTracks()[0];
      const screen = scr && q(`in:${scr.id}`, 'receive');
      if (screen) tiles[`${participantId}:screen`] = screen;
    }
    const selfKey = call.selfId ?? 'self';
    const localCam = call.localStream?.getVideoTracks()[0];
    const localMic = call.localStream?.getAudioTracks()[0];
    const availableOutgoingKbps = reading.availableOutgoingBps === null ? null : reading.availableOutgoingBps / 1000;
    const own = (localCam && q(`out:${localCam.id}`, 'send')) || (localMic && q(`out:${localMic.id}`, 'send')) || null;
    if (own || availableOutgoingKbps !== null) {
      const base: StreamQuality = own ?? {
        level: 'unknown',
        direction: 'send',
        lossFraction: null,
        rttMs: reading.pairRttS === null ? null : reading.pairRttS * 1000,
        width: null,
        height: null,
        fps: null,
        bitrateKbps: null,
      };
      tiles[`${selfKey}:camera`] = { ...base, availableOutgoingKbps, downlinkEstimateKbps: quality.downlinkEstimateKbps };
    }
    const scr = call.localScreen?.getVideoTracks()[0];
    const ownScreen = scr && q(`out:${scr.id}`, 'send');
    if (ownScreen) tiles[`${selfKey}:screen`] = ownScreen;
    quality.setTiles(tiles);

    if (call.local.audioOnly) {
      // Audio only already: nothing to suggest; a later return to video starts a fresh judgement.
      this.detector.reset();
      quality.setSuggestion(false, null);
      return;
    }
    const sendingVideo = localCam !== undefined && call.local.video && reading.outbound.has(localCam.id);
    const receivingVideo = [...reading.inbound.values()].some((s) => s.kind === 'video' && s.bytes > 0);
    const estimate = bandwidthEstimate({
      sendingVideo,
      availableOutgoingKbps,
      receivingVideo,
      downlinkEstimateKbps: quality.downlinkEstimateKbps,
    });
    quality.setSuggestion(this.detector.update(this.deps.now(), estimate), estimate);
    expose('quality', { tiles, bandwidthEstimateKbps: estimate, suggestAudioOnly: this.detector.suggested });
  }
}
