/**
 * The signalling protocol between the browser and room-api (JSON text frames over one WebSocket).
 * Shapes follow docs/API.md ("Signalling WebSocket") and room-api's ServerMessage /
 * ClientMessage records; everything the server sends is validated here before the app sees it.
 */

export const PROTOCOL_VERSION = 1;

export interface ParticipantInfo {
  participantId: string;
  displayName: string;
  moderator: boolean;
  audio: boolean;
  video: boolean;
  screen: boolean;
  /** A moderator muted its microphone at the bridge; it cannot unmute until allowed. */
  audioForceMuted?: boolean;
  /** A moderator turned its camera off at the bridge. */
  videoForceMuted?: boolean;
  /** When it raised its hand (server epoch ms; orders the hands); absent while it is down. */
  handRaisedAt?: number;
}

export interface IceServerInfo {
  urls: string[];
  username?: string;
  credential?: string;
}

export type ModerateAction = 'mute' | 'allow-unmute' | 'lower-hand' | 'kick';

/** What `mute` and `allow-unmute` act on. */
export type ModeratedMedia = 'audio' | 'video';

/** ICE states the browser reports (`ice-state`): they end a media connection attempt. */
export type IceReport = 'connected' | 'failed';

/** Frames the browser sends. */
export type ClientMessage =
  | {
      type: 'join';
      token: string;
      displayName?: string;
      resumeToken?: string;
      audio: boolean;
      video: boolean;
    }
  | { type: 'answer'; sdp: string }
  | { type: 'ice-candidate'; candidate: string; sdpMid?: string; sdpMLineIndex?: number }
  | { type: 'media-state'; audio: boolean; video: boolean; screen: boolean }
  | { type: 'chat'; text: string }
  | { type: 'moderate'; action: ModerateAction; participantId: string; media?: ModeratedMedia }
  | { type: 'raise-hand'; raised: boolean }
  | { type: 'end-meeting' }
  | { type: 'lobby-admit'; participantId: string }
  | { type: 'lobby-deny'; participantId: string }
  | { type: 'lobby-admit-all' }
  | { type: 'ice-restart' }
  | { type: 'ice-state'; state: IceReport }
  | { type: 'leave' }
  | { type: 'ping'; ts?: number }
  | { type: 'p2p-offer' | 'p2p-answer'; sessionId: string; sdp: string }
  | { type: 'p2p-candidate'; sessionId: string; candidate: string; sdpMid?: string; sdpMLineIndex?: number }
  | { type: 'p2p-state'; sessionId: string; state: IceReport }
  | { type: 'p2p-video'; sessionId: string; receive: boolean };

export interface JoinedMessage {
  type: 'joined';
  protocolVersion?: number;
  participantId: string;
  roomId?: string;
  moderator: boolean;
  participants: ParticipantInfo[];
  iceServers: IceServerInfo[];
  resumeToken?: string;
  bridgeChannelUrl?: string;
}

/** Frames the server sends, after validation. */
export type ServerMessage =
  | JoinedMessage
  | { type: 'offer'; sdp: string; bridgeChannelUrl?: string }
  | { type: 'participant-joined'; participant: ParticipantInfo }
  | { type: 'participant-left'; participantId: string; reason?: string }
  | { type: 'media-state'; participantId: string; audio: boolean; video: boolean; screen: boolean }
  | { type: 'chat'; from: string; displayName?: string; text: string; ts: number }
  | { type: 'dominant-speaker'; participantId: string | null }
  | { type: 'muted'; by?: string; media?: ModeratedMedia }
  | { type: 'force-muted'; participantId: string; audio: boolean; video: boolean; by?: string }
  | { type: 'hand-raised'; participantId: string; raised: boolean; raisedAt?: number; by?: string }
  | { type: 'lobby-waiting'; participantId: string; moderatorPresent: boolean }
  | { type: 'lobby-request'; participantId: string; displayName: string }
  | { type: 'lobby-left'; participantId: string; reason?: string }
  | { type: 'lobby-denied'; message?: string }
  | { type: 'error'; code: string; message: string; retryAfterMs?: number }
  | { type: 'pong'; ts?: number }
  | { type: 'reconnect'; reason: string }
  | { type: 'ice-candidate'; candidate: string; sdpMid?: string; sdpMLineIndex?: number }
  | { type: 'p2p-start'; sessionId: string; peerId: string; initiator: boolean }
  | { type: 'p2p-active'; sessionId: string }
  | { type: 'p2p-stop'; sessionId: string; reason?: string }
  | { type: 'p2p-offer' | 'p2p-answer'; sessionId: string; from: string; sdp: string }
  | { type: 'p2p-candidate'; sessionId: string; from: string; candidate: string; sdpMid?: string; sdpMLineIndex?: number }
  | { type: 'p2p-video'; sessionId: string; from: string; receive: boolean };

