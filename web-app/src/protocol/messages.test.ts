import { describe, expect, it } from 'vitest';
import { FATAL_ERROR_CODES, ProtocolError, describeError, encodeClientMessage, parseServerMessage } from './messages';

function parseError(frame: string): ProtocolError {
  try {
    parseServerMessage(frame);
  } catch (e) {
    if (e instanceof ProtocolError) return e;
    throw e;
  }
  throw new Error(`expected ${frame} to be rejected`);
}

describe('lobby frames', () => {
  it('reads the lobby frames and refuses malformed ones', () => {
    expect(parseServerMessage('{"type":"lobby-waiting","participantId":"lobby-1","roomId":"r","moderatorPresent":true}')).toEqual({
      type: 'lobby-waiting',
      participantId: 'lobby-1',
      moderatorPresent: true,
    });
    expect(parseServerMessage('{"type":"lobby-request","participantId":"lobby-2","displayName":"Gus"}')).toEqual({
      type: 'lobby-request',
      participantId: 'lobby-2',
      displayName: 'Gus',
    });
    expect(parseServerMessage('{"type":"lobby-left","participantId":"lobby-2","reason":"admitted"}')).toEqual({
      type: 'lobby-left',
      participantId: 'lobby-2',
      reason: 'admitted',
    });
    expect(parseServerMessage('{"type":"lobby-denied"}')).toEqual({ type: 'lobby-denied' });
    expect(parseError('{"type":"lobby-waiting","participantId":"lobby-1"}').code).toBe('invalid-message');
    expect(parseError('{"type":"lobby-request","participantId":3}').code).toBe('invalid-message');
    expect(FATAL_ERROR_CODES.has('lobby-denied')).toBe(true);
    expect(describeError('lobby-denied')).toMatch(/did not let you in/);
  });
});

