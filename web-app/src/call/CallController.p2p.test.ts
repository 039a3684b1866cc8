import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CallController, P2P_HANDOVER_MAX_MS, type CallDeps } from './CallController';
import type { ServerMessage } from '../protocol';
import type { P2pSessionLike, P2pSessionListener } from '../media/P2pSession';
import type { LocalCandidate, SendSlot } from '../media/PeerSession';
import { FakeBridge, FakePeer, FakeSignalling } from '../test/callFakes';
import { useCallStore } from '../store/callStore';
import { FakeMediaStream, FakeTrack, asStream, asTrack } from '../test/fakes';

const flush = () => new Promise((r) => setTimeout(r, 0));

class FakeP2p implements P2pSessionLike {
  tracks: Partial<Record<SendSlot, MediaStreamTrack | null>> = {};
  remote: string[] = [];
  candidates: LocalCandidate[] = [];
  started = false;
  closed = false;
  constructor(
    readonly sessionId: string,
    readonly peerId: string,
    readonly initiator: boolean,
    readonly iceServers: unknown,
    readonly listener: P2pSessionListener,
  ) {}
  async start() {
    this.started = true;
    if (this.initiator) this.listener.onDescription('offer', 'p2p-offer-sdp');
  }
  async applyRemote(kind: 'offer' | 'answer', sdp: string) {
    this.remote.push(`${kind}:${sdp}`);
    if (kind === 'offer') this.listener.onDescription('answer', 'p2p-answer-sdp');
  }
  async addRemoteCandidate(c: LocalCandidate) {
    this.candidates.push(c);
  }
  async setTrack(slot: SendSlot, track: MediaStreamTrack | null) {
    this.tracks[slot] = track;
  }
  peerWantsVideo = true;
  async setPeerWantsVideo(want: boolean) {
    this.peerWantsVideo = want;
  }
  close() {
    this.closed = true;
  }
}

/** A remote track that carries no media yet (muted) until `flow()`. */
class RemoteTrack extends FakeTrack {
  muted = true;
  flow() {
    this.muted = false;
    this.dispatchEvent(new Event('unmute'));
  }
}

function setup() {
  let signalling!: FakeSignalling;
  const peers: FakePeer[] = [];
  const p2ps: FakeP2p[] = [];
  const bridge = new FakeBridge();
  const mic = new FakeTrack('audio');
  const cam = new FakeTrack('video');
  const deps: CallDeps = {
    signallingFactory: (o, l) => (signalling = new FakeSignalling(o, l)),
    peerFactory: (_ice, l) => {
      const p = new FakePeer(l);
      peers.push(p);
      return p;
    },
    p2pFactory: (init, l) => {
      const s = new FakeP2p(init.sessionId, init.peerId, init.initiator, init.iceServers, l);
      p2ps.push(s);
      return s;
    },
    bridgeFactory: () => bridge,
    media: {
      open: async () => asStream(new FakeMediaStream([new FakeTrack('video')])),
      openScreen: async () => asStream(new FakeMediaStream([new FakeTrack('video')])),
    },
    store: useCallStore,
    iceDisconnectGraceMs: 4000,
  };
  const controller = new CallController(
    {
      signallingUrl: 'ws://127.0.0.1:1/ws',
      token: 'jwt',
      displayName: 'Ada',
      devices: {},
      localStream: asStream(new FakeMediaStream([mic, cam])),
      audio: true,
      video: true,
    },
    deps,
  );
  controller.start();
  signalling.server({
    type: 'joined',
    participantId: 'me',
    moderator: false,
    participants: [{ participantId: 'bob', displayName: 'Bob', moderator: false, audio: true, video: true, screen: false }],
    iceServers: [{ urls: ['stun:127.0.0.1:3478'] }],
    resumeToken: 'r1',
  });
  signalling.server({ type: 'offer', sdp: 'v=0 bridge-1', bridgeChannelUrl: 'ws://bridge/1' });
  return { controller, signalling, peers, p2ps, bridge, mic, cam };
}

const start = (initiator: boolean, sessionId = 's1'): ServerMessage => ({ type: 'p2p-start', sessionId, peerId: 'bob', initiator });
const cameraTrackOf = (id: string) => useCallStore.getState().remoteStreams[id]?.camera?.getTracks()[0];

