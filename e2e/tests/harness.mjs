// Shared helpers of the browser suite: one Debian Chromium (playwright-core, executablePath), one
// browser context per participant, rooms created through room-api's REST API, media checks through
// the page's own RTCPeerConnections (getStats) and <video> elements.
import { chromium } from 'playwright-core';
import { mkdirSync, readFileSync } from 'node:fs';
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

// The page's timeline, window.__trace: [Date.now() (the test's clock), what], for telling apart where a
// latency goes (the click, the sender's page, the server, the receiver's render) and where a slow join spends
// its time. Always: signalling (`sig`) and bridge-channel (`bc`) frames in and out, input events, tile
// data-video/data-audio changes and long main-thread frames. With `deep` (E2E_TRACE, installed before the app
// loads) also every RTCPeerConnection's SDP steps and states, the video encoders' active flags, first decoded
// frames per tile and fetches. Installed once per page (the first call wins); read with pageTrace.
const RECORD_TRACE = (deep) => {
  if (window.__trace) return;
  const trace = (window.__trace = []);
  const mark = (what, t = Date.now()) => {
    trace.push([Math.round(t), what]);
    if (trace.length > 4000) trace.splice(0, 2000);
  };
  const describe = (d) => {
    try {
      const m = JSON.parse(d);
      if (m.colibriClass === 'SenderSourceConstraints') return `SenderSourceConstraints ${m.sourceName} ${m.maxHeight}`;
      if (m.colibriClass === 'ForwardedSources') return `ForwardedSources ${m.forwardedSources.join(',')}`;
      if (m.type === 'media-state') return `media-state ${m.participantId ?? 'self'} audio=${m.audio} video=${m.video}`;
      return m.type ?? m.colibriClass ?? '?';
    } catch {
      return 'non-json';
    }
  };
  const watch = (ws) => {
    const kind = String(ws.url).includes('/api/signalling/') ? 'sig' : 'bc';
    ws.addEventListener('open', () => mark(`${kind} open`));
    ws.addEventListener('message', (e) => mark(`${kind} in ${describe(e.data)}`));
    const send = ws.send;
    ws.send = function (d) {
      mark(`${kind} out ${describe(d)}`);
      return send.call(this, d);
    };
  };
  (window.__sockets ?? []).forEach(watch);
  const WS = window.WebSocket;
  window.WebSocket = class extends WS {
    constructor(...args) {
      super(...args);
      watch(this);
    }
  };
  for (const type of ['pointerdown', 'click']) document.addEventListener(type, () => mark(type), true);
  new MutationObserver((records) => {
    for (const r of records) {
      mark(`dom ${r.target.getAttribute('data-testid')} ${r.attributeName}=${r.target.getAttribute(r.attributeName)}`);
    }
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-video', 'data-audio'] });
  try {
    // frames over 200 ms (Chromium's long animation frames), the longest scripts in them first
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        if (e.duration < 200) continue;
        const scripts = [...(e.scripts ?? [])].sort((x, y) => y.duration - x.duration).slice(0, 3)
          .map((x) => `${x.invoker} ${Math.round(x.duration)} ms`).join(', ');
        mark(`long frame ${Math.round(e.duration)} ms (blocking ${Math.round(e.blockingDuration)} ms): ${scripts || 'no script'}`,
          performance.timeOrigin + e.startTime);
      }
    }).observe({ type: 'long-animation-frame', buffered: false });
  } catch {
    // older Chromium: long tasks only
  }
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) mark(`longtask ${Math.round(e.duration)} ms`, performance.timeOrigin + e.startTime);
  }).observe({ type: 'longtask', buffered: false });
  if (!deep) return;
  const P = window.RTCPeerConnection.prototype;
  for (const m of ['setRemoteDescription', 'createAnswer', 'createOffer', 'setLocalDescription']) {
    const orig = P[m];
    P[m] = async function (...args) {
      const n = window.__pcs?.indexOf(this);
      mark(`pc${n} ${m} start`);
      try {
        return await orig.apply(this, args);
      } finally {
        mark(`pc${n} ${m} end`);
      }
    };
  }
  const Native = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Native {
    constructor(...args) {
      mark('pc constructor start');
      super(...args);
      const n = window.__pcs?.indexOf(this);
      mark(`pc${n} constructed`);
      this.addEventListener('iceconnectionstatechange', () => mark(`pc${n} ice ${this.iceConnectionState}`));
      this.addEventListener('connectionstatechange', () => mark(`pc${n} conn ${this.connectionState}`));
      this.addEventListener('track', (e) => mark(`pc${n} track ${e.track.kind}`));
    }
  };
  // what the page asks its video encoders for: one flag per encoding (1 active, 0 off)
  const setParameters = window.RTCRtpSender.prototype.setParameters;
  window.RTCRtpSender.prototype.setParameters = function (params, ...rest) {
    if (this.track?.kind !== 'audio') mark(`setParameters ${(params.encodings ?? []).map((e) => (e.active === false ? 0 : 1)).join('')}`);
    return setParameters.call(this, params, ...rest);
  };
  const seen = new WeakSet();
  setInterval(() => {
    document.querySelectorAll('[data-testid^="tile-"] video').forEach((v) => {
      if (!seen.has(v) && v.getVideoPlaybackQuality().totalVideoFrames > 0) {
        seen.add(v);
        mark(`first frame ${v.closest('[data-testid^="tile-"]').getAttribute('data-testid')}`);
      }
    });
  }, 50);
  const F = window.fetch;
  window.fetch = async (...args) => {
    const u = String(args[0]?.url ?? args[0]);
    mark(`fetch ${u.slice(0, 60)}`);
    try { return await F(...args); } finally { mark(`fetch done ${u.slice(0, 60)}`); }
  };
};

