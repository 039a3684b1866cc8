import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PeerSession, type LocalCandidate } from './PeerSession';
import { parseMediaSections } from './sdp';
import { FakeTrack, asTrack } from '../test/fakes';

/** Just enough RTCPeerConnection to see what PeerSession does with transceivers. */
class FakePeerConnection {
  static last: FakePeerConnection;
  transceivers: FakeTransceiver[] = [];
  localDescription: { type: string; sdp: string } | null = null;
  candidates: unknown[] = [];
  closed = false;
  iceConnectionState = 'new';
  onicecandidate: ((ev: { candidate: unknown }) => void) | null = null;
  ontrack: ((ev: unknown) => void) | null = null;
  oniceconnectionstatechange: (() => void) | null = null;
  log: string[] = [];

  constructor(readonly config: RTCConfiguration) {
    FakePeerConnection.last = this;
  }

  async setRemoteDescription(d: { type: string; sdp: string }) {
    await Promise.resolve();
    this.log.push(`remote:${d.sdp.split('\n')[0]}`);
    for (const m of parseMediaSections(d.sdp)) {
      if (m.mid !== null && !this.transceivers.some((t) => t.mid === m.mid)) this.transceivers.push(new FakeTransceiver(m.mid, m.kind));
    }
  }

  getTransceivers() {
    return this.transceivers;
  }

  async createAnswer() {
    const lines = this.transceivers.map((t) => `${t.mid}:${t.direction}:${(t.sender.track as FakeTrack | null)?.kind ?? '-'}`);
    return { type: 'answer', sdp: lines.join(',') };
  }

  signalingState = 'stable';

  async setLocalDescription(d: { type: string; sdp: string }) {
    this.localDescription = d;
    this.log.push(`local:${d.sdp}`);
    // As Chromium: a sending transceiver has its one encoding once negotiated.
    for (const t of this.transceivers) {
      if (t.direction !== 'recvonly' && t.sender.params.encodings.length === 0) t.sender.params.encodings.push({ active: true });
    }
  }

  async addIceCandidate(c: unknown) {
    this.candidates.push(c);
  }

  close() {
    this.closed = true;
  }
}

type Encoding = { active?: boolean; scaleResolutionDownBy?: number; maxBitrate?: number };

class FakeTransceiver {
  direction = 'recvonly';
  sender = {
    track: null as unknown,
    replaceTrack: async (t: unknown) => {
      this.sender.track = t;
    },
    params: { encodings: [] as Encoding[] },
    /** The first encoding of every setParameters call. */
    applied: [] as Encoding[],
    failNext: null as Error | null,
    getParameters: () => structuredClone(this.sender.params),
    setParameters: async (p: { encodings: Encoding[] }) => {
      await Promise.resolve();
      if (this.sender.failNext) {
        const e = this.sender.failNext;
        this.sender.failNext = null;
        throw e;
      }
      this.sender.params = structuredClone(p);
      this.sender.applied.push({ ...p.encodings[0] });
    },
  };
  receiver: { track: { kind: string } };
  constructor(
    readonly mid: string,
    kind: string,
  ) {
    this.receiver = { track: { kind } };
  }
}

const offer = (label: string, withScreen = true) =>
  [
    `v=0 ${label}`,
    'm=audio 9 UDP/TLS/RTP/SAVPF 111',
    'a=mid:0',
    'a=recvonly',
    'm=video 9 UDP/TLS/RTP/SAVPF 100',
    'a=mid:1',
    'a=recvonly',
    ...(withScreen ? ['m=video 9 UDP/TLS/RTP/SAVPF 100', 'a=mid:2', 'a=recvonly'] : []),
    'm=audio 9 UDP/TLS/RTP/SAVPF 111',
    'a=mid:3',
    'a=sendonly',
    'a=msid:bob bob-a0',
    'm=video 9 UDP/TLS/RTP/SAVPF 100',
    'a=mid:4',
    'a=sendonly',
    'a=msid:bob bob-v1',
    '',
  ].join('\n');

function listener() {
  return {
    candidates: [] as LocalCandidate[],
    tracks: [] as string[],
    ice: [] as string[],
    onLocalCandidate(c: LocalCandidate) {
      this.candidates.push(c);
    },
    onRemoteTrack(track: MediaStreamTrack, streamId: string, trackId: string) {
      this.tracks.push(`${track.kind}:${streamId}:${trackId}`);
    },
    onIceStateChange(s: RTCIceConnectionState) {
      this.ice.push(s);
    },
  };
}

beforeEach(() => vi.stubGlobal('RTCPeerConnection', FakePeerConnection));
afterEach(() => vi.unstubAllGlobals());