export type ServerMessageType = ServerMessage['type'];

/** Why a server frame was rejected; mirrors the server's own codes for the same faults. */
export type ProtocolErrorCode = 'malformed-json' | 'unknown-type' | 'invalid-message';

/** A server frame that is not valid protocol; the frame is dropped and reported, never guessed at. */
export class ProtocolError extends Error {
  readonly code: ProtocolErrorCode;

  constructor(code: ProtocolErrorCode, message: string) {
    super(message);
    this.name = 'ProtocolError';
    this.code = code;
  }
}

/** Stable error codes of `error` frames (room-api's SignallingError). */
export const ErrorCodes = {
  malformedJson: 'malformed-json',
  unknownType: 'unknown-type',
  invalidMessage: 'invalid-message',
  frameTooLarge: 'frame-too-large',
  unexpectedMessage: 'unexpected-message',
  invalidToken: 'invalid-token',
  tokenRevoked: 'token-revoked',
  invalidText: 'invalid-text',
  wrongRoom: 'wrong-room',
  roomNotFound: 'room-not-found',
  roomFull: 'room-full',
  notAllowed: 'not-allowed',
  invalidSdp: 'invalid-sdp',
  notModerator: 'not-moderator',
  noBridge: 'no-bridge-available',
  serviceUnavailable: 'service-unavailable',
  rateLimited: 'rate-limited',
  notInLobby: 'not-in-lobby',
  noLobby: 'no-lobby',
  internal: 'internal-error',
  /** Not a server error code: the client's name for `lobby-denied` (a moderator turned us away). */
  lobbyDenied: 'lobby-denied',
} as const;

/** Codes after which retrying the same join cannot succeed: the client stops reconnecting. */
export const FATAL_ERROR_CODES: ReadonlySet<string> = new Set([
  ErrorCodes.invalidToken,
  ErrorCodes.tokenRevoked,
  ErrorCodes.invalidText,
  ErrorCodes.wrongRoom,
  ErrorCodes.roomNotFound,
  ErrorCodes.roomFull,
  ErrorCodes.notAllowed,
  ErrorCodes.lobbyDenied,
]);

/** A sentence a person can act on, for an error code from signalling or REST. */
export function describeError(code: string, fallback?: string): string {
  switch (code) {
    case ErrorCodes.roomNotFound:
      return 'This meeting does not exist or has ended. Check the link.';
    case ErrorCodes.roomFull:
      return 'This meeting is full. Try again later.';
    case ErrorCodes.notAllowed:
      return 'You are not invited to this meeting.';
    case ErrorCodes.invalidToken:
      return 'Your meeting pass is invalid or has expired. Join again from the link.';
    case ErrorCodes.tokenRevoked:
      return 'Your meeting pass is no longer valid: the meeting’s access changed or a moderator removed you.';
    case ErrorCodes.invalidText:
      return 'Your name has characters that cannot be used here (control or invisible characters). Change it and join again.';
    case ErrorCodes.wrongRoom:
      return 'Your meeting pass is for another meeting.';
    case ErrorCodes.noBridge:
      return 'No media server is available right now. Try again in a moment.';
    case ErrorCodes.serviceUnavailable:
      return 'The meeting server cannot take new participants for a moment. Retrying…';
    case ErrorCodes.notModerator:
      return 'Only moderators can do that.';
    case ErrorCodes.rateLimited:
      return 'Too many requests; slow down a little.';
    case ErrorCodes.lobbyDenied:
      return 'A moderator did not let you into this meeting.';
    case ErrorCodes.notInLobby:
      return 'That person is no longer waiting in the lobby.';
    case ErrorCodes.noLobby:
      return 'This meeting has no lobby.';
    case 'wrong-password':
      return 'Wrong password.';
    case 'room-closed':
      return 'This meeting has ended.';
    case 'password-required':
      return 'This meeting needs a password.';
    default:
      return fallback && fallback.length > 0 ? fallback : `Something went wrong (${code}).`;
  }
}

type Json = Record<string, unknown>;

function invalid(type: string, field: string, problem: string): ProtocolError {
  return new ProtocolError('invalid-message', `\`${type}\`: \`${field}\` ${problem}`);
}

function str(o: Json, type: string, field: string): string {
  const v = o[field];
  if (typeof v !== 'string') throw invalid(type, field, 'must be a string');
  return v;
}

