/** room-api's REST endpoints; errors arrive as application/problem+json {title, detail, status}. */

export type AccessPolicy = 'public' | 'invite_only' | 'password';

export interface CreateRoomRequest {
  name: string;
  access: AccessPolicy;
  password?: string;
  maxParticipants?: number;
  region?: string;
  lobbyEnabled?: boolean;
}

export interface CreatedRoom {
  id: string;
  slug: string;
  joinUrl: string;
  signallingUrl: string;
  /** The creator's moderator JWT. */
  token: string;
}

/** GET /api/rooms/{idOrSlug}; only `id` and `slug` are required, the rest is used when present. */
export interface RoomInfo {
  id: string;
  slug: string;
  name?: string;
  access?: AccessPolicy;
  maxParticipants?: number;
  lobbyEnabled?: boolean;
  signallingUrl?: string;
  joinUrl?: string;
  /** false once the room was closed. */
  active?: boolean;
}

/**
 * What went wrong, as the UI needs it: not-found, password-required, wrong-password,
 * not-allowed (not invited), room-full, invalid (400/422), network, server, bad-response.
 */
export type ApiErrorKind =
  | 'not-found'
  | 'password-required'
  | 'wrong-password'
  | 'not-allowed'
  | 'room-full'
  | 'room-closed'
  | 'rate-limited'
  | 'invalid'
  | 'network'
  | 'server'
  | 'bad-response';

export class ApiError extends Error {
  readonly kind: ApiErrorKind;
  readonly status: number;
  readonly title: string;
  readonly detail: string;

  constructor(kind: ApiErrorKind, status: number, title: string, detail: string) {
    super(detail || title);
    this.name = 'ApiError';
    this.kind = kind;
    this.status = status;
    this.title = title;
    this.detail = detail;
  }

  /** The code understood by describeError() in messages.ts. */
  get code(): string {
    switch (this.kind) {
      case 'not-found':
        return 'room-not-found';
      case 'not-allowed':
        return 'not-allowed';
      default:
        return this.kind;
    }
  }
}

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

interface Problem {
  title: string;
  detail: string;
  code?: string;
  type?: string;
}

async function readProblem(res: Response): Promise<Problem> {
  const text = await res.text().catch(() => '');
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    const s = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : undefined);
    let detail = s('detail') ?? '';
    // room-api lists invalid fields in `errors` [{field, message}]
    if (Array.isArray(body.errors)) {
      const fields = body.errors
        .map((e) => (typeof e === 'object' && e !== null ? (e as Record<string, unknown>) : {}))
        .filter((e) => typeof e.message === 'string')
        .map((e) => (typeof e.field === 'string' ? `${e.field} ${e.message as string}` : (e.message as string)));
      if (fields.length > 0) detail = detail ? `${detail}: ${fields.join('; ')}` : fields.join('; ');
    }
    const problem: Problem = { title: s('title') ?? res.statusText, detail };
    const code = s('code');
    const type = s('type');
    if (code !== undefined) problem.code = code;
    if (type !== undefined) problem.type = type;
    return problem;
  } catch {
    return { title: res.statusText || `HTTP ${res.status}`, detail: text.slice(0, 200) };
  }
}

/** room-api's stable problem codes (its ErrorCode enum), then status and wording as a fallback. */
function kindOf(status: number, p: Problem, passwordSent: boolean): ApiErrorKind {
  const code = p.code ?? p.type?.split('/').pop();
  switch (code) {
    case 'room-not-found':
    case 'not-found':
      return 'not-found';
    case 'room-closed':
      return 'room-closed';
    case 'room-full':
      return 'room-full';
    case 'wrong-password':
      return passwordSent ? 'wrong-password' : 'password-required';
    case 'not-invited':
    case 'forbidden':
    case 'unauthorized':
    case 'invalid-token':
      return 'not-allowed';
    case 'rate-limited':
      return 'rate-limited';
    case 'validation-failed':
    case 'bad-request':
    case 'malformed-json':
      return 'invalid';
    default:
      break;
  }
  const words = `${p.title} ${p.detail}`.toLowerCase();
  if (/room[-_ ]full|is full/.test(words)) return 'room-full';
  if (status === 404) return 'not-found';
  if (status === 410) return 'room-closed';
  if (/password/.test(words) && (status === 401 || status === 403)) {
    return passwordSent ? 'wrong-password' : 'password-required';
  }
  if (status === 401 || status === 403) return 'not-allowed';
  if (status === 429) return 'rate-limited';
  if (status === 409 || status === 503) {
    return /full|capacity|max/.test(words) ? 'room-full' : 'server';
  }
  if (status === 400 || status === 422) return 'invalid';
  return 'server';
}

/**
 * A request that is safe to send again is retried this many times when room-api answers 503 with a
 * Retry-After (its shared state was unreachable for a moment), waiting what the header says.
 */
const RETRIES_WHEN_UNAVAILABLE = 2;
/** A longer Retry-After than this is not waited for: the error goes to the user at once. */
const MAX_RETRY_AFTER_MS = 5000;

