import type { IceServerInfo } from '../protocol';
import { expose } from '../debug/expose';
import type { LocalCandidate, SendSlot } from './PeerSession';

/** The m-lines of a P2P connection, in mid order: the initiator creates them, the responder mirrors them. */
export const P2P_SLOTS: readonly SendSlot[] = ['mic', 'camera', 'screen'];

/** How long a P2P connection may take to come up before we give up and stay on the bridge. */
export const P2P_CONNECT_TIMEOUT_MS = 10_000;

export interface P2pSessionListener {
  /** Our offer (initiator) or answer (responder), for the peer. */
  onDescription(kind: 'offer' | 'answer', sdp: string): void;
  onLocalCandidate(candidate: LocalCandidate): void;
  /** The peer's track for one of its slots (mic, camera, screen). */
  onRemoteTrack(track: MediaStreamTrack, slot: SendSlot): void;
  /** Once: connected (media can flow directly) or failed (also: not connected in time). */
  onOutcome(outcome: 'connected' | 'failed'): void;
}

/** The direct connection to the one other participant, as the controller sees it (fakeable in tests). */
export interface P2pSessionLike {
  readonly sessionId: string;
  readonly peerId: string;
  /** The initiator creates the offer; the responder waits for it. */
  start(): Promise<void>;
  applyRemote(kind: 'offer' | 'answer', sdp: string): Promise<void>;
  addRemoteCandidate(candidate: LocalCandidate): Promise<void>;
  setTrack(slot: SendSlot, track: MediaStreamTrack | null): Promise<void>;
  /** Whether the peer wants our video (false: it is audio only): camera and screen send nothing. */
  setPeerWantsVideo(want: boolean): Promise<void>;
  /** The direct connection's getStats() (quality indicators); optional so fakes need not have it. */
  getStats?(): Promise<RTCStatsReport>;
  close(): void;
}

export type P2pSessionFactory = (
  init: { sessionId: string; peerId: string; initiator: boolean; iceServers: IceServerInfo[] },
  listener: P2pSessionListener,
) => P2pSessionLike;

/**
 * A browser-to-browser RTCPeerConnection with three sendrecv m-lines (mic, camera, screen share), so
 * that turning a camera or a screen share on or off only replaces a sender's track and never
 * renegotiates. Unlike the bridge connection, either side's browser writes the SDP.
 */
export class P2pSession implements P2pSessionLike {
  readonly sessionId: string;
  readonly peerId: string;
  private readonly initiator: boolean;
  private readonly pc: RTCPeerConnection;
  private readonly listener: P2pSessionListener;
  private readonly tracks: Record<SendSlot, MediaStreamTrack | null> = { mic: null, camera: null, screen: null };
  private pendingCandidates: LocalCandidate[] = [];
  private peerWantsVideo = true;
  private outcome: 'connected' | 'failed' | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;

