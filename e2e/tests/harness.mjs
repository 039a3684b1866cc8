// Shared helpers of the browser suite: one Debian Chromium (playwright-core, executablePath), one
// browser context per participant, rooms created through room-api's REST API, media checks through
// the page's own RTCPeerConnections (getStats) and <video> elements.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join as joinPath } from 'node:path';
import { execFileSync } from 'node:child_process';

export const BASE_URL = requireEnv('E2E_BASE_URL');
export const RESULTS = process.env.E2E_RESULTS ?? new URL('../test-results', import.meta.url).pathname;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

function requireEnv(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the suite through scripts/e2e`);
  return v;
}

/** The bridge this pass runs against (scripts/e2e runs every file once per bridge). */
export const BRIDGE = process.env.E2E_BRIDGE ?? 'lite';

/**
 * Chromium flags from setup-notes: fake camera and microphone, autoplay, no background traffic.
 * Loopback ICE candidates only on the lite-bridge pass (lite-bridge listens on 127.0.0.1). JVB never
 * binds loopback and listens on the namespace's veth address; with a loopback candidate as well,
 * Chromium had two paths to JVB and, after a stall, switched to the one JVB had not selected: JVB
 * went on sending to the old one and that participant's media and estimates collapsed (seen
 * 2026-12-06; JVB logs "Received connectivity check on non-selected pair").
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  ...(BRIDGE === 'jvb' ? [] : ['--allow-loopback-in-peer-connection']),
  '--autoplay-policy=no-user-gesture-required',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-renderer-backgrounding',
  '--disable-background-timer-throttling',
  '--disable-backgrounding-occluded-windows',
];

/** One headless Chromium; `extraArgs` add to CHROMIUM_ARGS (e.g. a camera file). */
export async function launch({ extraArgs = [] } = {}) {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS, ...extraArgs] });
}

/** Creates a room through REST; answers the CreateRoomResponse (slug, token, …). */
export async function createRoom(overrides = {}) {
  const body = { name: `e2e ${Date.now()}`, access: 'public', ...overrides };
  const post = () => fetch(`${BASE_URL}/api/rooms`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
  });
  let res;
  try {
    res = await post();
  } catch (e) {
    // Seen once right after room-api became ready: the connection closed before any answer
    // ("other side closed", nothing read). Nothing was created, so one retry is safe; logged.
    console.log(`POST /api/rooms failed without an answer (${e.cause?.message ?? e.message}); retrying once`);
    await sleep(500);
    res = await post();
  }
  const text = await res.text();
  if (res.status !== 201 && res.status !== 200) throw new Error(`POST /api/rooms → ${res.status}: ${text}`);
  return JSON.parse(text);
}

// Records every RTCPeerConnection the app creates, so tests can read getStats().
const RECORD_PCS = () => {
  const Native = window.RTCPeerConnection;
  window.__pcs = [];
  window.RTCPeerConnection = class extends Native {
    constructor(...args) {
      super(...args);
      window.__pcs.push(this);
    }
  };
};

// Records every WebSocket the page opens (signalling and bridge channel), so tests can drop one.
const RECORD_SOCKETS = () => {
  const Native = window.WebSocket;
  window.__sockets = [];
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      window.__sockets.push(this);
    }
  };
};

/** Closes the page's open signalling WebSocket(s) as a network drop would (no `leave`); answers how many. */
export async function dropSignalling(p) {
  return p.page.evaluate(() => {
    let n = 0;
    for (const ws of window.__sockets ?? []) {
      if (ws.url.includes('/api/signalling/') && ws.readyState === WebSocket.OPEN) {
        ws.close(4001, 'e2e: simulated network drop');
        n++;
      }
    }
    return n;
  });
}

/**
 * A participant: its own browser context (fake devices) on the room's pre-join page. `simulcast`
 * true/false turns the web app's camera simulcast on/off in that context (the `openmeet.simulcast`
 * setting; the app's default, off, when not given). `moderatorToken`: the room creator's token, stored as the web app stores it after
 * creating a room, so that this participant joins as a moderator. `baseUrl`: another origin than
 * room-api's (the front door of tests/cluster.mjs).
 */
export async function openParticipant(browser, slug, name, { viewport = { width: 1280, height: 720 }, simulcast, moderatorToken, baseUrl = BASE_URL } = {}) {
  const context = await browser.newContext({ viewport });
  await context.addInitScript(RECORD_PCS);
  await context.addInitScript(RECORD_SOCKETS);
  if (moderatorToken) {
    await context.addInitScript(
      ([key, token]) => {
        try {
          sessionStorage.setItem(key, token);
        } catch {
          // about:blank and other opaque origins have no storage
        }
      },
      [`openmeet.token.${slug}`, moderatorToken],
    );
  }
  if (simulcast !== undefined) {
    await context.addInitScript((value) => {
      try {
        localStorage.setItem('openmeet.simulcast', value);
      } catch {
        // about:blank and other opaque origins have no storage
      }
    }, simulcast ? 'on' : 'off');
  }
  const page = await context.newPage();
  const consoleLines = [];
  page.on('console', (m) => {
    consoleLines.push(`[${m.type()}] ${m.text()}`);
    if (m.type() === 'warning' || m.type() === 'error') console.log(`  [${name} ${m.type()}] ${m.text().slice(0, 300)}`);
  });
  page.on('pageerror', (e) => consoleLines.push(`[pageerror] ${e.message}`));
  await page.goto(`${baseUrl}/r/${slug}`);
  await page.getByTestId('display-name').fill(name);
  return { name, context, page, consoleLines };
}

/** Clicks Join and waits until the call page shows. */
export async function join(p, { password } = {}) {
  if (password !== undefined) await p.page.getByTestId('join-password').fill(password);
  await p.page.getByTestId('join-button').click();
  await p.page.getByTestId('in-call').waitFor({ timeout: 20_000 });
}

/** Opens the pre-join page and joins; `opts`: `password`, `viewport` ({width, height}, 1280x720), `simulcast`, `token`. */
export async function joinRoom(browser, slug, name, opts = {}) {
  const p = await openParticipant(browser, slug, name, opts);
  await join(p, opts);
  return p;
}

/** Sums inbound-rtp counters of the page's peer connections, per kind. */
export async function inbound(p) {
  return p.page.evaluate(async () => {
    const out = { video: { framesDecoded: 0, bytesReceived: 0, packetsReceived: 0, streams: 0, decoding: 0 },
      audio: { packetsReceived: 0, bytesReceived: 0, totalSamplesReceived: 0, streams: 0 } };
    for (const pc of window.__pcs ?? []) {
      if (pc.connectionState === 'closed') continue;
      const stats = await pc.getStats();
      stats.forEach((s) => {
        if (s.type !== 'inbound-rtp') return;
        const k = out[s.kind];
        if (!k) return;
        k.streams++;
        k.packetsReceived += s.packetsReceived ?? 0;
        k.bytesReceived += s.bytesReceived ?? 0;
        if (s.kind === 'video') {
          k.framesDecoded += s.framesDecoded ?? 0;
          if ((s.framesDecoded ?? 0) > 0) k.decoding++;
        } else k.totalSamplesReceived += s.totalSamplesReceived ?? 0;
      });
    }
    return out;
  });
}

/**
 * Inbound counters of one kind per remote source name (the offer's msid track id, e.g. `<id>-v0`),
 * summed over the page's open peer connections: frames decoded, bytes, packets, and the largest
 * frame height now received.
 */
export async function inboundBySource(p, kind = 'video') {
  return p.page.evaluate(async (kind) => {
    const out = {};
    for (const pc of window.__pcs ?? []) {
      if (pc.connectionState === 'closed') continue;
      const sourceByMid = {};
      let mid = null;
      for (const line of (pc.remoteDescription?.sdp ?? '').split(/\r?\n/)) {
        if (line.startsWith('m=')) mid = null;
        else if (line.startsWith('a=mid:')) mid = line.slice(6);
        else if (line.startsWith('a=msid:') && mid !== null) sourceByMid[mid] = line.slice(7).split(' ')[1];
      }
      (await pc.getStats()).forEach((s) => {
        if (s.type !== 'inbound-rtp' || s.kind !== kind) return;
        const source = sourceByMid[s.mid];
        if (!source) return;
        const o = (out[source] ??= { frames: 0, bytes: 0, packets: 0, height: 0 });
        o.frames += s.framesDecoded ?? 0;
        o.bytes += s.bytesReceived ?? 0;
        o.packets += s.packetsReceived ?? 0;
        o.height = Math.max(o.height, s.frameHeight ?? 0);
      });
    }
    return out;
  }, kind);
}

/** The local UDP port of the page's selected candidate pair (the socket its media uses), or null. */
export async function mediaPort(p) {
  return p.page.evaluate(async () => {
    for (const pc of window.__pcs ?? []) {
      if (pc.connectionState !== 'connected') continue;
      const stats = await pc.getStats();
      let pair = null;
      stats.forEach((s) => {
        if (s.type === 'transport' && s.selectedCandidatePairId) pair = stats.get(s.selectedCandidatePairId);
      });
      if (pair) return stats.get(pair.localCandidateId)?.port ?? null;
    }
    return null;
  });
}

function tc(...args) {
  execFileSync('tc', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

let shaped = false;

/**
 * Limits UDP to (`dport`) and/or from (`sport`) a port on `lo`, which both bridges' media uses in the
 * suite's namespace, to `kbit` with a pfifo of `queuePackets` per direction (htb; other traffic is
 * not shaped). One shaping at a time; {@link unshapeUdp} removes it. Throws where tc cannot shape.
 */
export function shapeUdpPort(port, kbit, { directions = ['dport'], queuePackets = 25 } = {}) {
  tc('qdisc', 'add', 'dev', 'lo', 'root', 'handle', '1:', 'htb');
  shaped = true;
  directions.forEach((dir, i) => {
    const cls = `1:${20 + 10 * i}`;
    tc('class', 'add', 'dev', 'lo', 'parent', '1:', 'classid', cls, 'htb', 'rate', `${kbit}kbit`, 'ceil', `${kbit}kbit`);
    tc('qdisc', 'add', 'dev', 'lo', 'parent', cls, 'pfifo', 'limit', String(queuePackets));
    tc('filter', 'add', 'dev', 'lo', 'parent', '1:', 'protocol', 'ip', 'prio', '1', 'u32',
      'match', 'ip', 'protocol', '17', '0xff', 'match', 'ip', dir, String(port), '0xffff', 'flowid', cls);
  });
}

/** Removes what {@link shapeUdpPort} set up (nothing when nothing is shaped). */
export function unshapeUdp() {
  if (!shaped) return;
  shaped = false;
  try {
    tc('qdisc', 'del', 'dev', 'lo', 'root');
  } catch (e) {
    console.log(`removing the shaping failed: ${e.stderr ?? e.message}`);
  }
}

/** Frames shown so far by each remote tile's <video>, keyed by tile test id. */
export async function tileFrames(p) {
  return p.page.evaluate(() => {
    const out = {};
    document.querySelectorAll('[data-testid^="tile-"]').forEach((tile) => {
      const id = tile.getAttribute('data-testid');
      if (id.startsWith('tile-self') || id === 'tile-video') return;
      const v = tile.querySelector('video');
      out[id] = v
        ? { frames: v.getVideoPlaybackQuality().totalVideoFrames, width: v.videoWidth, paused: v.paused,
            time: v.currentTime, video: tile.getAttribute('data-video'), audio: tile.getAttribute('data-audio') }
        : { frames: 0, width: 0, paused: true, time: 0, video: tile.getAttribute('data-video'),
            audio: tile.getAttribute('data-audio') };
    });
    return out;
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls fn until it returns a truthy value or the timeout passes; throws with the last value. */
export async function waitFor(what, fn, timeoutMs = 15_000, everyMs = 200) {
  const until = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await fn();
    if (last && last.ok !== false) return last;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${JSON.stringify(last)}`);
    await sleep(everyMs);
  }
}

