/**
 * Connection quality of one tile, from RTCPeerConnection.getStats(): packet loss over a window, round-trip
 * time, resolution, frame rate and bitrate, and a good / fair / poor level from them. Pure: the stats
 * report is read as plain objects, so every rule here is unit-tested without a browser.
 */

export type QualityLevel = 'good' | 'fair' | 'poor' | 'unknown';

/**
 * The one place the levels are defined. Loss and RTT follow what Jitsi and LiveKit users see as
 * trouble: a few percent loss is audible/visible (fair), around ten percent breaks video up (poor);
 * RTT above 300 ms makes talk awkward, above 600 ms unusable. A video stream decoding or sending at a
 * low frame rate looks frozen however clean the network, so it lowers the level too.
 */
export const QUALITY_THRESHOLDS = {
  /** Loss fraction (0..1) from which a stream is fair / poor. */
  fairLoss: 0.02,
  poorLoss: 0.1,
  /** Round-trip time (ms) from which a stream is fair / poor. */
  fairRttMs: 300,
  poorRttMs: 600,
  /** Video frame rate below which a video stream is fair / poor (only when video flows at all). */
  fairFps: 12,
  poorFps: 5,
  /** Samples kept per stream; the loss window is oldest → newest (at the 2 s poll: about 10 s). */
  windowSamples: 6,
} as const;

/** How often the app reads getStats (ms). */
export const STATS_INTERVAL_MS = 2000;

/** What a tile's indicator shows. null: not known (not measured, or not applicable). */
export interface StreamQuality {
  level: QualityLevel;
  direction: 'send' | 'receive';
  /** Lost / (lost + arrived) packets over the window, 0..1. */
  lossFraction: number | null;
  rttMs: number | null;
  width: number | null;
  height: number | null;
  fps: number | null;
  /** Media bitrate over the last interval (video when there is video, else audio), kbit/s. */
  bitrateKbps: number | null;
  /** Own tile only: the browser's send estimate (candidate-pair availableOutgoingBitrate), kbit/s. */
  availableOutgoingKbps?: number | null;
  /** Own tile only: the bridge's downlink estimate (ConnectionStats), kbit/s. */
  downlinkEstimateKbps?: number | null;
}

/** The level of a stream from its numbers; unknown when neither loss nor RTT nor video numbers are known. */
export function classifyQuality(q: Pick<StreamQuality, 'lossFraction' | 'rttMs' | 'fps'> & { video?: boolean }): QualityLevel {
  const t = QUALITY_THRESHOLDS;
  const knownFps = q.video === true && q.fps !== null;
  if (q.lossFraction === null && q.rttMs === null && !knownFps) return 'unknown';
  const loss = q.lossFraction ?? 0;
  const rtt = q.rttMs ?? 0;
  const fps = knownFps ? q.fps! : Number.POSITIVE_INFINITY;
  if (loss >= t.poorLoss || rtt >= t.poorRttMs || fps < t.poorFps) return 'poor';
  if (loss >= t.fairLoss || rtt >= t.fairRttMs || fps < t.fairFps) return 'fair';
  return 'good';
}

/** The fields of RTC stats we read (all optional: browsers differ, and stats appear over time). */
export interface RtcStat {
  id: string;
  type: string;
  timestamp: number;
  kind?: string;
  trackIdentifier?: string;
  mediaSourceId?: string;
  /** outbound-rtp: whether this encoding (simulcast layer) is being sent. */
  active?: boolean;
  localId?: string;
  packetsReceived?: number;
  packetsLost?: number;
  packetsSent?: number;
  bytesReceived?: number;
  bytesSent?: number;
  frameWidth?: number;
  frameHeight?: number;
  framesPerSecond?: number;
  framesDecoded?: number;
  framesEncoded?: number;
  roundTripTime?: number;
  fractionLost?: number;
  currentRoundTripTime?: number;
  availableOutgoingBitrate?: number;
  nominated?: boolean;
  state?: string;
  selectedCandidatePairId?: string;
}

