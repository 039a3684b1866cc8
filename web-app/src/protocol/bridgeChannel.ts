import { SOCKET_OPEN, browserSocketFactory, browserTimers, type SocketFactory, type SocketLike, type Timers } from './socket';
import { OnceLogger, expose } from '../debug/expose';

/** One source's limit in ReceiverVideoConstraints (the smaller side of the picture, in px). */
export interface VideoConstraint {
  maxHeight: number;
}

/**
 * What this receiver wants from the bridge, as JVB's `ReceiverVideoConstraints` (every field is sent
 * every time: the bridge keeps the previous value of a missing field).
 */
export interface ReceiverVideoConstraints {
  /** -1 = no limit, 0 = no video at all (audio-only). */
  lastN: number;
  onStageSources: string[];
  selectedSources: string[];
  defaultConstraints: VideoConstraint;
  constraints: Record<string, VideoConstraint>;
}

/** What the bridge tells us, already checked. */
export type BridgeEvent =
  | { colibriClass: 'ServerHello' }
  | { colibriClass: 'ForwardedSources'; forwardedSources: string[] }
  | { colibriClass: 'DominantSpeakerEndpointChangeEvent'; dominantSpeakerEndpoint: string; silence: boolean }
  | { colibriClass: 'SenderSourceConstraints'; sourceName: string; maxHeight: number }
  /** JVB's estimate of the bandwidth from the bridge to us, bit/s. */
  | { colibriClass: 'ConnectionStats'; estimatedDownlinkBandwidth: number }
  /** A message JVB sends that we have no use for (stats, endpoint messages…). */
  | { colibriClass: 'ignored'; original: string };

/** Bridge messages we know and do not act on. */
const KNOWN_UNUSED = new Set([
  'EndpointMessage',
  'EndpointStats',
  'EndpointConnectivityStatusChangeEvent',
  'LastNEndpointsChangeEvent',
  'SenderVideoConstraints',
  'VideoSourcesMap',
  'AudioSourcesMap',
  'ServerHelloAck',
]);

/** Why a bridge frame was dropped; one log line per reason. */
export type BridgeParseResult = { ok: true; event: BridgeEvent } | { ok: false; problem: string };

const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/** Checks one bridge-channel frame; never throws. */
export function parseBridgeMessage(data: unknown): BridgeParseResult {
  if (typeof data !== 'string') return { ok: false, problem: 'a binary frame' };
  let msg: unknown;
  try {
    msg = JSON.parse(data);
  } catch {
    return { ok: false, problem: 'a frame that is not JSON' };
  }
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return { ok: false, problem: 'a frame that is not a JSON object' };
  const m = msg as Record<string, unknown>;
  const cls = m.colibriClass;
  if (typeof cls !== 'string') return { ok: false, problem: 'a message without colibriClass' };
  switch (cls) {
    case 'ServerHello':
      return { ok: true, event: { colibriClass: cls } };
    case 'ForwardedSources':
      if (!isStringArray(m.forwardedSources)) return { ok: false, problem: 'a malformed ForwardedSources' };
      return { ok: true, event: { colibriClass: cls, forwardedSources: m.forwardedSources } };
    case 'DominantSpeakerEndpointChangeEvent':
      if (typeof m.dominantSpeakerEndpoint !== 'string' || (m.silence !== undefined && typeof m.silence !== 'boolean')) {
        return { ok: false, problem: 'a malformed DominantSpeakerEndpointChangeEvent' };
      }
      return { ok: true, event: { colibriClass: cls, dominantSpeakerEndpoint: m.dominantSpeakerEndpoint, silence: m.silence === true } };
    case 'SenderSourceConstraints':
      if (typeof m.sourceName !== 'string' || m.sourceName === '' || typeof m.maxHeight !== 'number' || !Number.isFinite(m.maxHeight)) {
        return { ok: false, problem: 'a malformed SenderSourceConstraints' };
      }
      return { ok: true, event: { colibriClass: cls, sourceName: m.sourceName, maxHeight: m.maxHeight } };
    case 'ConnectionStats': {
      const bw = m.estimatedDownlinkBandwidth;
      // Other ConnectionStats fields (none seen so far) are not ours to judge; a missing estimate is nothing to use.
      if (bw === undefined) return { ok: true, event: { colibriClass: 'ignored', original: cls } };
      if (typeof bw !== 'number' || !Number.isFinite(bw) || bw < 0) return { ok: false, problem: 'a malformed ConnectionStats' };
      return { ok: true, event: { colibriClass: cls, estimatedDownlinkBandwidth: bw } };
    }
    default:
      if (KNOWN_UNUSED.has(cls)) return { ok: true, event: { colibriClass: 'ignored', original: cls } };
      return { ok: false, problem: `an unknown message ${JSON.stringify(cls.slice(0, 60))}` };
  }
}

