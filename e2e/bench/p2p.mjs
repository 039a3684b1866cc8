// Benchmark of peer-to-peer 1:1 calls, in headless Chromium inside scripts/e2e's network namespace:
//   E2E_TESTS=bench/p2p.mjs scripts/e2e --no-build --no-unit --bridge both
// (node --test runs this file like a test file; it is not in tests/, so the suite never runs it).
// Per run, a fresh room:
// - 1:1 (`bridge`: p2pEnabled false; `p2p`: true): one participant in the call with its camera
//   delivering frames, the measured one clicks Join. In its page a capturing click listener stamps the
//   click and a 10 ms getStats() poll stamps the first decoded remote video frame on any connection
//   ("first frame": in a P2P room the bridge connection comes up first and carries it), the first
//   frame decoded on the P2P connection, and the moment the P2P call is on alone (P2P connected, the
//   bridge connection closed).
// - switch: two in a P2P call (no endpoint on the bridge), a third clicks Join; every page stamps
//   (wall clock) when it shows two remote camera tiles with frames; "all decoding" is the last of the
//   three stamps minus the click.
// Prints p50/p95 and writes test-results/<bridge>/bench-p2p.json. BENCH_RUNS (default 20) per figure.
import { writeFileSync, mkdirSync } from 'node:fs';
import { join as joinPath } from 'node:path';
import {
  BRIDGE, launch, createRoom, joinRoom, openParticipant, waitForRemoteVideos, closeAll, sleep, RESULTS, waitFor,
  waitForP2pCall, bridgeEndpoints,
} from '../tests/harness.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 20);

function pct(sorted, p) {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

function summary(samples) {
  const s = samples.filter((x) => x !== null).sort((a, b) => a - b);
  if (s.length === 0) return { n: 0 };
  return { n: s.length, p50: Math.round(pct(s, 50)), p95: Math.round(pct(s, 95)), min: Math.round(s[0]), max: Math.round(s.at(-1)) };
}

/** Waits until p's camera delivers frames (a page that just joined may not yet). */
async function waitForCamera(p) {
  const frames = () => p.page.evaluate(async () => {
    let n = 0;
    for (const pc of window.__pcs ?? []) {
      if (pc.connectionState === 'closed') continue;
      (await pc.getStats()).forEach((s) => { if (s.type === 'media-source' && s.kind === 'video') n += s.frames ?? 0; });
    }
    return n;
  });
  await waitFor(`${p.name}'s camera to deliver frames`, async () => {
    const a = await frames();
    await sleep(1000);
    const b = await frames();
    return a > 0 && b - a >= 10;
  }, 20_000, 0);
}

const whenEmpty = () => waitFor('the bridge to be empty', async () => ({ ok: (await bridgeEndpoints()) === 0 }), 20_000, 250);

async function oneToOne(browser, p2pEnabled) {
  const room = await createRoom({ name: `bench p2p ${p2pEnabled}`, p2pEnabled });
  const warm = await joinRoom(browser, room.slug, 'Warm');
  const m = await openParticipant(browser, room.slug, 'Measured');
  try {
    await waitForCamera(warm);
    await m.page.evaluate(() => {
      const t = (window.__bench = { click: null, first: null, firstP2p: null, p2pAlone: null });
      document.querySelector('[data-testid="join-button"]').addEventListener(
        'click', () => { if (t.click === null) t.click = performance.now(); }, { capture: true });
      const poll = setInterval(async () => {
        if (t.click === null) return;
        const p2p = window.__openmeet?.p2p?.pc ?? null;
        let open = 0;
        for (const pc of window.__pcs ?? []) {
          if (pc.connectionState === 'closed') continue;
          open++;
          let decoding = false;
          (await pc.getStats()).forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'video' && (s.framesDecoded ?? 0) > 0) decoding = true; });
          const now = performance.now();
          if (decoding && t.first === null) t.first = now;
          if (decoding && pc === p2p && t.firstP2p === null) t.firstP2p = now;
        }
        if (p2p && p2p.connectionState === 'connected' && open === 1 && t.p2pAlone === null) t.p2pAlone = performance.now();
      }, 10);
    });
    await m.page.getByTestId('join-button').click();
    await m.page.waitForFunction((p2p) => window.__bench.first !== null && (!p2p || window.__bench.p2pAlone !== null),
      p2pEnabled, { timeout: 30_000, polling: 50 });
    await sleep(300); // firstP2p lands before p2pAlone; nothing else is waited for
    const t = await m.page.evaluate(() => window.__bench);
    const rel = (x) => (x === null ? null : x - t.click);
    return { first: rel(t.first), firstP2p: rel(t.firstP2p), p2pAlone: rel(t.p2pAlone) };
  } finally {
    await closeAll(m, warm);
    await whenEmpty();
  }
}

