// An ICE restart re-allocates the participant's endpoint on the bridge (new ICE ufrag/pwd; with
// lite-bridge the same DTLS fingerprint). Media must come back both ways, and the tiles stay.
//
// The app asks for the restart with `{"type":"ice-restart"}` when its ICE fails (CallController); we
// cannot make loopback ICE fail on demand, so the test sends that same frame on the page's own
// signalling WebSocket (recorded by the harness) — what the app does next is all the app's own code.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, createRoom, joinRoom, waitFor, waitForRemoteVideos, inbound, screenshot, closeAll, sleep,
  remoteIdByName, mediaDump, WATCH_TILE,
} from './harness.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// Records every offer that arrives on the open signalling socket from now on (a listener of its
// own next to the app's: the app sees the same frames).
const WATCH_OFFERS = () => {
  window.__offers = [];
  for (const ws of window.__sockets ?? []) {
    if (!ws.url.includes('/api/signalling/') || ws.readyState !== WebSocket.OPEN) continue;
    ws.addEventListener('message', (ev) => {
      try {
        const m = JSON.parse(ev.data);
        if (m.type === 'offer') window.__offers.push({ sdp: m.sdp, bridgeChannelUrl: m.bridgeChannelUrl ?? null });
      } catch { /* not JSON: not ours to judge */ }
    });
  }
};

// Sends the frame the app sends on ICE failure; answers how many sockets it went out on.
const ASK_ICE_RESTART = () => {
  let n = 0;
  for (const ws of window.__sockets ?? []) {
    if (ws.url.includes('/api/signalling/') && ws.readyState === WebSocket.OPEN) {
      ws.send(JSON.stringify({ type: 'ice-restart' }));
      n++;
    }
  }
  return n;
};

const attr = (sdp, name) => sdp.match(new RegExp(`^a=${name}:(.+)$`, 'm'))?.[1]?.trim() ?? null;
const creds = (sdp) => ({ ufrag: attr(sdp, 'ice-ufrag'), pwd: attr(sdp, 'ice-pwd'), fingerprint: attr(sdp, 'fingerprint') });
const selfId = (p) => p.page.getByTestId('tile-self-camera').getAttribute('data-participant-id');

/** inbound() now and `ms` later: video frames and audio samples must grow on every side. */
async function assertFlowing(ps, ms, label) {
  const first = await Promise.all(ps.map((p) => inbound(p)));
  await sleep(ms);
  const later = await Promise.all(ps.map((p) => inbound(p)));
  ps.forEach((p, i) => {
    assert.ok(later[i].video.framesDecoded > first[i].video.framesDecoded,
      `${label}: ${p.name} video framesDecoded ${first[i].video.framesDecoded} → ${later[i].video.framesDecoded}`);
    // totalSamplesReceived alone also grows with concealment samples when no packet arrives
    assert.ok(later[i].audio.packetsReceived > first[i].audio.packetsReceived,
      `${label}: ${p.name} audio packetsReceived ${first[i].audio.packetsReceived} → ${later[i].audio.packetsReceived}`);
    assert.ok(later[i].audio.totalSamplesReceived > first[i].audio.totalSamplesReceived,
      `${label}: ${p.name} audio totalSamplesReceived ${first[i].audio.totalSamplesReceived} → ${later[i].audio.totalSamplesReceived}`);
  });
}

