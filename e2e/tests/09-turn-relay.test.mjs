// Media through the TURN relay only, as behind a firewall that lets nothing but the relay through:
// every peer connection runs with iceTransportPolicy "relay", so the browser offers the bridge nothing
// but coturn's relayed address. The TURN servers and their short-lived credentials are the ones
// room-api hands the app in `joined.iceServers` (coturn is started by scripts/e2e); the test only
// narrows them to one transport per case (TURN over UDP, TURN over TLS) and forces relay, the way a
// restrictive network would. Video must still decode on both sides, and getStats must show that the
// selected candidate pair's local candidate is a relay candidate of that transport.
//
// Chromium checks a TURN server's TLS certificate like a web site's (a self-signed one gets no relay
// candidate at all). Production uses a CA-issued certificate for turn.<domain>; here the browser is
// told to trust exactly the key of coturn's local self-signed certificate (TURN_CERT_FILE), with
// Chromium's --ignore-certificate-errors-spki-list, and nothing else.
//
// Where scripts/e2e could not install coturn it sets E2E_TURN_SKIPPED: both cases are skipped (shown
// as skipped by the reporter, with a "TURN relay e2e skipped: " line), never passed.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  BASE_URL, BRIDGE, launch, createRoom, join, inbound, waitFor, waitForRemoteVideos, screenshot, closeAll,
  sleep, mediaDump,
} from './harness.mjs';

const SKIPPED = process.env.E2E_TURN_SKIPPED || '';
if (SKIPPED) console.log(`TURN relay e2e skipped: ${SKIPPED}`);
const TURN_IP = process.env.TURN_LISTEN_IP;
const RELAY_PORTS = [Number(process.env.TURN_MIN_PORT), Number(process.env.TURN_MAX_PORT)];

/** base64(SHA-256(SubjectPublicKeyInfo)) of a PEM certificate, as Chromium's SPKI list wants it. */
function spkiHash(pemFile) {
  const spki = new X509Certificate(readFileSync(pemFile)).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

let browser;
before(async () => {
  if (SKIPPED) return;
  assert.ok(process.env.TURN_URIS && TURN_IP && RELAY_PORTS.every((n) => n > 0) && process.env.TURN_CERT_FILE,
    'TURN_URIS, TURN_LISTEN_IP, TURN_MIN_PORT, TURN_MAX_PORT and TURN_CERT_FILE are not set: scripts/e2e starts coturn and exports them');
  browser = await launch({ extraArgs: [`--ignore-certificate-errors-spki-list=${spkiHash(process.env.TURN_CERT_FILE)}`] });
});
after(async () => { await browser?.close(); });

// Init script: records the configuration the app gives each RTCPeerConnection, then creates it with
// only the TURN URLs of `transport` ('udp': turn:…?transport=udp, 'tls': turns:) and relay-only ICE.
// Records the connections in window.__pcs like the harness does, for its getStats helpers.
const FORCE_RELAY = (transport) => {
  const Native = window.RTCPeerConnection;
  const keep = (url) => (transport === 'tls' ? url.startsWith('turns:') : url.startsWith('turn:') && url.includes('transport=udp'));
  window.__pcs = [];
  window.__appConfigs = [];
  window.RTCPeerConnection = class extends Native {
    constructor(config = {}, ...rest) {
      window.__appConfigs.push(JSON.parse(JSON.stringify(config)));
      const iceServers = (config.iceServers ?? [])
        .map((s) => ({ ...s, urls: [].concat(s.urls ?? []).filter(keep) }))
        .filter((s) => s.urls.length > 0);
      super({ ...config, iceServers, iceTransportPolicy: 'relay' }, ...rest);
      window.__pcs.push(this);
    }
  };
};

async function openRelayed(slug, name, transport) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  await context.addInitScript(FORCE_RELAY, transport);
  const page = await context.newPage();
  const consoleLines = [];
  page.on('console', (m) => {
    consoleLines.push(`[${m.type()}] ${m.text()}`);
    if (m.type() === 'error') console.log(`  [${name} ${m.type()}] ${m.text().slice(0, 300)}`);
  });
  page.on('pageerror', (e) => consoleLines.push(`[pageerror] ${e.message}`));
  await page.goto(`${BASE_URL}/r/${slug}`);
  await page.getByTestId('display-name').fill(name);
  const p = { name, context, page, consoleLines };
  await join(p);
  return p;
}