/** Starts the page's timeline now (see RECORD_TRACE) unless E2E_TRACE started it when the page loaded. */
export async function traceTimeline(p) {
  await p.page.evaluate(RECORD_TRACE, false);
}

/** The page's timeline from 200 ms before `t0` (Date.now()), one line per entry: `<ms after t0> <what>`. */
export async function pageTrace(p, t0) {
  const t = await p.page.evaluate(() => window.__trace ?? []).catch(() => []);
  return t.filter(([at]) => at >= t0 - 200).sort((x, y) => x[0] - y[0]).map(([at, what]) => `${at - t0} ${what}`).join('\n');
}

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
 * setting; the app's default, on, when not given). `moderatorToken`: the room creator's token, stored as the web app stores it after
 * creating a room, so that this participant joins as a moderator. `baseUrl`: another origin than
 * room-api's (the front door of tests/cluster.mjs).
 */
export async function openParticipant(browser, slug, name, { viewport = { width: 1280, height: 720 }, simulcast, moderatorToken, baseUrl = BASE_URL } = {}) {
  const context = await browser.newContext({ viewport });
  await context.addInitScript(RECORD_PCS);
  await context.addInitScript(RECORD_SOCKETS);
  if (process.env.E2E_TRACE) await context.addInitScript(RECORD_TRACE, true);
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

/**
 * The kernel's UDP counters of the suite's network namespace (/proc/net/snmp: InDatagrams,
 * InErrors, RcvbufErrors, SndbufErrors), or null where they cannot be read. A datagram dropped for
 * a full socket buffer (a browser or bridge that did not read in time) shows here and nowhere
 * else: the receiver reports it lost although no network lost it.
 */
export function udpCounters() {
  try {
    const lines = readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((l) => l.startsWith('Udp: '));
    const names = lines[0].split(/\s+/).slice(1);
    const values = lines[1].split(/\s+/).slice(1).map(Number);
    const all = Object.fromEntries(names.map((n, i) => [n, values[i]]));
    return { InDatagrams: all.InDatagrams, InErrors: all.InErrors, RcvbufErrors: all.RcvbufErrors, SndbufErrors: all.SndbufErrors };
  } catch {
    return null;
  }
}

/** Per local UDP port of the namespace, the datagrams the kernel dropped at that socket (/proc/net/udp), only ports with drops. */
export function udpSocketDrops() {
  const out = {};
  try {
    for (const line of readFileSync('/proc/net/udp', 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 13) continue;
      const port = parseInt(f[1].split(':')[1], 16);
      const drops = Number(f[f.length - 1]);
      if (drops > 0) out[port] = (out[port] ?? 0) + drops;
    }
  } catch {
    return null;
  }
  return out;
}

/** What changed in {@link udpCounters} between two readings (null when either is missing). */
export function udpCountersSince(before, after = udpCounters()) {
  if (!before || !after) return null;
  return Object.fromEntries(Object.keys(after).map((k) => [k, after[k] - before[k]]));
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

/**
 * Packets the queues of {@link shapeUdpPort} dropped so far (tail drops of the full queue: loss at
 * the bottleneck). Throws when nothing is shaped or tc's statistics cannot be read, so that a caller
 * that waits for "no drops" never takes an unreadable count for zero.
 */
export function shapedDrops() {
  if (!shaped) throw new Error('shapedDrops: nothing is shaped');
  const out = execFileSync('tc', ['-s', 'qdisc', 'show', 'dev', 'lo'], { encoding: 'utf8' });
  // each leaf queue of the htb root: "qdisc pfifo 8001: parent 1:20 ..." then " Sent ... (dropped N, ..."
  const leaves = [...out.matchAll(/^qdisc \S+ \S+ parent 1:\d+ [^\n]*\n\s*Sent \d+ bytes \d+ pkt \(dropped (\d+)/gm)];
  if (leaves.length === 0) throw new Error(`shapedDrops: no shaped queue in tc's statistics:\n${out}`);
  return leaves.reduce((sum, m) => sum + Number(m[1]), 0);
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
        if (s.type === 'inbound-rtp') {
          const video = s.kind === 'video'
            ? ` keyframes=${s.keyFramesDecoded} plis=${s.pliCount} freezes=${s.freezeCount} lost=${s.packetsLost} ${s.frameWidth ?? 0}x${s.frameHeight ?? 0}`
            : '';
          st.push(`${s.kind} mid=${s.mid} ssrc=${s.ssrc} pkts=${s.packetsReceived} frames=${s.framesDecoded ?? '-'}${video} track=${s.trackIdentifier}`);
        }
        // what this page sends: a frozen receiver's cause may be its sender's encoder
        if (s.type === 'outbound-rtp' && s.kind === 'video') {
          st.push(`sent video mid=${s.mid} ssrc=${s.ssrc} pkts=${s.packetsSent} frames=${s.framesEncoded} keyframes=${s.keyFramesEncoded} plis=${s.pliCount} ${s.frameWidth ?? 0}x${s.frameHeight ?? 0} active=${s.active} limited=${s.qualityLimitationReason}`);
        }
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

/**
 * What JVB's /debug says about the endpoint whose stats id (display name) is `name`: its bitrate
 * controller (allocation per source, forwarded sources, estimate); null on lite-bridge (no /debug)
 * or when JVB does not answer. For failure output: why a receiver did not get a source.
 */
export async function bridgeDebug(name) {
  const url = (process.env.E2E_BRIDGE_STATS_URL ?? '').replace(/\/colibri\/stats$/, '/debug');
  if (BRIDGE !== 'jvb' || !url.endsWith('/debug')) return null;
  try {
    const all = await (await fetch(`${url}?full=true`, { signal: AbortSignal.timeout(5000) })).json();
    for (const conference of Object.values(all.conferences ?? {})) {
      for (const e of Object.values(conference.endpoints ?? {})) {
        if (e.stats_id !== name) continue;
        const bc = e.bitrate_controller ?? {};
        return { allocator: bc.bitrate_allocator, forwarded: bc.forwarded_sources, probing: e.bandwidth_probing };
      }
    }
  } catch (e) {
    return { error: String(e) };
  }
  return null;
}

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

/**
 * Clicks `testId` on `actor`'s page and answers how long after that click `selector` first matched
 * on each observer page: `{ ms: [per observer], clickLandedMs }`. Both ends are read in the pages
 * (the click event's own timestamp; a MutationObserver on each observer), on the machine's one wall
 * clock. Measured from outside, Playwright's click reached the page 0.2-1.5 s after it was called on
 * a loaded machine (actionability checks), and waitForSelector, which polls every 500 ms after its
 * first tries, saw a change up to 1 s after it happened: the test's own delays, not the app's.
 * `clickLandedMs` is how long Playwright took to get the click to the page. Throws if `selector`
 * already matches somewhere before the click or does not match within `timeoutMs` from just before it.
 */
export async function clickUntilSeen(actor, testId, observers, selector, timeoutMs = 5000) {
  const key = `k${Date.now()}-${Math.random()}`;
  for (const o of observers) {
    const already = await o.page.evaluate(([sel, k, timeout]) => {
      const now = () => performance.timeOrigin + performance.now();
      window.__seenAt ??= {};
      if (document.querySelector(sel)) return true;
      window.__seenAt[k] = new Promise((resolve) => {
        const mo = new MutationObserver(() => {
          if (!document.querySelector(sel)) return;
          mo.disconnect();
          resolve(now());
        });
        mo.observe(document.documentElement, { subtree: true, childList: true, attributes: true });
        setTimeout(() => {
          mo.disconnect();
          resolve(null);
        }, timeout);
      });
      return false;
    }, [selector, key, timeoutMs]);
    if (already) throw new Error(`${o.name} shows ${selector} before the click on ${testId}`);
  }
  await actor.page.evaluate(([id, k]) => {
    window.__clickAt ??= {};
    const onClick = (ev) => {
      if (!ev.target.closest?.(`[data-testid="${id}"]`)) return;
      document.removeEventListener('click', onClick, true);
      window.__clickAt[k] = performance.timeOrigin + ev.timeStamp;
    };
    document.addEventListener('click', onClick, true);
  }, [testId, key]);
  const called = Date.now();
  await actor.page.getByTestId(testId).click();
  const clickedAt = await actor.page.evaluate((k) => window.__clickAt[k] ?? null, key);
  if (clickedAt === null) throw new Error(`the click on ${testId} did not reach ${actor.name}'s page`);
  const seen = await Promise.all(observers.map((o) => o.page.evaluate((k) => window.__seenAt[k], key)));
  const missing = observers.filter((_, i) => seen[i] === null).map((o) => o.name);
  if (missing.length > 0) throw new Error(`${missing.join(', ')}: no ${selector} within ${timeoutMs} ms of the click on ${testId}`);
  return { ms: seen.map((t) => Math.round(t - clickedAt)), clickLandedMs: Math.round(clickedAt - called) };
}
