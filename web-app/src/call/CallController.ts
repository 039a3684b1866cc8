import {
  BridgeChannel,
  SignallingClient,
  describeError,
  type BridgeChannelListener,
  type ClientMessage,
  type ConnectionFailure,
  type ConnectionState,
  type IceReport,
  type IceServerInfo,
  type ModerateAction,
  type ModeratedMedia,
  type ReceiverVideoConstraints,
  type ServerMessage,
  type SignallingListener,
  type SignallingOptions,
} from '../protocol';
import { browserPeerSessionFactory, type PeerSessionFactory, type PeerSessionLike, type SendSlot, type VideoSlot } from '../media/PeerSession';
import { browserP2pSessionFactory, type P2pSessionFactory, type P2pSessionLike } from '../media/P2pSession';
import { classifyRemoteStream, isNewTransport } from '../media/sdp';
import { openLocalMedia, describeMediaError, type DeviceChoice } from '../media/localMedia';
import { useCallStore, type CallStore } from '../store/callStore';
import { buildReceiverConstraints } from './receiverConstraints';
import { OnceLogger, expose } from '../debug/expose';
import { useQualityStore } from '../store/qualityStore';
import { saveDevicePref } from '../media/devicePrefs';

/** What the controller needs from signalling (SignallingClient, or a fake in tests). */
export interface SignallingLike {
  connect(): void;
  retry(): void;
  send(message: ClientMessage): boolean;
  leave(): void;
  /** Leaves the server-side session and joins again as a new participant. */
  rejoinAsNew(): void;
}

export interface BridgeLike {
  /** `reconnect`: open the channel again even to the same URL (a new endpoint on the bridge). */
  setUrl(url: string | undefined, reconnect?: boolean): void;
  /** What we want forwarded; the channel sends it when open and when it changes. */
  setReceiverConstraints(constraints: ReceiverVideoConstraints): void;
  close(): void;
}

export interface MediaSource {
  open(choice: DeviceChoice, want: { audio: boolean; video: boolean }): Promise<MediaStream>;
  openScreen(): Promise<MediaStream>;
}

export interface StoreLike {
  getState(): CallStore;
  subscribe(listener: (state: CallStore) => void): () => void;
}

export interface CallDeps {
  signallingFactory: (options: SignallingOptions, listener: SignallingListener) => SignallingLike;
  peerFactory: PeerSessionFactory;
  bridgeFactory: (listener: BridgeChannelListener) => BridgeLike;
  media: MediaSource;
  store: StoreLike;
  /** How long ICE may stay `disconnected` before we ask for a restart. */
  iceDisconnectGraceMs: number;
  /** Direct connections for two-participant calls; without it `p2p-start` is answered `failed`. */
  p2pFactory?: P2pSessionFactory;
  /** How long the bridge's SenderSourceConstraints 0 must hold before our encoder stops (absent: at once). */
  senderPauseDelayMs?: number;
}

/**
 * How long a pause (SenderSourceConstraints 0) waits before the camera's or screen's encoder stops; a
 * non-zero height within it cancels the pause. Both bridges say 0 right after a sender connects while
 * no receiver is connected yet, which is every sender in a P2P -> bridge switch; the encoder then
 * needed 0.5-1 s to restart and send a keyframe once the receivers connected (e2e 12, 2026-12-07).
 */
export const SENDER_PAUSE_DELAY_MS = 2000;

/** How long a P2P connection stays up after `p2p-stop` at most, while the bridge's media takes over. */
export const P2P_HANDOVER_MAX_MS = 8000;

type RemoteKind = 'audio' | 'camera' | 'screen';
const REMOTE_KINDS: readonly RemoteKind[] = ['audio', 'camera', 'screen'];

export const browserCallDeps: CallDeps = {
  signallingFactory: (o, l) => new SignallingClient(o, l),
  peerFactory: browserPeerSessionFactory,
  bridgeFactory: (l) => new BridgeChannel(l),
  media: {
    open: openLocalMedia,
    openScreen: () => navigator.mediaDevices.getDisplayMedia({ video: true, audio: false }),
  },
  store: useCallStore,
  iceDisconnectGraceMs: 4000,
  p2pFactory: browserP2pSessionFactory,
  senderPauseDelayMs: SENDER_PAUSE_DELAY_MS,
};

export interface CallParams {
  signallingUrl: string;
  token: string;
  displayName: string;
  devices: DeviceChoice;
  /** The pre-join preview stream, handed over so the camera does not blink. */
  localStream: MediaStream | null;
  audio: boolean;
  video: boolean;
}

/** Why the server took us out of the call (`participant-left` with our own id), as a sentence. */
export function removalReason(reason: string | undefined): string {
  switch (reason) {
    case 'kicked':
      return 'A moderator removed you from the meeting.';
    case 'room-closed':
      return 'The meeting was closed.';
    case 'meeting-ended':
      return 'A moderator ended the meeting for everyone.';
    case 'timeout':
    case 'disconnected':
      return 'The server lost contact with you and took you out of the meeting.';
    default:
      return 'You left the meeting.';
  }
}

