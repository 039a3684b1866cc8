// Sustained quality and simulcast layers in a three-person call. Every second each page's camera
// layers (outbound-rtp video per SSRC: bytes, frames encoded, frameHeight, framesPerSecond,
// targetBitrate, qualityLimitationReason) and receivers (inbound-rtp video per remote camera:
// bitrate from bytesReceived, framesPerSecond, frameHeight) are sampled for QUALITY_DURATION_S (60);
// the series is kept as an artefact (test-results/<bridge>/quality-series.json), and the test fails
// if any remote camera stream is received below QUALITY_MIN_KBPS (500 kbit/s) or QUALITY_MIN_FPS
// (10 fps) in any one-second sample after second QUALITY_WARMUP_S (10). A call can decode its first
// frames and then starve: this is the test that sees it. Every page sends its camera as simulcast
// (the web app's `openmeet.simulcast` setting, turned on). The camera is the synthetic scene clip
// (camera-clip.mjs: 1280x720, realistic texture and motion, so all three simulcast layers exist and
// VP8 can hold the frame rate at each layer's bitrate); QUALITY_CLIP=noise runs the harder noise clip
// (benchmarks only: at our ladder's bitrates VP8 drops frames of it, see web-app/README "Simulcast").
// Then, on the same pages, layer switching: a receiver that shrinks a staged camera to a thumbnail
// decodes the low layer within 2 s, and the high layer again within 2 s of enlarging it, without a
// stall in between (the enlarge waits, bounded and logged, until the sender's encoder is sending its
// top layer: a layer it paused for its own send estimate is not the bridge's to forward).
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join as joinPath } from 'node:path';
import { noiseClip, sceneClip } from './camera-clip.mjs';
import { BRIDGE, launch, createRoom, joinRoom, waitFor, waitForRemoteVideos, screenshot, closeAll, sleep, RESULTS, remoteIdByName, inboundBySource, udpCounters, udpCountersSince, udpSocketDrops, mediaPort } from './harness.mjs';

const DURATION_S = Number(process.env.QUALITY_DURATION_S ?? 60);
const WARMUP_S = Number(process.env.QUALITY_WARMUP_S ?? 10);
const MIN_KBPS = Number(process.env.QUALITY_MIN_KBPS ?? 500);
const MIN_FPS = Number(process.env.QUALITY_MIN_FPS ?? 10);
const CLIP = process.env.QUALITY_CLIP ?? 'scene';
// The layer switch budget (from the click to the first decoded frame of the new layer).
const SWITCH_MS = Number(process.env.QUALITY_SWITCH_MS ?? 2000);


let browser, ps = [];
before(async () => {
  // A camera whose bitrate follows what the sender may send (camera-clip.mjs), not the content.
  const clip = CLIP === 'noise' ? noiseClip() : sceneClip();
  browser = await launch({ extraArgs: [`--use-file-for-fake-video-capture=${clip}`] });
  // the bridge's forwarding over time; the first two meet on the bridge, not P2P (12-p2p)
  const room = await createRoom({ p2pEnabled: false });
  // Camera simulcast on (the web app's default, set here all the same): three layers, the bridge picks one per receiver.
  for (const name of ['Alice', 'Bob', 'Carol']) ps.push(await joinRoom(browser, room.slug, name, { simulcast: true }));
});
after(async () => {
  await closeAll(...ps);
  await browser?.close();
});

