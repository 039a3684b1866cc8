// Moderation the bridge enforces (issue 17 item 3), on either bridge: a moderator's mute is a Colibri2
// force-mute, so the muted participant's audio stops at the receivers even when its page turns the
// microphone back on behind the app's back; allowing unmute lets it through again. Raised hands reach
// the moderator; a kick expires the endpoint on the bridge at once; "end for all" ends everyone's call.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mediaDump, launch, createRoom, joinRoom, waitFor, waitForRemoteVideos, screenshot, closeAll, sleep, remoteIdByName, inboundBySource } from './harness.mjs';

let browser, room, mod, b, c, idB, idC;
before(async () => {
  browser = await launch();
  room = await createRoom();
  mod = await joinRoom(browser, room.slug, 'Moderator', { moderatorToken: room.token });
  b = await joinRoom(browser, room.slug, 'Bob');
  c = await joinRoom(browser, room.slug, 'Carol');
});
after(async () => {
  await closeAll(mod, b, c);
  await browser?.close();
});

async function onFailure(fn, name) {
  try {
    await fn();
  } catch (e) {
    for (const p of [mod, b, c]) {
      await screenshot(p, `${name}-${p.name}-failed`).catch(() => {});
      console.log(`--- ${p.name} console\n${p.consoleLines.slice(-20).join('\n')}`);
      console.log(JSON.stringify(await mediaDump(p).catch((x) => String(x)), null, 1));
    }
    throw e;
  }
}

/** Inbound audio packets of a remote participant's microphone (source `<participant>-a0`). */
const audioPackets = async (p, id) => (await inboundBySource(p, 'audio'))[`${id}-a0`]?.packets ?? 0;

/**
 * Audio packets the page's own microphone has sent so far, per open bridge connection (its index
 * in window.__pcs). A P2P connection being left is not counted: it is not the call's, and it may
 * close between two samples.
 */
const sentAudio = (p) =>
  p.page.evaluate(async () => {
    const out = {};
    for (const [i, pc] of (window.__pcs ?? []).entries()) {
      if (pc.connectionState === 'closed' || pc === window.__openmeet?.p2p?.pc) continue;
      let n = 0;
      (await pc.getStats()).forEach((s) => {
        if (s.type === 'outbound-rtp' && s.kind === 'audio') n += s.packetsSent ?? 0;
      });
      out[i] = n;
    }
    return out;
  });

/** Packets sent between two `sentAudio` samples, on the connections open at both. */
const sentBetween = (before, after) =>
  Object.keys(after).filter((i) => i in before).reduce((n, i) => n + after[i] - before[i], 0);

/** Turns the page's microphone track back on behind the app's back, as a tampered page would. */
const forceMicOn = (p) =>
  p.page.evaluate(() => {
    let n = 0;
    for (const pc of window.__pcs ?? []) {
      if (pc.connectionState === 'closed') continue;
      for (const s of pc.getSenders()) {
        if (s.track?.kind === 'audio') {
          s.track.enabled = true;
          n++;
        }
      }
    }
    return n;
  });

/** B's audio packets at each receiver over `ms`: [growth at the moderator, growth at C]. */
async function audioGrowth(ms) {
  const x = [await audioPackets(mod, idB), await audioPackets(c, idB)];
  await sleep(ms);
  const y = [await audioPackets(mod, idB), await audioPackets(c, idB)];
  return [y[0] - x[0], y[1] - x[1]];
}

/** Whether the bridge still has the endpoint behind a colibri-ws URL: a new socket to it opens or is refused. */
const probeBridgeChannel = (p, url) =>
  p.page.evaluate(
    (u) =>
      new Promise((resolve) => {
        const ws = new WebSocket(u);
        const done = (v) => {
          clearTimeout(timer);
          resolve(v);
        };
        const timer = setTimeout(() => {
          ws.close();
          done('timeout');
        }, 5000);
        ws.onopen = () => {
          ws.close();
          done('open');
        };
        ws.onerror = () => done('refused');
      }),
    url,
  );

const bridgeChannelUrl = (p) =>
  p.page.evaluate(() => [...(window.__sockets ?? [])].reverse().find((ws) => ws.url.includes('/colibri-ws/'))?.url ?? null);

test('everyone decodes everyone, and the moderator sees the moderator controls', () =>
  onFailure(async () => {
    for (const p of [mod, b, c]) await waitForRemoteVideos(p, 2);
    idB = await remoteIdByName(mod, 'Bob');
    idC = await remoteIdByName(mod, 'Carol');
    await mod.page.getByTestId(`tile-mute-audio-${idB}`).waitFor({ timeout: 5000 });
    assert.equal(await b.page.getByTestId(`tile-mute-audio-${idC}`).count(), 0, 'Bob is no moderator');
    await waitFor("Bob's audio at the moderator and at Carol", async () => {
      const [m, cc] = await audioGrowth(1000);
      return { ok: m > 20 && cc > 20, m, cc };
    });
  }, 'start'));