/** Wires signalling, the peer connection, the bridge channel and local media to the call store. */
export class CallController {
  private readonly deps: CallDeps;
  private readonly params: CallParams;
  private readonly signalling: SignallingLike;
  private readonly bridge: BridgeLike;
  private peer: PeerSessionLike | null = null;
  private peerOwner: string | null = null;
  /** The P2P session in progress (from `p2p-start` to `p2p-stop`). */
  private p2p: P2pSessionLike | null = null;
  /** Ended P2P sessions kept until the bridge's media replaces theirs in the tiles. */
  private leavingP2p: P2pSessionLike[] = [];
  /** The bridge endpoint was released for P2P (`p2p-active`): the next offer needs a new connection. */
  private bridgeReleased = false;
  /** P2P sessions we reported failed (once each). */
  private readonly failedP2p = new WeakSet<P2pSessionLike>();
  /** Remote tracks that came over P2P and were put in a tile, with the session they came on. */
  private readonly p2pTracks = new Map<MediaStreamTrack, P2pSessionLike>();
  /** The last bridge track per participant and kind, to put back when P2P ends. */
  private bridgeTracks = new Map<string, MediaStreamTrack>();
  /** ICE servers of the last `joined`, for a replacement RTCPeerConnection. */
  private iceServers: IceServerInfo[] = [];
  /** The last offer given to the current peer (its transport: ICE credentials, DTLS fingerprint). */
  private lastOffer: string | null = null;
  private rejoinedAfterDemuxConflict = false;
  private localStream: MediaStream;
  private screenStream: MediaStream | null = null;
  private cameraBeforeAudioOnly = false;
  /** The devices to open (the pre-join choice, then what the user switches to in the call). */
  private devices: DeviceChoice;
  private pendingTracks: { track: MediaStreamTrack; streamId: string; trackId: string }[] = [];
  private iceTimer: ReturnType<typeof setTimeout> | null = null;
  /** The peer connection's last ICE state. */
  private iceState: RTCIceConnectionState = 'new';
  /** A report made while the socket was down, sent once the session is back. */
  private unsentIce: IceReport | null = null;
  private ended = false;
  /** The bridge channel URL last handed to the channel. */
  private bridgeUrl: string | null = null;
  /** The last SenderSourceConstraints per own video slot (null: the bridge has not said). */
  private sendLimits: Record<VideoSlot, number | null> = { camera: null, screen: null };
  /** A SenderSourceConstraints 0 waiting out senderPauseDelayMs, per slot. */
  private pauseTimers: Record<VideoSlot, ReturnType<typeof setTimeout> | null> = { camera: null, screen: null };
  private lastConstraints = '';
  private readonly unsubscribe: () => void;
  private readonly log = new OnceLogger('call');
  /** Called when the call is over for good (left, removed); the page navigates away. */
  onEnded: ((reason: string | null) => void) | null = null;

  constructor(params: CallParams, deps: CallDeps = browserCallDeps) {
    this.params = params;
    this.deps = deps;
    this.localStream = params.localStream ?? new MediaStream();
    this.devices = { ...this.params.devices };
    useQualityStore.getState().reset();
    const store = this.store;
    store.reset();
    store.setSelfName(params.displayName);
    // Without a device (denied or missing) we announce it as off rather than show a black tile.
    const audio = params.audio && this.localStream.getAudioTracks().length > 0;
    const video = params.video && this.localStream.getVideoTracks().length > 0;
    store.setLocalMedia({ audio, video, screen: false, audioOnly: false });
    for (const t of this.localStream.getAudioTracks()) t.enabled = audio;
    if (!video) this.dropCameraTracks();
    store.setLocalStream(this.localStream);
    this.bridge = deps.bridgeFactory({
      // Silence: nobody is highlighted; the stage keeps the last speaker.
      onDominantSpeaker: (id, silence) =>
        this.store.applyServerMessage({ type: 'dominant-speaker', participantId: silence ? null : id }),
      onForwardedSources: (sources) => this.store.setForwardedSources(sources),
      onSenderConstraints: (name, maxHeight) => this.onSenderConstraints(name, maxHeight),
      onConnectionStats: (bps) => useQualityStore.getState().setDownlinkEstimate(bps / 1000),
    });
    // Every layout, page, tile size or audio-only change may change what we ask the bridge for.
    this.unsubscribe = deps.store.subscribe(() => this.pushReceiverConstraints());
    this.pushReceiverConstraints();
    this.signalling = deps.signallingFactory(
      {
        url: params.signallingUrl,
        token: params.token,
        displayName: params.displayName,
        initialMedia: () => ({ audio: this.store.local.audio, video: this.sendingVideo() }),
      },
      {
        onMessage: (m) => this.handle(m),
        onStateChange: (s, f) => this.onConnection(s, f),
        onProtocolError: (e) => console.warn('dropped an invalid signalling frame:', e.message),
      },
    );
  }

  private get store(): CallStore {
    return this.deps.store.getState();
  }

  start(): void {
    this.signalling.connect();
  }

  retry(): void {
    this.signalling.retry();
  }

  private pushReceiverConstraints(): void {
    if (this.ended) return;
    const constraints = buildReceiverConstraints(this.store);
    const json = JSON.stringify(constraints);
    if (json === this.lastConstraints) return;
    this.lastConstraints = json;
    this.bridge.setReceiverConstraints(constraints);
  }

  /** Opens the bridge channel; a new endpoint forgets what the old one forwarded. */
  private connectBridge(url: string | undefined, newEndpoint = false): void {
    if (url && (url !== this.bridgeUrl || newEndpoint)) {
      this.bridgeUrl = url;
      this.store.setForwardedSources(null);
    }
    this.bridge.setUrl(url, newEndpoint);
  }

