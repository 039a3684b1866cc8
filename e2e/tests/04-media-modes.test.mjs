// Audio-only mode and screen sharing in a 1:1 call, with real media. Two participants talk P2P (the
// default), so audio-only is the `p2p-video` request to the peer (lastN 0 on the bridge: 07, 13).
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, createRoom, joinRoom, inbound, waitFor, waitForRemoteVideos, tileFrames, screenshot, closeAll, sleep, remoteIdByName,
  waitForP2pCall,
} from './harness.mjs';

let browser, a, b, idA;
before(async () => {
  browser = await launch();
  const room = await createRoom();
  a = await joinRoom(browser, room.slug, 'Alice');
  b = await joinRoom(browser, room.slug, 'Bob');
  // two participants talk P2P (the default): audio-only and screen share over the direct connection
  await waitForP2pCall(a, b);
  await waitForRemoteVideos(a, 1);
  await waitForRemoteVideos(b, 1);
  idA = await remoteIdByName(b, 'Alice');
});
after(async () => {
  await closeAll(a, b);
  await browser?.close();
});

test('audio-only on B: B receives no video bytes while audio continues', async () => {
  await b.page.getByTestId('toggle-audio-only').click();
  await sleep(1500); // let the peer stop sending video and in-flight packets drain
  const s1 = await inbound(b);
  await sleep(2000);
  const s2 = await inbound(b);
  assert.equal(s2.video.bytesReceived, s1.video.bytesReceived, `B still receives video: ${s1.video.bytesReceived} → ${s2.video.bytesReceived} bytes`);
  assert.ok(s2.audio.packetsReceived > s1.audio.packetsReceived, `B's audio stopped: ${s1.audio.packetsReceived} → ${s2.audio.packetsReceived} packets`);
  await screenshot(b, 'audio-only-Bob');
  await b.page.getByTestId('toggle-audio-only').click();
  await waitFor('B to receive video again', async () => {
    const x = await inbound(b);
    await sleep(500);
    const y = await inbound(b);
    return y.video.framesDecoded > x.video.framesDecoded;
  }, 15_000);
});

test('screen share from A: B decodes a second video from A', async () => {
  await a.page.getByTestId('toggle-screen').click();
  const screenTile = `tile-${idA}-screen`;
  await waitFor(`B to render ${screenTile}`, async () => {
    const t = await tileFrames(b);
    return { ok: (t[screenTile]?.frames ?? 0) > 0 && (t[`tile-${idA}-camera`]?.frames ?? 0) > 0, tiles: t };
  }, 20_000);
  const f1 = (await tileFrames(b))[screenTile].frames;
  await sleep(1500);
  const t2 = await tileFrames(b);
  assert.ok(t2[screenTile].frames > f1, `A's screen share stalled on B at ${f1} frames`);
  const s = await inbound(b);
  assert.ok(s.video.decoding >= 2, `B decodes ${s.video.decoding} video streams, expected camera and screen`);
  await screenshot(b, 'screen-share-seen-by-Bob');
});