test('an ICE restart (new bridge endpoint) brings media back both ways; the tiles stay', async () => {
  // a restart of the bridge connection; P2P has none (its ICE failure falls back to the bridge: 12-p2p)
  const room = await createRoom({ p2pEnabled: false });
  const a = await joinRoom(browser, room.slug, 'Alice');
  const b = await joinRoom(browser, room.slug, 'Bob');
  try {
    for (const p of [a, b]) await waitForRemoteVideos(p, 1);
    await assertFlowing([a, b], 1500, 'before the restart');
    const idA = await selfId(a);
    const idB = await selfId(b);
    assert.equal(await remoteIdByName(b, 'Alice'), idA);
    assert.equal(await remoteIdByName(a, 'Bob'), idB);
    const before = await a.page.evaluate(() => {
      const pc = window.__pcs.filter((x) => x.connectionState !== 'closed').at(-1);
      return pc?.remoteDescription?.sdp ?? '';
    });
    const old = creds(before);
    assert.ok(old.ufrag && old.pwd, `Alice has a remote description with ICE credentials: ${JSON.stringify(old)}`);
    await a.page.evaluate(WATCH_OFFERS);
    await a.page.evaluate(WATCH_TILE, idB);
    await b.page.evaluate(WATCH_TILE, idA);

    assert.equal(await a.page.evaluate(ASK_ICE_RESTART), 1, 'the ice-restart frame went out on one signalling socket');
    const restartedAt = Date.now();

    const offer = await waitFor('Alice to get an offer with new ICE credentials', () =>
      a.page.evaluate(() => window.__offers).then((offers) => {
        const fresh = offers.find((o) => /^a=ice-ufrag:/m.test(o.sdp));
        return fresh ? { ok: true, ...fresh } : { ok: false, offers: offers.length };
      }), 10_000);
    const now = creds(offer.sdp);
    console.log(`  ICE restart: ufrag ${old.ufrag} → ${now.ufrag}, fingerprint ${old.fingerprint === now.fingerprint ? 'unchanged' : 'changed'}`);
    assert.notEqual(now.ufrag, old.ufrag, 'new ice-ufrag');
    assert.notEqual(now.pwd, old.pwd, 'new ice-pwd');

    // Within a few seconds, media flows again both ways (on whichever RTCPeerConnection is open now).
    await waitFor('media to flow again both ways after the ICE restart', async () => {
      const x = await Promise.all([a, b].map((p) => inbound(p)));
      await sleep(1000);
      const y = await Promise.all([a, b].map((p) => inbound(p)));
      const grows = [0, 1].map((i) => ({
        video: y[i].video.framesDecoded > x[i].video.framesDecoded,
        audio: y[i].audio.packetsReceived > x[i].audio.packetsReceived
          && y[i].audio.totalSamplesReceived > x[i].audio.totalSamplesReceived,
      }));
      return { ok: grows.every((g) => g.video && g.audio), grows, alice: y[0], bob: y[1] };
    }, 10_000, 0);
    console.log(`  media back ${Date.now() - restartedAt} ms after the ice-restart`);
    await assertFlowing([a, b], 2000, 'after the restart');
    const answered = await a.page.evaluate(() => {
      const pc = window.__pcs.filter((x) => x.connectionState !== 'closed').at(-1);
      return { ufrag: pc?.remoteDescription?.sdp.match(/^a=ice-ufrag:(.+)$/m)?.[1]?.trim(), ice: pc?.iceConnectionState };
    });
    assert.equal(answered.ufrag, now.ufrag, "Alice's open connection uses the new offer");
    for (const p of [a, b]) await waitForRemoteVideos(p, 1);

    assert.equal(await a.page.evaluate(() => window.__tileLost), false, "Alice's tile of Bob never went away");
    assert.equal(await b.page.evaluate(() => window.__tileLost), false, "Bob's tile of Alice never went away");
    assert.equal(await selfId(a), idA, 'Alice is still the same participant');
    assert.equal(await a.page.getByTestId('call-ended').count(), 0);
    await screenshot(a, 'ice-restart-alice');
    await screenshot(b, 'ice-restart-bob');
  } catch (e) {
    for (const p of [a, b]) {
      await screenshot(p, `ice-restart-${p.name}-failed`).catch(() => {});
      console.log(`--- ${p.name} console\n${p.consoleLines.slice(-30).join('\n')}`);
      console.log(JSON.stringify(await mediaDump(p).catch((x) => String(x)), null, 1));
    }
    throw e;
  } finally {
    await closeAll(a, b);
  }
});
