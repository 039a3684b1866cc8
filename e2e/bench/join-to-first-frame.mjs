// Benchmark: time from clicking Join to the first decoded remote video frame, in headless Chromium
// on loopback (run inside scripts/e2e's network namespace: `scripts/e2e --bench`).
// For each room size N (2 and 3): a fresh room, N-1 participants already in the call with their
// cameras delivering frames (with N = 3 they also play each other; with N = 2 the one participant
// encodes nothing yet: the bridge says nobody wants its video until the measured one asks, as JVB
// does, so that round trip is part of the figure), then the measured participant clicks Join. Without that wait (BENCH_SETTLE=0, the first
// version of this script) a participant who joined a moment earlier often sends nothing yet:
// Chromium's fake camera stalls for 1-2 s in both pages when the measured page opens it, which is
// what the 2-participant figure of ~2 s measured. In its page, a capturing click listener stamps
// the click (performance.now()) and a 10 ms getStats() poll stamps the first inbound-rtp video
// with framesDecoded > 0 ("first frame") and the moment every remote camera decodes ("all frames").
// Prints p50/p95 per size and writes test-results/bench-join-to-first-frame.json.
import { writeFileSync, mkdirSync } from 'node:fs';
import { join as joinPath } from 'node:path';
import { launch, createRoom, joinRoom, openParticipant, waitForRemoteVideos, closeAll, sleep, RESULTS } from '../tests/harness.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const SIZES = (process.env.BENCH_SIZES ?? '2,3').split(',').map(Number);
// BENCH_TRACE=1 also prints, per run, what every page sends (outbound-rtp video) over time.
const TRACE = process.env.BENCH_TRACE === '1';
// The participants already in the call are sending video before the measured one opens its page
// (BENCH_SETTLE=0 skips that wait, as the first version of this script did).
const SETTLE = process.env.BENCH_SETTLE !== '0';
// BENCH_SEPARATE_BROWSERS=1: every participant in a Chromium of its own (its own fake camera),
// instead of one browser context each in one Chromium.
const SEPARATE = process.env.BENCH_SEPARATE_BROWSERS === '1';

// Samples the page's outbound video every 100 ms (wall clock), kept in window.__trace.
const START_TRACE = () => {
  const trace = (window.__trace = []);
  setInterval(async () => {
    const row = { t: Math.round(performance.timeOrigin + performance.now()), pcs: [] };
    for (const pc of window.__pcs ?? []) {
      const o = { state: pc.connectionState, sent: 0, enc: 0, limit: '', w: 0, src: 0 };
      (await pc.getStats()).forEach((s) => {
        if (s.type === 'outbound-rtp' && s.kind === 'video') {
          o.sent += s.packetsSent ?? 0; o.enc += s.framesEncoded ?? 0;
          o.limit = s.qualityLimitationReason ?? ''; o.w = s.frameWidth ?? 0;
        }
        if (s.type === 'media-source' && s.kind === 'video') o.src += s.frames ?? 0;
      });
      row.pcs.push(o);
    }
    trace.push(row);
  }, 100);
};

async function printTrace(label, p, since) {
  const rows = await p.page.evaluate(() => window.__trace ?? []).catch(() => []);
  for (const r of rows) {
    const line = r.pcs.map((o) => `${o.state} src ${o.src} enc ${o.enc} sent ${o.sent} w ${o.w} ${o.limit}`).join(' | ');
    console.log(`  trace ${label} ${r.t - since} ms: ${line}`);
  }
}

function pct(sorted, p) {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

/** Frames p's camera delivered so far (media-source), whether or not anything encodes them. */
async function framesCaptured(p) {
  return p.page.evaluate(async () => {
    let n = 0;
    for (const pc of window.__pcs ?? []) {
      if (pc.connectionState === 'closed') continue;
      (await pc.getStats()).forEach((s) => {
        if (s.type === 'media-source' && s.kind === 'video') n += s.frames ?? 0;
      });
    }
    return n;
  });
}

/**
 * Waits until p's camera really delivers frames: at least 10 in the last second. A participant who
 * clicked Join a moment ago may have none yet (Chromium's fake camera takes a while to deliver its
 * first frames when another page opens it at the same time). Captured, not encoded: a participant
 * alone in the room encodes nothing, because the bridge tells it nobody wants its video
 * (SenderSourceConstraints 0) until the measured participant asks for it — part of what is measured.
 */
async function waitForCamera(p, timeoutMs = 20_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const a = await framesCaptured(p);
    await sleep(1000);
    const b = await framesCaptured(p);
    if (a > 0 && b - a >= 10) return;
    if (Date.now() > until) throw new Error(`${p.name}'s camera delivers no frames (media-source frames ${a} → ${b})`);
  }
}