/**
 * Waits until p's tiles for exactly `count` remote cameras render frames that keep increasing: each
 * camera must show a new frame within `stallMs` (a camera frozen that long fails). The window is
 * generous because three browsers and the whole stack share two cores in CI, where a renegotiation
 * can hold a 20 fps fake camera back for most of a second.
 */
export async function waitForRemoteVideos(p, count, timeoutMs = 20_000, stallMs = 3000) {
  const cams = (t) => Object.entries(t).filter(([id]) => id.endsWith('-camera'));
  await waitFor(`${p.name} to show ${count} playing remote camera(s)`, async () => {
    const t = await tileFrames(p);
    const c = cams(t);
    return { ok: c.length === count && c.every(([, v]) => v.frames > 0 && v.width > 0 && !v.paused), tiles: t };
  }, timeoutMs);
  let previous = await tileFrames(p);
  const waiting = new Set(cams(previous).map(([id]) => id));
  const t0 = Date.now();
  let last = previous;
  while (waiting.size > 0 && Date.now() - t0 < stallMs) {
    await sleep(200);
    last = await tileFrames(p);
    // a new frame, or a new <video> element (its counter starts again) that has shown one
    for (const id of [...waiting]) {
      const now = last[id]?.frames ?? 0;
      if (now > (previous[id]?.frames ?? 0) || (now > 0 && now < (previous[id]?.frames ?? 0))) waiting.delete(id);
    }
    previous = last;
  }
  if (waiting.size > 0) {
    const stats = await inbound(p).catch((e) => String(e));
    throw new Error(`${p.name}: ${[...waiting].map((id) => `${id} stopped at ${last[id]?.frames ?? 0} frames`).join(', ')}`
      + ` for ${stallMs} ms; decoder: ${JSON.stringify(stats?.video ?? stats)}`);
  }
  return last;
}

