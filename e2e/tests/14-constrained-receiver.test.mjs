// One receiver behind a 600 kbit/s downlink, on whichever bridge this pass runs (E2E_BRIDGE): every
// camera is sent as simulcast (the web app's `openmeet.simulcast` setting) and everyone stages Alice,
// so Bob and Carol both want her top layer. Carol's downlink (what reaches her browser's media
// port) is limited with `tc` (an htb class of 600 kbit/s, matched by her UDP port on `lo`, which
// both bridges' media uses in this namespace). The bridge's own bandwidth estimation for Carol
// (lite-bridge: its per-receiver estimator on her transport-cc feedback; JVB: its own) must give
// her lower layers that fit while she keeps decoding Alice at >= 15 fps; Bob, unthrottled, keeps
// getting Alice's higher layer.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  BRIDGE, launch, createRoom, joinRoom, waitFor, waitForRemoteVideos, screenshot, closeAll, sleep, remoteIdByName, mediaDump, bridgeDebug,
  inboundBySource, mediaPort, shapeUdpPort, shapedDrops, unshapeUdp,
} from './harness.mjs';

const LIMIT_KBIT = 600;
// lite-bridge fits layers to its estimate only with cc.trust-bwe on (BRIDGE_TRUST_BWE, see
// ../lite-bridge/README.md "Congestion control"; on by default since 2026-12-07, so this test is
// skipped on lite-bridge only when BRIDGE_TRUST_BWE=false); JVB always does (its default).
const TRUST_BWE = BRIDGE !== 'lite' || (process.env.BRIDGE_TRUST_BWE ?? 'true') !== 'false';
// In the default run since 2026-12-07 (JVB passed it three runs in a row, docs/BENCHMARKS.md);
// E2E_CONSTRAINED_RECEIVER=0 leaves it out.
const ENABLED = process.env.E2E_CONSTRAINED_RECEIVER !== '0';
const SKIP = !ENABLED
  ? 'E2E_CONSTRAINED_RECEIVER=0: left out'
  : !TRUST_BWE
    ? 'lite-bridge runs with cc.trust-bwe off (BRIDGE_TRUST_BWE=false): layers follow height alone'
    : false;
let browser, a, b, c, idA, idB, idC;

before(async () => {
  if (SKIP) return;
  // Chromium's own fake camera: its flat picture is cheap to encode, so three senders on a loaded
  // two-core machine keep their frame rate (with the scene clip even unthrottled Bob got < 10 fps)
  browser = await launch();
  const room = await createRoom({ p2pEnabled: false });
  a = await joinRoom(browser, room.slug, 'Alice', { simulcast: true });
  b = await joinRoom(browser, room.slug, 'Bob', { simulcast: true });
  c = await joinRoom(browser, room.slug, 'Carol', { simulcast: true });
  for (const p of [a, b, c]) await waitForRemoteVideos(p, 2, 30_000);
  idA = await remoteIdByName(b, 'Alice');
  idB = await remoteIdByName(a, 'Bob');
  idC = await remoteIdByName(a, 'Carol');
});
after(async () => {
  unshapeUdp();
  if (SKIP) return;
  await closeAll(a, b, c);
  await browser?.close();
});

/** The height of the highest simulcast layer the page's camera sends now (0: none). */
const TOP_SENT = async () => {
  let top = 0;
  for (const pc of window.__pcs ?? []) {
    if (pc.connectionState !== 'connected') continue;
    (await pc.getStats()).forEach((s) => {
      if (s.type === 'outbound-rtp' && s.kind === 'video' && (s.framesPerSecond ?? 0) > 0) top = Math.max(top, s.frameHeight ?? 0);
    });
  }
  return top;
};

/** Per source over `ms`: fps, kbit/s and the height at the end. */
async function measure(p, ms) {
  const x = await inboundBySource(p);
  await sleep(ms);
  const y = await inboundBySource(p);
  const out = {};
  for (const [k, v] of Object.entries(y)) {
    out[k] = {
      fps: Math.round(((v.frames - (x[k]?.frames ?? 0)) * 10_000) / ms) / 10,
      kbps: Math.round(((v.bytes - (x[k]?.bytes ?? 0)) * 8) / ms),
      height: v.height,
    };
  }
  return out;
}

async function onFailure(name, fn) {
  try {
    await fn();
  } catch (e) {
    for (const p of [a, b, c]) {
      await screenshot(p, `${name}-${p.name}-failed`).catch(() => {});
      console.log(`--- ${p.name} console\n${p.consoleLines.slice(-10).join('\n')}`);
      console.log(JSON.stringify(await mediaDump(p).catch((x) => String(x)), null, 1));
      console.log(`--- ${p.name} at the bridge: ${JSON.stringify(await bridgeDebug(p.name))}`);
    }
    throw e;
  }
}