// One sample of a page: its camera sender and, per remote camera (by the offer's msid: owner id and
// source name `<id>-v0`), the cumulative receive counters. Rates are computed by the test from
// consecutive samples and the stats' own timestamps.
const SAMPLE = async () => {
  const out = { t: Date.now(), send: null, recv: {} };
  for (const pc of window.__pcs ?? []) {
    if (pc.connectionState === 'closed') continue;
    const msidByMid = {};
    let mid = null;
    for (const line of (pc.remoteDescription?.sdp ?? '').split(/\r?\n/)) {
      if (line.startsWith('m=')) mid = null;
      else if (line.startsWith('a=mid:')) mid = line.slice(6);
      else if (line.startsWith('a=msid:') && mid !== null) msidByMid[mid] = line.slice(7).split(' ');
    }
    const stats = await pc.getStats();
    let pair = null;
    stats.forEach((s) => {
      if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') pair = s;
    });
    const sim = /a=ssrc-group:SIM ([\d ]+)/.exec(pc.localDescription?.sdp ?? '');
    const layerOf = sim ? sim[1].trim().split(' ').map(Number) : [];
    stats.forEach((s) => {
      if (s.type === 'outbound-rtp' && s.kind === 'video' && (s.bytesSent ?? 0) > 0) {
        // camera layers by their place in our SIM group (lowest first); without simulcast the camera
        // is the busiest outbound video (the screen slot sends nothing here)
        const layer = layerOf.indexOf(s.ssrc);
        if (layer < 0 && layerOf.length > 0) return;
        out.send ??= { layers: [], availableOutgoingBitrate: pair?.availableOutgoingBitrate ?? null };
        const row = {
          layer: layer < 0 ? 0 : layer, ssrc: s.ssrc, bytesSent: s.bytesSent, framesEncoded: s.framesEncoded ?? 0,
          targetBitrate: s.targetBitrate ?? null, frameHeight: s.frameHeight ?? null,
          framesPerSecond: s.framesPerSecond ?? null, qualityLimitationReason: s.qualityLimitationReason ?? null,
          ts: s.timestamp,
        };
        if (layerOf.length === 0 && out.send.layers[0]) {
          if (out.send.layers[0].bytesSent < s.bytesSent) out.send.layers[0] = row;
        } else out.send.layers.push(row);
      }
      if (s.type === 'inbound-rtp' && s.kind === 'video') {
        const [owner, source] = msidByMid[s.mid] ?? [];
        if (!source || !source.endsWith('-v0')) return;
        out.recv[source] = {
          owner, bytesReceived: s.bytesReceived ?? 0, framesDecoded: s.framesDecoded ?? 0,
          framesPerSecond: s.framesPerSecond ?? 0, frameHeight: s.frameHeight ?? 0, ts: s.timestamp,
        };
      }
    });
  }
  return out;
};

