// The bridge channel as JVB defines it, on whichever bridge this pass runs (E2E_BRIDGE): the app asks
// for exactly the video it shows (ReceiverVideoConstraints from its rendered tiles), the bridge sends
// nothing else (a tile on another grid page gets no bytes), tells the receiver what it forwards
// (ForwardedSources) and tells each sender how much of it anyone wants (SenderSourceConstraints, and
// the sender scales down); the dominant speaker is highlighted and goes on stage in the speaker
// layout; a dropped bridge channel comes back and re-sends the constraints. Every camera is sent as
// three simulcast layers (the web app's `openmeet.simulcast` setting, turned on): a sender wanted at 180 only
// sends its lowest layer, and once one receiver stages it, that receiver gets a higher layer while
// one that shows it as a thumbnail keeps getting the lowest.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  BRIDGE, launch, createRoom, joinRoom, waitFor, waitForRemoteVideos, screenshot, closeAll, sleep, remoteIdByName, mediaDump,
  inboundBySource,
} from './harness.mjs';

let browser, a, b, c, idA, idB, idC;

before(async () => {
  browser = await launch();
  // three on the bridge from the start: the P2P start and stop of the first two is 12-p2p's subject
  const room = await createRoom({ p2pEnabled: false });
  // Everyone sends the camera as simulcast: the bridge picks each receiver's layer.
  a = await joinRoom(browser, room.slug, 'Alice', { simulcast: true });
  b = await joinRoom(browser, room.slug, 'Bob', { simulcast: true });
  c = await joinRoom(browser, room.slug, 'Carol', { simulcast: true });
  for (const p of [a, b, c]) await waitForRemoteVideos(p, 2, 30_000);
  idA = await remoteIdByName(b, 'Alice');
  idB = await remoteIdByName(a, 'Bob');
  idC = await remoteIdByName(a, 'Carol');
});
after(async () => {
  await closeAll(a, b, c);
  await browser?.close();
});

async function onFailure(name, fn) {
  try {
    await fn();
  } catch (e) {
    for (const p of [a, b, c]) {
      await screenshot(p, `${name}-${p.name}-failed`).catch(() => {});
      console.log(`--- ${p.name} console\n${p.consoleLines.slice(-15).join('\n')}`);
      console.log(`--- ${p.name} __openmeet ${JSON.stringify(await p.page.evaluate(() => window.__openmeet).catch((x) => String(x)))}`);
      console.log(JSON.stringify(await mediaDump(p).catch((x) => String(x)), null, 1));
    }
    throw e;
  }
}

const bySource = (p) => inboundBySource(p);
const openmeet = (p) => p.page.evaluate(() => window.__openmeet ?? {});
const tileAttr = (p, id, name) => p.page.getByTestId(`tile-${id}-camera`).getAttribute(name);

/** Bytes received per source over `ms`. */
async function growth(p, ms) {
  const x = await bySource(p);
  await sleep(ms);
  const y = await bySource(p);
  const out = {};
  for (const k of Object.keys(y)) out[k] = y[k].bytes - (x[k]?.bytes ?? 0);
  return out;
}

/**
 * p's own outbound camera: the largest frame height among its encodings that sent during the last
 * second (0 while nothing is encoded); with simulcast the layers' cumulative bytes say nothing about
 * what is sent now.
 */
async function outboundHeight(p) {
  const read = () => p.page.evaluate(async () => {
    const out = {};
    for (const pc of window.__pcs ?? []) {
      if (pc.connectionState === 'closed') continue;
      (await pc.getStats()).forEach((s) => {
        if (s.type === 'outbound-rtp' && s.kind === 'video') out[s.id] = { bytes: s.bytesSent ?? 0, height: s.frameHeight ?? 0 };
      });
    }
    return out;
  });
  const x = await read();
  await sleep(1000);
  const y = await read();
  let height = 0;
  for (const [id, s] of Object.entries(y)) if (s.bytes > (x[id]?.bytes ?? 0)) height = Math.max(height, s.height);
  return height;
}

/**
 * p's camera simulcast layers in the order of the SIM group of its own answer (what the bridge is
 * told: lowest first): per layer SSRC the bytes it sent during `ms`, its frame height and Chromium's
 * encoding index (which of the sender's encodings it is). No SIM group: no layers.
 */