test("force-mute: Bob's audio stops at the receivers even when his page turns the mic back on; allowing unmute lets it through", () =>
  onFailure(async () => {
    await mod.page.getByTestId(`tile-mute-audio-${idB}`).click();
    // Bob is told, and cannot unmute
    await b.page.waitForSelector('[data-testid="toggle-mic"][disabled]', { timeout: 5000 });
    await b.page.getByText(/moderator muted your microphone/i).waitFor({ timeout: 5000 });
    await mod.page.waitForSelector(`[data-testid="tile-${idB}-camera"][data-audio-force-muted="true"]`, { timeout: 5000 });
    await screenshot(b, 'force-muted-Bob');

    // Bob's page turns its microphone on again behind the app's back: it sends, the bridge drops it
    assert.ok((await forceMicOn(b)) > 0, 'Bob has a microphone sender');
    await sleep(1500); // what was in flight when the mute landed has arrived
    const sentBefore = await sentAudio(b);
    const [atMod, atC] = await audioGrowth(3000);
    const sent = sentBetween(sentBefore, await sentAudio(b));
    assert.ok(sent > 50, `Bob's page keeps sending audio (${sent} packets in 3 s)`);
    assert.equal(atMod, 0, `the moderator still received ${atMod} packets of Bob's audio while he was force-muted`);
    assert.equal(atC, 0, `Carol still received ${atC} packets of Bob's audio while he was force-muted`);

    await mod.page.getByTestId(`tile-allow-audio-${idB}`).click();
    await b.page.waitForSelector('[data-testid="toggle-mic"]:not([disabled])', { timeout: 5000 });
    await waitFor("Bob's audio at the receivers again", async () => {
      const [m, cc] = await audioGrowth(1000);
      return { ok: m > 20 && cc > 20, m, cc };
    });
  }, 'force-mute'));

test('raise hand: Bob and then Carol ask to speak; the moderator sees both in order and lowers one', () =>
  onFailure(async () => {
    await b.page.getByTestId('toggle-hand').click();
    await mod.page.waitForSelector(`[data-testid="tile-${idB}-camera"][data-hand="1"]`, { timeout: 5000 });
    await c.page.getByTestId('toggle-hand').click();
    await mod.page.waitForSelector(`[data-testid="tile-${idC}-camera"][data-hand="2"]`, { timeout: 5000 });
    await screenshot(mod, 'hands-raised-Moderator');
    await mod.page.getByTestId(`tile-lower-hand-${idB}`).click();
    await mod.page.waitForSelector(`[data-testid="tile-${idC}-camera"][data-hand="1"]`, { timeout: 5000 });
    await b.page.waitForSelector('[data-testid="toggle-hand"][aria-pressed="false"]', { timeout: 5000 });
  }, 'hand'));

test("kick: Bob's endpoint is gone from the bridge at once and his media stops at the others", () =>
  onFailure(async () => {
    const url = await bridgeChannelUrl(b);
    assert.ok(url, "Bob's bridge channel URL");
    // the probe works: the bridge has Bob's endpoint now (a second socket is accepted)
    assert.equal(await probeBridgeChannel(c, url), 'open');
    const kickedAt = Date.now();
    await mod.page.getByTestId(`tile-kick-${idB}`).click();
    await waitFor("the bridge to refuse Bob's bridge channel (endpoint expired)", async () => {
      const r = await probeBridgeChannel(c, url);
      return { ok: r === 'refused', r };
    }, 5000);
    const ms = Date.now() - kickedAt;
    console.log(`Bob's endpoint gone at the bridge ${ms} ms after the kick (${process.env.E2E_BRIDGE ?? 'lite'})`);
    assert.ok(ms < 5000);
    await b.page.getByText(/moderator removed you/i).waitFor({ timeout: 5000 });
    for (const p of [mod, c]) {
      await p.page.waitForSelector(`[data-testid="tile-${idB}-camera"]`, { state: 'detached', timeout: 10_000 });
    }
    const before = [await audioPackets(mod, idB), await audioPackets(c, idB)];
    await sleep(2000);
    assert.deepEqual([await audioPackets(mod, idB), await audioPackets(c, idB)], before, "Bob's audio after the kick");
    await waitForRemoteVideos(mod, 1);
  }, 'kick'));

test('end for all: every remaining participant sees that the meeting ended', () =>
  onFailure(async () => {
    mod.page.once('dialog', (d) => d.accept());
    await mod.page.getByTestId('end-meeting').click();
    for (const p of [mod, c]) {
      await p.page.getByText(/ended the meeting for everyone/i).waitFor({ timeout: 10_000 });
      assert.equal(await p.page.getByTestId('in-call').count(), 0, `${p.name} left the call page`);
    }
    await screenshot(c, 'meeting-ended-Carol');
  }, 'end'));
