import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { launch, createRoom, joinRoom, inbound, waitFor, waitForRemoteVideos, screenshot, closeAll, sleep } from './harness.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('two participants: remote video plays, video frames decode and audio arrives on both sides', async () => {
  const room = await createRoom();
  const a = await joinRoom(browser, room.slug, 'Alice');
  const b = await joinRoom(browser, room.slug, 'Bob');
  try {
    for (const p of [a, b]) await waitForRemoteVideos(p, 1);
    const before = { a: await inbound(a), b: await inbound(b) };
    await sleep(2000);
    const later = { a: await inbound(a), b: await inbound(b) };
    for (const side of ['a', 'b']) {
      const x = before[side], y = later[side];
      assert.ok(y.video.framesDecoded > x.video.framesDecoded, `${side}: video framesDecoded ${x.video.framesDecoded} → ${y.video.framesDecoded}`);
      assert.ok(y.audio.packetsReceived > x.audio.packetsReceived, `${side}: audio packetsReceived ${x.audio.packetsReceived} → ${y.audio.packetsReceived}`);
      assert.ok(y.audio.bytesReceived > x.audio.bytesReceived, `${side}: audio bytesReceived ${x.audio.bytesReceived} → ${y.audio.bytesReceived}`);
    }
    await screenshot(a, 'two-participants-alice');
    await screenshot(b, 'two-participants-bob');
  } catch (e) {
    await screenshot(a, 'two-participants-alice-failed').catch(() => {});
    await screenshot(b, 'two-participants-bob-failed').catch(() => {});
    console.log(a.consoleLines.slice(-30).join('\n'));
    console.log(b.consoleLines.slice(-30).join('\n'));
    throw e;
  } finally {
    await closeAll(a, b);
  }
});
