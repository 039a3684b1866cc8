import { SOCKET_OPEN, browserSocketFactory, type SocketFactory, type SocketLike } from './socket';

/**
 * The bridge channel (JVB's colibri-ws): JSON messages with a `colibriClass`. We send
 * ReceiverVideoConstraints (lastN) and read DominantSpeakerEndpointChangeEvent.
 */
export interface BridgeChannelListener {
  onDominantSpeaker?(endpointId: string): void;
}

export function receiverVideoConstraints(lastN: number): Record<string, unknown> {
  // lastN = 0: the bridge forwards no video to this receiver (audio-only mode); -1: no limit.
  return { colibriClass: 'ReceiverVideoConstraints', lastN };
}

/** Opens the bridge channel when a URL is known; remembers constraints until it is open. */
export class BridgeChannel {
  private socket: SocketLike | null = null;
  private url: string | null = null;
  private lastN = -1;
  private readonly factory: SocketFactory;
  private readonly listener: BridgeChannelListener;

  constructor(listener: BridgeChannelListener = {}, factory: SocketFactory = browserSocketFactory) {
    this.listener = listener;
    this.factory = factory;
  }

  get connectedUrl(): string | null {
    return this.url;
  }

  /**
   * Connects to `url` (no-op if already there, unless `reconnect`: the bridge made us a new endpoint
   * behind the same URL; undefined keeps the current channel).
   */
  setUrl(url: string | undefined, reconnect = false): void {
    if (!url || (url === this.url && !reconnect)) return;
    this.close();
    this.url = url;
    const socket = this.factory(url);
    this.socket = socket;
    socket.onopen = () => {
      if (this.lastN !== -1) this.sendNow(receiverVideoConstraints(this.lastN));
    };
    socket.onmessage = (ev) => this.handle(ev.data);
    socket.onclose = () => {
      if (this.socket === socket) this.socket = null;
    };
    socket.onerror = () => {};
  }

  /** Sets how many video streams the bridge may forward to us; sent now or on open. */
  setLastN(lastN: number): void {
    this.lastN = lastN;
    this.sendNow(receiverVideoConstraints(lastN));
  }

  close(): void {
    const s = this.socket;
    this.socket = null;
    this.url = null;
    if (s) {
      s.onopen = s.onmessage = s.onclose = s.onerror = null;
      try {
        s.close(1000, 'bye');
      } catch {
        /* ignore */
      }
    }
  }

  private sendNow(message: Record<string, unknown>): boolean {
    if (!this.socket || this.socket.readyState !== SOCKET_OPEN) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  private handle(data: unknown): void {
    if (typeof data !== 'string') return;
    let msg: unknown;
    try {
      msg = JSON.parse(data);
    } catch {
      return; // the bridge channel is best-effort; signalling stays the source of truth
    }
    if (typeof msg !== 'object' || msg === null) return;
    const m = msg as Record<string, unknown>;
    if (m.colibriClass === 'DominantSpeakerEndpointChangeEvent' && typeof m.dominantSpeakerEndpoint === 'string') {
      this.listener.onDominantSpeaker?.(m.dominantSpeakerEndpoint);
    }
  }
}
