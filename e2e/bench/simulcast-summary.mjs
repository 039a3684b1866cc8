// Summarises the series scripts/bench-simulcast leaves in test-results/<bridge>/ as the P8 and P9
// tables of docs/BENCHMARKS.md (markdown on stdout). Seconds up to the warm-up are left out.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const RESULTS = process.env.E2E_RESULTS_ROOT ?? new URL('../test-results', import.meta.url).pathname;
const QUALITY_WARMUP_S = Number(process.env.QUALITY_WARMUP_S ?? 10);
const SIX_WARMUP_S = Number(process.env.SIX_WARMUP_S ?? 10);
const read = (bridge, name) => {
  const f = join(RESULTS, bridge, name);
  return existsSync(f) ? JSON.parse(readFileSync(f, 'utf8')) : null;
};
const median = (xs) => {
  const v = xs.filter((x) => typeof x === 'number').sort((a, b) => a - b);
  return v.length ? v[Math.floor(v.length / 2)] : '–';
};
const min = (xs) => (xs.length ? Math.min(...xs.map((x) => x ?? 0)) : '–');
const max = (xs) => (xs.length ? Math.max(...xs.map((x) => x ?? 0)) : '–');
const bridges = ['lite', 'jvb'];

console.log('P8: per camera stream received in the three-person grid, after second 10\n');
console.log('| bridge | clip | streams | receive kbit/s median | min | fps median | min | height median | min | max | sender layers (median kbit/s at height, encoded fps min) |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const clip of ['scene', 'noise']) {
  for (const bridge of bridges) {
    const s = read(bridge, `quality-series${clip === 'scene' ? '' : `-${clip}`}.json`);
    if (!s) continue;
    const recv = [];
    const layers = {};
    for (const rows of Object.values(s.pages)) {
      for (const r of rows.filter((x) => x.second > QUALITY_WARMUP_S)) {
        recv.push(...Object.values(r.recv));
        for (const l of r.send?.layers ?? []) if ((l.kbps ?? 0) > 0) (layers[l.layer] ??= []).push(l);
      }
    }
    // receiver-sender pairs
    const streams = Object.values(s.pages).reduce((n, rows) => n + new Set(rows.flatMap((r) => Object.keys(r.recv))).size, 0);
    const layerText = Object.entries(layers)
      .map(([i, ls]) => `L${i} ${median(ls.map((l) => l.kbps))} @ ${median(ls.map((l) => l.frameHeight))}p, ${min(ls.map((l) => l.encodedFps))} fps`)
      .join('; ');
    console.log(`| ${bridge} | ${clip} | ${streams} | ${median(recv.map((r) => r.kbps))} | ${min(recv.map((r) => r.kbps))} | `
      + `${median(recv.map((r) => r.framesPerSecond))} | ${min(recv.map((r) => r.framesPerSecond))} | `
      + `${median(recv.map((r) => r.frameHeight))} | ${min(recv.map((r) => r.frameHeight))} | ${max(recv.map((r) => r.frameHeight))} | ${layerText} |`);
  }
}

console.log('\nP9: six people, one staged camera and five thumbnails per page, after the warm-up\n');
console.log('| bridge | simulcast | downlink per page kbit/s: median of pages | max page median | staged kbit/s median | staged height | thumbnail kbit/s median | thumbnail height median | max |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const sim of [true, false]) {
  for (const bridge of bridges) {
    const s = read(bridge, `six-person-series${sim ? '' : '-no-simulcast'}.json`);
    if (!s) continue;
    const perPage = [];
    const staged = [];
    const thumbs = [];
    for (const rows of Object.values(s.pages)) {
      const later = rows.filter((r) => r.second > SIX_WARMUP_S);
      perPage.push(median(later.map((r) => r.downlinkKbps)));
      for (const r of later) for (const x of Object.values(r.recv)) (x.staged ? staged : thumbs).push(x);
    }
    console.log(`| ${bridge} | ${sim ? 'on' : 'off'} | ${median(perPage)} | ${max(perPage)} | ${median(staged.map((x) => x.kbps))} | `
      + `${median(staged.map((x) => x.frameHeight))}p | ${median(thumbs.map((x) => x.kbps))} | ${median(thumbs.map((x) => x.frameHeight))}p | ${max(thumbs.map((x) => x.frameHeight))}p |`);
  }
}