/** In the page: stamps (wall clock) when it shows `count` remote camera tiles with frames. */
const STAMP_TILES = (count) => {
  window.__tilesAt = null;
  const timer = setInterval(() => {
    const cams = [...document.querySelectorAll('[data-testid^="tile-"][data-testid$="-camera"]')]
      .filter((t) => !t.getAttribute('data-testid').startsWith('tile-self'))
      .filter((t) => (t.querySelector('video')?.getVideoPlaybackQuality().totalVideoFrames ?? 0) > 0);
    if (cams.length >= count) {
      window.__tilesAt = performance.timeOrigin + performance.now();
      clearInterval(timer);
    }
  }, 20);
};

async function switchToBridge(browser) {
  const room = await createRoom({ name: 'bench switch', p2pEnabled: true });
  const a = await joinRoom(browser, room.slug, 'Alice');
  const b = await joinRoom(browser, room.slug, 'Bob');
  let c = null;
  try {
    await waitForP2pCall(a, b);
    for (const p of [a, b]) await waitForRemoteVideos(p, 1);
    c = await openParticipant(browser, room.slug, 'Carol');
    for (const p of [a, b, c]) await p.page.evaluate(STAMP_TILES, 2);
    await c.page.evaluate(() => {
      document.querySelector('[data-testid="join-button"]').addEventListener(
        'click', () => { window.__clickAt ??= performance.timeOrigin + performance.now(); }, { capture: true });
    });
    await c.page.getByTestId('join-button').click();
    await waitFor('all three to show two remote cameras', async () => {
      const at = await Promise.all([a, b, c].map((p) => p.page.evaluate(() => window.__tilesAt)));
      return { ok: at.every((x) => x !== null), at };
    }, 30_000, 100);
    const click = await c.page.evaluate(() => window.__clickAt);
    const at = await Promise.all([a, b, c].map((p) => p.page.evaluate(() => window.__tilesAt)));
    return { all: Math.max(...at) - click, firstTwo: Math.max(at[0], at[1]) - click };
  } finally {
    await closeAll(a, b, c);
    await whenEmpty();
  }
}

const browser = await launch();
const report = { bridge: BRIDGE, runs: RUNS, chromium: browser.version(), when: new Date().toISOString() };
try {
  const bridge = { first: [] };
  const p2p = { first: [], firstP2p: [], p2pAlone: [] };
  const sw = { all: [], firstTwo: [] };
  for (let r = 0; r < RUNS; r++) {
    const x = await oneToOne(browser, false);
    bridge.first.push(x.first);
    const y = await oneToOne(browser, true);
    for (const k of Object.keys(p2p)) p2p[k].push(y[k]);
    const z = await switchToBridge(browser);
    sw.all.push(z.all);
    sw.firstTwo.push(z.firstTwo);
    console.log(`[${BRIDGE}] run ${r + 1}/${RUNS}: 1:1 bridge first frame ${Math.round(x.first)} ms; 1:1 P2P room first frame ${Math.round(y.first)} ms, `
      + `first P2P frame ${y.firstP2p === null ? '-' : Math.round(y.firstP2p)} ms, P2P alone ${y.p2pAlone === null ? '-' : Math.round(y.p2pAlone)} ms; `
      + `third joins → all three decoding ${Math.round(z.all)} ms`);
  }
  report.oneToOneBridgeMs = { firstFrame: summary(bridge.first) };
  report.oneToOneP2pMs = { firstFrame: summary(p2p.first), firstP2pFrame: summary(p2p.firstP2p), p2pAlone: summary(p2p.p2pAlone) };
  report.switchMs = { allDecoding: summary(sw.all), firstTwoDecoding: summary(sw.firstTwo) };
  report.samples = { bridge, p2p, switch: sw };
  console.log(`== [${BRIDGE}] ${RUNS} runs: ${JSON.stringify({ bridge: report.oneToOneBridgeMs, p2p: report.oneToOneP2pMs, switch: report.switchMs })}`);
} finally {
  await browser.close();
}
mkdirSync(RESULTS, { recursive: true });
writeFileSync(joinPath(RESULTS, 'bench-p2p.json'), JSON.stringify(report, null, 2));