test(`a ${DURATION_S}-second three-person call keeps every camera at >= ${MIN_KBPS} kbit/s and >= ${MIN_FPS} fps after second ${WARMUP_S} (${BRIDGE})`, async () => {
  for (const p of ps) await waitForRemoteVideos(p, 2, 30_000);
  const names = {};
  for (const p of ps) for (const q of ps) if (p !== q) names[await remoteIdByName(p, q.name)] = q.name;

  const series = { bridge: BRIDGE, clip: CLIP, startedAt: new Date().toISOString(), durationS: DURATION_S, pages: {} };
  for (const p of ps) series.pages[p.name] = [];
  const previous = new Map();
  const udpBefore = udpCounters();
  const t0 = Date.now();
  for (let second = 1; second <= DURATION_S; second++) {
    const due = t0 + second * 1000;
    await sleep(Math.max(0, due - Date.now()));
    const samples = await Promise.all(ps.map((p) => p.page.evaluate(SAMPLE)));
    ps.forEach((p, i) => {
      const s = samples[i];
      const prev = previous.get(p.name);
      const row = { second, send: null, recv: {} };
      if (s.send) {
        // per layer: the rates over the last second (a layer that stopped has no row)
        row.send = { availableOutgoingBitrate: s.send.availableOutgoingBitrate, layers: [] };
        for (const l of s.send.layers.sort((x, y) => x.layer - y.layer)) {
          const q = prev?.send?.layers.find((k) => k.ssrc === l.ssrc);
          const dt = q && l.ts > q.ts ? l.ts - q.ts : null;
          row.send.layers.push({
            layer: l.layer, kbps: dt ? Math.round(((l.bytesSent - q.bytesSent) * 8) / dt) : null,
            encodedFps: dt ? Math.round(((l.framesEncoded - q.framesEncoded) * 10000) / dt) / 10 : null,
            targetBitrate: l.targetBitrate, frameHeight: l.frameHeight, framesPerSecond: l.framesPerSecond,
            qualityLimitationReason: l.qualityLimitationReason,
          });
        }
      }
      for (const [source, r] of Object.entries(s.recv)) {
        const q = prev?.recv[source];
        const kbps = q && r.ts > q.ts ? Math.round(((r.bytesReceived - q.bytesReceived) * 8) / (r.ts - q.ts)) : null;
        row.recv[`${names[r.owner] ?? r.owner} (${source})`] = {
          kbps, framesPerSecond: r.framesPerSecond, frameHeight: r.frameHeight, framesDecoded: r.framesDecoded,
        };
      }
      series.pages[p.name].push(row);
      previous.set(p.name, s);
    });
  }
  // datagrams the kernel dropped in the suite's namespace (full socket buffers: a receiver that did
  // not read in time) during the 60 s: loss that no network caused, which estimators read as loss
  series.udp = udpCountersSince(udpBefore);
  // and which sockets dropped (since they were opened): the pages' media ports by name
  const portNames = {};
  for (const p of ps) portNames[await mediaPort(p).catch(() => null)] = p.name;
  const drops = Object.entries(udpSocketDrops() ?? {}).map(([port, n]) => `${portNames[port] ?? port}: ${n}`);
  console.log(`  ${BRIDGE} UDP in the namespace over the ${DURATION_S} s: ${JSON.stringify(series.udp)}; drops per socket: ${drops.join(', ') || 'none'}`);
  const dir = joinPath(RESULTS);
  mkdirSync(dir, { recursive: true });
  const file = joinPath(dir, `quality-series${CLIP === 'scene' ? '' : `-${CLIP}`}.json`);
  writeFileSync(file, JSON.stringify(series, null, 1));
  for (const p of ps) await screenshot(p, `quality-${p.name}`);

  // Summary lines (also the figures BENCHMARKS.md quotes) and the failures.
  const failures = [];
  const median = (xs) => {
    const v = xs.filter((x) => typeof x === 'number').sort((a, b) => a - b);
    return v.length ? v[Math.floor(v.length / 2)] : null;
  };
  for (const [page, rows] of Object.entries(series.pages)) {
    const later = rows.filter((r) => r.second > WARMUP_S);
    for (const layer of [0, 1, 2]) {
      const sends = later.map((r) => r.send?.layers.find((l) => l.layer === layer && (l.kbps ?? 0) > 0)).filter(Boolean);
      if (sends.length === 0) continue;
      console.log(`  ${BRIDGE} ${page} sends layer ${layer} in ${sends.length} s: median ${median(sends.map((x) => x.kbps))} kbit/s, `
        + `target ${median(sends.map((x) => x.targetBitrate))} bit/s, ${median(sends.map((x) => x.frameHeight))}p, `
        + `encoded ${median(sends.map((x) => x.encodedFps))} fps (min ${Math.min(...sends.map((x) => x.encodedFps ?? 0))}), `
        + `limited by ${[...new Set(sends.map((x) => x.qualityLimitationReason))].join('/')}`);
    }
    console.log(`  ${BRIDGE} ${page} availableOutgoingBitrate median ${median(later.map((r) => r.send?.availableOutgoingBitrate))} bit/s`);
    const streams = new Set(later.flatMap((r) => Object.keys(r.recv)));
    assert.equal(streams.size, 2, `${page} receives ${streams.size} camera streams after second ${WARMUP_S}: ${[...streams].join(', ')}`);
    for (const stream of streams) {
      const got = later.map((r) => ({ second: r.second, ...(r.recv[stream] ?? { kbps: 0, framesPerSecond: 0 }) }));
      console.log(`  ${BRIDGE} ${page} receives ${stream}: median ${median(got.map((g) => g.kbps))} kbit/s (min ${Math.min(...got.map((g) => g.kbps ?? 0))}), `
        + `median ${median(got.map((g) => g.framesPerSecond))} fps (min ${Math.min(...got.map((g) => g.framesPerSecond ?? 0))}), ${median(got.map((g) => g.frameHeight))}p`);
      for (const g of got) {
        if ((g.kbps ?? 0) < MIN_KBPS) failures.push(`${page} ← ${stream}: ${g.kbps} kbit/s at second ${g.second}`);
        if ((g.framesPerSecond ?? 0) < MIN_FPS) failures.push(`${page} ← ${stream}: ${g.framesPerSecond} fps at second ${g.second}`);
      }
    }
  }
  assert.ok(failures.length === 0, `${failures.length} one-second samples below ${MIN_KBPS} kbit/s or ${MIN_FPS} fps after second ${WARMUP_S} `
    + `(series in ${file}); first ones:\n${failures.slice(0, 12).join('\n')}`);
});