export async function screenshot(p, name) {
  mkdirSync(RESULTS, { recursive: true });
  await p.page.screenshot({ path: joinPath(RESULTS, `${name}.png`) });
}

export async function closeAll(...ps) {
  for (const p of ps) if (p) await p.context.close().catch(() => {});
}

/** The participant id of the tile that shows `name`, as seen by `p`. */
export async function remoteIdByName(p, name) {
  return waitFor(`${p.name} to see ${name}`, () =>
    p.page.evaluate((n) => {
      for (const tile of document.querySelectorAll('[data-participant-id]')) {
        if (tile.getAttribute('data-testid').startsWith('tile-self')) continue;
        if (tile.textContent.includes(n)) return tile.getAttribute('data-participant-id');
      }
      return null;
    }, name),
  );
}

/** Diagnostics for a failed media check: per inbound stream counters, transceivers, SDP m-lines. */
export async function mediaDump(p) {
  return p.page.evaluate(async () => {
    const out = [];
    for (const pc of window.__pcs ?? []) {
      const st = [];
      (await pc.getStats()).forEach((s) => {
        if (s.type === 'inbound-rtp') st.push(`${s.kind} mid=${s.mid} ssrc=${s.ssrc} pkts=${s.packetsReceived} frames=${s.framesDecoded ?? '-'} track=${s.trackIdentifier}`);
      });
      out.push({
        state: `${pc.connectionState}/${pc.iceConnectionState}/${pc.signalingState}`,
        transceivers: pc.getTransceivers().map((t) => `${t.mid} ${t.direction}/${t.currentDirection} ${t.receiver.track?.kind} ${t.receiver.track?.id} muted=${t.receiver.track?.muted}`),
        inbound: st,
        remoteMlines: (pc.remoteDescription?.sdp ?? '').split('\r\n').filter((l) => /^(m=|a=msid|a=mid|a=sendonly|a=recvonly|a=sendrecv|a=inactive|a=ssrc:\d+ msid)/.test(l)),
      });
    }
    return out;
  });
}

