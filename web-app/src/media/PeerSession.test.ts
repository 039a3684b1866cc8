import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PeerSession, cameraSimulcastLayers, type LocalCandidate } from './PeerSession';
import { parseMediaSections } from './sdp';
import { FakeTrack, asTrack } from '../test/fakes';

/** Just enough RTCPeerConnection to see what PeerSession does with transceivers. */
class FakePeerConnection {
  static last: FakePeerConnection;
  /** Answer with real m-lines (a sending video transceiver gets an SSRC and its RTX), as Chromium does. */
  static sdpAnswers = false;
  /** Refuse a local description with a SIM group, as a browser without SDP simulcast would. */
  static refuseSimulcast = false;
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
    if (FakePeerConnection.sdpAnswers) {
      const sections = this.transceivers.map((t, i) => {
        const m = [`m=${t.receiver.track.kind} 9 UDP/TLS/RTP/SAVPF 100`, `a=mid:${t.mid}`, `a=${t.direction}`];
        if (t.direction !== 'recvonly' && t.receiver.track.kind === 'video') {
          m.push(`a=ssrc-group:FID ${1000 + i} ${2000 + i}`, `a=ssrc:${1000 + i} cname:x`, `a=ssrc:${2000 + i} cname:x`);
        }
        return m.join('\r\n');
      });
      return { type: 'answer', sdp: `v=0\r\n${sections.join('\r\n')}\r\n` };
    }
    const lines = this.transceivers.map((t) => `${t.mid}:${t.direction}:${(t.sender.track as FakeTrack | null)?.kind ?? '-'}`);
    return { type: 'answer', sdp: lines.join(',') };
  }

  signalingState = 'stable';

  async setLocalDescription(d: { type: string; sdp: string }) {
    if (FakePeerConnection.refuseSimulcast && d.sdp.includes('SIM')) throw new Error('InvalidAccessError');
    this.localDescription = d;
    this.log.push(`local:${d.sdp}`);
    // As Chromium: a sending transceiver has its encodings once negotiated, one per SIM SSRC.
    for (const t of this.transceivers) {
      const section = d.sdp.split('m=').find((m) => m.includes(`a=mid:${t.mid}\r\n`)) ?? '';
      const sim = /a=ssrc-group:SIM ([\d ]+)/.exec(section);
      const count = sim ? sim[1]!.trim().split(' ').length : 1;
      if (t.direction !== 'recvonly' && t.sender.params.encodings.length === 0) {
        for (let i = 0; i < count; i++) t.sender.params.encodings.push({ active: true });
      }
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
    /** Every encoding of every setParameters call. */
    appliedAll: [] as Encoding[][],
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
      this.sender.appliedAll.push(p.encodings.map((e) => ({ ...e })));
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
afterEach(() => {
  vi.unstubAllGlobals();
  FakePeerConnection.sdpAnswers = false;
  FakePeerConnection.refuseSimulcast = false;
});

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

    it('switches every encoding off when the track is taken away (camera off, audio only) and back on with one', async () => {
      const session = new PeerSession([], listener());
      const track = asTrack(new FakeTrack('video', { width: 1280, height: 720 }));
      await session.setTrack('camera', track);
      await session.applyOffer(offer('1'));
      expect(camera().applied).toEqual([]); // no word from the bridge: the browser's own choice
      await session.setTrack('camera', null);
      expect(camera().params.encodings).toEqual([{ active: false }]);
      expect(camera().track).toBeNull();
      await session.setTrack('camera', null); // already off: no call
      await session.applyOffer(offer('1')); // a new offer keeps it off
      await session.setSendLimit('camera', 720); // and the bridge's word alone does not switch it on
      await session.setSendLimit('camera', null);
      expect(camera().applied).toEqual([{ active: false }]);
      await session.setTrack('camera', track);
      expect(camera().applied).toEqual([{ active: false }, { active: true }]);
      // with a limit from the bridge, the track comes back at that size; at 0 it stays off
      await session.setTrack('camera', null);
      await session.setSendLimit('camera', 360);
      await session.setTrack('camera', track);
      expect(camera().applied.at(-1)).toEqual({ active: true, scaleResolutionDownBy: 2, maxBitrate: 1_000_000 });
      await session.setSendLimit('camera', 0);
      await session.setTrack('camera', null);
      const calls = camera().applied.length;
      await session.setTrack('camera', track);
      expect(camera().applied.length).toBe(calls);
      expect(camera().params.encodings[0]?.active).toBe(false);
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

  describe('camera simulcast', () => {
    const camera = () => FakePeerConnection.last.transceivers[1]!.sender;
    const screen = () => FakePeerConnection.last.transceivers[2]!.sender;
    const local = () => FakePeerConnection.last.localDescription?.sdp ?? '';
    const pick = (e: Encoding) => [e.active, e.scaleResolutionDownBy, e.maxBitrate];

    beforeEach(() => {
      FakePeerConnection.sdpAnswers = true;
    });

    it('answers with three camera layers in a SIM group and the screen share with one SSRC', async () => {
      const session = new PeerSession([], listener(), { simulcastLayers: 3 });
      await session.setTrack('camera', asTrack(new FakeTrack('video', { width: 1280, height: 720 })));
      await session.setTrack('screen', asTrack(new FakeTrack('video', { width: 1920, height: 1080 })));
      const answer = await session.applyOffer(offer('1'));
      expect(answer).toBe(local());
      const sim = /a=ssrc-group:SIM (\d+) (\d+) (\d+)/.exec(answer);
      expect(sim?.[1]).toBe('1001');
      expect(answer.match(/a=ssrc-group:SIM/g)).toHaveLength(1);
      expect(answer.match(/a=ssrc-group:FID/g)).toHaveLength(4); // camera 3, screen 1
      expect(camera().params.encodings).toHaveLength(3);
      expect(screen().params.encodings).toHaveLength(1);
      // Before the bridge says anything: every layer of the ladder.
      await session.setSendLimit('camera', null);
      expect(camera().appliedAll.at(-1)?.map(pick)).toEqual([
        [true, 4, 250_000],
        [true, 2, 1_000_000],
        [true, 1, 1_500_000],
      ]);
      // A re-offer keeps the same layer SSRCs (the bridge knows the source by them).
      const again = await session.applyOffer(offer('2'));
      expect(/a=ssrc-group:SIM [\d ]+/.exec(again)?.[0]).toBe(sim?.[0]);
    });

    it('switches off the layers above what the bridge says anyone wants, and all of them at 0', async () => {
      const session = new PeerSession([], listener(), { simulcastLayers: 3 });
      await session.setTrack('camera', asTrack(new FakeTrack('video', { width: 1280, height: 720 })));
      await session.applyOffer(offer('1'));
      await session.setSendLimit('camera', 180);
      expect(camera().params.encodings.map((e) => e.active)).toEqual([true, false, false]);
      await session.setSendLimit('camera', 360);
      expect(camera().params.encodings.map((e) => e.active)).toEqual([true, true, false]);
      await session.setSendLimit('camera', 0);
      expect(camera().params.encodings.map((e) => e.active)).toEqual([false, false, false]);
      const calls = camera().appliedAll.length;
      await session.setSendLimit('camera', 0); // unchanged: no call
      expect(camera().appliedAll).toHaveLength(calls);
      await session.setSendLimit('camera', 720);
      expect(camera().params.encodings.map((e) => e.active)).toEqual([true, true, true]);
      expect((globalThis as { __openmeet?: Record<string, unknown> }).__openmeet?.senderEncodings).toMatchObject({
        camera: { maxHeight: 720, layers: [{ height: 180 }, { height: 360 }, { height: 720 }] },
      });
    });

    it('falls back to one scaled encoding when the browser refuses the SIM group', async () => {
      FakePeerConnection.refuseSimulcast = true;
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      const session = new PeerSession([], listener(), { simulcastLayers: 3 });
      await session.setTrack('camera', asTrack(new FakeTrack('video', { width: 1280, height: 720 })));
      const answer = await session.applyOffer(offer('1'));
      expect(answer).not.toContain('SIM');
      expect(warn).toHaveBeenCalledTimes(1);
      expect(camera().params.encodings).toHaveLength(1);
      await session.setSendLimit('camera', 360);
      expect(camera().applied).toEqual([{ active: true, scaleResolutionDownBy: 2, maxBitrate: 1_000_000 }]);
      await session.applyOffer(offer('2')); // not tried again
      expect(warn).toHaveBeenCalledTimes(1);
    });

    it('sends one encoding by default (simulcast off)', async () => {
      const session = new PeerSession([], listener());
      await session.setTrack('camera', asTrack(new FakeTrack('video', { width: 1280, height: 720 })));
      expect(await session.applyOffer(offer('1'))).not.toContain('SIM');
      expect(camera().params.encodings).toHaveLength(1);
    });
  });
});

describe('cameraSimulcastLayers (the browser setting)', () => {
  const storage = (value: string | null) => ({ getItem: (k: string) => (k === 'openmeet.simulcast' ? value : null) });

  it('is three layers unless turned off', () => {
    expect(cameraSimulcastLayers(storage('on'))).toBe(3);
    expect(cameraSimulcastLayers(storage(null))).toBe(3);
    expect(cameraSimulcastLayers(storage('true'))).toBe(3);
    expect(cameraSimulcastLayers(storage('off'))).toBe(1);
  });

  it('is the default (on) when the storage refuses to be read', () => {
    const refusing = {
      getItem: () => {
        throw new Error('SecurityError');
      },
    };
    expect(cameraSimulcastLayers(refusing)).toBe(3);
  });
});