  /** The bridge says how much of our camera (`<selfId>-v0`) or screen (`-v1`) anyone wants. */
  private onSenderConstraints(sourceName: string, maxHeight: number): void {
    const selfId = this.store.selfId;
    const slot: VideoSlot | null =
      selfId === null ? null : sourceName === `${selfId}-v0` ? 'camera' : sourceName === `${selfId}-v1` ? 'screen' : null;
    if (slot === null) {
      this.log.warn('ignored SenderSourceConstraints for a source that is not ours', sourceName);
      return;
    }
    this.clearPauseTimer(slot);
    const delay = this.deps.senderPauseDelayMs ?? 0;
    if (maxHeight === 0 && this.sendLimits[slot] !== 0 && delay > 0) {
      // stopping the encoder can wait; restarting it costs a keyframe and its set-up
      this.pauseTimers[slot] = setTimeout(() => {
        this.pauseTimers[slot] = null;
        this.applySendLimit(slot, 0);
      }, delay);
      return;
    }
    this.applySendLimit(slot, maxHeight);
  }

  private applySendLimit(slot: VideoSlot, maxHeight: number): void {
    this.sendLimits[slot] = maxHeight;
    expose('senderConstraints', { ...this.sendLimits });
    void this.peer?.setSendLimit(slot, maxHeight).catch((e: unknown) => this.log.warn('applying sender constraints failed', e));
  }

  private clearPauseTimer(slot: VideoSlot): void {
    const t = this.pauseTimers[slot];
    if (t !== null) clearTimeout(t);
    this.pauseTimers[slot] = null;
  }

  private sendingVideo(): boolean {
    const l = this.store.local;
    return l.video && !l.audioOnly;
  }

  private sendMediaState(): void {
    const l = this.store.local;
    this.signalling.send({ type: 'media-state', audio: l.audio, video: this.sendingVideo(), screen: l.screen });
  }

  private onConnection(state: ConnectionState, failure?: ConnectionFailure): void {
    if (failure) {
      this.store.setConnection(state, { code: failure.code, message: describeError(failure.code, failure.message) });
    } else {
      this.store.setConnection(state);
    }
  }

  private handle(msg: ServerMessage): void {
    if (this.ended) return;
    // Removed by a moderator: the server tells us we left.
    if (msg.type === 'participant-left' && msg.participantId === this.store.selfId && this.store.selfId) {
      this.end(removalReason(msg.reason));
      return;
    }
    if (msg.type === 'error' && msg.code === 'no-p2p-session') {
      // a P2P frame that crossed the session's end on the wire: nothing to tell the user
      this.log.warn('P2P frame refused', msg.message);
      return;
    }
    if (msg.type.startsWith('p2p-')) {
      this.handleP2p(msg);
      return;
    }
    this.store.applyServerMessage(msg);
    switch (msg.type) {
      case 'joined':
        if (this.peer && this.peerOwner !== msg.participantId) {
          // A new identity (the resume token expired): the old media session is gone on the server too.
          this.peer.close();
          this.peer = null;
          this.sendLimits = { camera: null, screen: null };
          this.clearPauseTimer('camera');
          this.clearPauseTimer('screen');
        } else if (this.peer) {
          // Resumed as the same participant: the media session went on without the socket. Say
          // what ICE did meanwhile, and restart it now if it failed while we could not ask.
          if (this.unsentIce) this.reportIce(this.unsentIce);
          if (this.iceState === 'failed') this.signalling.send({ type: 'ice-restart' });
        }
        this.iceServers = msg.iceServers;
        // resumed in a P2P call whose bridge endpoint was released: the direct connection goes on
        // (the focus says p2p-active again), there is no bridge to connect to
        const resumedInP2p = !this.peer && this.bridgeReleased && this.p2p !== null && this.peerOwner === msg.participantId;
        if (!this.peer && !resumedInP2p) {
          this.unsentIce = null;
          this.newPeer();
          this.peerOwner = msg.participantId;
        }
        if (!resumedInP2p) this.connectBridge(msg.bridgeChannelUrl);
        this.sendMediaState();
        this.flushPendingTracks();
        break;
      case 'offer': {
        // A new bridge endpoint (ICE restart, bridge failover): a new RTCPeerConnection, as a new
        // Jingle session in Jitsi's clients; see isNewTransport. Same transport: the same connection.
        const previous = this.peer;
        // after a P2P call released the bridge endpoint, the bridge offers a new one
        const fresh = (previous !== null && isNewTransport(this.lastOffer, msg.sdp)) || (previous === null && this.bridgeReleased);
        if (fresh) this.newPeer();
        if (this.peer) this.lastOffer = msg.sdp;
        this.connectBridge(msg.bridgeChannelUrl, fresh);
        // The old connection's remote tracks stay in the tiles until the new one's replace them.
        void this.answer(msg.sdp).finally(() => {
          if (fresh && previous) previous.close();
        });
        break;
      }
      case 'ice-candidate':
        void this.peer?.addRemoteCandidate(msg).catch((e: unknown) => console.warn('remote candidate rejected', e));
        break;
      case 'participant-joined':
        this.flushPendingTracks();
        break;
      case 'muted':
        for (const t of this.localStream.getAudioTracks()) t.enabled = false;
        this.sendMediaState();
        break;
      case 'force-muted':
        if (msg.participantId === this.store.selfId) void this.applyForceMute(msg.audio, msg.video);
        break;
      default:
        break;
    }
  }