/** The local and remote candidates of each open connection's selected pair. */
async function selectedPairs(p) {
  return p.page.evaluate(async () => {
    const out = [];
    for (const pc of window.__pcs) {
      if (pc.connectionState === 'closed') continue;
      const stats = new Map();
      (await pc.getStats()).forEach((s) => stats.set(s.id, s));
      for (const t of stats.values()) {
        if (t.type !== 'transport' || !t.selectedCandidatePairId) continue;
        const pair = stats.get(t.selectedCandidatePairId);
        const local = stats.get(pair?.localCandidateId);
        const remote = stats.get(pair?.remoteCandidateId);
        out.push({
          state: pair?.state,
          local: local && { type: local.candidateType, relayProtocol: local.relayProtocol, address: local.address, port: local.port, url: local.url },
          remote: remote && { type: remote.candidateType, address: remote.address, port: remote.port },
        });
      }
    }
    return out;
  });
}

for (const transport of ['udp', 'tls']) {
  test(`relay only over TURN/${transport.toUpperCase()}: both sides decode video through coturn (${BRIDGE})`, { skip: SKIPPED || false }, async () => {
    // the bridge reached through coturn (two participants would otherwise go P2P)
    const room = await createRoom({ p2pEnabled: false });
    const a = await openRelayed(room.slug, 'Alice', transport);
    const b = await openRelayed(room.slug, 'Bob', transport);
    try {
      // room-api handed the app TURN servers with short-lived REST credentials (coturn's use-auth-secret)
      for (const p of [a, b]) {
        // the app creates its connection when the bridge's offer arrives, after the call page shows
        const configs = await waitFor(`${p.name}'s RTCPeerConnection`, () =>
          p.page.evaluate(() => (window.__appConfigs.length > 0 ? window.__appConfigs : null)));
        const servers = configs[0].iceServers ?? [];
        const turn = servers.find((s) => [].concat(s.urls).some((u) => u.startsWith('turn')));
        assert.ok(turn, `${p.name}: no TURN server in the app's iceServers: ${JSON.stringify(servers)}`);
        const urls = [].concat(turn.urls);
        assert.ok(urls.some((u) => u.startsWith('turn:') && u.includes('transport=udp')), `${p.name}: no TURN/UDP URL in ${urls}`);
        assert.ok(urls.some((u) => u.startsWith('turns:')), `${p.name}: no TURN/TLS URL in ${urls}`);
        const expires = Number(String(turn.username).split(':')[0]);
        const now = Date.now() / 1000;
        assert.ok(expires > now && expires < now + 24 * 3600, `${p.name}: credentials expire at ${expires} (now ${Math.round(now)})`);
        assert.ok(turn.credential, `${p.name}: no TURN credential`);
      }

      for (const p of [a, b]) await waitForRemoteVideos(p, 1, 30_000);
      const first = { a: await inbound(a), b: await inbound(b) };
      await sleep(2000);
      const later = { a: await inbound(a), b: await inbound(b) };
      for (const [side, p] of [['a', a], ['b', b]]) {
        assert.ok(later[side].video.framesDecoded > first[side].video.framesDecoded,
          `${p.name}: video framesDecoded ${first[side].video.framesDecoded} → ${later[side].video.framesDecoded}`);
        assert.ok(later[side].audio.packetsReceived > first[side].audio.packetsReceived,
          `${p.name}: audio packetsReceived ${first[side].audio.packetsReceived} → ${later[side].audio.packetsReceived}`);
      }

      // the media went through coturn: the selected pair's local candidate is a relayed address
      // coturn allocated (its relay IP and port range), reached over this transport
      for (const p of [a, b]) {
        const pairs = await waitFor(`${p.name}'s selected candidate pair`, async () => {
          const s = await selectedPairs(p);
          return s.length > 0 && s.every((x) => x.local) ? s : null;
        });
        for (const pair of pairs) {
          assert.equal(pair.local.type, 'relay', `${p.name}: ${JSON.stringify(pair)}`);
          assert.equal(pair.local.relayProtocol, transport, `${p.name}: ${JSON.stringify(pair)}`);
          assert.equal(pair.local.address, TURN_IP, `${p.name}: ${JSON.stringify(pair)}`);
          assert.ok(pair.local.port >= RELAY_PORTS[0] && pair.local.port <= RELAY_PORTS[1],
            `${p.name}: relay port ${pair.local.port} outside coturn's ${RELAY_PORTS.join('-')}`);
        }
        console.log(`  ${p.name} (${BRIDGE}, ${transport}): ${JSON.stringify(pairs)}`);
      }
      await screenshot(a, `turn-relay-${transport}-alice`);
    } catch (e) {
      for (const p of [a, b]) {
        await screenshot(p, `turn-relay-${transport}-${p.name.toLowerCase()}-failed`).catch(() => {});
        console.log(`${p.name}: ${JSON.stringify(await selectedPairs(p).catch((x) => String(x)))}`);
        console.log(JSON.stringify(await mediaDump(p).catch((x) => String(x)), null, 1));
        console.log(p.consoleLines.slice(-30).join('\n'));
      }
      throw e;
    } finally {
      await closeAll(a, b);
    }
  });
}
