import { describe, expect, it } from 'vitest';
import {
  classifyRemoteStream,
  iceUfrag,
  isNewTransport,
  msidByMid,
  transportIdentity,
  parseMediaSections,
  sendSlots,
  withSimulcast,
  withoutMidExtension,
} from './sdp';

const offer = [
  'v=0',
  'o=- 1 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0 1 2 3 4',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111',
  'a=ice-ufrag:abcd',
  'a=mid:0',
  'a=recvonly',
  'm=video 9 UDP/TLS/RTP/SAVPF 100',
  'a=mid:1',
  'a=recvonly',
  'm=video 9 UDP/TLS/RTP/SAVPF 100',
  'a=mid:2',
  'a=recvonly',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111',
  'a=mid:3',
  'a=sendonly',
  'a=msid:p2 p2-a0',
  'm=video 9 UDP/TLS/RTP/SAVPF 100',
  'a=mid:4',
  'a=sendonly',
  'a=ssrc:1234 msid:p2 p2-v1',
  'm=video 0 UDP/TLS/RTP/SAVPF 100',
  'a=mid:5',
  'a=inactive',
  '',
].join('\r\n');

describe('sdp helpers', () => {
  it('reads kind, mid and direction of each m-line', () => {
    expect(parseMediaSections(offer).map((m) => `${m.kind}:${m.mid}:${m.direction}`)).toEqual([
      'audio:0:recvonly',
      'video:1:recvonly',
      'video:2:recvonly',
      'audio:3:sendonly',
      'video:4:sendonly',
      'video:5:inactive',
    ]);
  });

  it('finds where the server wants our mic, camera and screen', () => {
    expect(sendSlots(offer)).toEqual({ audio: ['0'], video: ['1', '2'] });
  });

  it('reads msid per mid, from a=msid or a=ssrc msid', () => {
    const map = msidByMid(offer);
    expect(map.get('3')).toEqual({ streamId: 'p2', trackId: 'p2-a0' });
    expect(map.get('4')).toEqual({ streamId: 'p2', trackId: 'p2-v1' });
    expect(map.has('0')).toBe(false);
  });

  it('reads the ICE ufrag', () => {
    expect(iceUfrag(offer)).toBe('abcd');
    expect(iceUfrag('v=0')).toBeNull();
  });

  it('assigns remote streams to participants and spots screen shares', () => {
    const known = ['p2', 'p20', 'abc'];
    expect(classifyRemoteStream('p2', 'p2-v0', known)).toEqual({ participantId: 'p2', kind: 'camera' });
    expect(classifyRemoteStream('p20', 'p20-v0', known)).toEqual({ participantId: 'p20', kind: 'camera' });
    expect(classifyRemoteStream('p2', 'p2-v1', known)).toEqual({ participantId: 'p2', kind: 'screen' });
    expect(classifyRemoteStream('abc-desktop', 'x', known)).toEqual({ participantId: 'abc', kind: 'screen' });
    expect(classifyRemoteStream('zzz', 'zzz-v0', known)).toBeNull();
  });
});

describe('withoutMidExtension', () => {
  it('drops only the sdes:mid extmap lines, keeping line endings and the other extensions', () => {
    const offer = [
      'v=0',
      'm=audio 9 UDP/TLS/RTP/SAVPF 111',
      'a=mid:0',
      'a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level',
      'a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid',
      'm=video 9 UDP/TLS/RTP/SAVPF 100',
      'a=mid:1',
      'a=extmap:4/sendrecv urn:ietf:params:rtp-hdrext:sdes:mid',
      'a=extmap:5 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id',
      '',
    ].join('\r\n');
    expect(withoutMidExtension(offer)).toBe(
      [
        'v=0',
        'm=audio 9 UDP/TLS/RTP/SAVPF 111',
        'a=mid:0',
        'a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level',
        'm=video 9 UDP/TLS/RTP/SAVPF 100',
        'a=mid:1',
        'a=extmap:5 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id',
        '',
      ].join('\r\n'),
    );
  });
});