function optStr(o: Json, type: string, field: string): string | undefined {
  const v = o[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw invalid(type, field, 'must be a string');
  return v;
}

function bool(o: Json, type: string, field: string, fallback?: boolean): boolean {
  const v = o[field];
  if ((v === undefined || v === null) && fallback !== undefined) return fallback;
  if (typeof v !== 'boolean') throw invalid(type, field, 'must be true or false');
  return v;
}

function optNum(o: Json, type: string, field: string): number | undefined {
  const v = o[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw invalid(type, field, 'must be a number');
  return v;
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function participant(v: unknown, type: string): ParticipantInfo {
  if (!isObject(v)) throw invalid(type, 'participant', 'must be an object');
  const participantId = str(v, type, 'participantId');
  if (participantId.length === 0) throw invalid(type, 'participantId', 'must not be empty');
  const handRaisedAt = optNum(v, type, 'handRaisedAt');
  return {
    participantId,
    displayName: optStr(v, type, 'displayName') ?? '',
    moderator: bool(v, type, 'moderator', false),
    audio: bool(v, type, 'audio', false),
    video: bool(v, type, 'video', false),
    screen: bool(v, type, 'screen', false),
    // moderation state only when set, so an unmoderated participant looks as before
    ...(bool(v, type, 'audioForceMuted', false) ? { audioForceMuted: true } : {}),
    ...(bool(v, type, 'videoForceMuted', false) ? { videoForceMuted: true } : {}),
    ...(handRaisedAt !== undefined ? { handRaisedAt } : {}),
  };
}

function media(o: Json, type: string): ModeratedMedia | undefined {
  const m = optStr(o, type, 'media');
  if (m === undefined) return undefined;
  if (m !== 'audio' && m !== 'video') throw invalid(type, 'media', 'must be audio or video');
  return m;
}

function iceServer(v: unknown): IceServerInfo {
  if (!isObject(v)) throw invalid('joined', 'iceServers', 'must hold objects');
  const raw = v.urls;
  const urls = typeof raw === 'string' ? [raw] : raw;
  if (!Array.isArray(urls) || urls.some((u) => typeof u !== 'string')) {
    throw invalid('joined', 'iceServers[].urls', 'must be a string or a list of strings');
  }
  const server: IceServerInfo = { urls: urls as string[] };
  const username = optStr(v, 'joined', 'username');
  const credential = optStr(v, 'joined', 'credential');
  if (username !== undefined) server.username = username;
  if (credential !== undefined) server.credential = credential;
  return server;
}

function withOptional<T extends object>(base: T, extra: Record<string, unknown>): T {
  for (const [k, v] of Object.entries(extra)) {
    if (v !== undefined) (base as Record<string, unknown>)[k] = v;
  }
  return base;
}

/** Parses and validates one text frame from the server; throws {@link ProtocolError}. */
export function parseServerMessage(frame: string): ServerMessage {
  let data: unknown;
  try {
    data = JSON.parse(frame);
  } catch {
    throw new ProtocolError('malformed-json', 'frame is not valid JSON');
  }
  if (!isObject(data)) throw new ProtocolError('malformed-json', 'frame must be a JSON object');
  const type = data.type;
  if (typeof type !== 'string') throw new ProtocolError('unknown-type', 'frame has no string `type`');
  switch (type) {
    case 'joined': {
      const list = data.participants ?? [];
      if (!Array.isArray(list)) throw invalid(type, 'participants', 'must be a list');
      const servers = data.iceServers ?? [];
      if (!Array.isArray(servers)) throw invalid(type, 'iceServers', 'must be a list');
      const participantId = str(data, type, 'participantId');
      if (participantId.length === 0) throw invalid(type, 'participantId', 'must not be empty');
      return withOptional<JoinedMessage>(
        {
          type,
          participantId,
          moderator: bool(data, type, 'moderator', false),
          participants: list.map((p) => participant(p, type)),
          iceServers: servers.map(iceServer),
        },
        {
          protocolVersion: optNum(data, type, 'protocolVersion'),
          roomId: optStr(data, type, 'roomId'),
          resumeToken: optStr(data, type, 'resumeToken'),
          bridgeChannelUrl: optStr(data, type, 'bridgeChannelUrl'),
        },
      );
    }
    case 'offer': {
      const sdp = str(data, type, 'sdp');
      if (sdp.length === 0) throw invalid(type, 'sdp', 'must not be empty');
      return withOptional({ type, sdp }, { bridgeChannelUrl: optStr(data, type, 'bridgeChannelUrl') });
    }
    case 'participant-joined':
      // room-api nests the participant; a flat frame is accepted too.
      return { type, participant: participant(data.participant ?? data, type) };
    case 'participant-left':
      return withOptional(
        { type, participantId: str(data, type, 'participantId') },
        { reason: optStr(data, type, 'reason') },
      );
    case 'media-state':
      return {
        type,
        participantId: str(data, type, 'participantId'),
        audio: bool(data, type, 'audio'),
        video: bool(data, type, 'video'),
        screen: bool(data, type, 'screen', false),
      };
    case 'chat':
      return withOptional(
        {
          type,
          from: str(data, type, 'from'),
          text: str(data, type, 'text'),
          ts: optNum(data, type, 'ts') ?? Date.now(),
        },
        { displayName: optStr(data, type, 'displayName') },
      );
    case 'dominant-speaker':
      return { type, participantId: optStr(data, type, 'participantId') ?? null };
    case 'muted':
      return withOptional({ type }, { by: optStr(data, type, 'by'), media: media(data, type) });
    case 'reconnect':
      // the node stops hosting this session; the socket closes next and the client resumes
      return { type, reason: str(data, type, 'reason') };
    case 'force-muted':
      return withOptional(
        {
          type,
          participantId: str(data, type, 'participantId'),
          audio: bool(data, type, 'audio'),
          video: bool(data, type, 'video'),
        },
        { by: optStr(data, type, 'by') },
      );
    case 'hand-raised': {
      const raised = bool(data, type, 'raised');
      const raisedAt = optNum(data, type, 'raisedAt');
      if (raised && raisedAt === undefined) throw invalid(type, 'raisedAt', 'is required when raised');
      return withOptional(
        { type, participantId: str(data, type, 'participantId'), raised },
        { raisedAt: raised ? raisedAt : undefined, by: optStr(data, type, 'by') },
      );
    }
    case 'lobby-waiting':
      return {
        type,
        participantId: str(data, type, 'participantId'),
        moderatorPresent: bool(data, type, 'moderatorPresent'),
      };
    case 'lobby-request':
      return {
        type,
        participantId: str(data, type, 'participantId'),
        displayName: optStr(data, type, 'displayName') ?? 'Guest',
      };
    case 'lobby-left':
      return withOptional(
        { type, participantId: str(data, type, 'participantId') },
        { reason: optStr(data, type, 'reason') },
      );
    case 'lobby-denied':
      return withOptional({ type }, { message: optStr(data, type, 'message') });
    case 'error':
      return { type, code: str(data, type, 'code'), message: optStr(data, type, 'message') ?? '' };
    case 'pong':
      return withOptional({ type }, { ts: optNum(data, type, 'ts') });
    case 'ice-candidate':
      return withOptional(
        { type, candidate: str(data, type, 'candidate') },
        { sdpMid: optStr(data, type, 'sdpMid'), sdpMLineIndex: optNum(data, type, 'sdpMLineIndex') },
      );
    case 'p2p-start':
      return {
        type,
        sessionId: str(data, type, 'sessionId'),
        peerId: str(data, type, 'peerId'),
        initiator: bool(data, type, 'initiator'),
      };
    case 'p2p-active':
      return { type, sessionId: str(data, type, 'sessionId') };
    case 'p2p-video':
      return { type, sessionId: str(data, type, 'sessionId'), from: str(data, type, 'from'), receive: bool(data, type, 'receive') };
    case 'p2p-stop':
      return withOptional({ type, sessionId: str(data, type, 'sessionId') }, { reason: optStr(data, type, 'reason') });
    case 'p2p-offer':
    case 'p2p-answer': {
      const sdp = str(data, type, 'sdp');
      if (sdp.length === 0) throw invalid(type, 'sdp', 'must not be empty');
      return { type, sessionId: str(data, type, 'sessionId'), from: str(data, type, 'from'), sdp };
    }
    case 'p2p-candidate':
      return withOptional(
        { type, sessionId: str(data, type, 'sessionId'), from: str(data, type, 'from'), candidate: str(data, type, 'candidate') },
        { sdpMid: optStr(data, type, 'sdpMid'), sdpMLineIndex: optNum(data, type, 'sdpMLineIndex') },
      );
    default:
      throw new ProtocolError('unknown-type', `unknown message type \`${type.slice(0, 40)}\``);
  }
}

/** Serialises a client frame (kept here so every wire shape lives in this module). */
export function encodeClientMessage(message: ClientMessage): string {
  return JSON.stringify(message);
}