/** One reading of one stream's counters. */
export interface StreamSample {
  at: number;
  kind: 'audio' | 'video';
  bytes: number;
  /** Packets that arrived (receive) or were sent (send). */
  packets: number;
  lost: number;
  frames: number | null;
  width: number | null;
  height: number | null;
  fps: number | null;
  /** remote-inbound-rtp's RTT (send side), seconds. */
  rttS: number | null;
  /** remote-inbound-rtp's fractionLost of the last receiver report (send side; fallback loss). */
  fractionLost: number | null;
}

/** What one getStats() report says, by the track each stream carries. */
export interface ReportReading {
  at: number;
  /** inbound-rtp by the receiving track's id (== MediaStreamTrack.id of the remote track). */
  inbound: Map<string, StreamSample>;
  /** outbound-rtp by the id of the local track it sends (through its media-source). */
  outbound: Map<string, StreamSample>;
  /** The selected candidate pair's current RTT, seconds. */
  pairRttS: number | null;
  /** The selected candidate pair's availableOutgoingBitrate, bit/s. */
  availableOutgoingBps: number | null;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Reads the streams and the selected candidate pair from a report (RTCStatsReport or its values). */
export function readReport(stats: Iterable<RtcStat>, at: number): ReportReading {
  const all = [...stats];
  const byId = new Map(all.map((s) => [s.id, s]));
  const out: ReportReading = { at, inbound: new Map(), outbound: new Map(), pairRttS: null, availableOutgoingBps: null };
  const remoteInbound = new Map<string, RtcStat>();
  for (const s of all) if (s.type === 'remote-inbound-rtp' && s.localId) remoteInbound.set(s.localId, s);
  let pair: RtcStat | undefined;
  for (const s of all) {
    if (s.type === 'transport' && s.selectedCandidatePairId) pair = byId.get(s.selectedCandidatePairId) ?? pair;
  }
  // Without a transport entry (older browsers): the nominated, succeeded pair.
  pair ??= all.find((s) => s.type === 'candidate-pair' && s.nominated === true && s.state === 'succeeded');
  if (pair) {
    out.pairRttS = num(pair.currentRoundTripTime);
    out.availableOutgoingBps = num(pair.availableOutgoingBitrate);
  }
  for (const s of all) {
    const kind = s.kind === 'audio' || s.kind === 'video' ? s.kind : null;
    if (kind === null) continue;
    if (s.type === 'inbound-rtp' && s.trackIdentifier) {
      out.inbound.set(s.trackIdentifier, {
        at,
        kind,
        bytes: num(s.bytesReceived) ?? 0,
        packets: num(s.packetsReceived) ?? 0,
        lost: Math.max(0, num(s.packetsLost) ?? 0),
        frames: num(s.framesDecoded),
        width: num(s.frameWidth),
        height: num(s.frameHeight),
        fps: num(s.framesPerSecond),
        rttS: null,
        fractionLost: null,
      });
    } else if (s.type === 'outbound-rtp' && s.mediaSourceId) {
      const track = byId.get(s.mediaSourceId)?.trackIdentifier;
      if (!track) continue;
      const remote = remoteInbound.get(s.id);
      // A simulcast layer switched off keeps reporting its last picture: it says nothing about now.
      const stopped = s.active === false;
      const sample: StreamSample = {
        at,
        kind,
        bytes: num(s.bytesSent) ?? 0,
        packets: num(s.packetsSent) ?? 0,
        lost: Math.max(0, num(remote?.packetsLost) ?? 0),
        frames: num(s.framesEncoded),
        width: stopped ? null : num(s.frameWidth),
        height: stopped ? null : num(s.frameHeight),
        fps: stopped ? null : num(s.framesPerSecond),
        rttS: num(remote?.roundTripTime),
        fractionLost: num(remote?.fractionLost),
      };
      // Simulcast: one outbound-rtp per layer, same track; add them up, keep the largest picture sent.
      const known = out.outbound.get(track);
      out.outbound.set(track, known ? mergeLayers(known, sample) : sample);
    }
  }
  return out;
}

function mergeLayers(a: StreamSample, b: StreamSample): StreamSample {
  const bigger = (b.height ?? 0) > (a.height ?? 0) ? b : a;
  return {
    ...bigger,
    bytes: a.bytes + b.bytes,
    packets: a.packets + b.packets,
    lost: a.lost + b.lost,
    frames: (a.frames ?? 0) + (b.frames ?? 0),
    rttS: a.rttS ?? b.rttS,
    fractionLost: Math.max(a.fractionLost ?? 0, b.fractionLost ?? 0),
  };
}

/**
 * The numbers of one stream from its recent samples (oldest first): loss over the whole window,
 * bitrate from the last interval, picture and frame rate from the newest sample. `pairRttS` is the
 * connection's RTT, used when the stream has none of its own (always on the receive side).
 */
export function streamQuality(
  samples: readonly StreamSample[],
  direction: 'send' | 'receive',
  pairRttS: number | null,
): StreamQuality {
  const newest = samples[samples.length - 1];
  const oldest = samples[0];
  const previous = samples[samples.length - 2];
  if (!newest || !oldest) {
    return { level: 'unknown', direction, lossFraction: null, rttMs: null, width: null, height: null, fps: null, bitrateKbps: null };
  }
  let lossFraction: number | null = null;
  if (samples.length >= 2) {
    const lost = Math.max(0, newest.lost - oldest.lost);
    const packets = Math.max(0, newest.packets - oldest.packets);
    // Receive side: lost out of expected (arrived + lost). Send side: the receiver's lost out of sent.
    const base = direction === 'receive' ? packets + lost : packets;
    if (base > 0) lossFraction = Math.min(1, lost / base);
  }
  if (lossFraction === null && direction === 'send' && newest.fractionLost !== null) lossFraction = newest.fractionLost;
  let bitrateKbps: number | null = null;
  if (previous && newest.at > previous.at) {
    bitrateKbps = (Math.max(0, newest.bytes - previous.bytes) * 8) / (newest.at - previous.at);
  }
  const rttS = newest.rttS ?? pairRttS;
  const rttMs = rttS === null ? null : rttS * 1000;
  const video = newest.kind === 'video';
  // A video stream whose frame counter stood still over the last interval shows 0 fps, whatever
  // the (smoothed) framesPerSecond of the browser still says.
  let fps = video ? newest.fps : null;
  if (video && previous && newest.frames !== null && previous.frames !== null && newest.frames === previous.frames) fps = 0;
  const q: StreamQuality = {
    level: 'unknown',
    direction,
    lossFraction,
    rttMs,
    width: video ? newest.width : null,
    height: video ? newest.height : null,
    fps,
    bitrateKbps,
  };
  q.level = classifyQuality({ lossFraction, rttMs, fps, video });
  return q;
}

/** Keeps the last QUALITY_THRESHOLDS.windowSamples samples per stream; streams not seen again are forgotten. */
export class SampleWindows {
  private readonly windows = new Map<string, StreamSample[]>();

  constructor(private readonly size: number = QUALITY_THRESHOLDS.windowSamples) {}

  /** Adds this reading's samples (key → sample) and drops the windows of streams it does not have. */
  update(samples: Map<string, StreamSample>): void {
    for (const key of [...this.windows.keys()]) if (!samples.has(key)) this.windows.delete(key);
    for (const [key, s] of samples) {
      const w = this.windows.get(key) ?? [];
      // Counters that went backwards belong to a new stream (a new connection): start afresh.
      const last = w[w.length - 1];
      if (last && (s.packets < last.packets || s.bytes < last.bytes)) w.length = 0;
      w.push(s);
      if (w.length > this.size) w.shift();
      this.windows.set(key, w);
    }
  }

  get(key: string): readonly StreamSample[] {
    return this.windows.get(key) ?? [];
  }
}