// For page.evaluate: notes in window.__tileLost whether the camera tile of participant `id` ever
// leaves the grid, however briefly.
export const WATCH_TILE = (id) => {
  const selector = `[data-testid="tile-${id}-camera"]`;
  window.__tileLost = !document.querySelector(selector);
  new MutationObserver(() => {
    if (!document.querySelector(selector)) window.__tileLost = true;
  }).observe(document.body, { childList: true, subtree: true });
};

/** Endpoints on the bridge now (its /colibri/stats, through scripts/e2e; the suite runs one room at a time). */
export async function bridgeEndpoints() {
  const url = requireEnv('E2E_BRIDGE_STATS_URL');
  const secret = process.env.E2E_BRIDGE_CONTROL_SECRET;
  const res = await fetch(url, { headers: secret ? { authorization: `Bearer ${secret}` } : {} });
  const body = await res.json();
  if (!res.ok) throw new Error(`${url} → ${res.status}: ${JSON.stringify(body)}`);
  return body.endpoints ?? body.participants;
}

/** The page's P2P connection: its state, the selected candidate pair and video decoded over it; null without one. */
export async function p2pView(p) {
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

/**
 * Waits until a and b run their call P2P (both connected, the bridge connection closed) and the
 * bridge holds no endpoint: tests of what a 1:1 user does start from there (P2P is on by default).
 */
export async function waitForP2pCall(a, b, timeoutMs = 25_000) {
  return waitFor(`a P2P call between ${a.name} and ${b.name} with no endpoint on the bridge`, async () => {
    const va = await p2pView(a);
    const vb = await p2pView(b);
    const endpoints = await bridgeEndpoints();
    const ok = va?.state === 'connected' && vb?.state === 'connected' && va.open === 1 && vb.open === 1 && endpoints === 0;
    return { ok, va, vb, endpoints };
  }, timeoutMs, 250);
}
