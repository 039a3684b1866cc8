import { beforeEach, describe, expect, it } from 'vitest';
import { SignallingClient, type ConnectionFailure, type ConnectionState } from './SignallingClient';
import type { ServerMessage } from './messages';
import { FakeSocket, ManualTimers } from '../test/fakes';

const joined = (id = 'p1', resumeToken = 'resume-1') => ({
  type: 'joined',
  participantId: id,
  moderator: false,
  participants: [],
  iceServers: [],
  resumeToken,
});

function setup(media = { audio: true, video: false }) {
  const timers = new ManualTimers();
  const states: { state: ConnectionState; failure?: ConnectionFailure }[] = [];
  const messages: ServerMessage[] = [];
  const protocolErrors: string[] = [];
  const client = new SignallingClient(
    {
      url: 'ws://127.0.0.1:1/ws',
      token: 'jwt-1',
      displayName: 'Ada',
      initialMedia: () => media,
      socketFactory: (url) => new FakeSocket(url),
      timers,
      maxReconnectAttempts: 3,
      baseBackoffMs: 100,
      maxBackoffMs: 1000,
      pingIntervalMs: 1000,
      silenceTimeoutMs: 2500,
    },
    {
      onMessage: (m) => messages.push(m),
      onStateChange: (state, failure) => states.push(failure ? { state, failure } : { state }),
      onProtocolError: (e) => protocolErrors.push(e.code),
    },
  );
  return { client, timers, states, messages, protocolErrors, media };
}

beforeEach(() => FakeSocket.reset());

