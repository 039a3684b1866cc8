import { msidByMid, parseMediaSections, sendSlots, withoutMidExtension } from './sdp';
import type { IceServerInfo } from '../protocol';

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
  setTrack(slot: 'mic' | 'camera' | 'screen', track: MediaStreamTrack | null): Promise<boolean>;
  /** Whether the last offer gave us a slot to send a screen share on. */
  hasScreenSlot(): boolean;
  close(): void;
}

export type PeerSessionFactory = (iceServers: IceServerInfo[], listener: PeerSessionListener) => PeerSessionLike;

/**
 * RTCPeerConnection as the answerer: the server (focus) always offers. Local tracks are put on the
 * transceivers of the offer's receive m-lines (first audio → mic, first video → camera, second video →
 * screen), so no renegotiation is ever started by the browser.
 */
export class PeerSession implements PeerSessionLike {
  private readonly pc: RTCPeerConnection;
  private readonly tracks: Record<'mic' | 'camera' | 'screen', MediaStreamTrack | null> = {
    mic: null,
    camera: null,
    screen: null,
  };
  private readonly slots: Record<'mic' | 'camera' | 'screen', string | null> = { mic: null, camera: null, screen: null };
  private queue: Promise<unknown> = Promise.resolve();
  private msids = new Map<string, { streamId: string; trackId: string }>();

  constructor(iceServers: IceServerInfo[], listener: PeerSessionListener) {
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
    await this.pc.setLocalDescription(answer);
    return this.pc.localDescription?.sdp ?? answer.sdp ?? '';
  }

  async addRemoteCandidate(candidate: LocalCandidate): Promise<void> {
    await this.queue;
    await this.pc.addIceCandidate(candidate.candidate === '' ? null : candidate);
  }

  async setTrack(slot: 'mic' | 'camera' | 'screen', track: MediaStreamTrack | null): Promise<boolean> {
    this.tracks[slot] = track;
    const t = this.transceiver(slot);
    if (!t) return false;
    await t.sender.replaceTrack(track);
    return true;
  }

  hasScreenSlot(): boolean {
    return this.slots.screen !== null;
  }

  close(): void {
    this.pc.onicecandidate = null;
    this.pc.ontrack = null;
    this.pc.oniceconnectionstatechange = null;
    this.pc.close();
  }

  private transceiver(slot: 'mic' | 'camera' | 'screen'): RTCRtpTransceiver | undefined {
    const mid = this.slots[slot];
    if (mid === null) return undefined;
    return this.pc.getTransceivers().find((t) => t.mid === mid);
  }
}

export const browserPeerSessionFactory: PeerSessionFactory = (iceServers, listener) =>
  new PeerSession(iceServers, listener);