export interface BridgeChannelListener {
  /** `silence`: the bridge hears nobody now; the endpoint is the last one who spoke. */
  onDominantSpeaker?(endpointId: string, silence: boolean): void;
  /** The sources the bridge forwards to us now (any other remote source gets no video). */
  onForwardedSources?(sourceNames: string[]): void;
  /** The largest height any receiver wants of one of our sources (0 = none). */
  onSenderConstraints?(sourceName: string, maxHeight: number): void;
  /** JVB's downlink bandwidth estimate for us (ConnectionStats), bit/s. */
  onConnectionStats?(estimatedDownlinkBps: number): void;
}

export interface BridgeChannelOptions {
  factory: SocketFactory;
  timers: Timers;
  /** First reconnect delay; doubles per failed attempt up to `maxBackoffMs`, then stays there. */
  baseBackoffMs: number;
  maxBackoffMs: number;
  /** A socket not open after this long is given up and tried again. */
  connectTimeoutMs: number;
  /** Constraint changes within this window go out as one message. */
  debounceMs: number;
  log: OnceLogger;
}

export const defaultBridgeChannelOptions = (): BridgeChannelOptions => ({
  factory: browserSocketFactory,
  timers: browserTimers,
  baseBackoffMs: 500,
  maxBackoffMs: 10_000,
  connectTimeoutMs: 10_000,
  debounceMs: 100,
  log: new OnceLogger('bridge channel'),
});

/** How many of the bridge's last messages the debug snapshot keeps. */
const RECENT_MESSAGES = 30;

/** The frame for `c`. */
export function receiverVideoConstraintsMessage(c: ReceiverVideoConstraints): Record<string, unknown> {
  return {
    colibriClass: 'ReceiverVideoConstraints',
    lastN: c.lastN,
    onStageSources: c.onStageSources,
    selectedSources: c.selectedSources,
    defaultConstraints: c.defaultConstraints,
    constraints: c.constraints,
  };
}

/**
 * The bridge channel (JVB's colibri-ws): sends our ReceiverVideoConstraints when it opens, after each
 * reconnect and when they change (debounced, never the same message twice on one socket); reports
 * forwarded sources, sender constraints and the dominant speaker. A dropped or unreachable channel is
 * retried with a bounded back-off for as long as the call lasts; the call works without it.
 */
export class BridgeChannel {
  private socket: SocketLike | null = null;
  private open = false;
  private url: string | null = null;
  private wanted: ReceiverVideoConstraints | null = null;
  /** The JSON last sent on the current socket (a new socket sends again). */
  private sentOnSocket: string | null = null;
  private lastSent: ReceiverVideoConstraints | null = null;
  private sentCount = 0;
  private attempts = 0;
  private reconnects = 0;
  /** The last few messages the bridge sent (not stats), for people and tests debugging a call. */
  private readonly recent: string[] = [];
  private reconnectTimer: unknown = null;
  private connectTimer: unknown = null;
  private debounceTimer: unknown = null;
  private readonly listener: BridgeChannelListener;
  private readonly opts: BridgeChannelOptions;

  constructor(listener: BridgeChannelListener = {}, options: Partial<BridgeChannelOptions> = {}) {
    this.listener = listener;
    this.opts = { ...defaultBridgeChannelOptions(), ...options };
  }

  get connectedUrl(): string | null {
    return this.url;
  }

  get isOpen(): boolean {
    return this.open;
  }

  /** The constraints last sent to the bridge (null before the first). */
  get lastSentConstraints(): ReceiverVideoConstraints | null {
    return this.lastSent;
  }

  /**
   * Connects to `url` (no-op if already there, unless `reconnect`: the bridge made us a new endpoint
   * behind the same URL; undefined keeps the current channel).
   */
  setUrl(url: string | undefined, reconnect = false): void {
    if (!url || (url === this.url && !reconnect)) return;
    this.close();
    this.url = url;
    this.attempts = 0;
    this.connect();
  }

  /** What we want the bridge to forward; sent when open (debounced), or as soon as it opens. */
  setReceiverConstraints(constraints: ReceiverVideoConstraints): void {
    this.wanted = constraints;
    if (!this.open || this.debounceTimer !== null) return;
    if (JSON.stringify(receiverVideoConstraintsMessage(constraints)) === this.sentOnSocket) return;
    this.debounceTimer = this.opts.timers.setTimeout(() => {
      this.debounceTimer = null;
      this.flush();
    }, this.opts.debounceMs);
  }

  close(): void {
    this.clearTimers();
    const s = this.socket;
    this.socket = null;
    this.open = false;
    this.url = null;
    if (s) this.discard(s);
    this.publish();
  }