describe('SignallingClient', () => {
  it('sends join with token, name and media state when the socket opens, and is connected on joined', () => {
    const { client, states } = setup();
    client.connect();
    const socket = FakeSocket.last();
    expect(socket.url).toBe('ws://127.0.0.1:1/ws');
    expect(states.map((s) => s.state)).toEqual(['connecting']);
    socket.serverOpens();
    expect(socket.sentMessages()).toEqual([{ type: 'join', token: 'jwt-1', displayName: 'Ada', audio: true, video: false }]);
    expect(client.send({ type: 'chat', text: 'too early' })).toBe(false);
    socket.serverSends(joined());
    expect(client.connectionState).toBe('connected');
    expect(client.currentResumeToken).toBe('resume-1');
    expect(client.send({ type: 'chat', text: 'hi' })).toBe(true);
    expect(socket.sentMessages()[1]).toEqual({ type: 'chat', text: 'hi' });
  });

  it('reconnects a dropped socket with the resume token after a back-off', () => {
    const { client, timers, states, media } = setup();
    client.connect();
    FakeSocket.last().serverOpens();
    FakeSocket.last().serverSends(joined());
    FakeSocket.last().serverDrops();
    expect(client.connectionState).toBe('reconnecting');
    expect(FakeSocket.instances).toHaveLength(1);
    timers.advance(99);
    expect(FakeSocket.instances).toHaveLength(1);
    timers.advance(1);
    expect(FakeSocket.instances).toHaveLength(2);
    media.video = true; // the rejoin announces the current state, not the initial one
    FakeSocket.last().serverOpens();
    expect(FakeSocket.last().sentMessages()[0]).toEqual({
      type: 'join',
      token: 'jwt-1',
      displayName: 'Ada',
      resumeToken: 'resume-1',
      audio: true,
      video: true,
    });
    FakeSocket.last().serverSends(joined('p1', 'resume-2'));
    expect(client.currentResumeToken).toBe('resume-2');
    expect(states.map((s) => s.state)).toEqual(['connecting', 'connected', 'reconnecting', 'connected']);
  });

  it('backs off exponentially and fails after the attempt limit', () => {
    const { client, timers, states } = setup();
    client.connect();
    FakeSocket.last().serverOpens();
    FakeSocket.last().serverSends(joined());
    FakeSocket.last().serverDrops(); // attempt 1 after 100 ms
    timers.advance(100);
    FakeSocket.last().serverDrops(); // attempt 2 after 200 ms
    timers.advance(199);
    expect(FakeSocket.instances).toHaveLength(2);
    timers.advance(1);
    expect(FakeSocket.instances).toHaveLength(3);
    FakeSocket.last().serverDrops(); // attempt 3 after 400 ms
    timers.advance(400);
    expect(FakeSocket.instances).toHaveLength(4);
    FakeSocket.last().serverDrops();
    expect(client.connectionState).toBe('failed');
    expect(states[states.length - 1]?.failure?.code).toBe('connection-lost');
    timers.advance(10_000);
    expect(FakeSocket.instances).toHaveLength(4);
    client.retry();
    expect(client.connectionState).toBe('reconnecting');
    expect(FakeSocket.instances).toHaveLength(5);
  });

  it('stops on a fatal error such as room-full and does not reconnect', () => {
    const { client, timers, states, messages } = setup();
    client.connect();
    const socket = FakeSocket.last();
    socket.serverOpens();
    socket.serverSends({ type: 'error', code: 'room-full', message: 'the room has 2 participants' });
    expect(messages[0]).toEqual({ type: 'error', code: 'room-full', message: 'the room has 2 participants' });
    expect(client.connectionState).toBe('failed');
    expect(states[states.length - 1]).toEqual({
      state: 'failed',
      failure: { code: 'room-full', message: 'the room has 2 participants' },
    });
    expect(socket.closedWith).not.toBeNull();
    timers.advance(60_000);
    expect(FakeSocket.instances).toHaveLength(1);
  });

  it('waits in the lobby with pings going, and stops for good when a moderator denies it', () => {
    const { client, timers, states, messages } = setup();
    client.connect();
    const socket = FakeSocket.last();
    socket.serverOpens();
    socket.serverSends({ type: 'lobby-waiting', participantId: 'lobby-1', moderatorPresent: false });
    expect(messages).toEqual([{ type: 'lobby-waiting', participantId: 'lobby-1', moderatorPresent: false }]);
    expect(client.connectionState).toBe('connecting');
    // not in the call: nothing but pings goes out
    expect(client.send({ type: 'chat', text: 'let me in' })).toBe(false);
    timers.advance(1000);
    expect(socket.sentMessages().map((m) => m.type)).toEqual(['join', 'ping']);
    socket.serverSends({ type: 'lobby-denied', message: 'a moderator did not let you in' });
    expect(client.connectionState).toBe('failed');
    expect(states[states.length - 1]).toEqual({
      state: 'failed',
      failure: { code: 'lobby-denied', message: 'a moderator did not let you in' },
    });
    timers.advance(60_000);
    expect(FakeSocket.instances).toHaveLength(1);
  });

  it('retries a join refused for lack of a bridge', () => {
    const { client, timers, messages } = setup();
    client.connect();
    const first = FakeSocket.last();
    first.serverOpens();
    first.serverSends({ type: 'error', code: 'no-bridge-available', message: 'no bridge' });
    expect(messages.map((m) => m.type)).toEqual(['error']);
    expect(first.closedWith).not.toBeNull();
    expect(client.connectionState).toBe('connecting');
    timers.advance(100);
    expect(FakeSocket.instances).toHaveLength(2);
    FakeSocket.last().serverOpens();
    expect(FakeSocket.last().sentMessages()[0]).toMatchObject({ type: 'join', token: 'jwt-1' });
  });

  it('retries a join refused while the server is unavailable, and stays in a joined call', () => {
    const { client, timers } = setup();
    client.connect();
    const first = FakeSocket.last();
    first.serverOpens();
    first.serverSends({ type: 'error', code: 'service-unavailable', message: 'Redis', retryAfterMs: 2000 });
    expect(first.closedWith).not.toBeNull();
    expect(client.connectionState).toBe('connecting');
    timers.advance(100);
    expect(FakeSocket.instances).toHaveLength(2);
    FakeSocket.last().serverOpens();
    FakeSocket.last().serverSends(joined());
    FakeSocket.last().serverSends({ type: 'error', code: 'service-unavailable', message: 'Redis', retryAfterMs: 2000 });
    expect(client.connectionState).toBe('connected');
    expect(FakeSocket.last().closedWith).toBeNull();
  });

  it('keeps going after a non-fatal error', () => {
    const { client, messages } = setup();
    client.connect();
    FakeSocket.last().serverOpens();
    FakeSocket.last().serverSends(joined());
    FakeSocket.last().serverSends({ type: 'error', code: 'rate-limited', message: 'slow down' });
    expect(client.connectionState).toBe('connected');
    expect(messages.map((m) => m.type)).toEqual(['joined', 'error']);
  });

  it('drops a refused resume token and joins afresh on the same socket instead of failing', () => {
    const { client, timers, messages, states } = setup();
    client.connect();
    FakeSocket.last().serverOpens();
    FakeSocket.last().serverSends(joined());
    FakeSocket.last().serverDrops();
    timers.advance(100);
    const socket = FakeSocket.last();
    socket.serverOpens();
    expect(socket.sentMessages()[0]).toMatchObject({ type: 'join', resumeToken: 'resume-1' });
    socket.serverSends({ type: 'error', code: 'invalid-token', message: 'the resume token has expired' });
    expect(client.connectionState).toBe('reconnecting');
    expect(socket.closedWith).toBeNull();
    expect(socket.sentMessages()).toHaveLength(2);
    expect(socket.sentMessages()[1]).toEqual({ type: 'join', token: 'jwt-1', displayName: 'Ada', audio: true, video: false });
    expect(messages.map((m) => m.type)).toEqual(['joined']); // the refusal is handled here, not shown
    socket.serverSends(joined('p2', 'resume-2'));
    expect(client.connectionState).toBe('connected');
    expect(client.currentResumeToken).toBe('resume-2');
    expect(states.some((s) => s.state === 'failed')).toBe(false);
  });

  it('still fails on invalid-token when the join token itself is refused', () => {
    const { client } = setup();
    client.connect();
    FakeSocket.last().serverOpens();
    FakeSocket.last().serverSends({ type: 'error', code: 'invalid-token', message: 'the join token is invalid or expired' });
    expect(client.connectionState).toBe('failed');
  });

  it('reports invalid frames without passing them on', () => {
    const { client, messages, protocolErrors } = setup();
    client.connect();
    FakeSocket.last().serverOpens();
    FakeSocket.last().serverSends('{oops');
    FakeSocket.last().serverSends({ type: 'offer' });
    FakeSocket.last().serverSends({ type: 'wormhole' });
    expect(messages).toEqual([]);
    expect(protocolErrors).toEqual(['malformed-json', 'invalid-message', 'unknown-type']);
  });

  it('pings while connected and replaces a silent socket', () => {
    const { client, timers } = setup();
    client.connect();
    const socket = FakeSocket.last();
    socket.serverOpens();
    socket.serverSends(joined());
    timers.advance(1000);
    expect(socket.sentMessages().filter((m) => m.type === 'ping')).toEqual([{ type: 'ping', ts: 1000 }]);
    socket.serverSends({ type: 'pong', ts: 1000 });
    timers.advance(2000); // last frame at 1000, now 3000: 2000 ms of silence is still fine
    expect(FakeSocket.instances).toHaveLength(1);
    timers.advance(1000); // 3000 ms of silence > 2500
    expect(socket.closedWith?.code).toBe(4000);
    expect(client.connectionState).toBe('reconnecting');
    timers.advance(100);
    expect(FakeSocket.instances).toHaveLength(2);
  });

  it('sends leave and never reconnects after leaving', () => {
    const { client, timers } = setup();
    client.connect();
    const socket = FakeSocket.last();
    socket.serverOpens();
    socket.serverSends(joined());
    client.leave();
    expect(socket.sentMessages().at(-1)).toEqual({ type: 'leave' });
    expect(client.connectionState).toBe('closed');
    socket.serverDrops();
    timers.advance(60_000);
    expect(FakeSocket.instances).toHaveLength(1);
  });

  it('retries the first connection too, while still "connecting"', () => {
    const { client, timers } = setup();
    client.connect();
    FakeSocket.last().serverDrops();
    expect(client.connectionState).toBe('connecting');
    timers.advance(100);
    expect(FakeSocket.instances).toHaveLength(2);
    FakeSocket.last().serverOpens();
    expect(FakeSocket.last().sentMessages()[0]).not.toHaveProperty('resumeToken');
  });
});
