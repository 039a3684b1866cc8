import {
  FATAL_ERROR_CODES,
  ProtocolError,
  encodeClientMessage,
  parseServerMessage,
  type ClientMessage,
  type ServerMessage,
} from './messages';
import {
  SOCKET_OPEN,
  browserSocketFactory,
  browserTimers,
  type SocketFactory,
  type SocketLike,
  type Timers,
} from './socket';

/**
 * connecting: first connection, not yet `joined`; connected: `joined` received;
 * reconnecting: the socket dropped after a join and a new one is on its way (with the resume token);
 * failed: gave up (fatal error code or too many attempts) — `retry()` starts again; closed: left.
 */
export type ConnectionState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'failed' | 'closed';

export interface ConnectionFailure {
  code: string;
  message: string;
}

export interface SignallingOptions {
  url: string;
  token: string;
  displayName?: string;
  /** Mic/camera state announced in `join`; read at every (re)join. */
  initialMedia: () => { audio: boolean; video: boolean };
  socketFactory?: SocketFactory;
  timers?: Timers;
  /** Reconnect attempts in a row before giving up. */
  maxReconnectAttempts?: number;
  /** First back-off delay; doubles each attempt up to `maxBackoffMs`. */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** How often to send `ping`. */
  pingIntervalMs?: number;
  /** Silence (no frame at all) after which the socket is considered dead and replaced. */
  silenceTimeoutMs?: number;
}

export interface SignallingListener {
  onMessage(message: ServerMessage): void;
  onStateChange(state: ConnectionState, failure?: ConnectionFailure): void;
  /** A frame the server sent was not valid protocol; it was dropped. */
  onProtocolError?(error: ProtocolError): void;
}

/** One participant's signalling WebSocket: join, keep-alive, reconnect with the resume token. */
export class SignallingClient {
  private readonly opts: Required<Omit<SignallingOptions, 'displayName'>> & { displayName?: string };
  private readonly listener: SignallingListener;
  private socket: SocketLike | null = null;
  private state: ConnectionState = 'idle';
  private resumeToken: string | undefined;
  private joinedOnce = false;
  private attempts = 0;
  private reconnectTimer: unknown = null;
  private pingTimer: unknown = null;
  private lastFrameAt = 0;
  private fatal: ConnectionFailure | null = null;

  constructor(options: SignallingOptions, listener: SignallingListener) {
    this.opts = {
      socketFactory: browserSocketFactory,
      timers: browserTimers,
      maxReconnectAttempts: 6,
      baseBackoffMs: 500,
      maxBackoffMs: 8000,
      pingIntervalMs: 10_000,
      silenceTimeoutMs: 25_000,
      ...options,
    };
    this.listener = listener;
  }

  get connectionState(): ConnectionState {
    return this.state;
  }

  get currentResumeToken(): string | undefined {
    return this.resumeToken;
  }

  connect(): void {
    if (this.state !== 'idle' && this.state !== 'failed') return;
    this.fatal = null;
    this.attempts = 0;
    this.setState(this.joinedOnce ? 'reconnecting' : 'connecting');
    this.open();
  }

  /** Starts over after `failed` (the Retry button). */
  retry(): void {
    if (this.state === 'failed') this.connect();
  }

  /** Sends a frame if the session is joined; returns whether it went out. */
  send(message: ClientMessage): boolean {
    if (this.state !== 'connected' || !this.socket || this.socket.readyState !== SOCKET_OPEN) {
      return false;
    }
    this.socket.send(encodeClientMessage(message));
    return true;
  }

  /**
   * Leaves the server-side session and joins again as a new participant (no resume token), for a
   * media session the browser cannot continue (the `joined` that follows carries a new id, and the
   * call controller builds a new RTCPeerConnection for it).
   */
  rejoinAsNew(): void {
    if (this.state !== 'connected') return;
    if (this.socket && this.socket.readyState === SOCKET_OPEN) {
      this.socket.send(encodeClientMessage({ type: 'leave' }));
    }
    this.shutdown();
    this.resumeToken = undefined;
    this.attempts = 0;
    this.setState('reconnecting');
    this.open();
  }

  /** Leaves on purpose: sends `leave`, closes the socket, never reconnects. */
  leave(): void {
    if (this.state === 'closed') return;
    if (this.socket && this.socket.readyState === SOCKET_OPEN) {
      this.socket.send(encodeClientMessage({ type: 'leave' }));
    }
    this.shutdown();
    this.setState('closed');
  }

  private open(): void {
    const socket = this.opts.socketFactory(this.opts.url);
    this.socket = socket;
    this.lastFrameAt = this.opts.timers.now();
    socket.onopen = () => {
      if (this.socket !== socket) return;
      this.sendJoin(socket);
      this.startPing();
    };
    socket.onmessage = (ev) => {
      if (this.socket !== socket) return;
      this.lastFrameAt = this.opts.timers.now();
      this.handleFrame(ev.data);
    };
    socket.onerror = () => {
      // onclose always follows; reconnect logic lives there.
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.dropSocket();
      this.afterDrop();
    };
  }