  /**
   * A new RTCPeerConnection with our local tracks (mic with its mute state, camera or none, screen
   * share) on it; the offer that follows puts them on its m-lines. Events of a replaced one are ignored.
   */
  private newPeer(): void {
    this.clearIceTimer();
    this.bridgeReleased = false;
    this.iceState = 'new';
    this.lastOffer = null;
    const peer: PeerSessionLike = this.deps.peerFactory(this.iceServers, {
      onLocalCandidate: (c) => {
        if (this.peer === peer) this.signalling.send({ type: 'ice-candidate', ...c });
      },
      onRemoteTrack: (track, streamId, trackId) => {
        if (this.peer === peer) this.routeBridgeTrack(track, streamId, trackId);
      },
      onIceStateChange: (s) => {
        if (this.peer === peer) this.onIceState(s);
      },
    });
    this.peer = peer;
    // What the bridge last said about our sources holds until it says otherwise.
    for (const slot of ['camera', 'screen'] as const) {
      const limit = this.sendLimits[slot];
      if (limit !== null) void peer.setSendLimit(slot, limit).catch(() => undefined);
    }
    void this.attachLocalTracks();
  }

  private async answer(sdp: string): Promise<void> {
    if (!this.peer) {
      this.store.applyServerMessage({ type: 'error', code: 'unexpected-message', message: 'offer before joined' });
      return;
    }
    try {
      const answer = await this.peer.applyOffer(sdp);
      this.signalling.send({ type: 'answer', sdp: answer });
    } catch (e) {
      if (isDemuxConflict(e) && !this.rejoinedAfterDemuxConflict) {
        // Chromium bound a forwarded source's SSRC to one of our own m-lines before the offer that
        // signals it arrived (payload-type demuxing while only one receiving m-line per kind exists);
        // this RTCPeerConnection can never accept that offer. Start over once as a new participant.
        this.rejoinedAfterDemuxConflict = true;
        console.warn('media offer conflicts with an SSRC Chromium already bound; rejoining', e);
        this.signalling.rejoinAsNew();
        return;
      }
      this.store.applyServerMessage({
        type: 'error',
        code: 'invalid-sdp',
        message: `The browser could not use the server's media offer: ${(e as Error).message}`,
      });
    }
  }

  private onIceState(state: RTCIceConnectionState): void {
    const wasUp = this.iceState === 'connected' || this.iceState === 'completed';
    this.iceState = state;
    if (state === 'failed') {
      this.clearIceTimer();
      this.reportIce('failed');
      this.signalling.send({ type: 'ice-restart' });
    } else if (state === 'disconnected') {
      this.clearIceTimer();
      this.iceTimer = setTimeout(() => {
        this.iceTimer = null;
        this.signalling.send({ type: 'ice-restart' });
      }, this.deps.iceDisconnectGraceMs);
    } else if (state === 'connected' || state === 'completed') {
      this.clearIceTimer();
      // completed after connected is the same connection: one report each time ICE comes up
      if (!wasUp) this.reportIce('connected');
    }
  }

  /** Tells the server how the media connection attempt went (its connection-attempt metric). */
  private reportIce(state: IceReport): void {
    this.unsentIce = this.signalling.send({ type: 'ice-state', state }) ? null : state;
  }

  private clearIceTimer(): void {
    if (this.iceTimer !== null) clearTimeout(this.iceTimer);
    this.iceTimer = null;
  }

  /**
   * A bridge track goes into its tile, unless P2P media feeds that tile: then it waits (while P2P is
   * on), or goes in once its media flows (while P2P is being left), so that no tile freezes.
   */
  private routeBridgeTrack(track: MediaStreamTrack, streamId: string, trackId: string): void {
    if (track.readyState === 'ended') return;
    const known = Object.keys(this.store.participants);
    const target = classifyRemoteStream(streamId, trackId, known);
    if (!target) {
      // Tracks may arrive before `participant-joined`; they are routed when the participant is known.
      this.pendingTracks.push({ track, streamId, trackId });
      return;
    }
    const kind = track.kind === 'audio' ? 'audio' : target.kind;
    // The msid track id is the bridge's source name (CONTRACTS.md), used in ReceiverVideoConstraints.
    if (kind !== 'audio' && trackId) this.store.setSourceName(trackId, { participantId: target.participantId, kind });
    const key = `${target.participantId}/${kind}`;
    this.bridgeTracks.set(key, track);
    if (this.p2pFeeds(target.participantId, kind)) {
      if (this.p2p !== null) return; // put back at p2p-stop
      this.takeBackFromP2p(target.participantId, kind, track);
      return;
    }
    this.showTrack(target.participantId, kind, track);
  }

  /**
   * While P2P is left: the bridge's track takes a P2P-fed tile once its media flows, or at once when
   * the participant does not send that kind (no media will come to wait for).
   */
  private takeBackFromP2p(participantId: string, kind: RemoteKind, track: MediaStreamTrack): void {
    const key = `${participantId}/${kind}`;
    if (!this.sends(participantId, kind)) {
      this.showTrack(participantId, kind, track);
      return;
    }
    this.whenFlowing(track, () => {
      if (this.bridgeTracks.get(key) === track) this.showTrack(participantId, kind, track);
    });
  }