describe('parseServerMessage', () => {
  it('reads a joined frame as room-api sends it', () => {
    const msg = parseServerMessage(
      JSON.stringify({
        type: 'joined',
        protocolVersion: 1,
        participantId: 'p1',
        roomId: 'r1',
        moderator: true,
        participants: [
          { participantId: 'p1', displayName: 'Ada', moderator: true, audio: true, video: false, screen: false },
          { participantId: 'p2', displayName: 'Bob', moderator: false, audio: false, video: true, screen: true },
        ],
        iceServers: [{ urls: ['turn:127.0.0.1:3478'], username: 'u', credential: 'c' }, { urls: 'stun:127.0.0.1' }],
        resumeToken: 'rt-1',
      }),
    );
    expect(msg).toEqual({
      type: 'joined',
      protocolVersion: 1,
      participantId: 'p1',
      roomId: 'r1',
      moderator: true,
      participants: [
        { participantId: 'p1', displayName: 'Ada', moderator: true, audio: true, video: false, screen: false },
        { participantId: 'p2', displayName: 'Bob', moderator: false, audio: false, video: true, screen: true },
      ],
      iceServers: [{ urls: ['turn:127.0.0.1:3478'], username: 'u', credential: 'c' }, { urls: ['stun:127.0.0.1'] }],
      resumeToken: 'rt-1',
    });
  });

  it('keeps bridgeChannelUrl on offer and tolerates its absence', () => {
    expect(parseServerMessage('{"type":"offer","sdp":"v=0","bridgeChannelUrl":"ws://127.0.0.1:8180/colibri-ws/x"}')).toEqual({
      type: 'offer',
      sdp: 'v=0',
      bridgeChannelUrl: 'ws://127.0.0.1:8180/colibri-ws/x',
    });
    expect(parseServerMessage('{"type":"offer","sdp":"v=0"}')).toEqual({ type: 'offer', sdp: 'v=0' });
  });

  it('accepts participant-joined nested (room-api) and flat', () => {
    const nested = parseServerMessage(
      '{"type":"participant-joined","participant":{"participantId":"p9","displayName":"Cy","moderator":false,"audio":true,"video":true,"screen":false}}',
    );
    const flat = parseServerMessage('{"type":"participant-joined","participantId":"p9","displayName":"Cy","audio":true,"video":true}');
    expect(nested).toEqual(flat);
  });

  it('reads chat, media-state, dominant-speaker, muted, error and pong', () => {
    expect(parseServerMessage('{"type":"chat","from":"p2","displayName":"Bob","text":"hi","ts":5}')).toEqual({
      type: 'chat',
      from: 'p2',
      displayName: 'Bob',
      text: 'hi',
      ts: 5,
    });
    expect(parseServerMessage('{"type":"media-state","participantId":"p2","audio":false,"video":true,"screen":true}')).toEqual({
      type: 'media-state',
      participantId: 'p2',
      audio: false,
      video: true,
      screen: true,
    });
    expect(parseServerMessage('{"type":"dominant-speaker","participantId":"p2"}')).toEqual({
      type: 'dominant-speaker',
      participantId: 'p2',
    });
    expect(parseServerMessage('{"type":"muted","by":"p1"}')).toEqual({ type: 'muted', by: 'p1' });
    expect(parseServerMessage('{"type":"reconnect","reason":"node-shutdown"}')).toEqual({
      type: 'reconnect',
      reason: 'node-shutdown',
    });
    expect(parseServerMessage('{"type":"error","code":"room-full","message":"full"}')).toEqual({
      type: 'error',
      code: 'room-full',
      message: 'full',
    });
    expect(parseServerMessage('{"type":"pong","ts":7}')).toEqual({ type: 'pong', ts: 7 });
  });

  it('parses moderation frames and rejects malformed ones', () => {
    expect(parseServerMessage('{"type":"muted","by":"p1","media":"audio"}')).toEqual({
      type: 'muted',
      by: 'p1',
      media: 'audio',
    });
    expect(
      parseServerMessage('{"type":"force-muted","participantId":"p2","audio":true,"video":false,"by":"p1"}'),
    ).toEqual({ type: 'force-muted', participantId: 'p2', audio: true, video: false, by: 'p1' });
    expect(parseServerMessage('{"type":"hand-raised","participantId":"p2","raised":true,"raisedAt":5}')).toEqual({
      type: 'hand-raised',
      participantId: 'p2',
      raised: true,
      raisedAt: 5,
    });
    expect(parseServerMessage('{"type":"hand-raised","participantId":"p2","raised":false,"by":"p1"}')).toEqual({
      type: 'hand-raised',
      participantId: 'p2',
      raised: false,
      by: 'p1',
    });
    const joined = parseServerMessage(
      '{"type":"joined","participantId":"p1","participants":[{"participantId":"p2","audioForceMuted":true,"handRaisedAt":9}]}',
    );
    expect(joined.type === 'joined' && joined.participants[0]).toMatchObject({
      audioForceMuted: true,
      handRaisedAt: 9,
    });
    expect(parseError('{"type":"muted","media":"screen"}').code).toBe('invalid-message');
    expect(parseError('{"type":"force-muted","participantId":"p2","audio":"yes","video":false}').code).toBe(
      'invalid-message',
    );
    expect(parseError('{"type":"hand-raised","participantId":"p2","raised":true}').code).toBe('invalid-message');
  });

  it('reads the P2P frames and rejects incomplete ones', () => {
    expect(parseServerMessage('{"type":"p2p-start","sessionId":"s1","peerId":"bob","initiator":true}')).toEqual({
      type: 'p2p-start',
      sessionId: 's1',
      peerId: 'bob',
      initiator: true,
    });
    expect(parseServerMessage('{"type":"p2p-answer","sessionId":"s1","from":"bob","sdp":"v=0"}')).toEqual({
      type: 'p2p-answer',
      sessionId: 's1',
      from: 'bob',
      sdp: 'v=0',
    });
    expect(parseServerMessage('{"type":"p2p-candidate","sessionId":"s1","from":"bob","candidate":"","sdpMLineIndex":0}')).toEqual({
      type: 'p2p-candidate',
      sessionId: 's1',
      from: 'bob',
      candidate: '',
      sdpMLineIndex: 0,
    });
    expect(parseServerMessage('{"type":"p2p-stop","sessionId":"s1","reason":"failed"}')).toEqual({ type: 'p2p-stop', sessionId: 's1', reason: 'failed' });
    expect(parseServerMessage('{"type":"p2p-active","sessionId":"s1"}')).toEqual({ type: 'p2p-active', sessionId: 's1' });
    expect(() => parseServerMessage('{"type":"p2p-start","sessionId":"s1","peerId":"bob"}')).toThrow(ProtocolError);
    expect(() => parseServerMessage('{"type":"p2p-offer","sessionId":"s1","from":"bob","sdp":""}')).toThrow(ProtocolError);
  });

  it('rejects malformed frames with typed errors', () => {
    expect(parseError('not json').code).toBe('malformed-json');
    expect(parseError('[1,2]').code).toBe('malformed-json');
    expect(parseError('{"sdp":"x"}').code).toBe('unknown-type');
    expect(parseError('{"type":"teleport"}').code).toBe('unknown-type');
    expect(parseError('{"type":"offer"}').code).toBe('invalid-message');
    expect(parseError('{"type":"offer","sdp":""}').code).toBe('invalid-message');
    expect(parseError('{"type":"media-state","participantId":"p","audio":"yes","video":true}').code).toBe('invalid-message');
    expect(parseError('{"type":"joined","participantId":"p","participants":{}}').code).toBe('invalid-message');
    expect(parseError('{"type":"joined","participantId":"p","iceServers":[{"urls":[1]}]}').code).toBe('invalid-message');
    expect(parseError('{"type":"joined","participantId":"","participants":[]}').message).toContain('participantId');
  });
});

describe('client frames and error texts', () => {
  it('encodes client frames with camelCase fields', () => {
    expect(JSON.parse(encodeClientMessage({ type: 'moderate', action: 'kick', participantId: 'p2' }))).toEqual({
      type: 'moderate',
      action: 'kick',
      participantId: 'p2',
    });
  });

  it('treats refusals as fatal and transient faults as not', () => {
    expect(FATAL_ERROR_CODES.has('room-full')).toBe(true);
    expect(FATAL_ERROR_CODES.has('not-allowed')).toBe(true);
    expect(FATAL_ERROR_CODES.has('token-revoked')).toBe(true);
    expect(FATAL_ERROR_CODES.has('invalid-text')).toBe(true);
    expect(describeError('token-revoked')).toMatch(/no longer valid/);
    expect(FATAL_ERROR_CODES.has('no-bridge-available')).toBe(false);
    expect(FATAL_ERROR_CODES.has('rate-limited')).toBe(false);
  });

  it('gives people a sentence, not a code', () => {
    expect(describeError('room-full')).toMatch(/full/i);
    expect(describeError('room-not-found')).toMatch(/does not exist/);
    expect(describeError('not-allowed')).toMatch(/not invited/);
    expect(describeError('weird-code', 'the server said so')).toBe('the server said so');
    expect(describeError('weird-code')).toContain('weird-code');
  });
});
