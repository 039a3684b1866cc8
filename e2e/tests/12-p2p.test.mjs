// Peer-to-peer for two participants (issue 17 item 1), in a room with p2pEnabled: the two connect
// browser to browser (selected candidate pair between the two pages, no endpoint on the bridge), a
// third joining moves everyone to the bridge without a frozen tile, and its leaving brings the two
// back to P2P.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { BRIDGE, launch, createRoom, joinRoom, openParticipant, join, waitFor, waitForRemoteVideos, screenshot, closeAll, sleep, mediaDump } from './harness.mjs';

const STATS_URL = process.env.E2E_BRIDGE_STATS_URL;
const SECRET = process.env.E2E_BRIDGE_CONTROL_SECRET;

let browser, room, a, b, c;
before(async () => {
  if (!STATS_URL) throw new Error('E2E_BRIDGE_STATS_URL is not set: run the suite through scripts/e2e');
  browser = await launch();
});
after(async () => {
  await closeAll(a, b, c);
  await browser?.close();
});

async function onFailure(fn, name) {
  try {
    await fn();
  } catch (e) {
    for (const p of [a, b, c].filter(Boolean)) {
      await screenshot(p, `${name}-${p.name}-failed`).catch(() => {});
      console.log(`--- ${p.name} console\n${p.consoleLines.slice(-25).join('\n')}`);
      console.log(JSON.stringify(await mediaDump(p).catch((x) => String(x)), null, 1));
    }
    throw e;
  }
}

/** Endpoints on the bridge now (its /colibri/stats; the suite runs one room at a time). */
async function bridgeEndpoints() {
  const res = await fetch(STATS_URL, { headers: SECRET ? { authorization: `Bearer ${SECRET}` } : {} });
  const body = await res.json();
  if (!res.ok) throw new Error(`${STATS_URL} → ${res.status}: ${JSON.stringify(body)}`);
  return body.endpoints ?? body.participants;
}

/** The page's P2P connection: its state, the selected candidate pair and video decoded over it. */
async function p2pView(p) {
  return p.page.evaluate(async () => {
    const pc = window.__openmeet?.p2p?.pc;
    if (!pc) return null;
    const out = { state: pc.connectionState, framesDecoded: 0, pair: null, open: 0 };
    out.open = (window.__pcs ?? []).filter((x) => x.connectionState !== 'closed').length;
    const stats = await pc.getStats();
    let pairId = null;
    stats.forEach((s) => {
      if (s.type === 'transport' && s.selectedCandidatePairId) pairId = s.selectedCandidatePairId;
      if (s.type === 'inbound-rtp' && s.kind === 'video') out.framesDecoded += s.framesDecoded ?? 0;
    });
    const pair = pairId ? stats.get(pairId) : null;
    if (pair) {
      const l = stats.get(pair.localCandidateId);
      const r = stats.get(pair.remoteCandidateId);
      out.pair = { local: { type: l?.candidateType, address: l?.address, port: l?.port, protocol: l?.protocol },
        remote: { type: r?.candidateType, address: r?.address, port: r?.port } };
    }
    return out;
  });
}

/** Waits until both pages run P2P (connected, the bridge connection closed) and the bridge holds no endpoint. */
async function waitForP2p(timeoutMs = 25_000) {
  return waitFor('a P2P call with no endpoint on the bridge', async () => {
    const va = await p2pView(a);
    const vb = await p2pView(b);
    const endpoints = await bridgeEndpoints();
    const ok = va?.state === 'connected' && vb?.state === 'connected' && va.open === 1 && vb.open === 1 && endpoints === 0;
    return { ok, va, vb, endpoints };
  }, timeoutMs, 250);
}

/**
 * In the page: every 100 ms, the longest time each remote camera tile that plays when the probe
 * starts went without a new frame (a tile that appears later is the newcomer's, not a freeze).
 */
function startFreezeProbe() {
  const probe = { max: {}, last: {}, frames: {} };
  window.__freeze = probe;
  const tiles = () => [...document.querySelectorAll('[data-testid^="tile-"][data-testid$="-camera"]')]
    .filter((t) => !t.getAttribute('data-testid').startsWith('tile-self'));
  const frames = (tile) => tile.querySelector('video')?.getVideoPlaybackQuality().totalVideoFrames ?? 0;
  const start = performance.now();
  for (const tile of tiles()) {
    const id = tile.getAttribute('data-testid');
    if (frames(tile) > 0) {
      probe.last[id] = start;
      probe.frames[id] = frames(tile);
      probe.max[id] = 0;
    }
  }
  window.__freezeTimer = setInterval(() => {
    const now = performance.now();
    tiles().forEach((tile) => {
      const id = tile.getAttribute('data-testid');
      const f = frames(tile);
      if (probe.last[id] === undefined) return;
      // a new frame, or a new <video> element (its counter starts again) that has shown one
      if (f !== probe.frames[id] && f > 0) {
        probe.max[id] = Math.max(probe.max[id], now - probe.last[id]);
        probe.last[id] = now;
        probe.frames[id] = f;
      }
    });
  }, 100);
}

function stopFreezeProbe() {
  clearInterval(window.__freezeTimer);
  const p = window.__freeze;
  const now = performance.now();
  const out = {};
  for (const id of Object.keys(p.max)) out[id] = Math.round(Math.max(p.max[id], now - p.last[id]));
  return out;
}