/** The wait a 503's Retry-After (in seconds) asks for, or null when there is none to honour. */
function retryAfterMs(res: Response): number | null {
  if (res.status !== 503) return null;
  const seconds = Number(res.headers.get('Retry-After') ?? NaN);
  if (!Number.isFinite(seconds) || seconds < 0 || seconds * 1000 > MAX_RETRY_AFTER_MS) return null;
  return seconds * 1000;
}

/** How one request is made and its failure read. */
interface CallOptions {
  /** A password went with the request: a 401/403 means a wrong password, not a missing one. */
  passwordSent?: boolean;
  /** Sent as `Authorization: Bearer`. */
  bearer?: string;
  /** Safe to send again: retried after a 503 with Retry-After (RETRIES_WHEN_UNAVAILABLE). */
  repeatable?: boolean;
}

/** Client for room-api's REST API; `base` is '' for same-origin. */
export class RoomApi {
  private readonly base: string;
  private readonly fetchFn: FetchLike;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    base = '',
    fetchFn: FetchLike = (input, init) => globalThis.fetch(input, init),
    sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {
    this.base = base;
    this.fetchFn = fetchFn;
    this.sleep = sleep;
  }

  createRoom(request: CreateRoomRequest): Promise<CreatedRoom> {
    return this.call<CreatedRoom>('POST', '/api/rooms', request, (b) =>
      requireFields(b, ['id', 'slug', 'joinUrl', 'signallingUrl', 'token']),
    );
  }

  getRoom(idOrSlug: string): Promise<RoomInfo> {
    return this.call<RoomInfo>('GET', `/api/rooms/${encodeURIComponent(idOrSlug)}`, undefined, (b) => requireFields(b, ['id', 'slug']), {
      repeatable: true,
    });
  }

  /**
   * A join token for `displayName` (the signed name is the participant's name). `bearer`: a token of
   * the room's managers (the creator's moderator token): the answer is a moderator token in that name.
   */
  requestToken(idOrSlug: string, displayName: string, password?: string, bearer?: string): Promise<{ token: string }> {
    const body: Record<string, string> = { displayName };
    if (password) body.password = password; // not an empty one
    return this.call<{ token: string }>('POST', `/api/rooms/${encodeURIComponent(idOrSlug)}/tokens`, body, (b) => requireFields(b, ['token']), {
      passwordSent: 'password' in body,
      bearer,
      repeatable: true, // issuing a token again changes nothing on the server
    });
  }

  private async call<T>(
    method: string,
    path: string,
    body: unknown,
    validate: (b: Record<string, unknown>) => void,
    { passwordSent = false, bearer, repeatable = false }: CallOptions = {},
  ): Promise<T> {
    let res: Response;
    for (let attempt = 0; ; attempt++) {
      try {
        const headers: Record<string, string> = { Accept: 'application/json' };
        if (bearer !== undefined) headers.Authorization = `Bearer ${bearer}`;
        const init: RequestInit = { method, headers };
        if (body !== undefined) {
          headers['Content-Type'] = 'application/json';
          init.body = JSON.stringify(body);
        }
        res = await this.fetchFn(this.base + path, init);
      } catch (e) {
        throw new ApiError('network', 0, 'Network error', `cannot reach the meeting server (${String(e)})`);
      }
      const wait = repeatable && attempt < RETRIES_WHEN_UNAVAILABLE ? retryAfterMs(res) : null;
      if (wait === null) break;
      await this.sleep(wait);
    }
    if (!res.ok) {
      const problem = await readProblem(res);
      throw new ApiError(kindOf(res.status, problem, passwordSent), res.status, problem.title, problem.detail);
    }
    let parsed: unknown;
    try {
      parsed = await res.json();
    } catch {
      throw new ApiError('bad-response', res.status, 'Bad response', `${method} ${path} did not return JSON`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new ApiError('bad-response', res.status, 'Bad response', `${method} ${path} did not return an object`);
    }
    try {
      validate(parsed as Record<string, unknown>);
    } catch (e) {
      throw new ApiError('bad-response', res.status, 'Bad response', `${method} ${path}: ${(e as Error).message}`);
    }
    return parsed as T;
  }
}

function requireFields(body: Record<string, unknown>, fields: string[]): void {
  for (const f of fields) {
    if (typeof body[f] !== 'string' || (body[f] as string).length === 0) {
      throw new Error(`response field \`${f}\` is missing`);
    }
  }
}

/**
 * The room slug in an invite link or typed code: "https://host/r/abc", "/abc", "abc".
 * Returns null for input that holds no usable slug.
 */
export function slugFromInput(input: string): string | null {
  const text = input.trim();
  if (text.length === 0) return null;
  let path = text;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    try {
      path = new URL(text).pathname;
    } catch {
      return null;
    }
  }
  const parts = path.split(/[/?#]/).filter((p) => p.length > 0);
  const last = parts[parts.length - 1];
  if (!last) return null;
  const slug = decodeURIComponent(last);
  return /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/.test(slug) ? slug : null;
}

/** Where the signalling WebSocket is when the REST API did not say (room-api's default path). */
export function defaultSignallingUrl(loc: { protocol: string; host: string }, slug: string): string {
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/api/signalling/${encodeURIComponent(slug)}`;
}