beforeEach(() => {
  vi.stubGlobal('MediaStream', FakeMediaStream);
  useCallStore.getState().reset();
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe('CallController peer-to-peer', () => {
  it('the initiator offers with our tracks and relays candidates; the answer of the peer is applied', async () => {
    const { signalling, p2ps, mic, cam } = setup();
    signalling.server(start(true));
    await flush();
    const s = p2ps[0]!;
    expect(s.iceServers).toEqual([{ urls: ['stun:127.0.0.1:3478'] }]);
    expect(s.tracks).toEqual({ mic: asTrack(mic), camera: asTrack(cam), screen: null });
    expect(signalling.ofType('p2p-offer')).toEqual([{ type: 'p2p-offer', sessionId: 's1', sdp: 'p2p-offer-sdp' }]);
    s.listener.onLocalCandidate({ candidate: 'candidate:1', sdpMid: '0' });
    expect(signalling.ofType('p2p-candidate')).toEqual([{ type: 'p2p-candidate', sessionId: 's1', candidate: 'candidate:1', sdpMid: '0' }]);
    // frames of another session or sender are ignored
    signalling.server({ type: 'p2p-answer', sessionId: 'old', from: 'bob', sdp: 'x' });
    signalling.server({ type: 'p2p-answer', sessionId: 's1', from: 'eve', sdp: 'x' });
    signalling.server({ type: 'p2p-answer', sessionId: 's1', from: 'bob', sdp: 'answer' });
    signalling.server({ type: 'p2p-candidate', sessionId: 's1', from: 'bob', candidate: 'candidate:2' });
    await flush();
    expect(s.remote).toEqual(['answer:answer']);
    expect(s.candidates.map((c) => c.candidate)).toEqual(['candidate:2']);
  });

  it('audio only in a P2P call asks the peer for no video (p2p-video); the peer\'s request reaches our P2P session', async () => {
    const { signalling, p2ps, controller } = setup();
    signalling.server(start(true));
    await flush();
    const s = p2ps[0]!;
    await controller.toggleAudioOnly();
    expect(signalling.ofType('p2p-video')).toEqual([{ type: 'p2p-video', sessionId: 's1', receive: false }]);
    await controller.toggleAudioOnly();
    expect(signalling.ofType('p2p-video').at(-1)).toEqual({ type: 'p2p-video', sessionId: 's1', receive: true });
    // from another session or sender: ignored
    signalling.server({ type: 'p2p-video', sessionId: 'old', from: 'bob', receive: false });
    signalling.server({ type: 'p2p-video', sessionId: 's1', from: 'eve', receive: false });
    expect(s.peerWantsVideo).toBe(true);
    signalling.server({ type: 'p2p-video', sessionId: 's1', from: 'bob', receive: false });
    expect(s.peerWantsVideo).toBe(false);
    // a new session while we are audio only says so at once
    await controller.toggleAudioOnly();
    signalling.server({ type: 'p2p-stop', sessionId: 's1', reason: 'participants' });
    signalling.server(start(false, 's2'));
    expect(signalling.ofType('p2p-video').at(-1)).toEqual({ type: 'p2p-video', sessionId: 's2', receive: false });
  });

  it('a resumed socket in a P2P call keeps the direct connection and opens no bridge connection', async () => {
    const { signalling, peers, p2ps, bridge } = setup();
    signalling.server(start(true));
    await flush();
    p2ps[0]!.listener.onOutcome('connected');
    signalling.server({ type: 'p2p-active', sessionId: 's1' });
    expect(peers[0]!.closed).toBe(true);
    const connects = bridge.urls.length;
    signalling.server({ type: 'joined', participantId: 'me', moderator: false, participants: [], iceServers: [], resumeToken: 'r2' });
    signalling.server({ type: 'p2p-active', sessionId: 's1' });
    expect(peers).toHaveLength(1);
    expect(bridge.urls).toHaveLength(connects);
    expect(p2ps[0]!.closed).toBe(false);
  });

  it('the responder answers the offer; a failure is reported to the focus', async () => {
    const { signalling, p2ps } = setup();
    signalling.server(start(false));
    signalling.server({ type: 'p2p-offer', sessionId: 's1', from: 'bob', sdp: 'offer' });
    await flush();
    expect(signalling.ofType('p2p-offer')).toEqual([]);
    expect(signalling.ofType('p2p-answer')).toEqual([{ type: 'p2p-answer', sessionId: 's1', sdp: 'p2p-answer-sdp' }]);
    p2ps[0]!.listener.onOutcome('failed');
    expect(signalling.ofType('p2p-state')).toEqual([{ type: 'p2p-state', sessionId: 's1', state: 'failed' }]);
  });

  it('P2P tracks take the tiles once their media flows, the bridge goes at p2p-active and comes back without a gap', async () => {
    const { signalling, peers, p2ps, bridge, controller } = setup();
    await flush();
    const bridgeCam = new RemoteTrack('video');
    bridgeCam.muted = false;
    peers[0]!.listener.onRemoteTrack(asTrack(bridgeCam), 'bob-stream', 'bob-v0');
    expect(cameraTrackOf('bob')).toBe(asTrack(bridgeCam));

    signalling.server(start(true));
    await flush();
    const s = p2ps[0]!;
    const p2pCam = new RemoteTrack('video');
    s.listener.onRemoteTrack(asTrack(p2pCam), 'camera');
    expect(cameraTrackOf('bob')).toBe(asTrack(bridgeCam)); // no media yet: the bridge's stays
    p2pCam.flow();
    expect(cameraTrackOf('bob')).toBe(asTrack(p2pCam));
    s.listener.onOutcome('connected');
    expect(signalling.ofType('p2p-state')).toEqual([{ type: 'p2p-state', sessionId: 's1', state: 'connected' }]);

    signalling.server({ type: 'p2p-active', sessionId: 's1' });
    expect(peers[0]!.closed).toBe(true);
    expect(bridge.closed).toBe(true);
    // local media changes reach the P2P connection
    await controller.toggleCamera();
    expect(s.tracks.camera).toBeNull();

    // a third joins: p2p-stop, then the bridge offers a new endpoint
    signalling.server({ type: 'p2p-stop', sessionId: 's1', reason: 'participants' });
    signalling.server({ type: 'offer', sdp: 'v=0 bridge-2', bridgeChannelUrl: 'ws://bridge/2' });
    await flush();
    expect(peers).toHaveLength(2);
    expect(peers[1]!.offers).toEqual(['v=0 bridge-2']);
    expect(bridge.urls).toContain('ws://bridge/2');
    const newBridgeCam = new RemoteTrack('video');
    peers[1]!.listener.onRemoteTrack(asTrack(newBridgeCam), 'bob-stream', 'bob-v0');
    expect(cameraTrackOf('bob')).toBe(asTrack(p2pCam)); // P2P keeps the tile until the bridge's flows
    expect(s.closed).toBe(false);
    newBridgeCam.flow();
    expect(cameraTrackOf('bob')).toBe(asTrack(newBridgeCam));
    await new Promise((r) => setTimeout(r, 150));
    expect(s.closed).toBe(true);
  });

  it('leaving P2P: a slot the peer does not send (no screen share) is handed back at once, so the P2P connection closes as soon as the camera flows on the bridge', async () => {
    const { signalling, peers, p2ps } = setup();
    signalling.server(start(true));
    await flush();
    const s = p2ps[0]!;
    const p2pCam = new RemoteTrack('video');
    const p2pScreen = new RemoteTrack('video');
    s.listener.onRemoteTrack(asTrack(p2pCam), 'camera');
    s.listener.onRemoteTrack(asTrack(p2pScreen), 'screen');
    p2pCam.flow();
    // Chromium's unused screen slot can carry a stray packet: its track unmutes and takes the tile
    p2pScreen.flow();
    const screenTrackOf = (id: string) => useCallStore.getState().remoteStreams[id]?.screen?.getTracks()[0];
    expect(screenTrackOf('bob')).toBe(asTrack(p2pScreen));
    s.listener.onOutcome('connected');
    signalling.server({ type: 'p2p-active', sessionId: 's1' });

    signalling.server({ type: 'p2p-stop', sessionId: 's1', reason: 'participants' });
    signalling.server({ type: 'offer', sdp: 'v=0 bridge-2', bridgeChannelUrl: 'ws://bridge/2' });
    await flush();
    const bridgeCam = new RemoteTrack('video');
    const bridgeScreen = new RemoteTrack('video');
    peers[1]!.listener.onRemoteTrack(asTrack(bridgeCam), 'bob-stream', 'bob-v0');
    peers[1]!.listener.onRemoteTrack(asTrack(bridgeScreen), 'bob-stream', 'bob-v1');
    // Bob shares no screen: nothing will flow there, the bridge's track takes the tile now
    expect(screenTrackOf('bob')).toBe(asTrack(bridgeScreen));
    expect(cameraTrackOf('bob')).toBe(asTrack(p2pCam));
    bridgeCam.flow();
    expect(cameraTrackOf('bob')).toBe(asTrack(bridgeCam));
    await new Promise((r) => setTimeout(r, 150));
    expect(s.closed).toBe(true);
  });

  it('a peer that turned its camera off: its P2P camera tile is handed back at once, not after the handover maximum', async () => {
    const { signalling, peers, p2ps } = setup();
    signalling.server(start(true));
    await flush();
    const s = p2ps[0]!;
    const p2pCam = new RemoteTrack('video');
    s.listener.onRemoteTrack(asTrack(p2pCam), 'camera');
    p2pCam.flow();
    signalling.server({ type: 'media-state', participantId: 'bob', audio: true, video: false, screen: false });
    signalling.server({ type: 'p2p-stop', sessionId: 's1', reason: 'participants' });
    // the bridge connection is still up (no p2p-active yet): its camera track never flows
    const bridgeCam = new RemoteTrack('video');
    peers[0]!.listener.onRemoteTrack(asTrack(bridgeCam), 'bob-stream', 'bob-v0');
    expect(cameraTrackOf('bob')).toBe(asTrack(bridgeCam));
    await new Promise((r) => setTimeout(r, 150));
    expect(s.closed).toBe(true);
  });

  it('at the handover maximum the P2P connection closes and its tiles get the bridge tracks', async () => {
    vi.useFakeTimers();
    try {
      const { signalling, peers, p2ps } = setup();
      signalling.server(start(true));
      await vi.advanceTimersByTimeAsync(0);
      const s = p2ps[0]!;
      const p2pCam = new RemoteTrack('video');
      s.listener.onRemoteTrack(asTrack(p2pCam), 'camera');
      p2pCam.flow();
      signalling.server({ type: 'p2p-stop', sessionId: 's1', reason: 'participants' });
      const bridgeCam = new RemoteTrack('video'); // Bob sends, but nothing arrives (yet)
      peers[0]!.listener.onRemoteTrack(asTrack(bridgeCam), 'bob-stream', 'bob-v0');
      await vi.advanceTimersByTimeAsync(P2P_HANDOVER_MAX_MS - 500);
      expect(s.closed).toBe(false);
      expect(cameraTrackOf('bob')).toBe(asTrack(p2pCam));
      await vi.advanceTimersByTimeAsync(1000);
      expect(s.closed).toBe(true);
      // not the closed connection's track, which will never play again
      expect(cameraTrackOf('bob')).toBe(asTrack(bridgeCam));
    } finally {
      vi.useRealTimers();
    }
  });

  it('a new session with the same peer while the last one is left: closing the old one leaves the new one\'s tiles alone', async () => {
    const { signalling, p2ps } = setup();
    signalling.server(start(true, 's1'));
    await flush();
    const p2pCam1 = new RemoteTrack('video');
    p2ps[0]!.listener.onRemoteTrack(asTrack(p2pCam1), 'camera');
    p2pCam1.flow();
    signalling.server(start(true, 's2'));
    await flush();
    const p2pCam2 = new RemoteTrack('video');
    p2ps[1]!.listener.onRemoteTrack(asTrack(p2pCam2), 'camera');
    p2pCam2.flow();
    await new Promise((r) => setTimeout(r, 150));
    expect(p2ps[0]!.closed).toBe(true);
    expect(p2ps[1]!.closed).toBe(false);
    expect(cameraTrackOf('bob')).toBe(asTrack(p2pCam2));
  });

  it('a refused P2P frame (it crossed the session end) is not shown to the user', () => {
    const { signalling } = setup();
    signalling.server({ type: 'error', code: 'no-p2p-session', message: 'not in peer-to-peer session x' });
    expect(useCallStore.getState().notice).toBeNull();
    signalling.server({ type: 'error', code: 'invalid-sdp', message: 'bad' });
    expect(useCallStore.getState().notice).not.toBeNull();
  });
});