  private connect(): void {
    const url = this.url;
    if (url === null) return;
    let socket: SocketLike;
    try {
      socket = this.opts.factory(url);
    } catch (e) {
      this.opts.log.warn(`cannot open ${url}`, e);
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    this.sentOnSocket = null;
    this.connectTimer = this.opts.timers.setTimeout(() => {
      this.connectTimer = null;
      if (this.socket !== socket || this.open) return;
      this.opts.log.warn(`no connection to ${url} within ${this.opts.connectTimeoutMs} ms`);
      this.socket = null;
      this.discard(socket);
      this.scheduleReconnect();
    }, this.opts.connectTimeoutMs);
    socket.onopen = () => {
      if (this.socket !== socket) return;
      this.clearTimer('connectTimer');
      this.open = true;
      this.flush();
    };
    socket.onmessage = (ev) => {
      if (this.socket === socket) this.handle(ev.data);
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      if (!this.open) this.opts.log.warn('cannot reach the bridge channel; the call goes on without it and it is retried', url);
      this.socket = null;
      this.open = false;
      this.clearTimer('connectTimer');
      this.clearTimer('debounceTimer');
      this.scheduleReconnect();
    };
    socket.onerror = () => {
      /* a close event follows; reconnecting is decided there */
    };
    this.publish();
  }

  private scheduleReconnect(): void {
    if (this.url === null || this.reconnectTimer !== null) return;
    const delay = Math.min(this.opts.maxBackoffMs, this.opts.baseBackoffMs * 2 ** this.attempts);
    this.attempts = Math.min(this.attempts + 1, 30);
    this.publish();
    this.reconnectTimer = this.opts.timers.setTimeout(() => {
      this.reconnectTimer = null;
      this.reconnects++;
      this.connect();
    }, delay);
  }

  private flush(): void {
    this.clearTimer('debounceTimer');
    const socket = this.socket;
    if (!this.open || !socket || socket.readyState !== SOCKET_OPEN || this.wanted === null) return;
    const json = JSON.stringify(receiverVideoConstraintsMessage(this.wanted));
    if (json === this.sentOnSocket) return;
    try {
      socket.send(json);
    } catch (e) {
      this.opts.log.warn('send failed', e);
      return;
    }
    this.sentOnSocket = json;
    this.lastSent = this.wanted;
    this.sentCount++;
    this.publish();
  }

  private handle(data: unknown): void {
    const parsed = parseBridgeMessage(data);
    if (!parsed.ok) {
      this.opts.log.warn(`ignored ${parsed.problem}`, typeof data === 'string' ? data.slice(0, 200) : undefined);
      return;
    }
    // The bridge talks to us: the channel works, so the next drop starts the back-off afresh.
    this.attempts = 0;
    const e = parsed.event;
    // Periodic stats would push everything else out of the debug list.
    if (e.colibriClass !== 'ignored' && e.colibriClass !== 'ConnectionStats') {
      this.recent.push(`${Math.round(this.opts.timers.now())} ${(data as string).slice(0, 300)}`);
      if (this.recent.length > RECENT_MESSAGES) this.recent.shift();
      this.publish();
    }
    try {
      switch (e.colibriClass) {
        case 'ForwardedSources':
          this.listener.onForwardedSources?.(e.forwardedSources);
          break;
        case 'DominantSpeakerEndpointChangeEvent':
          this.listener.onDominantSpeaker?.(e.dominantSpeakerEndpoint, e.silence);
          break;
        case 'SenderSourceConstraints':
          this.listener.onSenderConstraints?.(e.sourceName, e.maxHeight);
          break;
        case 'ConnectionStats':
          this.listener.onConnectionStats?.(e.estimatedDownlinkBandwidth);
          break;
        default:
          break;
      }
    } catch (err) {
      this.opts.log.warn(`handling ${e.colibriClass} failed`, err);
    }
  }

  private discard(s: SocketLike): void {
    s.onopen = s.onmessage = s.onclose = s.onerror = null;
    try {
      s.close(1000, 'bye');
    } catch {
      /* already closed */
    }
  }

  private clearTimer(name: 'reconnectTimer' | 'connectTimer' | 'debounceTimer'): void {
    if (this[name] !== null) this.opts.timers.clearTimeout(this[name]);
    this[name] = null;
  }

  private clearTimers(): void {
    this.clearTimer('reconnectTimer');
    this.clearTimer('connectTimer');
    this.clearTimer('debounceTimer');
  }

  private publish(): void {
    expose('bridgeChannel', {
      url: this.url,
      open: this.open,
      receiverConstraints: this.lastSent,
      receiverConstraintsSent: this.sentCount,
      reconnects: this.reconnects,
      recentMessages: [...this.recent],
    });
  }
}