  constructor(
    init: { sessionId: string; peerId: string; initiator: boolean; iceServers: IceServerInfo[] },
    listener: P2pSessionListener,
    timeoutMs = P2P_CONNECT_TIMEOUT_MS,
  ) {
    this.sessionId = init.sessionId;
    this.peerId = init.peerId;
    this.initiator = init.initiator;
    this.listener = listener;
    this.pc = new RTCPeerConnection({ iceServers: init.iceServers, bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
    this.pc.onicecandidate = (ev) => {
      if (this.closed) return;
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
      if (this.closed) return;
      const slot = this.slotOf(ev.transceiver);
      if (slot) listener.onRemoteTrack(ev.track, slot);
    };
    this.pc.oniceconnectionstatechange = () => {
      const s = this.pc.iceConnectionState;
      if (s === 'connected' || s === 'completed') this.decide('connected');
      else if (s === 'failed') this.decide('failed', true);
    };
    this.timer = setTimeout(() => this.decide('failed'), timeoutMs);
    // for browser tests and debugging: which of the page's connections is the direct one
    expose('p2p', { sessionId: this.sessionId, peerId: this.peerId, initiator: this.initiator, pc: this.pc });
  }

  /** The slot of a transceiver: its position among the m-lines (mid order). */
  private slotOf(t: RTCRtpTransceiver): SendSlot | null {
    const index = this.pc.getTransceivers().indexOf(t);
    return P2P_SLOTS[index] ?? null;
  }

  /** Reports the outcome once; a failure after `connected` is reported too (the call falls back). */
  private decide(outcome: 'connected' | 'failed', afterConnected = false): void {
    if (this.closed) return;
    if (this.outcome === outcome || (this.outcome === 'connected' && !afterConnected)) return;
    if (this.outcome === 'failed') return;
    this.outcome = outcome;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.listener.onOutcome(outcome);
  }

  async start(): Promise<void> {
    if (!this.initiator) return;
    for (const slot of P2P_SLOTS) {
      this.pc.addTransceiver(slot === 'mic' ? 'audio' : 'video', { direction: 'sendrecv' });
    }
    await this.attachTracks();
    const offer = await this.pc.createOffer();
    await this.pc.setLocalDescription(offer);
    this.listener.onDescription('offer', this.pc.localDescription?.sdp ?? offer.sdp ?? '');
  }

  async applyRemote(kind: 'offer' | 'answer', sdp: string): Promise<void> {
    if (this.closed) return;
    await this.pc.setRemoteDescription({ type: kind, sdp });
    if (kind === 'offer') {
      for (const t of this.pc.getTransceivers()) t.direction = 'sendrecv';
      await this.attachTracks();
      const answer = await this.pc.createAnswer();
      await this.pc.setLocalDescription(answer);
      this.listener.onDescription('answer', this.pc.localDescription?.sdp ?? answer.sdp ?? '');
    }
    const pending = this.pendingCandidates;
    this.pendingCandidates = [];
    for (const c of pending) await this.addRemoteCandidate(c);
  }

  async addRemoteCandidate(c: LocalCandidate): Promise<void> {
    if (this.closed) return;
    if (!this.pc.remoteDescription) {
      this.pendingCandidates.push(c); // trickled before the description they belong to
      return;
    }
    if (c.candidate === '') {
      await this.pc.addIceCandidate(undefined);
      return;
    }
    const init: RTCIceCandidateInit = { candidate: c.candidate };
    if (c.sdpMid !== undefined) init.sdpMid = c.sdpMid;
    if (c.sdpMLineIndex !== undefined) init.sdpMLineIndex = c.sdpMLineIndex;
    if (init.sdpMid === undefined && init.sdpMLineIndex === undefined) init.sdpMLineIndex = 0;
    await this.pc.addIceCandidate(init);
  }

  async setTrack(slot: SendSlot, track: MediaStreamTrack | null): Promise<void> {
    this.tracks[slot] = track;
    const t = this.pc.getTransceivers()[P2P_SLOTS.indexOf(slot)];
    if (t && !this.closed) await t.sender.replaceTrack(this.sent(slot));
  }

  async setPeerWantsVideo(want: boolean): Promise<void> {
    if (this.peerWantsVideo === want) return;
    this.peerWantsVideo = want;
    if (!this.closed) await this.attachTracks();
  }

  /** What a slot sends: its track, but no video to a peer that is audio only. */
  private sent(slot: SendSlot): MediaStreamTrack | null {
    return slot === 'mic' || this.peerWantsVideo ? this.tracks[slot] : null;
  }

  private async attachTracks(): Promise<void> {
    const ts = this.pc.getTransceivers();
    for (const [i, slot] of P2P_SLOTS.entries()) {
      const t = ts[i];
      if (t) await t.sender.replaceTrack(this.sent(slot));
    }
  }

  getStats(): Promise<RTCStatsReport> {
    return this.pc.getStats();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.pc.close();
    const g = globalThis as { __openmeet?: { p2p?: { pc?: unknown } } };
    if (g.__openmeet?.p2p?.pc === this.pc) expose('p2p', null);
  }
}

export const browserP2pSessionFactory: P2pSessionFactory = (init, listener) => new P2pSession(init, listener);
