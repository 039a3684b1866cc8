import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CallController, removalReason, type CallDeps } from './CallController';
import type { ServerMessage } from '../protocol';
import { FakeBridge, FakePeer, FakeSignalling } from '../test/callFakes';
import { useCallStore } from '../store/callStore';
import { FakeMediaStream, FakeTrack, asStream, asTrack } from '../test/fakes';
import type { DeviceChoice } from '../media/localMedia';
import { DEVICE_PREFS_KEY, loadDevicePrefs } from '../media/devicePrefs';
import { useQualityStore } from '../store/qualityStore';

const flush = () => new Promise((r) => setTimeout(r, 0));

function setup(opts: { audio?: boolean; video?: boolean; senderPauseDelayMs?: number } = {}) {
  let signalling!: FakeSignalling;
  const peers: FakePeer[] = [];
  const bridge = new FakeBridge();
  const mic = new FakeTrack('audio');
  const cam = new FakeTrack('video');
  const opened: FakeTrack[] = [];
  /** The device choice of every media.open call. */
  const choices: DeviceChoice[] = [];
  const screen = new FakeTrack('video');
  const deps: CallDeps = {
    signallingFactory: (o, l) => (signalling = new FakeSignalling(o, l)),
    peerFactory: (_ice, l) => {
      const p = new FakePeer(l);
      peers.push(p);
      return p;
    },
    bridgeFactory: (l) => {
      bridge.listener = l;
      return bridge;
    },
    media: {
      open: async (c, want) => {
        choices.push(c);
        const tracks: FakeTrack[] = [];
        if (want.audio) tracks.push(new FakeTrack('audio'));
        if (want.video) tracks.push(new FakeTrack('video'));
        opened.push(...tracks);
        return asStream(new FakeMediaStream(tracks));
      },
      openScreen: async () => asStream(new FakeMediaStream([screen])),
    },
    store: useCallStore,
    iceDisconnectGraceMs: 4000,
    ...(opts.senderPauseDelayMs === undefined ? {} : { senderPauseDelayMs: opts.senderPauseDelayMs }),
  };
  const controller = new CallController(
    {
      signallingUrl: 'ws://127.0.0.1:1/ws',
      token: 'jwt',
      displayName: 'Ada',
      devices: {},
      localStream: asStream(new FakeMediaStream([mic, cam])),
      audio: opts.audio ?? true,
      video: opts.video ?? true,
    },
    deps,
  );
  const ended: (string | null)[] = [];
  controller.onEnded = (r) => ended.push(r);
  controller.start();
  return { controller, signalling, peers, bridge, mic, cam, opened, choices, screen, ended };
}

const joined = (over: Partial<Extract<ServerMessage, { type: 'joined' }>> = {}): ServerMessage => ({
  type: 'joined',
  participantId: 'me',
  moderator: false,
  participants: [
    { participantId: 'me', displayName: 'Ada', moderator: false, audio: true, video: true, screen: false },
    { participantId: 'bob', displayName: 'Bob', moderator: false, audio: true, video: true, screen: false },
  ],
  iceServers: [{ urls: ['stun:127.0.0.1:3478'] }],
  resumeToken: 'r1',
  ...over,
});

