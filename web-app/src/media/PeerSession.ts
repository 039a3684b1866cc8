import { msidByMid, parseMediaSections, sendSlots, withSimulcast, withoutMidExtension, type SimulcastSsrcs } from './sdp';
import type { IceServerInfo } from '../protocol';
import { encodingFor, simulcastEncodings, trackShortSide, type EncodingLimit, type LayerLimit } from './senderQuality';
import { OnceLogger, expose } from '../debug/expose';

export type SendSlot = 'mic' | 'camera' | 'screen';
export type VideoSlot = 'camera' | 'screen';

export interface LocalCandidate {
  candidate: string;
  sdpMid?: string;
  sdpMLineIndex?: number;
}

export interface PeerSessionListener {
  onLocalCandidate(candidate: LocalCandidate): void;
  /** `streamId`/`trackId` are the offer's msid for the track's m-line (browser ids as fallback). */
  onRemoteTrack(track: MediaStreamTrack, streamId: string, trackId: string): void;
  /** 'failed' asks the controller for an ICE restart (a new offer from the server). */
  onIceStateChange(state: RTCIceConnectionState): void;
}

/** The answering side of the media connection, as the controller sees it (fakeable in tests). */
export interface PeerSessionLike {
  applyOffer(sdp: string): Promise<string>;
  addRemoteCandidate(candidate: LocalCandidate): Promise<void>;
  setTrack(slot: SendSlot, track: MediaStreamTrack | null): Promise<boolean>;
  /**
   * The largest height the bridge says anyone wants of this video slot (SenderSourceConstraints; 0 =
   * nobody, null = no word): the encoding is scaled, capped or paused to match, now and whenever the
   * track or the negotiation changes.
   */
  setSendLimit(slot: VideoSlot, maxHeight: number | null): Promise<void>;
  /** Whether the last offer gave us a slot to send a screen share on. */
  hasScreenSlot(): boolean;
  /** The connection's getStats() (quality indicators); optional so fakes need not have it. */
  getStats?(): Promise<RTCStatsReport>;
  close(): void;
}

export type PeerSessionFactory = (iceServers: IceServerInfo[], listener: PeerSessionListener) => PeerSessionLike;

/** How many simulcast layers the camera sends when simulcast is on (Jitsi's three: ~180p, 360p, 720p). */
export const CAMERA_SIMULCAST_LAYERS = 3;

/**
 * The localStorage key that turns camera simulcast off in this browser (value `off`); on by default.
 * See web-app README "Camera simulcast". Off, the camera is one encoding scaled to the wanted height.
 */
export const SIMULCAST_SETTING_KEY = 'openmeet.simulcast';

/** The camera's simulcast layers for this browser: CAMERA_SIMULCAST_LAYERS unless turned off, then 1. */
export function cameraSimulcastLayers(storage: Pick<Storage, 'getItem'> | undefined = globalThis.localStorage): number {
  try {
    return storage?.getItem(SIMULCAST_SETTING_KEY) === 'off' ? 1 : CAMERA_SIMULCAST_LAYERS;
  } catch {
    return CAMERA_SIMULCAST_LAYERS; // storage refused (e.g. blocked cookies): the default
  }
}

/**
 * RTCPeerConnection as the answerer: the server (focus) always offers. Local tracks are put on the
 * transceivers of the offer's receive m-lines (first audio → mic, first video → camera, second video →
 * screen), so no renegotiation is ever started by the browser.
 *
 * With `simulcastLayers` > 1 the camera is sent as simulcast: the answer names that many SSRCs in a SIM group (see
 * withSimulcast), and the bridge's SenderSourceConstraints switch off the layers nobody may get. A
 * browser that refuses the SIM group, and the screen share, send one encoding that is scaled instead.
 */
export class PeerSession implements PeerSessionLike {
  private readonly pc: RTCPeerConnection;
  private readonly tracks: Record<SendSlot, MediaStreamTrack | null> = {
    mic: null,
    camera: null,
    screen: null,
  };
  private readonly slots: Record<SendSlot, string | null> = { mic: null, camera: null, screen: null };
  private queue: Promise<unknown> = Promise.resolve();
  private msids = new Map<string, { streamId: string; trackId: string }>();
  private readonly limits: Record<VideoSlot, number | null> = { camera: null, screen: null };
  /** setParameters calls per slot, one after the other (each reads what the previous one set). */
  private readonly encodingQueue: Record<VideoSlot, Promise<void>> = { camera: Promise.resolve(), screen: Promise.resolve() };
  private readonly applied: Record<VideoSlot, AppliedEncoding | null> = {
    camera: null,
    screen: null,
  };
  private readonly log = new OnceLogger('sender encoding');
  private simulcastLayers: number;
  private simulcastSsrcs: SimulcastSsrcs | null = null;