/** What p decodes of one remote camera source (the offer's msid): frame height and frames decoded. */
const inboundOf = async (p, source) => {
  const s = (await inboundBySource(p))[source];
  return { height: s?.height ?? 0, frames: s?.frames ?? 0 };
};

/**
 * Does `act` and polls p's decoding of `source` every 50 ms until `reached(height)` holds and one
 * more second has passed: answers the time from the act to the first sample at the new height and
 * the longest time without a newly decoded frame over the whole window.
 */
async function timeSwitch(p, source, act, reached, timeoutMs = 10_000) {
  const t0 = Date.now();
  let last = await inboundOf(p, source);
  let lastFrameAt = t0;
  let maxGapMs = 0;
  let at = null;
  await act();
  for (;;) {
    await sleep(50);
    const now = Date.now();
    const x = await inboundOf(p, source);
    if (x.frames > last.frames) {
      maxGapMs = Math.max(maxGapMs, now - lastFrameAt);
      lastFrameAt = now;
    }
    last = x;
    if (at === null && reached(x.height)) at = now - t0;
    if (at !== null && now - t0 >= at + 1000) break;
    if (now - t0 > timeoutMs) break;
  }
  maxGapMs = Math.max(maxGapMs, Date.now() - lastFrameAt);
  return { ms: at, maxGapMs, height: last.height };
}

/**
 * p's top camera layer now: encoding at `height` or more (two samples 500 ms apart: frames encoded
 * grew), and in words what its encoder reports (height, fps, target, limitation, send estimate).
 */
async function topLayerOf(p, height = 0) {
  const a = await p.page.evaluate(SAMPLE);
  await sleep(500);
  const b = await p.page.evaluate(SAMPLE);
  const layers = b.send?.layers ?? [];
  const topB = layers.reduce((x, y) => (x && x.layer >= y.layer ? x : y), null);
  const topA = a.send?.layers.find((l) => l.ssrc === topB?.ssrc);
  const encoding = !!topB && !!topA && topB.framesEncoded > topA.framesEncoded && (topB.frameHeight ?? 0) >= height;
  const why = topB
    ? `layer ${topB.layer} ${topB.frameHeight ?? '?'}p, ${topA ? topB.framesEncoded - topA.framesEncoded : '?'} frames in 0.5 s, `
      + `target ${topB.targetBitrate} bit/s, limited by ${topB.qualityLimitationReason}, send estimate ${b.send.availableOutgoingBitrate} bit/s`
    : 'no camera layer sent';
  return { encoding, why };
}