  /**
   * Whether the participant sends this kind now (its media state). An unused P2P slot (no screen
   * share, camera off) may still carry a stray packet that unmutes its track; its tile has nothing to hand over.
   */
  private sends(participantId: string, kind: RemoteKind): boolean {
    const p = this.store.participants[participantId];
    if (!p) return false;
    return kind === 'audio' ? p.audio : kind === 'camera' ? p.video : p.screen;
  }

  /** Whether a P2P track (of `session` if given) is in this participant's tile of this kind now. */
  private p2pFeeds(participantId: string, kind: RemoteKind, session?: P2pSessionLike): boolean {
    const current = this.store.remoteStreams[participantId]?.[kind];
    return (
      !!current &&
      current.getTracks().some((t) => this.p2pTracks.has(t) && (session === undefined || this.p2pTracks.get(t) === session))
    );
  }

  private showTrack(participantId: string, kind: RemoteKind, track: MediaStreamTrack): void {
    if (track.readyState === 'ended') return;
    this.store.setRemoteStream(participantId, kind, new MediaStream([track]));
    track.addEventListener('ended', () => {
      const current = this.store.remoteStreams[participantId]?.[kind];
      if (current && current.getTracks().includes(track)) this.store.setRemoteStream(participantId, kind, null);
    });
  }

  /** Runs `then` once the remote track carries media (a remote track is muted until its first packets). */
  private whenFlowing(track: MediaStreamTrack, then: () => void): void {
    if (!track.muted) {
      then();
      return;
    }
    track.addEventListener('unmute', () => then(), { once: true });
  }

  private flushPendingTracks(): void {
    const pending = this.pendingTracks;
    this.pendingTracks = [];
    for (const p of pending) this.routeBridgeTrack(p.track, p.streamId, p.trackId);
  }

  // --- peer-to-peer (two participants; the focus decides when, see docs/API.md "Peer-to-peer")

  private handleP2p(msg: ServerMessage): void {
    switch (msg.type) {
      case 'p2p-start':
        this.startP2p(msg.sessionId, msg.peerId, msg.initiator);
        break;
      case 'p2p-offer':
      case 'p2p-answer': {
        const s = this.p2p;
        if (!s || s.sessionId !== msg.sessionId || s.peerId !== msg.from) return;
        void s.applyRemote(msg.type === 'p2p-offer' ? 'offer' : 'answer', msg.sdp).catch((e: unknown) => {
          this.log.warn('P2P description rejected', e);
          this.p2pFailed(s);
        });
        break;
      }
      case 'p2p-candidate': {
        const s = this.p2p;
        if (!s || s.sessionId !== msg.sessionId || s.peerId !== msg.from) return;
        const c = { candidate: msg.candidate, sdpMid: msg.sdpMid, sdpMLineIndex: msg.sdpMLineIndex };
        void s.addRemoteCandidate(c).catch((e: unknown) => this.log.warn('P2P candidate rejected', e));
        break;
      }
      case 'p2p-active':
        if (this.p2p?.sessionId === msg.sessionId) this.releaseBridge();
        break;
      case 'p2p-video': {
        // the peer's audio-only mode: what lastN 0 is on the bridge
        const s = this.p2p;
        if (!s || s.sessionId !== msg.sessionId || s.peerId !== msg.from) return;
        void s.setPeerWantsVideo(msg.receive).catch((e: unknown) => this.log.warn('P2P video change failed', e));
        break;
      }
      case 'p2p-stop':
        if (this.p2p?.sessionId === msg.sessionId) this.leaveP2p(this.p2p);
        break;
      default:
        break;
    }
  }

  private startP2p(sessionId: string, peerId: string, initiator: boolean): void {
    if (this.p2p) this.leaveP2p(this.p2p);
    const factory = this.deps.p2pFactory;
    if (!factory) {
      this.signalling.send({ type: 'p2p-state', sessionId, state: 'failed' });
      return;
    }
    const session: P2pSessionLike = factory(
      { sessionId, peerId, initiator, iceServers: this.iceServers },
      {
        onDescription: (kind, sdp) => {
          if (this.p2p === session) this.signalling.send({ type: kind === 'offer' ? 'p2p-offer' : 'p2p-answer', sessionId, sdp });
        },
        onLocalCandidate: (c) => {
          if (this.p2p === session) this.signalling.send({ type: 'p2p-candidate', sessionId, ...c });
        },
        onRemoteTrack: (track, slot) => {
          if (this.p2p !== session) return;
          const kind: RemoteKind = slot === 'mic' ? 'audio' : slot;
          // into the tile once its media flows: until then the bridge's keeps playing
          this.whenFlowing(track, () => {
            if (this.p2p !== session || track.readyState === 'ended') return;
            this.p2pTracks.set(track, session);
            this.showTrack(peerId, kind, track);
          });
        },
        onOutcome: (outcome) => {
          if (this.p2p !== session) return;
          if (outcome === 'failed') this.p2pFailed(session);
          else this.signalling.send({ type: 'p2p-state', sessionId, state: outcome });
        },
      },
    );
    this.p2p = session;
    if (this.store.local.audioOnly) this.signalling.send({ type: 'p2p-video', sessionId, receive: false });
    for (const [slot, track] of this.localTracks()) void session.setTrack(slot, track).catch(() => undefined);
    void session.start().catch((e: unknown) => {
      if (this.p2p !== session) return; // ended (p2p-stop) while the offer was made: nothing failed
      this.log.warn('P2P offer failed', e);
      this.p2pFailed(session);
    });
  }

