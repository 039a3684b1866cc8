import { describe, expect, it } from 'vitest';
import { ApiError, RoomApi, defaultSignallingUrl, slugFromInput, type FetchLike } from './rest';

interface Call {
  url: string;
  method: string;
  body: unknown;
}

function fakeFetch(respond: (call: Call) => Response | Promise<Response>): { fetch: FetchLike; calls: Call[] } {
  const calls: Call[] = [];
  return {
    calls,
    fetch: async (url, init) => {
      const call = { url, method: init?.method ?? 'GET', body: init?.body ? JSON.parse(init.body as string) : undefined };
      calls.push(call);
      return respond(call);
    },
  };
}

const json = (status: number, body: unknown, type = 'application/json') =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': type } });
const problem = (status: number, title: string, detail: string) =>
  json(status, { title, detail, status }, 'application/problem+json');

async function apiError(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected an ApiError');
}

describe('RoomApi', () => {
  it('creates a room with the fixed request shape and returns the fixed response', async () => {
    const created = { id: 'r1', slug: 'abc', joinUrl: 'http://h/r/abc', signallingUrl: 'ws://h/ws', token: 'jwt' };
    const { fetch, calls } = fakeFetch(() => json(201, created));
    const api = new RoomApi('http://h', fetch);
    const room = await api.createRoom({ name: 'Standup', access: 'password', password: 's3cret', maxParticipants: 8 });
    expect(room).toEqual(created);
    expect(calls).toEqual([
      {
        url: 'http://h/api/rooms',
        method: 'POST',
        body: { name: 'Standup', access: 'password', password: 's3cret', maxParticipants: 8 },
      },
    ]);
  });

  it('asks for a token with displayName and password, and omits an empty password', async () => {
    const { fetch, calls } = fakeFetch(() => json(200, { token: 't' }));
    const api = new RoomApi('', fetch);
    expect(await api.requestToken('my room', 'Ada', 'pw')).toEqual({ token: 't' });
    await api.requestToken('abc', 'Bob', '');
    expect(calls[0]).toEqual({ url: '/api/rooms/my%20room/tokens', method: 'POST', body: { displayName: 'Ada', password: 'pw' } });
    expect(calls[1]?.body).toEqual({ displayName: 'Bob' });
  });

  it("asks again for a token after a 503 with Retry-After, waiting what it says, at most twice", async () => {
    const unavailable = () =>
      new Response(JSON.stringify({ title: 'Service Unavailable', status: 503, code: 'service-unavailable' }), {
        status: 503,
        headers: { 'Content-Type': 'application/problem+json', 'Retry-After': '2' },
      });
    let n = 0;
    const { fetch, calls } = fakeFetch(() => (++n === 1 ? unavailable() : json(200, { token: 't' })));
    const waits: number[] = [];
    const api = new RoomApi('', fetch, async (ms) => {
      waits.push(ms);
    });
    expect(await api.requestToken('abc', 'Ada')).toEqual({ token: 't' });
    expect(calls).toHaveLength(2);
    expect(waits).toEqual([2000]);

    const down = fakeFetch(() => unavailable());
    const e = await apiError(new RoomApi('', down.fetch, async () => {}).requestToken('abc', 'Ada'));
    expect(e.status).toBe(503);
    expect(down.calls).toHaveLength(3);
    // a room is not created twice: createRoom is never repeated
    const create = fakeFetch(() => unavailable());
    await apiError(new RoomApi('', create.fetch, async () => {}).createRoom({ name: 'x', access: 'open' } as never));
    expect(create.calls).toHaveLength(1);
  });

  it("asks for a token with the managers' bearer token, and sends no empty password", async () => {
    const seen: RequestInit[] = [];
    const api = new RoomApi('', async (_url, init) => {
      seen.push(init ?? {});
      return json(201, { token: 'jwt' });
    });
    await api.requestToken('abc', 'Ada', '', 'moderator-jwt');
    await api.requestToken('abc', 'Bo');
    expect((seen[0]!.headers as Record<string, string>).Authorization).toBe('Bearer moderator-jwt');
    expect(JSON.parse(seen[0]!.body as string)).toEqual({ displayName: 'Ada' });
    expect((seen[1]!.headers as Record<string, string>).Authorization).toBeUndefined();
  });

  it('maps problem+json answers to error kinds the UI can explain', async () => {
    const cases: [Response, boolean, string][] = [
      [problem(404, 'Not Found', 'no room abc'), false, 'not-found'],
      [problem(401, 'Unauthorized', 'password required'), false, 'password-required'],
      [problem(403, 'Forbidden', 'wrong password'), true, 'wrong-password'],
      [problem(403, 'Forbidden', 'this room is invite-only'), false, 'not-allowed'],
      [problem(409, 'Conflict', 'room full: 10 of 10 participants'), false, 'room-full'],
      [problem(400, 'Bad Request', 'displayName must not be blank'), false, 'invalid'],
      [problem(500, 'Internal Server Error', ''), false, 'server'],
    ];
    for (const [res, withPassword, kind] of cases) {
      const { fetch } = fakeFetch(() => res);
      const err = await apiError(new RoomApi('', fetch).requestToken('abc', 'Ada', withPassword ? 'pw' : undefined));
      expect(err.kind, `${res.status} ${kind}`).toBe(kind);
    }
  });

  it('switches on room-api problem codes first', async () => {
    const roomApiProblem = (status: number, code: string, detail: string) =>
      json(status, { type: `https://openmeet.io/problems/${code}`, title: 't', status, detail, code }, 'application/problem+json');
    const cases: [number, string, boolean, string][] = [
      [404, 'room-not-found', false, 'not-found'],
      [410, 'room-closed', false, 'room-closed'],
      [403, 'wrong-password', false, 'password-required'],
      [403, 'wrong-password', true, 'wrong-password'],
      [403, 'not-invited', false, 'not-allowed'],
      [401, 'unauthorized', false, 'not-allowed'],
      [429, 'rate-limited', false, 'rate-limited'],
      [400, 'validation-failed', false, 'invalid'],
      // the code wins over misleading wording
      [403, 'not-invited', true, 'not-allowed'],
    ];
    for (const [status, code, withPassword, kind] of cases) {
      const { fetch } = fakeFetch(() => roomApiProblem(status, code, 'the password room is full of words'));
      const err = await apiError(new RoomApi('', fetch).requestToken('abc', 'Ada', withPassword ? 'pw12' : undefined));
      expect(err.kind, `${status} ${code}`).toBe(kind);
    }
  });

  it('lists invalid fields from the problem', async () => {
    const { fetch } = fakeFetch(() =>
      json(
        400,
        {
          title: 'The request has invalid fields',
          status: 400,
          detail: 'invalid fields',
          code: 'validation-failed',
          errors: [{ field: 'password', message: 'size must be between 4 and 128' }],
        },
        'application/problem+json',
      ),
    );
    const err = await apiError(new RoomApi('', fetch).createRoom({ name: 'x', access: 'password', password: 'a' }));
    expect(err.kind).toBe('invalid');
    expect(err.detail).toBe('invalid fields: password size must be between 4 and 128');
  });

  it('keeps the problem title and detail', async () => {
    const { fetch } = fakeFetch(() => problem(404, 'Not Found', 'no room called abc'));
    const err = await apiError(new RoomApi('', fetch).getRoom('abc'));
    expect(err).toMatchObject({ status: 404, title: 'Not Found', detail: 'no room called abc', code: 'room-not-found' });
  });

  it('reports network failures and responses that break the contract', async () => {
    const down: FetchLike = () => Promise.reject(new TypeError('Failed to fetch'));
    expect((await apiError(new RoomApi('', down).getRoom('abc'))).kind).toBe('network');
    const html = fakeFetch(() => new Response('<html>', { status: 200 }));
    expect((await apiError(new RoomApi('', html.fetch).getRoom('abc'))).kind).toBe('bad-response');
    const partial = fakeFetch(() => json(201, { id: 'r1', slug: 'abc' }));
    const err = await apiError(new RoomApi('', partial.fetch).createRoom({ name: 'x', access: 'public' }));
    expect(err.kind).toBe('bad-response');
    expect(err.detail).toContain('joinUrl');
    const notJsonError = fakeFetch(() => new Response('gateway down', { status: 502, statusText: 'Bad Gateway' }));
    const e502 = await apiError(new RoomApi('', notJsonError.fetch).getRoom('abc'));
    expect(e502).toMatchObject({ kind: 'server', status: 502, title: 'Bad Gateway', detail: 'gateway down' });
  });
});

describe('slugFromInput', () => {
  it('finds the slug in links, paths and bare codes', () => {
    expect(slugFromInput('https://meet.example/r/team-sync')).toBe('team-sync');
    expect(slugFromInput('http://127.0.0.1:8080/abc123?x=1')).toBe('abc123');
    expect(slugFromInput('/r/abc_1/')).toBe('abc_1');
    expect(slugFromInput('  abc  ')).toBe('abc');
  });

  it('rejects input without a usable slug', () => {
    expect(slugFromInput('')).toBeNull();
    expect(slugFromInput('https://meet.example/')).toBeNull();
    expect(slugFromInput('not a slug!')).toBeNull();
    expect(slugFromInput('<script>')).toBeNull();
  });

  it('derives a same-origin signalling URL', () => {
    expect(defaultSignallingUrl({ protocol: 'https:', host: 'm.example' }, 'abc')).toBe('wss://m.example/api/signalling/abc');
    expect(defaultSignallingUrl({ protocol: 'http:', host: '127.0.0.1:5173' }, 'a b')).toBe(
      'ws://127.0.0.1:5173/api/signalling/a%20b',
    );
  });
});
