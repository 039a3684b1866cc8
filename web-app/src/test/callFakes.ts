import type { SignallingLike } from '../call/CallController';
import type { BridgeChannelListener, ClientMessage, ReceiverVideoConstraints, ServerMessage, SignallingListener, SignallingOptions } from '../protocol';
import type { PeerSessionLike, PeerSessionListener } from '../media/PeerSession';

/** Fakes of the controller's collaborators: they record what the controller asks of them. */
export class FakeSignalling implements SignallingLike {
  sent: ClientMessage[] = [];
  connected = false;
  connects = 0;
  retries = 0;
  left = false;
  rejoins = 0;
  constructor(
    readonly options: SignallingOptions,
    readonly listener: SignallingListener,
  ) {}
  connect() {
    this.connects++;
  }
  retry() {
    this.retries++;
  }
  send(m: ClientMessage) {
    if (!this.connected) return false;
    this.sent.push(m);
    return true;
  }
  leave() {
    this.left = true;
    this.connected = false;
  }
  rejoinAsNew() {
    this.rejoins++;
    this.connected = false;
  }
  server(m: ServerMessage) {
    if (m.type === 'joined') this.connected = true;
    this.listener.onMessage(m);
  }
  ofType<T extends ClientMessage['type']>(type: T): Extract<ClientMessage, { type: T }>[] {
    return this.sent.filter((m) => m.type === type) as Extract<ClientMessage, { type: T }>[];
  }
}

export class FakePeer implements PeerSessionLike {
  tracks: Record<string, MediaStreamTrack | null> = {};
  offers: string[] = [];
  closed = false;
  screenSlot = true;
  /** When set, applyOffer rejects with it (a browser that refuses the offer). */
  offerError: Error | null = null;
  constructor(readonly listener: PeerSessionListener) {}
  async applyOffer(sdp: string) {
    this.offers.push(sdp);
    if (this.offerError) throw this.offerError;
    return `answer-to:${sdp}`;
  }
  async addRemoteCandidate() {}
  /** setSendLimit calls, as `slot:maxHeight`. */
  sendLimits: string[] = [];
  /** When set, setTrack waits for it (a browser slow to replace a sender's track). */
  trackGate: Promise<void> | null = null;
  async setTrack(slot: 'mic' | 'camera' | 'screen', track: MediaStreamTrack | null) {
    if (this.trackGate) await this.trackGate;
    this.tracks[slot] = track;
    return true;
  }
  async setSendLimit(slot: 'camera' | 'screen', maxHeight: number | null) {
    this.sendLimits.push(`${slot}:${maxHeight}`);
  }
  hasScreenSlot() {
    return this.screenSlot;
  }
  close() {
    this.closed = true;
  }
}

export class FakeBridge {
  /** What the controller gave the channel to report bridge messages to. */
  listener: BridgeChannelListener = {};
  urls: (string | undefined)[] = [];
  /** Every set of constraints the controller handed over. */
  constraints: ReceiverVideoConstraints[] = [];
  closed = false;
  /** Reconnects asked for (setUrl with reconnect = true), by URL. */
  reconnects: (string | undefined)[] = [];
  setUrl(u: string | undefined, reconnect = false) {
    this.urls.push(u);
    if (reconnect) this.reconnects.push(u);
  }
  setReceiverConstraints(c: ReceiverVideoConstraints) {
    this.constraints.push(c);
  }
  get last(): ReceiverVideoConstraints | undefined {
    return this.constraints[this.constraints.length - 1];
  }
  /** lastN of each change handed over. */
  get lastN(): number[] {
    return this.constraints.map((c) => c.lastN);
  }
  close() {
    this.closed = true;
  }
}