  /** Our side of the P2P connection failed: tell the focus (it moves both to the bridge). */
  private p2pFailed(session: P2pSessionLike): void {
    if (this.p2p !== session || this.failedP2p.has(session)) return;
    this.failedP2p.add(session);
    this.signalling.send({ type: 'p2p-state', sessionId: session.sessionId, state: 'failed' });
  }

  /** Both ends are connected and the focus released our bridge endpoint: close the bridge connection. */
  private releaseBridge(): void {
    this.clearIceTimer();
    this.peer?.close();
    this.peer = null;
    this.lastOffer = null;
    this.bridgeReleased = true;
    this.iceState = 'new';
    this.bridge.close();
    this.bridgeUrl = null;
    this.store.setForwardedSources(null);
    this.bridgeTracks.clear();
  }

  /**
   * The P2P session ended: the bridge's tracks take the tiles back (at once where the bridge
   * connection is still up, else as their media starts), then the P2P connection closes.
   */
  private leaveP2p(session: P2pSessionLike): void {
    if (this.p2p === session) this.p2p = null;
    this.leavingP2p.push(session);
    for (const [key, track] of this.bridgeTracks) {
      const [participantId, kind] = key.split('/') as [string, RemoteKind];
      if (track.readyState !== 'ended' && this.p2pFeeds(participantId, kind)) this.takeBackFromP2p(participantId, kind, track);
    }
    const started = Date.now();
    const check = (): void => {
      // only media the peer sends is worth waiting for: an unused slot would hold P2P up for the whole maximum
      const waiting = REMOTE_KINDS.some((k) => this.p2pFeeds(session.peerId, k, session) && this.sends(session.peerId, k));
      if (!this.ended && waiting && Date.now() - started < P2P_HANDOVER_MAX_MS) {
        setTimeout(check, 100);
        return;
      }
      this.dropP2pTiles(session);
      session.close();
      this.leavingP2p = this.leavingP2p.filter((s) => s !== session);
      for (const t of [...this.p2pTracks.keys()]) if (t.readyState === 'ended' || !this.p2pFeedsTrack(t)) this.p2pTracks.delete(t);
    };
    check();
  }

  /**
   * The P2P connection closes: tiles still fed by it get the bridge's track if there is one, else go
   * empty (a closed connection's tracks end without an `ended` event).
   */
  private dropP2pTiles(session: P2pSessionLike): void {
    const participantId = session.peerId;
    for (const kind of REMOTE_KINDS) {
      if (!this.p2pFeeds(participantId, kind, session)) continue;
      const track = this.bridgeTracks.get(`${participantId}/${kind}`);
      if (track && track.readyState !== 'ended') this.showTrack(participantId, kind, track);
      else this.store.setRemoteStream(participantId, kind, null);
    }
  }

  private p2pFeedsTrack(track: MediaStreamTrack): boolean {
    return Object.values(this.store.remoteStreams).some((streams) =>
      Object.values(streams ?? {}).some((st) => (st as MediaStream | null)?.getTracks().includes(track)),
    );
  }

  /** Our tracks per slot, as they are sent now. */
  private localTracks(): [SendSlot, MediaStreamTrack | null][] {
    return [
      ['mic', this.localStream.getAudioTracks()[0] ?? null],
      ['camera', this.sendingVideo() ? (this.localStream.getVideoTracks()[0] ?? null) : null],
      ['screen', this.screenStream?.getVideoTracks()[0] ?? null],
    ];
  }

  /** Puts a local track on the bridge connection and on the P2P one. */
  private async setLocalTrack(slot: SendSlot, track: MediaStreamTrack | null): Promise<void> {
    await this.peer?.setTrack(slot, track);
    await this.p2p?.setTrack(slot, track);
  }

  private async attachLocalTracks(): Promise<void> {
    const peer = this.peer;
    if (!peer) return;
    await peer.setTrack('mic', this.localStream.getAudioTracks()[0] ?? null);
    await peer.setTrack('camera', this.sendingVideo() ? (this.localStream.getVideoTracks()[0] ?? null) : null);
    await peer.setTrack('screen', this.screenStream?.getVideoTracks()[0] ?? null);
  }

  private dropCameraTracks(): void {
    for (const t of this.localStream.getVideoTracks()) {
      t.stop();
      this.localStream.removeTrack(t);
    }
  }

  private replaceLocalStream(): void {
    // A new MediaStream object so React re-renders the self tile.
    this.localStream = new MediaStream(this.localStream.getTracks());
    this.store.setLocalStream(this.localStream);
  }

  private notice(text: string): void {
    this.store.applyServerMessage({ type: 'error', code: 'local', message: text });
  }

  /**
   * A moderator muted us at the bridge (it drops what we send anyway): the microphone goes off, the
   * camera is stopped, and neither comes back until a moderator allows it.
   */
  private async applyForceMute(audio: boolean, video: boolean): Promise<void> {
    if (audio) for (const t of this.localStream.getAudioTracks()) t.enabled = false;
    if (video && this.localStream.getVideoTracks().length > 0) {
      await this.setLocalTrack('camera', null);
      this.dropCameraTracks();
      this.replaceLocalStream();
    }
    this.sendMediaState();
  }