describe('isNewTransport (a new bridge endpoint needs a new RTCPeerConnection)', () => {
  const fp = 'sha-256 AA:BB:CC';
  const transport = (ufrag: string, pwd: string, fingerprint = fp, sources = ['p2']) =>
    [
      'v=0',
      'o=- 1 2 IN IP4 127.0.0.1',
      's=-',
      't=0 0',
      `a=fingerprint:${fingerprint}`,
      'm=audio 9 UDP/TLS/RTP/SAVPF 111',
      `a=ice-ufrag:${ufrag}`,
      `a=ice-pwd:${pwd}`,
      'a=mid:0',
      'a=recvonly',
      ...sources.flatMap((s, i) => [
        'm=video 9 UDP/TLS/RTP/SAVPF 100',
        `a=ice-ufrag:${ufrag}`,
        `a=ice-pwd:${pwd}`,
        `a=mid:${i + 1}`,
        'a=sendonly',
        `a=msid:${s} ${s}-v0`,
      ]),
      '',
    ].join('\r\n');
  const first = transport('u1', 'p1');

  it('reads ICE credentials and the fingerprint', () => {
    expect(transportIdentity(first)).toEqual({ ufrag: 'u1', pwd: 'p1', fingerprint: 'sha-256 aa:bb:cc' });
    expect(transportIdentity('v=0')).toEqual({ ufrag: null, pwd: null, fingerprint: null });
  });

  it('the first offer of a connection is never a new transport', () => {
    expect(isNewTransport(null, first)).toBe(false);
  });

  it('an ordinary re-offer (sources added or removed, same credentials) keeps the connection', () => {
    expect(isNewTransport(first, transport('u1', 'p1', fp, ['p2', 'p3']))).toBe(false);
    expect(isNewTransport(first, transport('u1', 'p1', fp, []))).toBe(false);
    expect(isNewTransport(first, first)).toBe(false);
  });

  it('new ICE credentials (ICE restart: a new endpoint on the bridge) need a new connection', () => {
    expect(isNewTransport(first, transport('u2', 'p2'))).toBe(true);
    expect(isNewTransport(first, transport('u1', 'p2'))).toBe(true);
    expect(isNewTransport(first, transport('u2', 'p1'))).toBe(true);
  });

  it('a new DTLS fingerprint (another bridge) needs a new connection, whatever the case of its hex', () => {
    expect(isNewTransport(first, transport('u1', 'p1', 'sha-256 DD:EE:FF'))).toBe(true);
    expect(isNewTransport(first, transport('u1', 'p1', 'sha-256 aa:bb:cc'))).toBe(false);
  });

  it('an attribute missing on either side is no evidence of a change', () => {
    expect(isNewTransport('v=0', first)).toBe(false);
    expect(isNewTransport(first, 'v=0')).toBe(false);
  });
});

// The camera m-line of an answer Chromium 156 gave to the focus's offer (focus fixtures).
const cameraAnswer = [
  'v=0',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111',
  'a=mid:0',
  'a=sendrecv',
  'a=ssrc:2056697848 cname:CGDwYXnth+G/pGdZ',
  'm=video 9 UDP/TLS/RTP/SAVPF 100 96',
  'a=mid:1',
  'a=sendrecv',
  'a=msid:0d36761a-e831 025e17fc-5c8a',
  'a=rtpmap:100 VP8/90000',
  'a=rtpmap:96 rtx/90000',
  'a=fmtp:96 apt=100',
  'a=ssrc-group:FID 995962066 3458322109',
  'a=ssrc:995962066 cname:CGDwYXnth+G/pGdZ',
  'a=ssrc:3458322109 cname:CGDwYXnth+G/pGdZ',
  'm=video 9 UDP/TLS/RTP/SAVPF 100 96',
  'a=mid:2',
  'a=recvonly',
  '',
].join('\r\n');