  private sendJoin(socket: SocketLike): void {
    const media = this.opts.initialMedia();
    const join: ClientMessage = { type: 'join', token: this.opts.token, ...media };
    if (this.opts.displayName) join.displayName = this.opts.displayName;
    if (this.resumeToken) join.resumeToken = this.resumeToken;
    socket.send(encodeClientMessage(join));
  }

  private handleFrame(data: unknown): void {
    if (typeof data !== 'string') {
      this.listener.onProtocolError?.(new ProtocolError('malformed-json', 'binary frames are not part of the protocol'));
      return;
    }
    let message: ServerMessage;
    try {
      message = parseServerMessage(data);
    } catch (e) {
      if (e instanceof ProtocolError) {
        this.listener.onProtocolError?.(e);
        return;
      }
      throw e;
    }
    if (message.type === 'joined') {
      if (message.resumeToken) this.resumeToken = message.resumeToken;
      this.joinedOnce = true;
      this.attempts = 0;
      this.setState('connected');
    } else if (message.type === 'lobby-denied') {
      // A moderator turned us away: the server closes the socket; joining again with this token is refused.
      this.fatal = { code: 'lobby-denied', message: message.message ?? 'a moderator did not let you in' };
    } else if (message.type === 'error' && FATAL_ERROR_CODES.has(message.code)) {
      // A resume token the server refuses (unknown, used, or its window passed) is not fatal: the
      // socket stays open, so join again on it as a new participant, with the join token only.
      if (message.code === 'invalid-token' && this.resumeToken && this.state !== 'connected') {
        this.resumeToken = undefined;
        if (this.socket && this.socket.readyState === SOCKET_OPEN) this.sendJoin(this.socket);
        return;
      }
      this.fatal = { code: message.code, message: message.message };
    }
    this.listener.onMessage(message);
    if (
      message.type === 'error' &&
      (message.code === 'no-bridge-available' || message.code === 'service-unavailable') &&
      this.state !== 'connected'
    ) {
      // The join was refused for now ("retrying later may work"; service-unavailable: the server's
      // shared state is down for a moment, a call already joined goes on): reconnect with back-off.
      const socket = this.socket;
      this.dropSocket();
      try {
        socket?.close(1000, 'retry later');
      } catch {
        /* ignore */
      }
      this.afterDrop();
      return;
    }
    if (this.fatal && this.state !== 'failed') {
      const failure = this.fatal;
      this.shutdown();
      this.setState('failed', failure);
    }
  }

  private afterDrop(): void {
    if (this.state === 'closed' || this.state === 'failed') return;
    if (this.attempts >= this.opts.maxReconnectAttempts) {
      this.setState('failed', {
        code: 'connection-lost',
        message: `could not reach the meeting server after ${this.attempts} attempts`,
      });
      return;
    }
    const delay = Math.min(this.opts.maxBackoffMs, this.opts.baseBackoffMs * 2 ** this.attempts);
    this.attempts += 1;
    this.setState(this.joinedOnce ? 'reconnecting' : 'connecting');
    this.reconnectTimer = this.opts.timers.setTimeout(() => {
      this.reconnectTimer = null;
      if (this.state === 'reconnecting' || this.state === 'connecting') this.open();
    }, delay);
  }

  private startPing(): void {
    this.stopPing();
    this.pingTimer = this.opts.timers.setInterval(() => {
      const socket = this.socket;
      if (!socket) return;
      const now = this.opts.timers.now();
      if (now - this.lastFrameAt > this.opts.silenceTimeoutMs) {
        // The connection is silently dead (no pong); replace it.
        this.dropSocket();
        try {
          socket.close(4000, 'keep-alive timeout');
        } catch {
          /* already closing */
        }
        this.afterDrop();
        return;
      }
      if (socket.readyState === SOCKET_OPEN) socket.send(encodeClientMessage({ type: 'ping', ts: now }));
    }, this.opts.pingIntervalMs);
  }

  private stopPing(): void {
    if (this.pingTimer !== null) this.opts.timers.clearInterval(this.pingTimer);
    this.pingTimer = null;
  }

  private dropSocket(): void {
    this.stopPing();
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.onopen = null;
      socket.onmessage = null;
      socket.onclose = null;
      socket.onerror = null;
    }
  }

  private shutdown(): void {
    if (this.reconnectTimer !== null) this.opts.timers.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    const socket = this.socket;
    this.dropSocket();
    if (socket) {
      try {
        socket.close(1000, 'bye');
      } catch {
        /* ignore */
      }
    }
  }

  private setState(state: ConnectionState, failure?: ConnectionFailure): void {
    if (this.state === state && !failure) return;
    this.state = state;
    this.listener.onStateChange(state, failure);
  }
}