describe('PeerSession (answerer)', () => {
  it('sends mic and camera on the offer’s receive m-lines and leaves the others receive-only', async () => {
    const session = new PeerSession([{ urls: ['stun:127.0.0.1'] }], listener());
    expect(FakePeerConnection.last.config).toMatchObject({ bundlePolicy: 'max-bundle', iceServers: [{ urls: ['stun:127.0.0.1'] }] });
    await session.setTrack('mic', asTrack(new FakeTrack('audio')));
    await session.setTrack('camera', asTrack(new FakeTrack('video')));
    const answer = await session.applyOffer(offer('1'));
    expect(answer).toBe('0:sendonly:audio,1:sendonly:video,2:sendonly:-,3:recvonly:-,4:recvonly:-');
    expect(session.hasScreenSlot()).toBe(true);
    expect(await session.setTrack('screen', asTrack(new FakeTrack('video')))).toBe(true);
    expect((FakePeerConnection.last.transceivers[2]?.sender.track as FakeTrack).kind).toBe('video');
  });

  it('knows when there is no screen-share slot', async () => {
    const session = new PeerSession([], listener());
    await session.applyOffer(offer('1', false));
    expect(session.hasScreenSlot()).toBe(false);
    expect(await session.setTrack('screen', asTrack(new FakeTrack('video')))).toBe(false);
  });

  it('applies offers one at a time, in order', async () => {
    const session = new PeerSession([], listener());
    const a = session.applyOffer(offer('first'));
    const b = session.applyOffer(offer('second'));
    await Promise.all([a, b]);
    const steps = FakePeerConnection.last.log.map((l) => (l.startsWith('remote:') ? l : 'local'));
    expect(steps).toEqual(['remote:v=0 first', 'local', 'remote:v=0 second', 'local']);
  });

  it('names remote tracks by the offer’s msid and trickles candidates', async () => {
    const l = listener();
    const session = new PeerSession([], l);
    await session.applyOffer(offer('1'));
    const pc = FakePeerConnection.last;
    pc.ontrack?.({ track: asTrack(new FakeTrack('video')), streams: [], transceiver: { mid: '4' } });
    pc.ontrack?.({ track: asTrack(new FakeTrack('audio')), streams: [{ id: 'browser-stream' }], transceiver: { mid: '9' } });
    expect(l.tracks).toEqual(['video:bob:bob-v1', expect.stringMatching(/^audio:browser-stream:track-/)]);
    pc.onicecandidate?.({ candidate: { candidate: 'candidate:1', sdpMid: '0', sdpMLineIndex: 0 } });
    pc.onicecandidate?.({ candidate: null });
    expect(l.candidates).toEqual([{ candidate: 'candidate:1', sdpMid: '0', sdpMLineIndex: 0 }, { candidate: '' }]);
    await session.addRemoteCandidate({ candidate: '' });
    await session.addRemoteCandidate({ candidate: 'candidate:2', sdpMid: '0' });
    expect(pc.candidates).toEqual([null, { candidate: 'candidate:2', sdpMid: '0' }]);
    session.close();
    expect(pc.closed).toBe(true);
  });

  describe('sender constraints', () => {
    const camera = () => FakePeerConnection.last.transceivers[1]!.sender;
    const screen = () => FakePeerConnection.last.transceivers[2]!.sender;

    it('scales the camera to the height the bridge asks for, once the encoding exists', async () => {
      const session = new PeerSession([], listener());
      await session.setTrack('camera', asTrack(new FakeTrack('video', { width: 1280, height: 720 })));
      await session.setSendLimit('camera', 360);
      await session.applyOffer(offer('1'));
      await session.setSendLimit('camera', 360); // waits for the queued apply
      expect(camera().applied).toEqual([{ active: true, scaleResolutionDownBy: 2, maxBitrate: 1_000_000 }]);
      expect(camera().params.encodings[0]).toEqual({ active: true, scaleResolutionDownBy: 2, maxBitrate: 1_000_000 });
    });

    it('pauses the encoding when nobody wants it and resumes at the wanted size', async () => {
      const session = new PeerSession([], listener());
      await session.setTrack('camera', asTrack(new FakeTrack('video', { width: 1280, height: 720 })));
      await session.applyOffer(offer('1'));
      await session.setSendLimit('camera', 0);
      expect(camera().params.encodings[0]?.active).toBe(false);
      await session.setSendLimit('camera', 0);
      await session.setSendLimit('camera', 180);
      await session.setSendLimit('camera', 720);
      expect(camera().applied).toEqual([
        { active: false },
        { active: true, scaleResolutionDownBy: 4, maxBitrate: 300_000 },
        { active: true, scaleResolutionDownBy: 1, maxBitrate: 2_500_000 },
      ]);
      expect((globalThis as { __openmeet?: Record<string, unknown> }).__openmeet?.senderEncodings).toMatchObject({
        camera: { active: true, scaleResolutionDownBy: 1, maxBitrate: 2_500_000, maxHeight: 720 },
      });
    });

    it('applies the limit again to a new track of another size, and to the screen on its own', async () => {
      const session = new PeerSession([], listener());
      await session.applyOffer(offer('1'));
      await session.setSendLimit('camera', 360);
      await session.setSendLimit('screen', 720);
      expect(camera().applied).toEqual([]); // no track yet: nothing to scale
      await session.setTrack('camera', asTrack(new FakeTrack('video', { width: 640, height: 360 })));
      expect(camera().applied).toEqual([{ active: true, scaleResolutionDownBy: 1, maxBitrate: 1_000_000 }]);
      await session.setTrack('screen', asTrack(new FakeTrack('video', { width: 1920, height: 1080 })));
      expect(screen().applied).toEqual([{ active: true, scaleResolutionDownBy: 1.5, maxBitrate: 2_500_000 }]);
      await session.setTrack('camera', asTrack(new FakeTrack('video', { width: 1280, height: 720 })));
      expect(camera().applied.at(-1)).toEqual({ active: true, scaleResolutionDownBy: 2, maxBitrate: 1_000_000 });
    });

    it('leaves the encoding alone until the bridge says something, and survives a refused setParameters', async () => {
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      const session = new PeerSession([], listener());
      await session.setTrack('camera', asTrack(new FakeTrack('video', { width: 1280, height: 720 })));
      await session.applyOffer(offer('1'));
      await session.setSendLimit('camera', null);
      expect(camera().applied).toEqual([]);
      camera().failNext = new Error('InvalidModificationError');
      await expect(session.setSendLimit('camera', 180)).resolves.toBeUndefined();
      expect(warn).toHaveBeenCalledTimes(1);
      await session.setSendLimit('camera', 180);
      expect(camera().applied).toEqual([{ active: true, scaleResolutionDownBy: 4, maxBitrate: 300_000 }]);
    });
  });
});