async function cameraLayers(p, ms) {
  const read = () => p.page.evaluate(async () => {
    const out = [];
    for (const pc of window.__pcs ?? []) {
      if (pc.connectionState === 'closed') continue;
      const sim = /a=ssrc-group:SIM ([\d ]+)/.exec(pc.localDescription?.sdp ?? '');
      if (!sim) continue;
      const byId = {};
      (await pc.getStats()).forEach((s) => {
        if (s.type === 'outbound-rtp' && s.kind === 'video') byId[s.ssrc] = s;
      });
      for (const ssrc of sim[1].trim().split(' ').map(Number)) {
        const s = byId[ssrc];
        out.push({ ssrc, bytes: s?.bytesSent ?? 0, height: s?.frameHeight ?? 0, encodingIndex: s?.encodingIndex ?? null });
      }
    }
    return out;
  });
  const x = await read();
  await sleep(ms);
  const y = await read();
  return y.map((l) => ({ ...l, sent: l.bytes - (x.find((k) => k.ssrc === l.ssrc)?.bytes ?? 0) }));
}

/** The frame height p decodes of a remote camera source (0 when it gets none). */
const inboundHeight = async (p, source) => (await inboundBySource(p))[source]?.height ?? 0;

test(`constraints name exactly the visible tiles; a tile on another grid page gets no video (${BRIDGE})`, () =>
  onFailure('hidden-tile', async () => {
    // Carol's window fits one readable tile per page: page 1 is her own, Alice and Bob are elsewhere.
    await c.page.setViewportSize({ width: 360, height: 420 });
    await waitFor('Carol to have one tile per page', async () => (await c.page.getByTestId('video-grid').getAttribute('data-page-size')) === '1');
    await waitFor('Carol to ask for no remote video', async () => {
      const rvc = (await openmeet(c)).bridgeChannel?.receiverConstraints;
      return { ok: rvc && Object.keys(rvc.constraints).length === 0 && rvc.defaultConstraints.maxHeight === 0, rvc };
    });
    await sleep(1500); // in-flight packets drain
    const none = await growth(c, 2500);
    assert.equal(none[`${idA}-v0`] ?? 0, 0, `Carol still receives Alice's camera off-page: ${JSON.stringify(none)}`);
    assert.equal(none[`${idB}-v0`] ?? 0, 0, `Carol still receives Bob's camera off-page: ${JSON.stringify(none)}`);

    // Next page until Alice's tile shows: her video comes back, Bob's stays off.
    for (let i = 0; i < 3 && !(await c.page.getByTestId(`tile-${idA}-camera`).count()); i++) await c.page.getByTestId('page-next').click();
    await waitFor('Carol to ask for Alice only', async () => {
      const rvc = (await openmeet(c)).bridgeChannel?.receiverConstraints;
      return { ok: rvc && Object.keys(rvc.constraints).join() === `${idA}-v0`, rvc };
    });
    await waitFor('Alice\'s camera to reach Carol again', async () => {
      const g = await growth(c, 1000);
      return { ok: (g[`${idA}-v0`] ?? 0) > 0 && (g[`${idB}-v0`] ?? 0) === 0, g };
    }, 15_000);
    await waitFor('the bridge to say it forwards Alice\'s camera to Carol', async () => {
      const fwd = (await openmeet(c)).bridgeChannel?.recentMessages?.filter((m) => m.colibriClass === 'ForwardedSources').at(-1);
      return { ok: fwd && fwd.forwardedSources.includes(`${idA}-v0`) && !fwd.forwardedSources.includes(`${idB}-v0`), fwd };
    });
    assert.equal(await tileAttr(c, idA, 'data-forwarded'), 'true');
    await waitForRemoteVideos(c, 1);
    await screenshot(c, 'hidden-tile-Carol-page');
    await c.page.setViewportSize({ width: 1280, height: 720 });
    await waitForRemoteVideos(c, 2, 20_000);
  }));

test(`the dominant speaker is highlighted and goes on stage in the speaker layout (${BRIDGE})`, () =>
  onFailure('dominant-speaker', async () => {
    // The speaker is whoever the bridge names: its speech detection decides among the fake
    // microphones' identical beeps, and the choice differs between the bridges and from run to run.
    // What the web app owes: every page that shows that participant highlights it and nobody else,
    // and the speaker layout stages it and asks the bridge for it at 720.
    const pages = [[a, idA], [b, idB], [c, idC]];
    const highlighted = async (p, self) => {
      const ids = [];
      for (const [, id] of pages) {
        if (id !== self && (await tileAttr(p, id, 'data-speaking')) === 'true') ids.push(id);
      }
      return ids;
    };
    const speaker = await waitFor('every page to highlight the same one remote speaker', async () => {
      const seen = {};
      for (const [p, self] of pages) seen[p.name] = await highlighted(p, self);
      const named = [...new Set(Object.values(seen).flat())];
      const agreed = named.length === 1
        && pages.every(([p, self]) => (self === named[0] ? seen[p.name].length === 0 : seen[p.name].join() === named[0]));
      return agreed ? named[0] : { ok: false, seen };
    }, 20_000);
    const [viewer, viewerId] = pages.find(([, self]) => self !== speaker);
    await viewer.page.getByTestId('toggle-layout').click();
    await waitFor(`${viewer.name} to stage the highlighted speaker and ask for it at 720`, async () => {
      const [now] = await highlighted(viewer, viewerId);
      const rvc = (await openmeet(viewer)).bridgeChannel?.receiverConstraints;
      const ok = now !== undefined && (await tileAttr(viewer, now, 'data-on-stage')) === 'true'
        && rvc?.onStageSources?.includes(`${now}-v0`) && rvc.constraints[`${now}-v0`]?.maxHeight === 720;
      return { ok, now, rvc };
    });
    await waitForRemoteVideos(viewer, 2);
    await screenshot(viewer, `speaker-layout-${viewer.name}`);
    await viewer.page.getByTestId('toggle-layout').click();
  }));

