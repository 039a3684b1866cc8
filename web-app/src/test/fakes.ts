import type { SocketLike, Timers } from '../protocol';

/** A WebSocket stand-in: records sent frames; the test drives open/message/close. */
export class FakeSocket implements SocketLike {
  static instances: FakeSocket[] = [];
  readyState = 0;
  sent: string[] = [];
  closedWith: { code?: number; reason?: string } | null = null;
  onopen: ((ev: Event) => void) | null = null;
  onmessage: ((ev: MessageEvent) => void) | null = null;
  onclose: ((ev: CloseEvent) => void) | null = null;
  onerror: ((ev: Event) => void) | null = null;

  constructor(readonly url: string) {
    FakeSocket.instances.push(this);
  }

  static reset(): void {
    FakeSocket.instances = [];
  }

  static last(): FakeSocket {
    const s = FakeSocket.instances[FakeSocket.instances.length - 1];
    if (!s) throw new Error('no socket was opened');
    return s;
  }

  send(data: string): void {
    if (this.readyState !== 1) throw new Error('send on a socket that is not open');
    this.sent.push(data);
  }

  close(code?: number, reason?: string): void {
    this.closedWith = { code, reason };
    this.readyState = 3;
  }

  sentMessages(): Record<string, unknown>[] {
    return this.sent.map((s) => JSON.parse(s) as Record<string, unknown>);
  }

  serverOpens(): void {
    this.readyState = 1;
    this.onopen?.(new Event('open'));
  }

  serverSends(frame: unknown): void {
    const data = typeof frame === 'string' ? frame : JSON.stringify(frame);
    this.onmessage?.(new MessageEvent('message', { data }));
  }

  serverDrops(): void {
    this.readyState = 3;
    this.onclose?.(new CloseEvent('close', { code: 1006 }));
  }
}

/** Manual clock: timers fire only when the test advances time. */
export class ManualTimers implements Timers {
  private nowMs = 0;
  private seq = 0;
  private readonly tasks = new Map<number, { at: number; fn: () => void; every?: number }>();

  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.tasks.set(id, { at: this.nowMs + ms, fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.tasks.delete(handle as number);
  }

  setInterval(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.tasks.set(id, { at: this.nowMs + ms, fn, every: ms });
    return id;
  }

  clearInterval(handle: unknown): void {
    this.tasks.delete(handle as number);
  }

  now(): number {
    return this.nowMs;
  }

  pending(): number {
    return this.tasks.size;
  }

  advance(ms: number): void {
    const end = this.nowMs + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void; every?: number }] | null = null;
      for (const entry of this.tasks) {
        if (entry[1].at <= end && (next === null || entry[1].at < next[1].at)) next = entry;
      }
      if (!next) break;
      const [id, task] = next;
      this.nowMs = task.at;
      if (task.every) task.at += task.every;
      else this.tasks.delete(id);
      task.fn();
    }
    this.nowMs = end;
  }
}

let trackSeq = 0;

/** A MediaStreamTrack stand-in (jsdom has no media). */
export class FakeTrack extends EventTarget {
  readonly id = `track-${++trackSeq}`;
  enabled = true;
  readyState: 'live' | 'ended' = 'live';
  stopped = false;

  constructor(
    readonly kind: 'audio' | 'video',
    /** What getSettings() answers (a camera's width and height). */
    public settings: { width?: number; height?: number } = {},
  ) {
    super();
  }

  getSettings(): { width?: number; height?: number } {
    return { ...this.settings };
  }

  stop(): void {
    this.stopped = true;
    this.readyState = 'ended';
  }

  end(): void {
    this.stop();
    this.dispatchEvent(new Event('ended'));
  }
}

let streamSeq = 0;

/** A MediaStream stand-in holding FakeTracks. */
export class FakeMediaStream {
  readonly id = `stream-${++streamSeq}`;
  private tracks: FakeTrack[];

  constructor(tracks: Iterable<FakeTrack> = []) {
    this.tracks = [...tracks];
  }

  getTracks(): FakeTrack[] {
    return [...this.tracks];
  }

  getAudioTracks(): FakeTrack[] {
    return this.tracks.filter((t) => t.kind === 'audio');
  }

  getVideoTracks(): FakeTrack[] {
    return this.tracks.filter((t) => t.kind === 'video');
  }

  addTrack(t: FakeTrack): void {
    if (!this.tracks.includes(t)) this.tracks.push(t);
  }

  removeTrack(t: FakeTrack): void {
    this.tracks = this.tracks.filter((x) => x !== t);
  }
}

export function asStream(s: FakeMediaStream): MediaStream {
  return s as unknown as MediaStream;
}

export function asTrack(t: FakeTrack): MediaStreamTrack {
  return t as unknown as MediaStreamTrack;
}

/** A ResizeObserver stand-in: the test decides each element's laid-out size. */
export class FakeResizeObserver {
  static instances: FakeResizeObserver[] = [];
  readonly targets = new Set<Element>();
  disconnected = false;

  constructor(private readonly callback: ResizeObserverCallback) {
    FakeResizeObserver.instances.push(this);
  }

  static reset(): void {
    FakeResizeObserver.instances = [];
  }

  /** Lays `el` out at width × height CSS px, as the browser would report it to every observer of it. */
  static resize(el: Element, width: number, height: number): void {
    for (const o of FakeResizeObserver.instances) {
      if (o.disconnected || !o.targets.has(el)) continue;
      const entry = { target: el, contentRect: { width, height, x: 0, y: 0, top: 0, left: 0, right: width, bottom: height } };
      o.callback([entry as unknown as ResizeObserverEntry], o as unknown as ResizeObserver);
    }
  }

  observe(el: Element): void {
    this.targets.add(el);
  }

  unobserve(el: Element): void {
    this.targets.delete(el);
  }

  disconnect(): void {
    this.disconnected = true;
    this.targets.clear();
  }
}
