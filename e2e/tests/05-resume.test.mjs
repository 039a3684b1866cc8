// A dropped signalling WebSocket is resumed with the resume token: the same participant, the same
// media session, and the other side never notices.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, createRoom, joinRoom, waitFor, waitForRemoteVideos, inbound, screenshot, closeAll, sleep,
  remoteIdByName, dropSignalling, mediaDump, WATCH_TILE,
} from './harness.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// Records every connection state the page shows, from now on.
const WATCH_CONNECTION = () => {
  const el = document.querySelector('[data-testid="connection-state"]');
  window.__states = [el.getAttribute('data-state')];
  new MutationObserver(() => window.__states.push(el.getAttribute('data-state')))
    .observe(el, { attributes: true, attributeFilter: ['data-state'] });
};

const selfId = (p) => p.page.getByTestId('tile-self-camera').getAttribute('data-participant-id');

test('a dropped signalling socket resumes as the same participant; the other side never loses the tile', async () => {
  // the bridge path (a P2P call that resumes is in 12-p2p): the same endpoint on the bridge goes on
  const room = await createRoom({ p2pEnabled: false });
  const a = await joinRoom(browser, room.slug, 'Alice');
  const b = await joinRoom(browser, room.slug, 'Bob');
  try {
    for (const p of [a, b]) await waitForRemoteVideos(p, 1);
    const idA = await selfId(a);
    assert.ok(idA, 'Alice shows her participant id on her own tile');
    assert.equal(await remoteIdByName(b, 'Alice'), idA);
    await a.page.evaluate(WATCH_CONNECTION);
    await b.page.evaluate(WATCH_TILE, idA);
    const pcsBefore = await a.page.evaluate(() => window.__pcs.length);
    // sockets opened so far (a join retried after no-bridge-available, say, opened more than one)
    const countSockets = () => a.page.evaluate(
      () => window.__sockets.filter((w) => w.url.includes('/api/signalling/')).length);
    const socketsBefore = await countSockets();
    console.log(`  signalling sockets opened before the drop: ${socketsBefore}`);

    assert.equal(await dropSignalling(a), 1, 'one open signalling socket to drop');
    const droppedAt = Date.now();

    await waitFor('Alice to show reconnecting, then connected', () =>
      a.page.evaluate(() => {
        const s = window.__states;
        const r = s.indexOf('reconnecting');
        return { ok: r >= 0 && s.slice(r).includes('connected') && s.at(-1) === 'connected', states: s };
      }), 15_000);
    // one new socket, or a few when the server asked it to retry later (no-bridge-available under
    // load); what matters is checked below: the same participant on the same media session
    const socketsAfter = await countSockets();
    console.log(`  signalling sockets opened by the resume: ${socketsAfter - socketsBefore}`);
    assert.ok(socketsAfter > socketsBefore, 'a new signalling socket');

    assert.equal(await selfId(a), idA, 'Alice keeps her participant id');
    assert.equal(await remoteIdByName(b, 'Alice'), idA, 'Bob still sees the same Alice');
    assert.equal(await a.page.evaluate(() => window.__pcs.length), pcsBefore, 'the media session went on: no new RTCPeerConnection');

    // media keeps flowing both ways after the resume (and its re-offer/answer)
    await sleep(1500);
    for (const p of [a, b]) await waitForRemoteVideos(p, 1);
    const before = { a: await inbound(a), b: await inbound(b) };
    await sleep(2000);
    const later = { a: await inbound(a), b: await inbound(b) };
    for (const side of ['a', 'b']) {
      assert.ok(later[side].video.framesDecoded > before[side].video.framesDecoded,
        `${side}: video framesDecoded ${before[side].video.framesDecoded} → ${later[side].video.framesDecoded}`);
      assert.ok(later[side].audio.packetsReceived > before[side].audio.packetsReceived,
        `${side}: audio packetsReceived ${before[side].audio.packetsReceived} → ${later[side].audio.packetsReceived}`);
    }

    // past the server's resume window (20 s) and its sweep: had the old session not been resumed,
    // Bob would have seen Alice leave by now. He never lost her tile, and she is still decoding.
    await sleep(Math.max(0, droppedAt + 23_000 - Date.now()));
    assert.equal(await b.page.evaluate(() => window.__tileLost), false, "Bob's tile of Alice never went away");
    assert.equal(await a.page.getByTestId('call-ended').count(), 0);
    assert.equal(await remoteIdByName(b, 'Alice'), idA);
    for (const p of [a, b]) await waitForRemoteVideos(p, 1);
    await screenshot(a, 'resume-alice');
    await screenshot(b, 'resume-bob');
  } catch (e) {
    for (const p of [a, b]) {
      await screenshot(p, `resume-${p.name}-failed`).catch(() => {});
      console.log(`--- ${p.name} console\n${p.consoleLines.slice(-30).join('\n')}`);
      console.log(JSON.stringify(await mediaDump(p).catch((x) => String(x)), null, 1));
    }
    throw e;
  } finally {
    await closeAll(a, b);
  }
});