async function measureOnce(browser, size) {
  const room = await createRoom({ name: `bench ${size}` });
  const browsers = [];
  const next = async () => {
    if (!SEPARATE) return browser;
    const b = await launch();
    browsers.push(b);
    return b;
  };
  const warm = [];
  for (let i = 0; i < size - 1; i++) warm.push(await joinRoom(await next(), room.slug, `Warm ${i + 1}`));
  if (warm.length > 1) for (const w of warm) await waitForRemoteVideos(w, warm.length - 1);
  if (SETTLE) for (const w of warm) await waitForCamera(w);
  const m = await openParticipant(await next(), room.slug, 'Measured');
  if (TRACE) for (const p of [...warm, m]) await p.page.evaluate(START_TRACE);
  const openedAt = Date.now();
  try {
    await m.page.evaluate((expected) => {
      const t = (window.__bench = { click: null, connected: null, firstPacket: null, first: null, all: null });
      document.querySelector('[data-testid="join-button"]').addEventListener(
        'click', () => { if (t.click === null) t.click = performance.now(); }, { capture: true });
      const poll = setInterval(async () => {
        if (t.click === null) return;
        let decoding = 0, packets = 0, connected = false;
        for (const pc of window.__pcs ?? []) {
          if (pc.connectionState === 'connected') connected = true;
          (await pc.getStats()).forEach((s) => {
            if (s.type !== 'inbound-rtp' || s.kind !== 'video') return;
            if ((s.framesDecoded ?? 0) > 0) decoding++;
            packets += s.packetsReceived ?? 0;
          });
        }
        const now = performance.now();
        if (connected && t.connected === null) t.connected = now;
        if (packets > 0 && t.firstPacket === null) t.firstPacket = now;
        if (decoding >= 1 && t.first === null) t.first = now;
        if (decoding >= expected && t.all === null) { t.all = now; clearInterval(poll); }
      }, 10);
    }, size - 1);
    await m.page.getByTestId('join-button').click();
    await m.page.waitForFunction(() => window.__bench.all !== null, null, { timeout: 30_000, polling: 50 });
    const t = await m.page.evaluate(() => window.__bench);
    if (TRACE) {
      const clickAt = await m.page.evaluate(() => Math.round(performance.timeOrigin + window.__bench.click));
      console.log(`  trace: measured page opened ${openedAt - clickAt} ms relative to its Join click`);
      for (const [i, w] of warm.entries()) await printTrace(`warm${i + 1}`, w, clickAt);
      await printTrace('measured', m, clickAt);
    }
    return { first: t.first - t.click, all: t.all - t.click, connected: (t.connected ?? t.first) - t.click,
      firstPacket: (t.firstPacket ?? t.first) - t.click };
  } finally {
    await closeAll(m, ...warm);
    for (const b of browsers) await b.close().catch(() => {});
  }
}

const browser = await launch();
const report = { runs: RUNS, chromium: browser.version(), when: new Date().toISOString(), sizes: {} };
try {
  for (const size of SIZES) {
    const first = [], all = [], connected = [], firstPacket = [];
    for (let r = 0; r < RUNS; r++) {
      const x = await measureOnce(browser, size);
      first.push(x.first); all.push(x.all); connected.push(x.connected); firstPacket.push(x.firstPacket);
      console.log(`size ${size} run ${r + 1}/${RUNS}: connected ${x.connected.toFixed(0)} ms, first video packet ${x.firstPacket.toFixed(0)} ms, first frame ${x.first.toFixed(0)} ms, all remote cameras ${x.all.toFixed(0)} ms`);
    }
    const f = [...first].sort((a, b) => a - b), a = [...all].sort((x, y) => x - y);
    const c = [...connected].sort((x, y) => x - y), fp = [...firstPacket].sort((x, y) => x - y);
    report.sizes[size] = {
      firstFrameMs: { p50: pct(f, 50), p95: pct(f, 95), min: f[0], max: f.at(-1), samples: first },
      allCamerasMs: { p50: pct(a, 50), p95: pct(a, 95), min: a[0], max: a.at(-1), samples: all },
      peerConnectedMs: { p50: pct(c, 50), p95: pct(c, 95) },
      firstVideoPacketMs: { p50: pct(fp, 50), p95: pct(fp, 95) },
    };
    console.log(`== ${size} participants (${RUNS} runs): join→first decoded remote frame p50 ${pct(f, 50).toFixed(0)} ms, p95 ${pct(f, 95).toFixed(0)} ms; all ${size - 1} remote cameras p50 ${pct(a, 50).toFixed(0)} ms, p95 ${pct(a, 95).toFixed(0)} ms; peer connected p50 ${pct(c, 50).toFixed(0)} ms; first video packet p50 ${pct(fp, 50).toFixed(0)} ms`);
  }
} finally {
  await browser.close();
}
mkdirSync(RESULTS, { recursive: true });
writeFileSync(joinPath(RESULTS, 'bench-join-to-first-frame.json'), JSON.stringify(report, null, 2));
