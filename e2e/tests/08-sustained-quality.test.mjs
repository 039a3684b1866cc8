// Sustained quality: a 60-second three-person call. Every second each page's senders (outbound-rtp
// video: targetBitrate, frameHeight, framesPerSecond, qualityLimitationReason) and receivers
// (inbound-rtp video per remote camera: bitrate from bytesReceived, framesPerSecond, frameHeight) are
// sampled; the series is kept as an artefact (test-results/<bridge>/quality-series.json), and the
// test fails if any remote camera stream is received below QUALITY_MIN_KBPS (500 kbit/s) or
// QUALITY_MIN_FPS (10 fps) in any one-second sample after second QUALITY_WARMUP_S (10). A call can
// decode its first frames and then starve: this is the test that sees it.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join as joinPath } from 'node:path';
import { noiseClip } from './camera-clip.mjs';
import { BRIDGE, launch, createRoom, joinRoom, waitForRemoteVideos, screenshot, closeAll, sleep, RESULTS, remoteIdByName } from './harness.mjs';

const DURATION_S = Number(process.env.QUALITY_DURATION_S ?? 60);
const WARMUP_S = Number(process.env.QUALITY_WARMUP_S ?? 10);
const MIN_KBPS = Number(process.env.QUALITY_MIN_KBPS ?? 500);
const MIN_FPS = Number(process.env.QUALITY_MIN_FPS ?? 10);


let browser, ps = [];
before(async () => {
  // A camera whose bitrate follows what the sender may send (camera-clip.mjs), not the content.
  browser = await launch({ extraArgs: [`--use-file-for-fake-video-capture=${noiseClip()}`] });
  // the bridge's forwarding over time; the first two meet on the bridge, not P2P (12-p2p)
  const room = await createRoom({ p2pEnabled: false });
  for (const name of ['Alice', 'Bob', 'Carol']) ps.push(await joinRoom(browser, room.slug, name));
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
    stats.forEach((s) => {
      if (s.type === 'outbound-rtp' && s.kind === 'video' && (s.bytesSent ?? 0) > 0 && (!out.send || s.bytesSent > out.send.bytesSent)) {
        // the camera sender is the busiest outbound video (the screen slot sends nothing here)
        out.send = {
          bytesSent: s.bytesSent, targetBitrate: s.targetBitrate ?? null, frameHeight: s.frameHeight ?? null,
          framesPerSecond: s.framesPerSecond ?? null, qualityLimitationReason: s.qualityLimitationReason ?? null,
          availableOutgoingBitrate: pair?.availableOutgoingBitrate ?? null, ts: s.timestamp,
        };
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

  const series = { bridge: BRIDGE, startedAt: new Date().toISOString(), durationS: DURATION_S, pages: {} };
  for (const p of ps) series.pages[p.name] = [];
  const previous = new Map();
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
        const kbps = prev?.send && s.send.ts > prev.send.ts
          ? Math.round(((s.send.bytesSent - prev.send.bytesSent) * 8) / (s.send.ts - prev.send.ts)) : null;
        row.send = { ...s.send, kbps };
        delete row.send.bytesSent;
        delete row.send.ts;
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
  const dir = joinPath(RESULTS);
  mkdirSync(dir, { recursive: true });
  writeFileSync(joinPath(dir, 'quality-series.json'), JSON.stringify(series, null, 1));
  for (const p of ps) await screenshot(p, `quality-${p.name}`);

  // Summary lines (also the figures BENCHMARKS.md quotes) and the failures.
  const failures = [];
  const median = (xs) => {
    const v = xs.filter((x) => typeof x === 'number').sort((a, b) => a - b);
    return v.length ? v[Math.floor(v.length / 2)] : null;
  };
  for (const [page, rows] of Object.entries(series.pages)) {
    const later = rows.filter((r) => r.second > WARMUP_S);
    const sends = later.map((r) => r.send).filter(Boolean);
    console.log(`  ${BRIDGE} ${page} sends: median ${median(sends.map((s) => s.kbps))} kbit/s, target ${median(sends.map((s) => s.targetBitrate))} bit/s, `
      + `${median(sends.map((s) => s.frameHeight))}p at ${median(sends.map((s) => s.framesPerSecond))} fps, `
      + `limited by ${[...new Set(sends.map((s) => s.qualityLimitationReason))].join('/')}`);
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
    + `(series in ${dir}/quality-series.json); first ones:\n${failures.slice(0, 12).join('\n')}`);
});
