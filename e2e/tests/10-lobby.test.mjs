// The lobby (waiting room) in real browsers: a guest of a lobby room waits with its own preview and
// gets no media and no chat; a moderator arriving later is announced to it; the moderator admits it
// from the UI and both decode each other; a second guest is denied and told so; admit-all lets two
// waiting guests in at once.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, createRoom, openParticipant, join, inbound, waitFor, waitForRemoteVideos, screenshot, closeAll, mediaDump, sleep,
} from './harness.mjs';

let browser, room, mona, gus, dee, ann, ben;
before(async () => {
  browser = await launch();
  room = await createRoom({ lobbyEnabled: true });
});
after(async () => {
  await closeAll(...[mona, gus, dee, ann, ben].filter(Boolean));
  await browser?.close();
});

async function onFailure(fn, name) {
  try {
    await fn();
  } catch (e) {
    for (const p of [mona, gus, dee, ann, ben].filter(Boolean)) {
      await screenshot(p, `${name}-${p.name}-failed`).catch(() => {});
      console.log(`--- ${p.name} console\n${p.consoleLines.slice(-20).join('\n')}`);
      console.log(JSON.stringify(await mediaDump(p).catch((x) => String(x)), null, 1));
    }
    throw e;
  }
}

/** Records the `type` of every frame the page's signalling socket receives (window.__frames). */
async function recordSignalling(p) {
  await p.page.evaluate(() => {
    const Previous = window.WebSocket;
    window.__frames = [];
    window.WebSocket = class extends Previous {
      constructor(...args) {
        super(...args);
        if (String(args[0]).includes('/api/signalling/')) {
          this.addEventListener('message', (e) => {
            try {
              window.__frames.push(JSON.parse(e.data).type);
            } catch {
              window.__frames.push('?');
            }
          });
        }
      }
    };
  });
}

const framesOf = (p) => p.page.evaluate(() => window.__frames ?? []);

/** A guest of the lobby room clicks Join and waits on the lobby's waiting screen. */
async function knock(name) {
  const p = await openParticipant(browser, room.slug, name);
  await recordSignalling(p);
  await p.page.getByTestId('join-button').click();
  await p.page.getByTestId('lobby-waiting').waitFor({ timeout: 20_000 });
  return p;
}

/** The waiter was let in: its waiting screen goes and the call shows. */
async function admitted(p) {
  await p.page.getByTestId('lobby-waiting').waitFor({ state: 'detached', timeout: 20_000 });
  await p.page.getByTestId('in-call').waitFor({ timeout: 20_000 });
}

const remoteCameras = (p) =>
  p.page.locator('[data-testid^="tile-"][data-testid$="-camera"]:not([data-testid="tile-self-camera"])').count();

const requestRow = (name) => mona.page.getByTestId('lobby-request').filter({ hasText: `${name} wants to join` });

test('a guest waits with its preview and no media or chat; the moderator arrives and admits it', () =>
  onFailure(async () => {
    gus = await knock('Gus');
    const status = gus.page.getByTestId('lobby-status');
    assert.equal(await status.getAttribute('data-moderator-present'), 'false');
    assert.match(await status.textContent(), /No moderator is here yet/);
    // its own camera preview plays
    await waitFor('Gus\'s lobby preview plays', () =>
      gus.page.getByTestId('lobby-preview').evaluate((v) => v.videoWidth > 0 && v.getVideoPlaybackQuality().totalVideoFrames > 0));
    await screenshot(gus, 'lobby-waiting-no-moderator-Gus');

    mona = await openParticipant(browser, room.slug, 'Mona', { moderatorToken: room.token });
    await join(mona);
    await waitFor('Gus hears a moderator arrived', async () => (await status.getAttribute('data-moderator-present')) === 'true');
    assert.match(await status.textContent(), /waiting for a moderator to let you in/);
    await requestRow('Gus').waitFor({ timeout: 10_000 });
    await screenshot(mona, 'lobby-request-seen-by-Mona');

    // the call goes on without Gus: a chat line from Mona does not reach him
    const text = `before Gus is in ${Date.now()}`;
    await mona.page.getByTestId('toggle-chat').click();
    await mona.page.getByTestId('chat-input').fill(text);
    await mona.page.getByTestId('chat-send').click();
    await mona.page.getByTestId('chat-messages').getByText(text).waitFor({ timeout: 5000 });
    await sleep(2000); // time for anything that would leak to arrive
    const before = await inbound(gus);
    assert.equal(before.video.streams + before.audio.streams, 0, `Gus receives RTP in the lobby: ${JSON.stringify(before)}`);
    assert.equal(await gus.page.evaluate(() => (window.__pcs ?? []).length), 0, 'Gus has a peer connection in the lobby');
    const seen = new Set(await framesOf(gus));
    for (const type of ['joined', 'offer', 'chat', 'participant-joined', 'media-state']) {
      assert.ok(!seen.has(type), `Gus got \`${type}\` in the lobby (frames: ${[...seen]})`);
    }
    assert.ok(seen.has('lobby-waiting'));

    await requestRow('Gus').getByTestId('lobby-admit').click();
    await admitted(gus);
    await requestRow('Gus').waitFor({ state: 'detached', timeout: 10_000 });
    await waitForRemoteVideos(gus, 1);
    await waitForRemoteVideos(mona, 1);
    const after = await inbound(gus);
    assert.ok(after.video.framesDecoded > 0 && after.audio.packetsReceived > 0, `Gus decodes nothing: ${JSON.stringify(after)}`);
    await screenshot(gus, 'lobby-admitted-Gus');
    // the chat line sent before he came in never reaches him
    await gus.page.getByTestId('toggle-chat').click();
    assert.equal(await gus.page.getByTestId('chat-messages').getByText(text).count(), 0);
  }, 'admit'));

test('a denied guest is told and is not in the call', () =>
  onFailure(async () => {
    dee = await knock('Dee');
    await requestRow('Dee').getByTestId('lobby-deny').click();
    const error = dee.page.getByTestId('join-error');
    await error.waitFor({ timeout: 10_000 });
    assert.match(await error.textContent(), /did not let you in/);
    await requestRow('Dee').waitFor({ state: 'detached', timeout: 10_000 });
    assert.equal((await inbound(dee)).video.streams, 0);
    assert.ok(!(await framesOf(dee)).includes('joined'));
    await screenshot(dee, 'lobby-denied-Dee');
    // Mona's call goes on with Gus alone
    assert.equal(await remoteCameras(mona), 1);
  }, 'deny'));

test('admit all lets both waiting guests in and everyone decodes everyone', () =>
  onFailure(async () => {
    // two cores: Gus leaves first so that the call stays at three
    await gus.page.getByTestId('leave-call').click();
    await waitFor('Gus\'s tile to leave Mona\'s grid', async () => (await remoteCameras(mona)) === 0);
    ann = await knock('Ann');
    ben = await knock('Ben');
    await requestRow('Ann').waitFor({ timeout: 10_000 });
    await requestRow('Ben').waitFor({ timeout: 10_000 });
    await mona.page.getByTestId('lobby-admit-all').click();
    await admitted(ann);
    await admitted(ben);
    await mona.page.getByTestId('lobby-requests').waitFor({ state: 'detached', timeout: 10_000 });
    for (const p of [mona, ann, ben]) await waitForRemoteVideos(p, 2);
    for (const p of [mona, ann, ben]) await screenshot(p, `lobby-admit-all-${p.name}`);
  }, 'admit-all'));