describe('withSimulcast', () => {
  const counter = () => {
    let n = 100;
    return () => ++n;
  };

  it('adds a SIM group of the browser’s SSRC and two more, each with an RTX partner and the same cname', () => {
    const { sdp, ssrcs } = withSimulcast(cameraAnswer, '1', 3, null, counter());
    expect(ssrcs).toEqual({ layers: [995962066, 101, 103], rtx: [3458322109, 102, 104] });
    const video = sdp.split('\r\n').slice(5, -3);
    expect(video.filter((l) => l.startsWith('a=ssrc'))).toEqual([
      'a=ssrc-group:FID 995962066 3458322109',
      'a=ssrc-group:SIM 995962066 101 103',
      'a=ssrc-group:FID 101 102',
      'a=ssrc-group:FID 103 104',
      'a=ssrc:995962066 cname:CGDwYXnth+G/pGdZ',
      'a=ssrc:3458322109 cname:CGDwYXnth+G/pGdZ',
      'a=ssrc:101 cname:CGDwYXnth+G/pGdZ',
      'a=ssrc:102 cname:CGDwYXnth+G/pGdZ',
      'a=ssrc:103 cname:CGDwYXnth+G/pGdZ',
      'a=ssrc:104 cname:CGDwYXnth+G/pGdZ',
    ]);
    // Nothing else moves: the audio and the other video m-line are as they were.
    expect(sdp.split('\r\n').slice(0, 5)).toEqual(cameraAnswer.split('\r\n').slice(0, 5));
    expect(sdp.endsWith('a=mid:2\r\na=recvonly\r\n')).toBe(true);
  });

  it('keeps the SSRCs of the previous answer and never repeats one the browser uses', () => {
    const first = withSimulcast(cameraAnswer, '1', 3, null, counter());
    const again = withSimulcast(cameraAnswer, '1', 3, first.ssrcs, () => 1);
    expect(again.sdp).toBe(first.sdp);
    const clash = [995962066, 3458322109, 7, 8, 9, 10];
    const fresh = withSimulcast(cameraAnswer, '1', 3, null, () => clash.shift()!);
    expect(fresh.ssrcs?.layers).toEqual([995962066, 7, 9]);
  });

  it('reads an answer that already carries the SIM group instead of adding another', () => {
    const munged = withSimulcast(cameraAnswer, '1', 3, null, counter()).sdp;
    const again = withSimulcast(munged, '1', 3, null, () => 1);
    expect(again.sdp).toBe(munged);
    expect(again.ssrcs).toEqual({ layers: [995962066, 101, 103], rtx: [3458322109, 102, 104] });
  });

  it('gives layers without RTX when the browser’s SSRC has none', () => {
    const plain = cameraAnswer.replace('a=ssrc-group:FID 995962066 3458322109\r\n', '').replace('a=ssrc:3458322109 cname:CGDwYXnth+G/pGdZ\r\n', '');
    const { sdp, ssrcs } = withSimulcast(plain, '1', 2, null, counter());
    expect(ssrcs).toEqual({ layers: [995962066, 101], rtx: [null, null] });
    expect(sdp).toContain('a=ssrc-group:SIM 995962066 101\r\na=ssrc:995962066 cname:CGDwYXnth+G/pGdZ\r\na=ssrc:101 cname:CGDwYXnth+G/pGdZ\r\n');
    expect(sdp).not.toContain('FID');
  });

  it('leaves alone what it does not understand or what does not send', () => {
    for (const [sdp, mid] of [
      [cameraAnswer, '2'], // receive only
      [cameraAnswer, '0'], // audio
      [cameraAnswer, '9'], // no such m-line
      [cameraAnswer.replace(/a=ssrc[^\r]*\r\n/g, ''), '1'], // no SSRC
      [cameraAnswer.replace('a=ssrc:3458322109 cname', 'a=ssrc:42 cname'), '1'], // a stranger
    ] as const) {
      expect(withSimulcast(sdp, mid, 3, null, counter()).sdp).toBe(sdp);
    }
    expect(withSimulcast(cameraAnswer, '1', 1, null, counter()).sdp).toBe(cameraAnswer);
  });
});
