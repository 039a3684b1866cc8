import { describe, expect, it } from 'vitest';
import {
  classifyRemoteStream,
  iceUfrag,
  isNewTransport,
  msidByMid,
  transportIdentity,
  parseMediaSections,
  sendSlots,
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