beforeEach(() => {
  vi.stubGlobal('MediaStream', FakeMediaStream);
  useCallStore.getState().reset();
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe('CallController', () => {
  it('joins with the chosen mic/camera state and connects media on joined', async () => {
    const { signalling, peers, mic, cam, bridge } = setup({ audio: false, video: true });
    expect(signalling.connects).toBe(1);
    expect(signalling.options.initialMedia()).toEqual({ audio: false, video: true });
    expect(mic.enabled).toBe(false);
    signalling.server(joined({ bridgeChannelUrl: 'ws://bridge/colibri-ws/1' }));
    await flush();
    expect(peers).toHaveLength(1);
    expect(peers[0]?.tracks).toEqual({ mic: asTrack(mic), camera: asTrack(cam), screen: null });
    expect(signalling.ofType('media-state')).toEqual([{ type: 'media-state', audio: false, video: true, screen: false }]);
    expect(bridge.urls).toContain('ws://bridge/colibri-ws/1');
    expect(useCallStore.getState().order).toEqual(['bob']);
  });

  it('joining with the camera off releases the camera', () => {
    const { cam, signalling } = setup({ video: false });
    expect(cam.stopped).toBe(true);
    expect(signalling.options.initialMedia()).toEqual({ audio: true, video: false });
  });

  it('answers each offer and forwards the bridge channel URL', async () => {
    const { signalling, peers, bridge } = setup();
    signalling.server(joined());
    signalling.server({ type: 'offer', sdp: 'v=0 one', bridgeChannelUrl: 'ws://bridge/x' });
    await flush();
    expect(peers[0]?.offers).toEqual(['v=0 one']);
    expect(signalling.ofType('answer')).toEqual([{ type: 'answer', sdp: 'answer-to:v=0 one' }]);
    expect(bridge.urls).toContain('ws://bridge/x');
  });

  it('keeps the peer connection across a resumed join, replaces it for a new identity', async () => {
    const { signalling, peers } = setup();
    signalling.server(joined());
    signalling.server(joined());
    expect(peers).toHaveLength(1);
    signalling.server(joined({ participantId: 'me-2' }));
    expect(peers).toHaveLength(2);
    expect(peers[0]?.closed).toBe(true);
  });

  it('rejoins once as a new participant when Chromium cannot demux an offer, then reports', async () => {
    const { signalling, peers } = setup();
    signalling.server(joined());
    const demux = new Error(
      "Failed to execute 'setLocalDescription' on 'RTCPeerConnection': Failed to set local answer sdp: Failed to apply demuxer criteria for '3'",
    );
    peers[0]!.offerError = demux;
    signalling.server({ type: 'offer', sdp: 'v=0 two' });
    await flush();
    expect(signalling.rejoins).toBe(1);
    expect(signalling.ofType('answer')).toEqual([]);
    signalling.server(joined({ participantId: 'me-2' }));
    expect(peers).toHaveLength(2);
    expect(peers[0]?.closed).toBe(true);
    peers[1]!.offerError = demux;
    signalling.server({ type: 'offer', sdp: 'v=0 three' });
    await flush();
    expect(signalling.rejoins).toBe(1);
    expect(useCallStore.getState().notice).toMatch(/could not use the server's media offer/);
  });

  it('does not rejoin for other offer failures', async () => {
    const { signalling, peers } = setup();
    signalling.server(joined());
    peers[0]!.offerError = new Error('Failed to parse SessionDescription');
    signalling.server({ type: 'offer', sdp: 'v=0 bad' });
    await flush();
    expect(signalling.rejoins).toBe(0);
  });

  // Offers as the bridge describes its endpoint: ICE credentials per m-line, one DTLS fingerprint.
  const endpointOffer = (ufrag: string, fingerprint = 'sha-256 AA:BB', sources = 1) =>
    [
      'v=0',
      `a=fingerprint:${fingerprint}`,
      ...Array.from({ length: sources + 1 }, (_, i) => [
        'm=video 9 UDP/TLS/RTP/SAVPF 100',
        `a=ice-ufrag:${ufrag}`,
        `a=ice-pwd:${ufrag}-pwd`,
        `a=mid:${i}`,
      ]).flat(),
      '',
    ].join('\r\n');

  it('answers an offer for a new bridge endpoint (ICE restart) on a new peer connection with the local tracks', async () => {
    const { controller, signalling, peers, bridge, mic, cam, screen } = setup();
    signalling.server(joined());
    signalling.server({ type: 'offer', sdp: endpointOffer('u1'), bridgeChannelUrl: 'ws://bridge/e1' });
    await flush();
    await controller.toggleMic();
    await controller.toggleScreenShare();
    await flush();
    expect(mic.enabled).toBe(false);
    expect(peers[0]?.tracks.screen).toBe(asTrack(screen));

    peers[0]!.listener.onIceStateChange('failed');
    expect(signalling.ofType('ice-restart')).toHaveLength(1);
    signalling.server({ type: 'offer', sdp: endpointOffer('u2'), bridgeChannelUrl: 'ws://bridge/e1' });
    await flush();
    expect(peers).toHaveLength(2);
    expect(peers[1]?.offers).toEqual([endpointOffer('u2')]);
    expect(peers[1]?.tracks).toEqual({ mic: asTrack(mic), camera: asTrack(cam), screen: asTrack(screen) });
    expect(mic.enabled).toBe(false);
    expect(peers[0]?.closed).toBe(true);
    expect(peers[0]?.offers).toEqual([endpointOffer('u1')]);
    expect(signalling.ofType('answer').at(-1)).toEqual({ type: 'answer', sdp: `answer-to:${endpointOffer('u2')}` });
    expect(bridge.reconnects).toEqual(['ws://bridge/e1']);
    expect(useCallStore.getState().local).toMatchObject({ audio: false, screen: true });

    // the replaced connection is not heard any more; the new one reports as a new attempt
    peers[0]!.listener.onIceStateChange('failed');
    peers[0]!.listener.onLocalCandidate({ candidate: 'candidate:old' });
    expect(signalling.ofType('ice-restart')).toHaveLength(1);
    expect(signalling.ofType('ice-candidate')).toEqual([]);
    peers[1]!.listener.onIceStateChange('connected');
    expect(signalling.ofType('ice-state').at(-1)).toEqual({ type: 'ice-state', state: 'connected' });
  });

  it('answers a new DTLS fingerprint (another bridge) on a new peer connection', async () => {
    const { signalling, peers } = setup();
    signalling.server(joined());
    signalling.server({ type: 'offer', sdp: endpointOffer('u1') });
    signalling.server({ type: 'offer', sdp: endpointOffer('u1', 'sha-256 CC:DD') });
    await flush();
    expect(peers).toHaveLength(2);
    expect(peers[0]?.closed).toBe(true);
  });

  it('keeps the peer connection for ordinary re-offers (same endpoint, sources added or removed)', async () => {
    const { signalling, peers, bridge } = setup();
    signalling.server(joined());
    signalling.server({ type: 'offer', sdp: endpointOffer('u1'), bridgeChannelUrl: 'ws://bridge/e1' });
    signalling.server({ type: 'offer', sdp: endpointOffer('u1', 'sha-256 AA:BB', 2), bridgeChannelUrl: 'ws://bridge/e1' });
    signalling.server({ type: 'offer', sdp: endpointOffer('u1', 'sha-256 AA:BB', 0), bridgeChannelUrl: 'ws://bridge/e1' });
    await flush();
    expect(peers).toHaveLength(1);
    expect(peers[0]?.offers).toHaveLength(3);
    expect(peers[0]?.closed).toBe(false);
    expect(bridge.reconnects).toEqual([]);
  });

  it('asks for an ICE restart on failure, and after a grace period when disconnected', () => {
    vi.useFakeTimers();
    const { signalling, peers } = setup();
    signalling.server(joined());
    const peer = peers[0]!;
    peer.listener.onIceStateChange('failed');
    expect(signalling.ofType('ice-restart')).toHaveLength(1);
    peer.listener.onIceStateChange('disconnected');
    vi.advanceTimersByTime(3999);
    expect(signalling.ofType('ice-restart')).toHaveLength(1);
    peer.listener.onIceStateChange('connected');
    vi.advanceTimersByTime(10_000);
    expect(signalling.ofType('ice-restart')).toHaveLength(1);
    peer.listener.onIceStateChange('disconnected');
    vi.advanceTimersByTime(4000);
    expect(signalling.ofType('ice-restart')).toHaveLength(2);
  });

  it('reports ICE coming up once per connection, and failures before asking for a restart', () => {
    vi.useFakeTimers();
    const { signalling, peers } = setup();
    signalling.server(joined());
    const peer = peers[0]!;
    peer.listener.onIceStateChange('checking');
    expect(signalling.ofType('ice-state')).toEqual([]);
    peer.listener.onIceStateChange('connected');
    peer.listener.onIceStateChange('completed'); // the same connection
    expect(signalling.ofType('ice-state')).toEqual([{ type: 'ice-state', state: 'connected' }]);
    peer.listener.onIceStateChange('failed');
    expect(signalling.sent.slice(-2)).toEqual([{ type: 'ice-state', state: 'failed' }, { type: 'ice-restart' }]);
    peer.listener.onIceStateChange('checking');
    peer.listener.onIceStateChange('connected');
    expect(signalling.ofType('ice-state').map((m) => m.state)).toEqual(['connected', 'failed', 'connected']);
  });

  it('sends an ICE report made while the socket was down once the session is resumed', () => {
    const { signalling, peers } = setup();
    signalling.server(joined());
    signalling.connected = false; // the socket dropped; the client is reconnecting
    peers[0]!.listener.onIceStateChange('connected');
    expect(signalling.ofType('ice-state')).toEqual([]);
    signalling.server(joined()); // resumed: same participant id
    expect(peers).toHaveLength(1);
    expect(peers[0]!.closed).toBe(false);
    expect(signalling.ofType('ice-state')).toEqual([{ type: 'ice-state', state: 'connected' }]);
    expect(signalling.ofType('ice-restart')).toEqual([]);
  });

  it('asks for the ICE restart it could not ask for while the socket was down', () => {
    const { signalling, peers } = setup();
    signalling.server(joined());
    signalling.connected = false;
    peers[0]!.listener.onIceStateChange('failed');
    expect(signalling.ofType('ice-restart')).toEqual([]);
    signalling.server(joined());
    expect(signalling.ofType('ice-state')).toEqual([{ type: 'ice-state', state: 'failed' }]);
    expect(signalling.ofType('ice-restart')).toEqual([{ type: 'ice-restart' }]);
  });

  it('trickles local candidates, with an empty one at the end', () => {
    const { signalling, peers } = setup();
    signalling.server(joined());
    peers[0]!.listener.onLocalCandidate({ candidate: 'candidate:1 1 udp 1 127.0.0.1 5000 typ host', sdpMid: '0', sdpMLineIndex: 0 });
    peers[0]!.listener.onLocalCandidate({ candidate: '' });
    expect(signalling.ofType('ice-candidate')).toEqual([
      { type: 'ice-candidate', candidate: 'candidate:1 1 udp 1 127.0.0.1 5000 typ host', sdpMid: '0', sdpMLineIndex: 0 },
      { type: 'ice-candidate', candidate: '' },
    ]);
  });

  it('mutes and unmutes the microphone and tells the others', async () => {
    const { controller, signalling, mic } = setup();
    signalling.server(joined());
    await controller.toggleMic();
    expect(mic.enabled).toBe(false);
    expect(useCallStore.getState().local.audio).toBe(false);
    await controller.toggleMic();
    expect(mic.enabled).toBe(true);
    expect(signalling.ofType('media-state').map((m) => m.audio)).toEqual([true, false, true]);
  });

  it('camera off stops sending and releases the camera; camera on opens it again', async () => {
    const { controller, signalling, peers, cam, opened } = setup();
    signalling.server(joined());
    await flush();
    await controller.toggleCamera();
    expect(peers[0]?.tracks.camera).toBeNull();
    expect(cam.stopped).toBe(true);
    expect(signalling.ofType('media-state').at(-1)).toMatchObject({ video: false });
    await controller.toggleCamera();
    expect(opened).toHaveLength(1);
    expect(peers[0]?.tracks.camera).toBe(asTrack(opened[0]!));
    expect(signalling.ofType('media-state').at(-1)).toMatchObject({ video: true });
  });

  it('camera off reaches the others before the sender stops (replacing the track can take a while)', async () => {
    const { controller, signalling, peers, cam } = setup();
    signalling.server(joined());
    await flush();
    let release = (): void => {};
    peers[0]!.trackGate = new Promise<void>((r) => (release = r));
    const off = controller.toggleCamera();
    await flush();
    expect(signalling.ofType('media-state').at(-1)).toMatchObject({ video: false });
    expect(peers[0]?.tracks.camera).not.toBeNull();
    release();
    await off;
    expect(peers[0]?.tracks.camera).toBeNull();
    expect(cam.stopped).toBe(true);
  });

  it('audio-only mode stops video both ways (lastN 0) and restores it', async () => {
    const { controller, signalling, peers, bridge } = setup();
    signalling.server(joined());
    await flush();
    expect(bridge.lastN).toEqual([-1]);
    await controller.toggleAudioOnly();
    expect(bridge.lastN).toEqual([-1, 0]);
    expect(peers[0]?.tracks.camera).toBeNull();
    expect(signalling.ofType('media-state').at(-1)).toEqual({ type: 'media-state', audio: true, video: false, screen: false });
    expect(signalling.options.initialMedia()).toEqual({ audio: true, video: false });
    signalling.server({ type: 'offer', sdp: 'v=0 re' });
    expect(bridge.lastN).toEqual([-1, 0]); // the channel itself sends them again on every (re)connect
    await controller.toggleAudioOnly();
    expect(bridge.lastN).toEqual([-1, 0, -1]);
    expect(peers[0]?.tracks.camera).not.toBeNull();
    expect(signalling.ofType('media-state').at(-1)).toMatchObject({ video: true });
  });

  it('shares the screen on the offered slot and stops when the browser ends it', async () => {
    const { controller, signalling, peers, screen } = setup();
    signalling.server(joined());
    await controller.toggleScreenShare();
    expect(peers[0]?.tracks.screen).toBe(asTrack(screen));
    expect(useCallStore.getState().local.screen).toBe(true);
    expect(signalling.ofType('media-state').at(-1)).toMatchObject({ screen: true });
    screen.end();
    await flush();
    expect(peers[0]?.tracks.screen).toBeNull();
    expect(useCallStore.getState().local.screen).toBe(false);
    expect(signalling.ofType('media-state').at(-1)).toMatchObject({ screen: false });
  });

  it('explains when the server offered no screen-share slot', async () => {
    const { controller, signalling, peers } = setup();
    signalling.server(joined());
    peers[0]!.screenSlot = false;
    await controller.toggleScreenShare();
    expect(useCallStore.getState().local.screen).toBe(false);
    expect(useCallStore.getState().notice).toMatch(/screen sharing/);
  });

  it('routes remote tracks to their participant, also when the track comes first', async () => {
    const { signalling, peers } = setup();
    signalling.server(joined());
    const peer = peers[0]!;
    const bobCam = new FakeTrack('video');
    const carolCam = new FakeTrack('video');
    const carolScreen = new FakeTrack('video');
    const carolMic = new FakeTrack('audio');
    peer.listener.onRemoteTrack(asTrack(bobCam), 'bob', 'bob-v0');
    peer.listener.onRemoteTrack(asTrack(carolCam), 'carol', 'carol-v0');
    peer.listener.onRemoteTrack(asTrack(carolScreen), 'carol', 'carol-v1');
    peer.listener.onRemoteTrack(asTrack(carolMic), 'carol', 'carol-a0');
    expect(useCallStore.getState().remoteStreams.bob?.camera?.getTracks()).toEqual([bobCam]);
    expect(useCallStore.getState().remoteStreams.carol).toBeUndefined();
    signalling.server({
      type: 'participant-joined',
      participant: { participantId: 'carol', displayName: 'Carol', moderator: false, audio: true, video: true, screen: true },
    });
    const carol = useCallStore.getState().remoteStreams.carol;
    expect(carol?.camera?.getTracks()).toEqual([carolCam]);
    expect(carol?.screen?.getTracks()).toEqual([carolScreen]);
    expect(carol?.audio?.getTracks()).toEqual([carolMic]);
    carolScreen.end();
    expect(useCallStore.getState().remoteStreams.carol?.screen).toBeUndefined();
  });

  it('obeys a moderator mute', () => {
    const { signalling, mic } = setup();
    signalling.server(joined());
    signalling.server({ type: 'muted', by: 'mod' });
    expect(mic.enabled).toBe(false);
    expect(signalling.ofType('media-state').at(-1)).toMatchObject({ audio: false });
  });

  it('a force-mute keeps the microphone and camera off until a moderator allows them', async () => {
    const { controller, signalling, peers, mic, cam } = setup();
    signalling.server(joined());
    await flush();
    signalling.server({ type: 'force-muted', participantId: 'me', audio: true, video: true, by: 'mod' });
    await flush();
    expect(mic.enabled).toBe(false);
    expect(cam.stopped).toBe(true);
    expect(peers[0]?.tracks.camera).toBeNull();
    expect(signalling.ofType('media-state').at(-1)).toMatchObject({ audio: false, video: false });
    const sent = signalling.ofType('media-state').length;
    await controller.toggleMic();
    await controller.toggleCamera();
    expect(mic.enabled).toBe(false);
    expect(signalling.ofType('media-state')).toHaveLength(sent);
    expect(useCallStore.getState().notice).toMatch(/moderator/);

    signalling.server({ type: 'force-muted', participantId: 'me', audio: false, video: true, by: 'mod' });
    await controller.toggleMic();
    expect(mic.enabled).toBe(true);
    expect(signalling.ofType('media-state').at(-1)).toMatchObject({ audio: true });
  });

  it('raises and lowers our hand and ends the meeting for all', () => {
    const { controller, signalling, ended } = setup();
    signalling.server(joined({ moderator: true }));
    controller.toggleHand();
    signalling.server({ type: 'hand-raised', participantId: 'me', raised: true, raisedAt: 5 });
    controller.toggleHand();
    controller.moderate('mute', 'bob', 'video');
    controller.endMeeting();
    expect(
      signalling.sent.filter((m) => m.type === 'raise-hand' || m.type === 'moderate' || m.type === 'end-meeting'),
    ).toEqual([
      { type: 'raise-hand', raised: true },
      { type: 'raise-hand', raised: false },
      { type: 'moderate', action: 'mute', participantId: 'bob', media: 'video' },
      { type: 'end-meeting' },
    ]);
    signalling.server({ type: 'participant-left', participantId: 'me', reason: 'meeting-ended' });
    expect(ended).toEqual(['A moderator ended the meeting for everyone.']);
  });

  it('sends moderator actions and chat, and says so when offline', () => {
    const { controller, signalling } = setup();
    expect(controller.sendChat('hello?')).toBe(false);
    expect(useCallStore.getState().notice).toMatch(/Not connected/);
    signalling.server(joined({ moderator: true }));
    expect(controller.sendChat('  hi  ')).toBe(true);
    expect(controller.sendChat('   ')).toBe(false);
    controller.moderate('kick', 'bob');
    expect(signalling.sent.filter((m) => m.type === 'chat' || m.type === 'moderate')).toEqual([
      { type: 'chat', text: 'hi' },
      { type: 'moderate', action: 'kick', participantId: 'bob' },
    ]);
    expect(useCallStore.getState().chat.map((c) => c.text)).toEqual(['hi']);
  });

  it('ends the call when a moderator removes us, releasing every device', () => {
    const { signalling, peers, bridge, mic, ended } = setup();
    signalling.server(joined());
    signalling.server({ type: 'participant-left', participantId: 'me', reason: 'kicked' });
    expect(ended).toEqual(['A moderator removed you from the meeting.']);
    expect(signalling.left).toBe(true);
    expect(peers[0]?.closed).toBe(true);
    expect(bridge.closed).toBe(true);
    expect(mic.stopped).toBe(true);
  });

  it('explains each way the server can take us out', () => {
    expect(removalReason('kicked')).toMatch(/moderator removed you/);
    expect(removalReason('room-closed')).toMatch(/closed/);
    expect(removalReason('timeout')).toMatch(/lost contact/);
    expect(removalReason(undefined)).toBe('You left the meeting.');
  });

  it('shows a fatal failure as a sentence', () => {
    const { signalling } = setup();
    signalling.listener.onStateChange('failed', { code: 'room-full', message: 'raw' });
    expect(useCallStore.getState().failure).toEqual({ code: 'room-full', message: 'This meeting is full. Try again later.' });
  });
});

describe('CallController and the bridge channel', () => {
  const carol = { participantId: 'carol', displayName: 'Carol', moderator: false, audio: true, video: true, screen: false };
  const rendered = (key: string, participantId: string, kind: 'camera' | 'screen', maxHeight: number | null, self = false) =>
    useCallStore.getState().setRenderedTile(key, { participantId, kind, self, maxHeight });

  it('asks for no video until tiles are on screen, then for each rendered remote tile by its level', () => {
    const { signalling, bridge } = setup();
    expect(bridge.last).toEqual({
      lastN: -1,
      onStageSources: [],
      selectedSources: [],
      defaultConstraints: { maxHeight: 0 },
      constraints: {},
    });
    signalling.server(joined({ participants: [...(joined() as Extract<ServerMessage, { type: 'joined' }>).participants, carol] }));
    rendered('me:camera', 'me', 'camera', 720, true);
    rendered('bob:camera', 'bob', 'camera', 360);
    rendered('carol:camera', 'carol', 'camera', null);
    expect(bridge.last?.constraints).toEqual({ 'bob-v0': { maxHeight: 360 }, 'carol-v0': { maxHeight: 180 } });
    // carol's tile moved to another grid page: she is not asked for any more
    useCallStore.getState().setRenderedTile('carol:camera', null);
    expect(bridge.last?.constraints).toEqual({ 'bob-v0': { maxHeight: 360 } });
    // a tile with no height asks for nothing
    rendered('bob:camera', 'bob', 'camera', 0);
    expect(bridge.last?.constraints).toEqual({});
  });

  it('names sources as the offer’s msid does', () => {
    const { signalling, peers, bridge } = setup();
    signalling.server(joined());
    peers[0]!.listener.onRemoteTrack(asTrack(new FakeTrack('video')), 'bob', 'bob-camera-7');
    peers[0]!.listener.onRemoteTrack(asTrack(new FakeTrack('audio')), 'bob', 'bob-a0');
    expect(useCallStore.getState().sourceNames).toEqual({ 'bob-camera-7': { participantId: 'bob', kind: 'camera' } });
    rendered('bob:camera', 'bob', 'camera', 720);
    expect(bridge.last?.constraints).toEqual({ 'bob-camera-7': { maxHeight: 720 } });
  });

  it('puts the stage tile in onStageSources in the speaker layout only', () => {
    const { signalling, bridge } = setup();
    signalling.server(joined({ participants: [...(joined() as Extract<ServerMessage, { type: 'joined' }>).participants, carol] }));
    rendered('bob:camera', 'bob', 'camera', 180);
    rendered('carol:camera', 'carol', 'camera', 180);
    expect(bridge.last?.onStageSources).toEqual([]);
    useCallStore.getState().toggleLayout();
    expect(bridge.last?.onStageSources).toEqual(['bob-v0']);
    bridge.listener.onDominantSpeaker?.('carol', false);
    expect(bridge.last?.onStageSources).toEqual(['carol-v0']);
    expect(useCallStore.getState().dominantSpeakerId).toBe('carol');
    // silence: nobody is highlighted, the stage keeps carol
    bridge.listener.onDominantSpeaker?.('carol', true);
    expect(useCallStore.getState().dominantSpeakerId).toBeNull();
    expect(bridge.last?.onStageSources).toEqual(['carol-v0']);
    useCallStore.getState().togglePin('bob:camera');
    expect(bridge.last?.onStageSources).toEqual(['bob-v0']);
    useCallStore.getState().toggleLayout();
    expect(bridge.last?.onStageSources).toEqual([]);
  });

  it('hands over only changes', () => {
    const { signalling, bridge } = setup();
    signalling.server(joined());
    const before = bridge.constraints.length;
    useCallStore.getState().addOwnChat('hello');
    useCallStore.getState().toggleChat();
    expect(bridge.constraints).toHaveLength(before);
  });

  it('keeps what the bridge forwards, and forgets it for a new bridge endpoint', async () => {
    const { signalling, bridge } = setup();
    signalling.server(joined({ bridgeChannelUrl: 'ws://bridge/e1' }));
    expect(useCallStore.getState().forwardedSources).toBeNull();
    bridge.listener.onForwardedSources?.(['bob-v0']);
    expect(useCallStore.getState().forwardedSources).toEqual(['bob-v0']);
    signalling.server({ type: 'offer', sdp: 'v=0 same', bridgeChannelUrl: 'ws://bridge/e1' });
    expect(useCallStore.getState().forwardedSources).toEqual(['bob-v0']);
    signalling.server({ type: 'offer', sdp: 'v=0 moved', bridgeChannelUrl: 'ws://bridge/e2' });
    expect(useCallStore.getState().forwardedSources).toBeNull();
    expect(bridge.urls.at(-1)).toBe('ws://bridge/e2');
  });

  it('applies SenderSourceConstraints for our camera and screen, and again on a new peer connection', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { signalling, peers, bridge } = setup();
    signalling.server(joined());
    bridge.listener.onSenderConstraints?.('me-v0', 0);
    bridge.listener.onSenderConstraints?.('me-v0', 360);
    bridge.listener.onSenderConstraints?.('me-v1', 720);
    bridge.listener.onSenderConstraints?.('bob-v0', 180);
    bridge.listener.onSenderConstraints?.('bob-v1', 180);
    expect(peers[0]?.sendLimits).toEqual(['camera:0', 'camera:360', 'screen:720']);
    expect(warn).toHaveBeenCalledTimes(1);
    expect((globalThis as { __openmeet?: Record<string, unknown> }).__openmeet?.senderConstraints).toEqual({ camera: 360, screen: 720 });
    // ICE restart: a new RTCPeerConnection starts with what the bridge said last
    peers[0]!.listener.onIceStateChange('failed');
    signalling.server({ type: 'offer', sdp: 'v=0\r\na=ice-ufrag:u1\r\n' });
    signalling.server({ type: 'offer', sdp: 'v=0\r\na=ice-ufrag:u2\r\n' });
    await flush();
    expect(peers).toHaveLength(2);
    expect(peers[1]?.sendLimits).toEqual(['camera:360', 'screen:720']);
    // a new identity (resume refused) is a new endpoint: nothing carried over
    signalling.server(joined({ participantId: 'me-2' }));
    expect(peers[2]?.sendLimits).toEqual([]);
  });

  it('stops the encoder only once a SenderSourceConstraints 0 has held for senderPauseDelayMs', () => {
    vi.useFakeTimers();
    const { controller, signalling, peers, bridge } = setup({ senderPauseDelayMs: 2000 });
    signalling.server(joined());
    // a new endpoint's 0 (no receiver connected yet), then the receivers' 360 within the delay: never paused
    bridge.listener.onSenderConstraints?.('me-v0', 0);
    vi.advanceTimersByTime(1999);
    expect(peers[0]?.sendLimits).toEqual([]);
    bridge.listener.onSenderConstraints?.('me-v0', 360);
    vi.advanceTimersByTime(5000);
    expect(peers[0]?.sendLimits).toEqual(['camera:360']);
    // a 0 that holds stops it after the delay, each slot on its own
    bridge.listener.onSenderConstraints?.('me-v0', 0);
    vi.advanceTimersByTime(1000);
    bridge.listener.onSenderConstraints?.('me-v1', 0);
    expect(peers[0]?.sendLimits).toEqual(['camera:360']);
    vi.advanceTimersByTime(1000);
    expect(peers[0]?.sendLimits).toEqual(['camera:360', 'camera:0']);
    expect((globalThis as { __openmeet?: Record<string, unknown> }).__openmeet?.senderConstraints).toEqual({ camera: 0, screen: null });
    vi.advanceTimersByTime(1000);
    expect(peers[0]?.sendLimits).toEqual(['camera:360', 'camera:0', 'screen:0']);
    // resuming is at once, and a pause waiting when the call ends never reaches the encoder
    bridge.listener.onSenderConstraints?.('me-v0', 180);
    expect(peers[0]?.sendLimits).toEqual(['camera:360', 'camera:0', 'screen:0', 'camera:180']);
    bridge.listener.onSenderConstraints?.('me-v0', 0);
    controller.leave();
    vi.advanceTimersByTime(5000);
    expect(peers[0]?.sendLimits).toEqual(['camera:360', 'camera:0', 'screen:0', 'camera:180']);
  });

  it('stops handing over constraints once the call is over', () => {
    const { controller, signalling, bridge } = setup();
    signalling.server(joined());
    controller.leave();
    const before = bridge.constraints.length;
    rendered('bob:camera', 'bob', 'camera', 720);
    expect(bridge.constraints).toHaveLength(before);
    expect(bridge.closed).toBe(true);
  });
});

describe('CallController without devices', () => {
  it('announces mic and camera as off when the browser gave no tracks', () => {
    vi.stubGlobal('MediaStream', FakeMediaStream);
    let signalling!: FakeSignalling;
    new CallController(
      { signallingUrl: 'ws://x', token: 't', displayName: 'A', devices: {}, localStream: null, audio: true, video: true },
      {
        signallingFactory: (o, l) => (signalling = new FakeSignalling(o, l)),
        peerFactory: (_i, l) => new FakePeer(l),
        bridgeFactory: () => new FakeBridge(),
        media: { open: async () => asStream(new FakeMediaStream()), openScreen: async () => asStream(new FakeMediaStream()) },
        store: useCallStore,
        iceDisconnectGraceMs: 1000,
      },
    );
    expect(signalling.options.initialMedia()).toEqual({ audio: false, video: false });
    expect(useCallStore.getState().local).toMatchObject({ audio: false, video: false });
  });
});

describe('CallController device switching', () => {
  beforeEach(() => localStorage.removeItem(DEVICE_PREFS_KEY));

  it('switches the microphone on the same sender, keeps it muted, stops the old one and remembers the choice', async () => {
    const { controller, signalling, peers, mic, opened, choices } = setup({ audio: false });
    signalling.server(joined());
    await flush();
    expect(await controller.switchMicrophone('mic-2', 'Fake Audio Input 2')).toBe(true);
    const fresh = opened[opened.length - 1]!;
    expect(choices[choices.length - 1]).toEqual({ audioDeviceId: 'mic-2' });
    expect(peers).toHaveLength(1); // no new connection, no renegotiation
    expect(peers[0]?.tracks.mic).toBe(asTrack(fresh));
    expect(fresh.enabled).toBe(false); // still muted
    expect(mic.stopped).toBe(true);
    expect(useCallStore.getState().localStream?.getAudioTracks()).toEqual([asTrack(fresh)]);
    expect(loadDevicePrefs().microphone).toEqual({ deviceId: 'mic-2', label: 'Fake Audio Input 2' });
    expect(controller.currentDevices().audioDeviceId).toBe('mic-2');
    // unmuting later opens nothing new and enables the switched track
    await controller.toggleMic();
    expect(fresh.enabled).toBe(true);
  });

  it('switches the camera with replaceTrack; with the camera off it only remembers the choice for later', async () => {
    const { controller, signalling, peers, cam, opened, choices } = setup();
    signalling.server(joined());
    await flush();
    expect(await controller.switchCamera('cam-2', 'fake_device_1')).toBe(true);
    const fresh = opened[opened.length - 1]!;
    expect(choices[choices.length - 1]).toEqual({ videoDeviceId: 'cam-2' });
    expect(peers[0]?.tracks.camera).toBe(asTrack(fresh));
    expect(cam.stopped).toBe(true);
    await controller.toggleCamera(); // off
    const before = opened.length;
    expect(await controller.switchCamera('cam-1', 'fake_device_0')).toBe(true);
    expect(opened.length).toBe(before);
    expect(peers[0]?.tracks.camera).toBeNull();
    await controller.toggleCamera(); // on: the chosen camera
    expect(choices[choices.length - 1]).toMatchObject({ videoDeviceId: 'cam-1' });
    expect(loadDevicePrefs().camera).toEqual({ deviceId: 'cam-1', label: 'fake_device_0' });
  });

  it('hands the bridge downlink estimate (ConnectionStats, bit/s) to the quality store in kbit/s', () => {
    const { bridge } = setup();
    bridge.listener.onConnectionStats?.(1_687_857);
    expect(useQualityStore.getState().downlinkEstimateKbps).toBeCloseTo(1687.857);
  });
});