/** Waits (at most timeoutMs, else fails) until p encodes its top camera layer at `height` or more. */
async function waitForTopLayer(p, height, timeoutMs) {
  const t0 = Date.now();
  let first = null;
  for (;;) {
    const x = await topLayerOf(p, height);
    if (x.encoding) return { waitedMs: first === null ? 0 : Date.now() - t0, why: first };
    first ??= x.why;
    assert.ok(Date.now() - t0 < timeoutMs, `${p.name} did not encode her top layer at ${height}p for ${timeoutMs} ms: ${x.why}`);
  }
}

test(`a receiver gets the low layer within ${SWITCH_MS} ms of shrinking a staged camera and the high one within ${SWITCH_MS} ms of enlarging it, decoding throughout (${BRIDGE})`, async () => {
  // On JVB too (issue 13): JVB switches on a key frame of the new layer and rations its key frame requests
  // (bridge-config/jvb/jvb.conf.template, jmt.keyframe: per second, not JVB's 3 per 10 s, which left the
  // switch up waiting 2.8-7.8 s). Alice's top layer is waited for below, as on lite-bridge.
  const [alice, bob, carol] = ps;
  const idA = await remoteIdByName(bob, 'Alice');
  const idC = await remoteIdByName(bob, 'Carol');
  // Carol keeps Alice on stage throughout, so Alice's high layer is always sent: what is timed is
  // the receiver's switch (tile size → constraints → bridge → keyframe → decoder), not the sender
  // starting a layer it had stopped.
  for (const p of [bob, carol]) await p.page.getByTestId('toggle-layout').click();
  await carol.page.getByTestId(`pin-${idA}-camera`).click();
  await bob.page.getByTestId(`pin-${idA}-camera`).click();
  const high = await waitFor('Bob to decode Alice above 360 lines on his stage', async () => {
    const x = await inboundOf(bob, `${idA}-v0`);
    return x.height > 360 ? x : { ok: false, ...x };
  }, 30_000);
  await sleep(1000);
  const down = await timeSwitch(bob, `${idA}-v0`, () => bob.page.getByTestId(`pin-${idC}-camera`).click(), (h) => h > 0 && h <= 180);
  await sleep(1000);
  // What is timed is the receiver's switch, so Alice must be sending her top layer when Bob enlarges
  // her tile. Her encoder pauses that layer by itself when her send estimate cannot carry it (seen under
  // CI load: started, sent for 0.3 s, paused 8.7 s; the bridge then correctly gave Bob her 360p).
  // Such a pause is waited out here (bounded, and logged with her encoder's reason).
  const top = await waitForTopLayer(alice, high.height, 20_000);
  if (top.waitedMs > 0) console.log(`  ${BRIDGE}: Alice's top layer was paused by her encoder for ${top.waitedMs} ms before the enlarge (${top.why})`);
  const up = await timeSwitch(bob, `${idA}-v0`, () => bob.page.getByTestId(`pin-${idA}-camera`).click(), (h) => h >= high.height);
  const aliceTop = await topLayerOf(alice);
  console.log(`  ${BRIDGE}: Bob decodes Alice at ${high.height}p staged; thumbnail: ${down.height}p after ${down.ms} ms `
    + `(longest gap between frames ${down.maxGapMs} ms); staged again: ${up.height}p after ${up.ms} ms (gap ${up.maxGapMs} ms); `
    + `Alice's top layer after the switch: ${aliceTop.why}`);
  await screenshot(bob, 'layer-switch-Bob');
  assert.ok(down.ms !== null && down.ms <= SWITCH_MS, `Bob got Alice's low layer after ${down.ms} ms (at ${down.height}p), budget ${SWITCH_MS} ms`);
  assert.ok(up.ms !== null && up.ms <= SWITCH_MS, `Bob got Alice's high layer back after ${up.ms} ms (at ${up.height}p), budget ${SWITCH_MS} ms`);
  assert.ok(down.maxGapMs <= 1000 && up.maxGapMs <= 1000, `Alice's video froze at Bob for ${Math.max(down.maxGapMs, up.maxGapMs)} ms during a switch`);
});