  constructor(
    iceServers: IceServerInfo[],
    listener: PeerSessionListener,
    options: { simulcastLayers?: number } = {},
  ) {
    this.simulcastLayers = options.simulcastLayers ?? 1;
    this.pc = new RTCPeerConnection({ iceServers, bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
    this.pc.onicecandidate = (ev) => {
      const c = ev.candidate;
      if (!c) {
        listener.onLocalCandidate({ candidate: '' });
        return;
      }
      const out: LocalCandidate = { candidate: c.candidate };
      if (c.sdpMid !== null) out.sdpMid = c.sdpMid;
      if (c.sdpMLineIndex !== null) out.sdpMLineIndex = c.sdpMLineIndex;
      listener.onLocalCandidate(out);
    };
    this.pc.ontrack = (ev) => {
      const fromOffer = ev.transceiver.mid !== null ? this.msids.get(ev.transceiver.mid) : undefined;
      const streamId = fromOffer?.streamId ?? ev.streams[0]?.id ?? ev.track.id;
      listener.onRemoteTrack(ev.track, streamId, fromOffer?.trackId ?? ev.track.id);
    };
    this.pc.oniceconnectionstatechange = () => listener.onIceStateChange(this.pc.iceConnectionState);
  }

  /** Offers are applied one at a time, in arrival order. */
  applyOffer(sdp: string): Promise<string> {
    const run = this.queue.then(() => this.doApplyOffer(sdp));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async doApplyOffer(sdp: string): Promise<string> {
    this.msids = msidByMid(sdp);
    await this.pc.setRemoteDescription({ type: 'offer', sdp: withoutMidExtension(sdp) });
    const slots = sendSlots(sdp);
    this.slots.mic = slots.audio[0] ?? null;
    this.slots.camera = slots.video[0] ?? null;
    this.slots.screen = slots.video[1] ?? null;
    const offered = new Map(parseMediaSections(sdp).map((m) => [m.mid, m.direction]));
    for (const slot of ['mic', 'camera', 'screen'] as const) {
      const t = this.transceiver(slot);
      if (!t) continue;
      // The offerer's recvonly becomes our sendonly, its sendrecv our sendrecv; the other m-lines
      // (other participants' sources) keep the default recvonly.
      t.direction = offered.get(t.mid) === 'recvonly' ? 'sendonly' : 'sendrecv';
      await t.sender.replaceTrack(this.tracks[slot]);
    }
    const answer = await this.pc.createAnswer();
    if (!(await this.setLocalWithSimulcast(answer.sdp ?? ''))) await this.pc.setLocalDescription(answer);
    // Encodings exist once the answer is set; a transceiver may also be new with this offer.
    void this.applyLimit('camera');
    void this.applyLimit('screen');
    return this.pc.localDescription?.sdp ?? answer.sdp ?? '';
  }

  /** Sets the answer with the camera's simulcast layers; false when there is nothing to add or it is refused. */
  private async setLocalWithSimulcast(sdp: string): Promise<boolean> {
    const mid = this.slots.camera;
    if (this.simulcastLayers < 2 || mid === null) return false;
    const munged = withSimulcast(sdp, mid, this.simulcastLayers, this.simulcastSsrcs);
    if (munged.ssrcs !== null) this.simulcastSsrcs = munged.ssrcs;
    if (munged.sdp === sdp) return false;
    try {
      await this.pc.setLocalDescription({ type: 'answer', sdp: munged.sdp });
      return true;
    } catch (e) {
      // Not Chromium's SDP (Firefox signals simulcast with RIDs): one scaled encoding from now on.
      this.log.warn('the browser refused simulcast; sending one encoding', e);
      this.simulcastLayers = 1;
      this.simulcastSsrcs = null;
      return false;
    }
  }

  async addRemoteCandidate(candidate: LocalCandidate): Promise<void> {
    await this.queue;
    await this.pc.addIceCandidate(candidate.candidate === '' ? null : candidate);
  }

  async setTrack(slot: SendSlot, track: MediaStreamTrack | null): Promise<boolean> {
    this.tracks[slot] = track;
    const t = this.transceiver(slot);
    if (!t) return false;
    await t.sender.replaceTrack(track);
    // Another track may have another size: the scale is relative to it. No track: encodings off.
    if (slot !== 'mic') await this.applyLimit(slot, track === null);
    return true;
  }

  setSendLimit(slot: VideoSlot, maxHeight: number | null): Promise<void> {
    this.limits[slot] = maxHeight;
    return this.applyLimit(slot);
  }

  private applyLimit(slot: VideoSlot, trackRemoved = false): Promise<void> {
    const run = this.encodingQueue[slot].then(() => this.doApplyLimit(slot, trackRemoved));
    this.encodingQueue[slot] = run.catch(() => undefined);
    return run;
  }

  private async doApplyLimit(slot: VideoSlot, trackRemoved: boolean): Promise<void> {
    const maxHeight = this.limits[slot];
    const track = this.tracks[slot];
    const sender = this.transceiver(slot)?.sender;
    if (!sender || this.pc.signalingState === 'closed') return;
    const params = sender.getParameters();
    const encodings = params.encodings ?? [];
    if (encodings.length === 0) return; // not negotiated yet: applied again after the answer
    let applied: AppliedEncoding;
    if (!track) {
      // The app took the track away (camera off, audio only): every encoding off, which drops what
      // Chromium already encoded and queued; with no track alone that still went out (e2e 13).
      if (!trackRemoved || encodings.every((e) => e.active === false)) return;
      for (const e of encodings) e.active = false;
      applied = { noTrack: true, active: false };
    } else if (encodings.length > 1) {
      const shortSide = trackShortSide(typeof track.getSettings === 'function' ? track.getSettings() : null);
      // Simulcast: our ladder from the start (no word from the bridge yet = every layer may be wanted).
      const height = maxHeight ?? -1;
      const layers = simulcastEncodings(height, shortSide, encodings.length);
      if (encodings.every((e, i) => sameEncoding(e, layers[i]!))) return;
      encodings.forEach((e, i) => setEncoding(e, layers[i]!));
      applied = { layers, maxHeight: height };
    } else if (maxHeight === null) {
      // No word from the bridge: the browser's own choice, only switched on again after a track-less spell.
      if (encodings[0]!.active !== false) return;
      encodings[0]!.active = true;
      applied = { active: true, maxHeight: null };
    } else {
      const shortSide = trackShortSide(typeof track.getSettings === 'function' ? track.getSettings() : null);
      const want = encodingFor(maxHeight, shortSide);
      if (sameEncoding(encodings[0]!, want)) return;
      setEncoding(encodings[0]!, want);
      applied = { ...want, maxHeight };
    }
    try {
      await sender.setParameters(params);
    } catch (e) {
      this.log.warn(`setParameters for the ${slot} failed`, e);
      return;
    }
    this.applied[slot] = applied;
    expose('senderEncodings', { ...this.applied });
  }

  hasScreenSlot(): boolean {
    return this.slots.screen !== null;
  }

  getStats(): Promise<RTCStatsReport> {
    return this.pc.getStats();
  }

  close(): void {
    this.pc.onicecandidate = null;
    this.pc.ontrack = null;
    this.pc.oniceconnectionstatechange = null;
    this.pc.close();
  }

  private transceiver(slot: SendSlot): RTCRtpTransceiver | undefined {
    const mid = this.slots[slot];
    if (mid === null) return undefined;
    return this.pc.getTransceivers().find((t) => t.mid === mid);
  }
}

/** What doApplyLimit set last per slot (exposed for debugging). */
type AppliedEncoding =
  | ((EncodingLimit | { layers: LayerLimit[] }) & { maxHeight: number })
  | { active: boolean; maxHeight: null }
  | { noTrack: true; active: false };

function sameEncoding(e: RTCRtpEncodingParameters, want: EncodingLimit): boolean {
  return (
    e.active === want.active &&
    (!want.active || (e.scaleResolutionDownBy === want.scaleResolutionDownBy && e.maxBitrate === want.maxBitrate))
  );
}

function setEncoding(e: RTCRtpEncodingParameters, want: EncodingLimit): void {
  e.active = want.active;
  if (want.active) {
    e.scaleResolutionDownBy = want.scaleResolutionDownBy;
    e.maxBitrate = want.maxBitrate;
  }
}

export const browserPeerSessionFactory: PeerSessionFactory = (iceServers, listener) =>
  new PeerSession(iceServers, listener, { simulcastLayers: cameraSimulcastLayers() });