test(`a receiver limited to ${LIMIT_KBIT} kbit/s gets lower layers at >= 15 fps, the others keep theirs (${BRIDGE})`,
  { skip: SKIP }, (t) =>
  onFailure('constrained-receiver', async () => {
    // Speaker layout everywhere; Bob and Carol stage Alice (720 wanted), Alice stages Bob.
    for (const p of [a, b, c]) await p.page.getByTestId('toggle-layout').click();
    await b.page.getByTestId(`pin-${idA}-camera`).click();
    await c.page.getByTestId(`pin-${idA}-camera`).click();
    await a.page.getByTestId(`pin-${idB}-camera`).click();
    const sourceA = `${idA}-v0`;
    // Alice's higher layers start once she is wanted large: both viewers get her top layer (the
    // highest she sends), above 180 lines, at >= 15 fps before the limit, so neither can still move
    // up later and a lower layer at Carol is her bridge's doing
    const open = await waitFor("Bob and Carol to get Alice's top layer above 180 lines", async () => {
      const [atB, atC, top] = await Promise.all([measure(b, 1000), measure(c, 1000), a.page.evaluate(TOP_SENT)]);
      const sb = atB[sourceA];
      const sc = atC[sourceA];
      const ok = top > 180 && sb?.height === top && sc?.height === top && sb.fps >= 15 && sc.fps >= 15;
      return { ok, top, atB, atC };
    }, 45_000, 0);
    console.log(`  ${BRIDGE} unthrottled: Alice sends up to ${open.top}p; Bob gets her ${JSON.stringify(open.atB[sourceA])}, Carol ${JSON.stringify(open.atC[sourceA])}`);

    const port = await mediaPort(c);
    assert.ok(port > 0, `Carol's media port: ${port}`);
    try {
      // a bottleneck with a buffer, as a home router has: 25 packets are ~400 ms at the limit for
      // full-size video packets, less when JVB probes with its padding packets (<= 267 bytes each)
      shapeUdpPort(port, LIMIT_KBIT, { queuePackets: 25 });
    } catch (e) {
      unshapeUdp();
      t.skip(`tc cannot shape lo here: ${e.stderr ?? e.message}`);
      return;
    }
    try {
      const t0 = Date.now();
      // Carol's bridge moves her to a lower layer than Bob's that fits, and she decodes it smoothly.
      // The 5 s below are measured once the bridge has settled: 2 s at such a layer in which the
      // limited link's queue dropped nothing (its sending fits the link). Before that, JVB's estimate
      // comes down in steps over 3-13 s (seen: 2.5 Mbit/s -> ~450 -> ~300 kbit/s, Alice 720p -> 360p
      // -> 180p), overfilling the queue each time; one 2-s window between two steps is no steady state.
      const lower = (atC, atB) => {
        const sc = atC[sourceA];
        return sc && sc.height > 0 && sc.height < (atB[sourceA]?.height ?? 0) && sc.fps >= 15;
      };
      await waitFor(`Carol to get Alice at a lower layer than Bob within ${LIMIT_KBIT} kbit/s, with no loss at the limit for 2 s`, async () => {
        const dropsBefore = shapedDrops();
        const [atC, atB] = await Promise.all([measure(c, 2000), measure(b, 2000)]);
        const dropped = shapedDrops() - dropsBefore;
        return { ok: lower(atC, atB) && dropped === 0, dropped, atC, atB };
      }, 45_000, 0);
      const after = Date.now() - t0;
      const dropsBeforeHold = shapedDrops();
      // and it holds: over 5 s, Carol decodes Alice at >= 15 fps at a lower layer than Bob, who keeps
      // the layer he had
      // (and what Alice sends at the end: a receiver cannot get a layer its sender stopped)
      const [atC, atB, topAfter] = await Promise.all([measure(c, 5000), measure(b, 5000), sleep(4800).then(() => a.page.evaluate(TOP_SENT))]);
      console.log(`  ${BRIDGE} throttled: Carol at a lower layer with no loss at the limit ${after} ms after it (${dropsBeforeHold} packets dropped before, ${shapedDrops() - dropsBeforeHold} in the 5 s); over 5 s Carol ${JSON.stringify(atC)}, Bob ${JSON.stringify(atB)}; Alice sends up to ${topAfter}p`);
      await screenshot(c, `constrained-receiver-Carol-${BRIDGE}`);
      assert.ok(atC[sourceA]?.height > 0 && atC[sourceA].height < atB[sourceA]?.height,
        `Carol gets Alice at ${atC[sourceA]?.height}p, Bob at ${atB[sourceA]?.height}p (Alice sends up to ${topAfter}p)`);
      assert.ok(atC[sourceA].fps >= 15, `Carol decodes Alice at ${atC[sourceA].fps} fps`);
      const totalC = Object.values(atC).reduce((sum, s) => sum + s.kbps, 0);
      assert.ok(totalC <= LIMIT_KBIT, `Carol receives ${totalC} kbit/s of video through a ${LIMIT_KBIT} kbit/s limit`);
      assert.ok(atB[sourceA]?.height >= open.atB[sourceA].height, `Bob, unthrottled, gets Alice at ${atB[sourceA]?.height}p (${open.atB[sourceA].height}p before)`);
      assert.ok(atB[sourceA].fps >= 15, `Bob decodes Alice at ${atB[sourceA].fps} fps`);
      assert.ok((atB[`${idC}-v0`]?.fps ?? 0) >= 10, `Bob decodes Carol at ${atB[`${idC}-v0`]?.fps} fps`);
    } finally {
      unshapeUdp();
    }
  }));