  async toggleMic(): Promise<void> {
    const audio = !this.store.local.audio;
    if (audio && this.store.forceMuted.audio) {
      this.notice('A moderator muted you. Raise your hand to ask to speak.');
      return;
    }
    if (audio && this.localStream.getAudioTracks().length === 0) {
      try {
        const s = await this.deps.media.open(this.devices, { audio: true, video: false });
        for (const t of s.getAudioTracks()) this.localStream.addTrack(t);
        this.replaceLocalStream();
        await this.setLocalTrack('mic', this.localStream.getAudioTracks()[0] ?? null);
      } catch (e) {
        this.notice(describeMediaError(e));
        return;
      }
    }
    for (const t of this.localStream.getAudioTracks()) t.enabled = audio;
    this.store.setLocalMedia({ audio });
    this.sendMediaState();
  }

  /** Camera toggles run one after the other (a second click waits for the first to finish). */
  private cameraToggles: Promise<void> = Promise.resolve();

  toggleCamera(): Promise<void> {
    const run = this.cameraToggles.then(() => this.toggleCameraNow());
    this.cameraToggles = run.catch(() => {});
    return run;
  }

  private async toggleCameraNow(): Promise<void> {
    const l = this.store.local;
    if (!(l.video && !l.audioOnly) && this.store.forceMuted.video) {
      this.notice('A moderator turned your camera off. Raise your hand to ask to turn it on.');
      return;
    }
    if (l.video && !l.audioOnly) {
      // the others see the camera go off at once; replacing the sender's track (and its queued
      // encoder changes) can take a second on a busy machine, and the sender stops right after
      this.store.setLocalMedia({ video: false });
      this.sendMediaState();
      await this.setLocalTrack('camera', null);
      this.dropCameraTracks();
      this.replaceLocalStream();
      return;
    }
    if (l.audioOnly) this.store.setLocalMedia({ audioOnly: false });
    if (!(await this.startCamera())) return;
    this.store.setLocalMedia({ video: true });
    this.sendMediaState();
  }

  private async startCamera(): Promise<boolean> {
    if (this.localStream.getVideoTracks().length === 0) {
      try {
        const s = await this.deps.media.open(this.devices, { audio: false, video: true });
        for (const t of s.getVideoTracks()) this.localStream.addTrack(t);
      } catch (e) {
        this.notice(describeMediaError(e));
        return false;
      }
    }
    this.replaceLocalStream();
    await this.setLocalTrack('camera', this.localStream.getVideoTracks()[0] ?? null);
    return true;
  }

  /**
   * The stats of the connection whose media the tiles show (for the quality indicators): the P2P
   * one once its media took over or the bridge's is released, else the bridge's; null without one.
   */
  async getStats(): Promise<RTCStatsReport | null> {
    const p2p = this.p2p;
    if (p2p && (this.peer === null || this.p2pTracks.size > 0)) return (await p2p.getStats?.()) ?? null;
    return (await this.peer?.getStats?.()) ?? null;
  }

  /** The devices in use now (ids), for the device selectors. */
  currentDevices(): DeviceChoice {
    return { ...this.devices };
  }

  /**
   * Another microphone in the call: the new track replaces the old one on the same sender (no
   * renegotiation) and keeps the mute state; the choice is remembered for the next join.
   */
  async switchMicrophone(deviceId: string, label = ''): Promise<boolean> {
    if (this.ended) return false;
    const hadMic = this.localStream.getAudioTracks().length > 0;
    if (hadMic) {
      let fresh: MediaStreamTrack | undefined;
      try {
        fresh = (await this.deps.media.open({ audioDeviceId: deviceId }, { audio: true, video: false })).getAudioTracks()[0];
      } catch (e) {
        this.notice(describeMediaError(e));
        return false;
      }
      if (!fresh) return false;
      if (this.ended) {
        fresh.stop();
        return false;
      }
      fresh.enabled = this.store.local.audio;
      const old = this.localStream.getAudioTracks();
      for (const t of old) this.localStream.removeTrack(t);
      this.localStream.addTrack(fresh);
      this.replaceLocalStream();
      await this.setLocalTrack('mic', fresh);
      for (const t of old) t.stop();
    }
    this.devices.audioDeviceId = deviceId;
    saveDevicePref('microphone', { deviceId, label });
    return true;
  }

  /**
   * Another camera in the call, on the same sender (replaceTrack, no renegotiation); with the camera
   * off only the choice changes (used when it is turned on). Remembered for the next join.
   */
  async switchCamera(deviceId: string, label = ''): Promise<boolean> {
    if (this.ended) return false;
    if (this.sendingVideo() && this.localStream.getVideoTracks().length > 0) {
      let fresh: MediaStreamTrack | undefined;
      try {
        fresh = (await this.deps.media.open({ videoDeviceId: deviceId }, { audio: false, video: true })).getVideoTracks()[0];
      } catch (e) {
        this.notice(describeMediaError(e));
        return false;
      }
      if (!fresh) return false;
      // The camera may have been turned off while the new one opened.
      if (this.ended || !this.sendingVideo()) {
        fresh.stop();
      } else {
        const old = this.localStream.getVideoTracks();
        for (const t of old) this.localStream.removeTrack(t);
        this.localStream.addTrack(fresh);
        this.replaceLocalStream();
        await this.setLocalTrack('camera', fresh);
        for (const t of old) t.stop();
      }
    }
    this.devices.videoDeviceId = deviceId;
    saveDevicePref('camera', { deviceId, label });
    return true;
  }

