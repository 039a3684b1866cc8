/**
 * Read-only snapshots for browser tests and people debugging a call: `window.__openmeet.<key>`.
 * The app only writes here; nothing reads it back.
 */
export function expose(key: string, value: unknown): void {
  const g = globalThis as { __openmeet?: Record<string, unknown> };
  g.__openmeet ??= {};
  g.__openmeet[key] = value;
}

/** Logs each kind of problem once (a bridge sending junk every second must not flood the console). */
export class OnceLogger {
  private readonly seen = new Set<string>();

  constructor(
    private readonly prefix: string,
    private readonly sink: (message: string, detail?: unknown) => void = (m, d) => console.warn(m, d ?? ''),
    private readonly maxKinds = 50,
  ) {}

  warn(kind: string, detail?: unknown): void {
    const key = kind.slice(0, 120);
    if (this.seen.has(key) || this.seen.size >= this.maxKinds) return;
    this.seen.add(key);
    this.sink(`${this.prefix}: ${key} (logged once)`, detail);
  }
}