test('a room with p2pEnabled false stays on the bridge (this also warms the bridge up, as earlier files do in a full run)', () =>
  onFailure(async () => {
    const plain = await createRoom({ p2pEnabled: false });
    assert.equal(plain.p2pEnabled, false);
    const x = await joinRoom(browser, plain.slug, 'Xavier');
    const y = await joinRoom(browser, plain.slug, 'Yvonne');
    try {
      for (const p of [x, y]) await waitForRemoteVideos(p, 1);
      await sleep(2000);
      for (const p of [x, y]) assert.equal(await p2pView(p), null, `${p.name} has a P2P connection`);
      // JVB refreshes its stats every few seconds: wait for them
      await waitFor('2 endpoints on the bridge', async () => ({ ok: (await bridgeEndpoints()) === 2 }), 10_000);
    } finally {
      await closeAll(x, y);
    }
    await waitFor('the bridge to be empty again', async () => ({ ok: (await bridgeEndpoints()) === 0 }), 15_000);
  }, 'p2p-off'));

test('two participants: P2P browser to browser, no endpoint on the bridge, both decode video', () =>
  onFailure(async () => {
    room = await createRoom({ p2pEnabled: true });
    assert.equal(room.p2pEnabled, true);
    a = await joinRoom(browser, room.slug, 'Alice');
    b = await joinRoom(browser, room.slug, 'Bob');
    const t0 = Date.now();
    const { va, vb } = await waitForP2p();
    console.log(`  [${BRIDGE}] P2P up with 0 bridge endpoints after ${Date.now() - t0} ms; pairs: ${JSON.stringify([va.pair, vb.pair])}`);
    // the pair joins the two pages: each side's remote candidate is the other's local one, no relay
    for (const v of [va, vb]) {
      assert.ok(['host', 'prflx'].includes(v.pair.local.type) && ['host', 'prflx'].includes(v.pair.remote.type),
        `not a direct pair: ${JSON.stringify(v.pair)}`);
    }
    assert.equal(va.pair.remote.port, vb.pair.local.port, `Alice's remote port is not Bob's local one: ${JSON.stringify([va.pair, vb.pair])}`);
    assert.equal(vb.pair.remote.port, va.pair.local.port, `Bob's remote port is not Alice's local one: ${JSON.stringify([va.pair, vb.pair])}`);
    for (const p of [a, b]) await waitForRemoteVideos(p, 1);
    const before = [await p2pView(a), await p2pView(b)];
    await sleep(1500);
    const later = [await p2pView(a), await p2pView(b)];
    for (const i of [0, 1]) {
      assert.ok(later[i].framesDecoded > before[i].framesDecoded + 10,
        `${[a, b][i].name} decodes no video over P2P: ${before[i].framesDecoded} → ${later[i].framesDecoded}`);
    }
    assert.equal(await bridgeEndpoints(), 0);
    await screenshot(a, `p2p-alice-${BRIDGE}`);
  }, 'p2p-two'));

test('a third joins: all three decode each other within 3 s, no frozen tile over 1 s for the first two', () =>
  onFailure(async () => {
    for (const p of [a, b]) await p.page.evaluate(startFreezeProbe);
    c = await openParticipant(browser, room.slug, 'Carol');
    const t0 = Date.now();
    await join(c);
    await Promise.all([a, b, c].map((p) => waitForRemoteVideos(p, 2, 15_000)));
    const allDecoding = Date.now() - t0;
    // the P2P connections close once the bridge's media has taken over
    await waitFor('the P2P connections to close', async () => {
      const views = [await p2pView(a), await p2pView(b)];
      return { ok: views.every((v) => v === null), views };
    }, 12_000);
    await sleep(500);
    const freezes = { Alice: await a.page.evaluate(stopFreezeProbe), Bob: await b.page.evaluate(stopFreezeProbe) };
    const endpoints = await waitFor('3 endpoints on the bridge', async () => {
      const n = await bridgeEndpoints();
      return { ok: n === 3, n };
    }, 10_000).then((r) => r.n);
    console.log(`  [${BRIDGE}] third joined: all decoding ${allDecoding} ms after Carol's click; longest frozen tile (ms): ${JSON.stringify(freezes)}; bridge endpoints ${endpoints}`);
    assert.ok(allDecoding <= 3000, `all three decoded each other only after ${allDecoding} ms`);
    for (const [who, tiles] of Object.entries(freezes)) {
      const probed = Object.entries(tiles);
      assert.ok(probed.length >= 1, `${who}: no remote camera tile was probed`);
      for (const [tile, ms] of probed) assert.ok(ms <= 1000, `${who}: ${tile} froze for ${ms} ms`);
    }
  }, 'p2p-third'));

test('the third leaves: the two go back to P2P and keep decoding', () =>
  onFailure(async () => {
    await closeAll(c);
    c = null;
    const t0 = Date.now();
    await waitForP2p(30_000);
    console.log(`  [${BRIDGE}] back to P2P with 0 bridge endpoints ${Date.now() - t0} ms after Carol left`);
    for (const p of [a, b]) await waitForRemoteVideos(p, 1);
  }, 'p2p-back'));