  /**
   * Audio-only: stop sending our camera and ask the bridge for no video (lastN = 0, from the store)
   * or, in a P2P call, the peer (`p2p-video`).
   */
  async toggleAudioOnly(): Promise<void> {
    const l = this.store.local;
    if (this.p2p) this.signalling.send({ type: 'p2p-video', sessionId: this.p2p.sessionId, receive: l.audioOnly });
    if (!l.audioOnly) {
      this.cameraBeforeAudioOnly = l.video;
      this.store.setLocalMedia({ audioOnly: true });
      await this.setLocalTrack('camera', null);
      this.dropCameraTracks();
      this.replaceLocalStream();
    } else {
      this.store.setLocalMedia({ audioOnly: false });
      if (this.cameraBeforeAudioOnly && !(await this.startCamera())) this.store.setLocalMedia({ video: false });
    }
    this.sendMediaState();
  }

  async toggleScreenShare(): Promise<void> {
    if (this.store.local.screen) {
      await this.stopScreenShare();
      return;
    }
    if (this.peer && !this.peer.hasScreenSlot()) {
      this.notice('The meeting server did not offer a slot for screen sharing.');
      return;
    }
    let stream: MediaStream;
    try {
      stream = await this.deps.media.openScreen();
    } catch (e) {
      if ((e as { name?: string })?.name !== 'NotAllowedError') this.notice(describeMediaError(e));
      return;
    }
    const track = stream.getVideoTracks()[0];
    if (!track) return;
    this.screenStream = stream;
    track.addEventListener('ended', () => void this.stopScreenShare());
    await this.setLocalTrack('screen', track);
    this.store.setLocalScreen(stream);
    this.store.setLocalMedia({ screen: true });
    this.sendMediaState();
  }

  private async stopScreenShare(): Promise<void> {
    const s = this.screenStream;
    this.screenStream = null;
    if (s) for (const t of s.getTracks()) t.stop();
    await this.setLocalTrack('screen', null);
    this.store.setLocalScreen(null);
    if (this.store.local.screen) {
      this.store.setLocalMedia({ screen: false });
      this.sendMediaState();
    }
  }

  sendChat(text: string): boolean {
    const trimmed = text.trim();
    if (trimmed.length === 0) return false;
    if (!this.signalling.send({ type: 'chat', text: trimmed.slice(0, 4000) })) {
      this.notice('Not connected: the message was not sent.');
      return false;
    }
    this.store.addOwnChat(trimmed);
    return true;
  }

  moderate(action: ModerateAction, participantId: string, media?: ModeratedMedia): void {
    const frame: ClientMessage =
      media === undefined ? { type: 'moderate', action, participantId } : { type: 'moderate', action, participantId, media };
    if (!this.signalling.send(frame)) {
      this.notice('Not connected: try again when the connection is back.');
    }
  }

  /** Raises our hand (asks to speak), or lowers it. */
  toggleHand(): void {
    if (!this.signalling.send({ type: 'raise-hand', raised: this.store.handRaisedAt === null })) {
      this.notice('Not connected: try again when the connection is back.');
    }
  }

  /** A moderator ends the meeting for everyone; the server's `participant-left` ends ours. */
  endMeeting(): void {
    if (!this.signalling.send({ type: 'end-meeting' })) {
      this.notice('Not connected: try again when the connection is back.');
    }
  }

  /** Moderators: let a waiter in, turn it away, or let everyone waiting in. */
  lobbyDecision(decision: 'admit' | 'deny', participantId: string): void {
    const sent = this.signalling.send(
      decision === 'admit' ? { type: 'lobby-admit', participantId } : { type: 'lobby-deny', participantId },
    );
    if (!sent) this.notice('Not connected: try again when the connection is back.');
  }

  admitAllFromLobby(): void {
    if (!this.signalling.send({ type: 'lobby-admit-all' })) {
      this.notice('Not connected: try again when the connection is back.');
    }
  }

  leave(): void {
    this.end(null);
  }

  private end(reason: string | null): void {
    if (this.ended) return;
    this.ended = true;
    this.unsubscribe();
    this.clearIceTimer();
    this.clearPauseTimer('camera');
    this.clearPauseTimer('screen');
    this.signalling.leave();
    this.bridge.close();
    this.peer?.close();
    this.peer = null;
    this.p2p?.close();
    this.p2p = null;
    for (const s of this.leavingP2p) s.close();
    this.leavingP2p = [];
    for (const t of this.localStream.getTracks()) t.stop();
    if (this.screenStream) for (const t of this.screenStream.getTracks()) t.stop();
    this.onEnded?.(reason);
  }
}

/** Chromium's "Failed to apply demuxer criteria" from setLocalDescription/setRemoteDescription. */
export function isDemuxConflict(e: unknown): boolean {
  return /demuxer criteria|demuxing for mid/i.test(String((e as Error | undefined)?.message ?? e));
}