test(`a sender nobody watches large scales down; staged, it sends more (${BRIDGE})`, () =>
  onFailure('sender-constraints', async () => {
    // Bob and Carol put each other on stage: Alice is a thumbnail everywhere (180).
    await b.page.getByTestId('toggle-layout').click();
    await c.page.getByTestId('toggle-layout').click();
    await b.page.getByTestId(`pin-${idC}-camera`).click();
    await c.page.getByTestId(`pin-${idB}-camera`).click();
    await waitFor('Alice to be asked for 180 at most', async () => {
      const sc = (await openmeet(a)).senderConstraints;
      return { ok: sc?.camera === 180, sc };
    }, 15_000);
    const small = await waitFor('Alice to send at most 180 lines', async () => {
      const h = await outboundHeight(a);
      return h > 0 && h <= 180 ? h : { ok: false, h };
    }, 15_000);
    // Simulcast: of Alice's three camera layers only the lowest still sends.
    await waitFor('Alice to send her lowest layer only', async () => {
      const layers = await cameraLayers(a, 1500);
      const sending = layers.map((l) => l.sent > 0);
      const inOrder = layers.every((l, i) => l.encodingIndex === null || l.encodingIndex === i);
      return { ok: layers.length === 3 && inOrder && sending.join() === 'true,false,false' && layers[0].height <= 180, layers };
    }, 15_000);
    // Bob pins Alice: she is wanted at 720 and sends more than a thumbnail.
    await b.page.getByTestId(`pin-${idA}-camera`).click();
    await waitFor('Alice to be asked for 720', async () => {
      const sc = (await openmeet(a)).senderConstraints;
      return { ok: sc?.camera === 720, sc };
    }, 15_000);
    const large = await waitFor('Alice to send more than 180 lines', async () => {
      const h = await outboundHeight(a);
      return h > 180 ? h : { ok: false, h };
    }, 20_000);
    // All three layers send, and each receiver gets the one its tile needs at the same time: Bob
    // (Alice on stage) more than 180 lines, Carol (Alice a thumbnail) at most 180.
    const layers = await waitFor('Alice to send all three layers', async () => {
      const l = await cameraLayers(a, 1500);
      return { ok: l.length === 3 && l.every((x) => x.sent > 0) && l[0].height < l[1].height && l[1].height < l[2].height, l };
    }, 20_000);
    const split = await waitFor('Bob to get Alice above 180 while Carol gets her at 180', async () => {
      const atBob = await inboundHeight(b, `${idA}-v0`);
      const atCarol = await inboundHeight(c, `${idA}-v0`);
      return { ok: atBob > 180 && atCarol > 0 && atCarol <= 180, atBob, atCarol };
    }, 20_000);
    console.log(`  ${BRIDGE}: Alice's layers ${layers.l.map((x) => `${x.height}p`).join('/')}; Bob gets ${split.atBob}p, Carol ${split.atCarol}p`);
    console.log(`  ${BRIDGE}: Alice sent ${small}p as a thumbnail everywhere, ${large}p once on Bob's stage`);
    await waitForRemoteVideos(b, 2);
    for (const p of [b, c]) await p.page.getByTestId('toggle-layout').click();
  }));

test(`a dropped bridge channel reconnects and sends the constraints again (${BRIDGE})`, () =>
  onFailure('bridge-channel-drop', async () => {
    const before = (await openmeet(a)).bridgeChannel;
    const closed = await a.page.evaluate(() => {
      let n = 0;
      for (const ws of window.__sockets ?? []) {
        if (ws.url.includes('/colibri-ws/') && ws.readyState === WebSocket.OPEN) {
          ws.close(4000, 'e2e: dropped');
          n++;
        }
      }
      return n;
    });
    assert.equal(closed, 1, 'Alice had one open bridge channel');
    await waitFor('Alice\'s bridge channel to come back and resend', async () => {
      const now = (await openmeet(a)).bridgeChannel;
      return { ok: now?.open && now.reconnects > before.reconnects && now.receiverConstraintsSent > before.receiverConstraintsSent, now };
    }, 15_000);
    await waitForRemoteVideos(a, 2);
  }));
