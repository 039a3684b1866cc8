// The call UI's own features with real media: connection-quality indicators on every tile, switching
// microphone and camera during the call, and the audio-only suggestion on a link that is really
// throttled (tc in this namespace; see `throttle`).
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  BRIDGE, launch, createRoom, joinRoom, inbound, waitFor, waitForRemoteVideos, screenshot, closeAll, sleep, remoteIdByName,
  waitForP2pCall,
  mediaPort, shapeUdpPort, unshapeUdp,
} from './harness.mjs';

let browser, a, b, idA, idB;
before(async () => {
  // Chromium's fake capture with three cameras (it always has three fake microphones). fake_device_1
  // delivers Y16 (depth) frames that Chromium's encoder never takes: a sender switched to it sends
  // nothing (framesEncoded stands still, outside our app too); fake_device_2 (MJPEG) encodes, so the
  // switch goes 0 -> 2.
  browser = await launch({ extraArgs: ['--use-fake-device-for-media-stream=device-count=3'] });
  await openPair(true);
});

/**
 * Alice and Bob in a new room: with `p2p` their 1:1 call runs P2P (the default; the indicators and
 * device switching work on it), else on the bridge.
 */
async function openPair(p2p) {
  const room = await createRoom({ p2pEnabled: p2p });
  a = await joinRoom(browser, room.slug, 'Alice');
  b = await joinRoom(browser, room.slug, 'Bob');
  a.slug = room.slug;
  // Notes whether the audio-only suggestion ever shows on a page, however briefly.
  for (const p of [a, b]) {
    await p.page.evaluate(() => {
      window.__suggested = !!document.querySelector('[data-testid="audio-only-suggestion"]');
      new MutationObserver(() => {
        if (document.querySelector('[data-testid="audio-only-suggestion"]')) window.__suggested = true;
      }).observe(document.body, { childList: true, subtree: true });
    });
  }
  if (p2p) await waitForP2pCall(a, b);
  await waitForRemoteVideos(a, 1);
  await waitForRemoteVideos(b, 1);
  idA = await remoteIdByName(b, 'Alice');
  idB = await remoteIdByName(a, 'Bob');
}
after(async () => {
  unshapeUdp();
  await closeAll(a, b);
  await browser?.close();
});

// What a tile's indicator says, and what the page's own getStats says about the stream that tile shows
// (the inbound-rtp of its <video>'s track, or for our own tile the outbound-rtp of our camera's
// largest layer being sent).
const INDICATORS = async () => {
  const report = [];
  for (const pc of window.__pcs ?? []) if (pc.connectionState !== 'closed') report.push(...(await pc.getStats()).values());
  const byId = new Map(report.map((s) => [s.id, s]));
  const out = {};
  for (const tile of document.querySelectorAll('[data-testid^="tile-"][data-kind="camera"]')) {
    const dot = tile.querySelector('[data-testid="quality-indicator"]');
    const track = tile.querySelector('video')?.srcObject?.getVideoTracks()[0];
    let stat = null;
    if (track) {
      stat = report.find((s) => s.type === 'inbound-rtp' && s.trackIdentifier === track.id)
        // our camera: with simulcast one outbound-rtp per layer; the largest picture being sent
        ?? report.filter((s) => s.type === 'outbound-rtp' && byId.get(s.mediaSourceId)?.trackIdentifier === track.id
          && (s.bytesSent ?? 0) > 0 && s.active !== false)
          .sort((x, y) => (y.frameHeight ?? 0) - (x.frameHeight ?? 0))[0]
        ?? null;
    }
    const n = (k) => (dot?.hasAttribute(k) ? Number(dot.getAttribute(k)) : null);
    out[tile.getAttribute('data-testid')] = dot
      ? {
        level: dot.getAttribute('data-quality'), direction: dot.getAttribute('data-direction'), loss: n('data-loss'),
        rttMs: n('data-rtt-ms'), width: n('data-width'), height: n('data-height'), fps: n('data-fps'), kbps: n('data-bitrate-kbps'),
        stat: stat && { width: stat.frameWidth ?? null, height: stat.frameHeight ?? null },
      }
      : null;
  }
  return out;
};

test('every tile shows a connection-quality indicator with plausible numbers; resolutions match getStats', async () => {
  for (const [p, self, remote] of [[a, 'tile-self-camera', `tile-${idB}-camera`], [b, 'tile-self-camera', `tile-${idA}-camera`]]) {
    const seen = await waitFor(`${p.name}'s indicators to match getStats`, async () => {
      const ind = await p.page.evaluate(INDICATORS);
      const ok = [self, remote].every((k) => {
        const i = ind[k];
        return i && i.level !== 'unknown' && i.width > 0 && i.stat && i.stat.width === i.width && i.stat.height === i.height
          && i.fps > 0 && i.kbps > 0 && i.rttMs !== null && i.rttMs >= 0 && i.rttMs < 1000 && i.loss !== null && i.loss >= 0 && i.loss <= 0.1;
      });
      return { ok, ind };
    }, 30_000, 500);
    assert.equal(seen.ind[self].direction, 'send');
    assert.equal(seen.ind[remote].direction, 'receive');
    console.log(`  ${p.name}: ${JSON.stringify(seen.ind)}`);
    // the numbers behind the dot, on click
    await p.page.getByTestId(remote).getByTestId('quality-indicator').click();
    const text = await p.page.getByTestId(remote).getByTestId('quality-popover').innerText();
    const r = seen.ind[remote];
    assert.match(text, /Packet loss/);
    assert.match(text, /Round trip/);
    assert.ok(text.includes(`${r.width}×${r.height}`) || /\d+×\d+/.test(text), `popover shows no resolution: ${text}`);
    await p.page.getByTestId(remote).getByTestId('quality-indicator').click();
  }
  await screenshot(a, 'call-ui-quality-Alice');
});

/** The label, device id and enabled flag of the track A's peer connection sends per kind. */
const SENDER_TRACKS = () => {
  const out = {};
  for (const pc of window.__pcs ?? []) {
    if (pc.connectionState === 'closed') continue;
    for (const s of pc.getSenders()) {
      if (s.track) out[s.track.kind] = { label: s.track.label, deviceId: s.track.getSettings().deviceId, enabled: s.track.enabled };
    }
  }
  return { ...out, pcs: (window.__pcs ?? []).length, sdp: (window.__pcs ?? []).at(-1)?.localDescription?.sdp?.length ?? 0 };
};

/** B's inbound counters must keep growing for 3 s (after `settleMs`). */
async function keepsFlowing(p, what) {
  const s1 = await inbound(p);
  await sleep(3000);
  const s2 = await inbound(p);
  assert.ok(s2.audio.packetsReceived > s1.audio.packetsReceived && s2.audio.totalSamplesReceived > s1.audio.totalSamplesReceived,
    `${p.name}'s audio stopped after ${what}: ${JSON.stringify([s1.audio, s2.audio])}`);
  assert.ok(s2.video.framesDecoded > s1.video.framesDecoded, `${p.name}'s video stopped after ${what}: ${JSON.stringify([s1.video, s2.video])}`);
}

async function chooseInMenu(p, testId, label) {
  const select = p.page.getByTestId(testId);
  if (!(await select.isVisible())) await p.page.getByTestId('toggle-devices').click();
  const value = await select.evaluate((el, l) => [...el.options].find((o) => o.textContent === l)?.value ?? null, label);
  assert.ok(value, `${p.name}'s ${testId} does not list ${label}: ${await select.innerText()}`);
  await select.selectOption(value);
  return value;
}

test('switching microphone and camera during the call: the receiver keeps getting media, the sender sends the new devices, nothing renegotiates', async () => {
  const before = await a.page.evaluate(SENDER_TRACKS);
  assert.equal(before.video.label, 'fake_device_0');
  // muted first: the switched microphone must stay muted
  await a.page.getByTestId('toggle-mic').click();
  const micId = await chooseInMenu(a, 'mic-switch-select', 'Fake Audio Input 2');
  const afterMic = await waitFor('A to send Fake Audio Input 2', async () => {
    const s = await a.page.evaluate(SENDER_TRACKS);
    return { ok: s.audio?.label === 'Fake Audio Input 2', ...s };
  });
  assert.equal(afterMic.audio.deviceId, micId);
  assert.notEqual(afterMic.audio.deviceId, before.audio.deviceId);
  assert.equal(afterMic.audio.enabled, false, 'the switched microphone is not muted any more');
  await a.page.getByTestId('toggle-mic').click();
  await waitFor('A to unmute', async () => (await a.page.evaluate(SENDER_TRACKS)).audio?.enabled === true);
  await waitFor(`B to see A's mic on`, () => b.page.evaluate((id) => document.querySelector(`[data-testid="tile-${id}-camera"]`)?.getAttribute('data-audio') === 'true', idA));
  await keepsFlowing(b, 'the microphone switch');

  const camId = await chooseInMenu(a, 'camera-switch-select', 'fake_device_2');
  const afterCam = await waitFor('A to send fake_device_2', async () => {
    const s = await a.page.evaluate(SENDER_TRACKS);
    return { ok: s.video?.label === 'fake_device_2', ...s };
  });
  assert.equal(afterCam.video.deviceId, camId);
  assert.equal(afterCam.pcs, before.pcs, 'a new RTCPeerConnection was made');
  await keepsFlowing(b, 'the camera switch');
  // A's own tile shows the new camera too
  const selfLabel = await a.page.evaluate(() => document.querySelector('[data-testid="tile-self-camera"] video')?.srcObject?.getVideoTracks()[0]?.label);
  assert.equal(selfLabel, 'fake_device_2');

  // remembered: a new pre-join page in the same browser profile starts with those devices
  const again = await a.context.newPage();
  await again.goto(a.page.url());
  const picked = await waitFor('the pre-join page to open the remembered devices', async () => {
    const v = await again.evaluate(() => ({
      camera: document.querySelector('[data-testid="camera-select"]')?.value,
      mic: document.querySelector('[data-testid="mic-select"]')?.value,
      preview: document.querySelector('video')?.srcObject?.getVideoTracks()[0]?.label,
    }));
    return { ok: v.camera === camId && v.mic === micId && v.preview === 'fake_device_2', ...v };
  });
  assert.equal(picked.preview, 'fake_device_2');
  await again.close();
});

// ---- throttling: the media of one browser through tc on `lo` ---------------------------------------
// Both bridges' media goes over `lo` in this namespace: lite-bridge listens on 127.0.0.1, JVB on the
// veth's 10.77.0.1, which is a local address, so the kernel routes it over `lo` too. An htb class per
// direction, matched by the browser's own UDP port (its selected candidate pair), limits that one
// browser; a short pfifo keeps the queue (and RTT) bounded so ICE consent keeps working.
const THROTTLE_KBIT = 100;

/** Limits B's media both ways (a pfifo of 10 keeps the queue, and RTT, short so ICE consent holds). */
const throttle = (port) => shapeUdpPort(port, THROTTLE_KBIT, { directions: ['sport', 'dport'], queuePackets: 10 });

// What B sends as video (payload bytes), summed over its open connections, and per outbound stream
// for a failure message. Not packets: Chromium goes on sending padding without payload on the
// camera's SSRC (its bandwidth probes) even with the encoding off (seen in e2e 13, 2026-12-07).
// What a paused camera may still retransmit in 5 s of audio-only (repairs of earlier packets):
// 16 kB, about 26 kbit/s; a camera that kept streaming sends far more.
const MAX_AUDIO_ONLY_RTX_BYTES = 16_000;

const OWN_VIDEO_SENT = async () => {
  let bytes = 0;
  let packets = 0;
  let rtxBytes = 0;
  let frames = 0;
  const streams = [];
  for (const [i, pc] of (window.__pcs ?? []).entries()) {
    if (pc.connectionState === 'closed') continue;
    const senders = pc.getTransceivers().map((t) => `${t.mid}:${t.direction}/${t.currentDirection}:${t.sender.track?.kind ?? '-'}:${t.sender.track?.readyState ?? '-'}`
      + `:${(t.sender.getParameters().encodings ?? []).map((e) => (e.active === false ? 'off' : 'on')).join('')}`);
    (await pc.getStats()).forEach((s) => {
      if (s.type !== 'outbound-rtp' || s.kind !== 'video') return;
      bytes += s.bytesSent ?? 0;
      packets += s.packetsSent ?? 0;
      rtxBytes += s.retransmittedBytesSent ?? 0;
      frames += s.framesEncoded ?? 0;
      streams.push({ pc: i, state: pc.connectionState, mid: s.mid, ssrc: s.ssrc, bytes: s.bytesSent, packets: s.packetsSent,
        rtxBytes: s.retransmittedBytesSent, headerBytes: s.headerBytesSent, frames: s.framesEncoded, active: s.active });
    });
    streams.push({ pc: i, senders });
  }
  return { bytes, packets, rtxBytes, frames, streams };
};

test('audio-only suggestion: never on the unlimited call; shown to the throttled participant only; accepting stops video both ways until turned back', async (t) => {
  // On the bridge, where each participant has a link of its own: throttling Bob's leaves Alice's alone.
  // (In a P2P call both share the one link, so both would rightly see the suggestion.)
  await closeAll(a, b);
  await openPair(false);
  if (BRIDGE === 'jvb') {
    // JVB's ConnectionStats (a bridge call's, not P2P's) reach our own tile as the download estimate.
    for (const p of [a, b]) {
      const est = await waitFor(`${p.name}'s own tile to carry JVB's downlink estimate`, () => p.page.evaluate(() =>
        Object.values(window.__openmeet?.quality?.tiles ?? {}).find((t) => t.direction === 'send' && t.downlinkEstimateKbps > 0)?.downlinkEstimateKbps ?? null));
      console.log(`  ${p.name}: JVB downlink estimate ${Math.round(est)} kbit/s`);
    }
  }
  await sleep(11_000); // longer than the detector's 10 s window (LOW_BANDWIDTH.lowForMs)
  // The call has run unthrottled since it started (over the 10 s window): nobody was told to go audio only.
  for (const p of [a, b]) assert.equal(await p.page.evaluate(() => window.__suggested), false, `${p.name} got the suggestion on an unlimited call`);
  const port = await mediaPort(b);
  assert.ok(port > 0, `B's media port: ${port}`);
  try {
    throttle(port);
  } catch (e) {
    unshapeUdp();
    t.skip(`tc cannot shape lo here: ${e.stderr ?? e.message}`);
    return;
  }
  try {
    const t0 = Date.now();
    const estimates = [];
    await waitFor('B to suggest audio only', async () => {
      const q = await b.page.evaluate(() => window.__openmeet?.quality ?? null);
      estimates.push(q?.bandwidthEstimateKbps == null ? null : Math.round(q.bandwidthEstimateKbps));
      return { ok: await b.page.getByTestId('audio-only-suggestion').isVisible(), estimates };
    }, 60_000, 1000);
    console.log(`  suggestion on B ${Date.now() - t0} ms after throttling to ${THROTTLE_KBIT} kbit/s each way; B's estimate each second (kbit/s): ${estimates.join(' ')}`);
    await screenshot(b, 'call-ui-audio-only-suggestion-Bob');
    const level = await b.page.evaluate(() => document.querySelector('[data-testid="tile-self-camera"] [data-testid="quality-indicator"]')?.getAttribute('data-quality'));
    console.log(`  B's own connection indicator while throttled: ${level}`);
    await b.page.getByTestId('accept-audio-only').click();
    await b.page.getByTestId('audio-only-suggestion').waitFor({ state: 'detached', timeout: 5000 });
  } finally {
    unshapeUdp();
  }
  // A's link was never limited: no suggestion there.
  assert.equal(await a.page.evaluate(() => window.__suggested), false, 'A (not throttled) got the suggestion');
  // Unthrottled now, video could flow again: in audio-only it must not, either way.
  await sleep(2000);
  const r1 = await inbound(b);
  const s1 = await b.page.evaluate(OWN_VIDEO_SENT);
  await sleep(5000);
  const r2 = await inbound(b);
  const s2 = await b.page.evaluate(OWN_VIDEO_SENT);
  console.log(`  B's video in audio-only: ${s1.bytes} → ${s2.bytes} bytes, ${s1.packets} → ${s2.packets} packets; senders ${JSON.stringify(s2.streams.filter((x) => x.senders))}`);
  assert.equal(r2.video.framesDecoded, r1.video.framesDecoded, `B still decodes video in audio-only: ${r1.video.framesDecoded} → ${r2.video.framesDecoded}`);
  // No new video: no frame encoded, no byte but retransmissions, and those few. (Seen on JVB: 3 RTX
  // packets, 1.2 kB in the 5 s, on a paused layer's SSRC; the bound still catches a real stream.)
  const sent = `${s1.bytes} → ${s2.bytes} bytes (${s1.rtxBytes} → ${s2.rtxBytes} retransmitted), ${s1.frames} → ${s2.frames} frames, `
    + `${s1.packets} → ${s2.packets} packets; ${JSON.stringify(s1.streams)} → ${JSON.stringify(s2.streams)}`;
  assert.equal(s2.frames, s1.frames, `B still encodes video in audio-only: ${sent}`);
  assert.equal(s2.bytes - s2.rtxBytes, s1.bytes - s1.rtxBytes, `B still sends new video in audio-only: ${sent}`);
  assert.ok(s2.rtxBytes - s1.rtxBytes <= MAX_AUDIO_ONLY_RTX_BYTES, `B retransmits more than ${MAX_AUDIO_ONLY_RTX_BYTES} bytes of video in 5 s of audio-only: ${sent}`);
  assert.ok(r2.audio.packetsReceived > r1.audio.packetsReceived, 'B hears nothing in audio-only');
  assert.equal(await b.page.getByTestId('toggle-audio-only').getAttribute('aria-pressed'), 'true');
  // the way back: the Audio only control. With camera simulcast (the default since 2026-12-07) JVB can
  // forward A's 180p layer at once even with its estimate for B still at the throttled level (nothing was
  // sent to B in audio-only): 6.9 s on 2026-12-07. Without simulcast it forwards A's single encoding (~700
  // kbit/s at 720p) only once that estimate has grown back: more than 20 s on 2026-12-06, 28.8 s on
  // 2026-12-07 (estimate 46 → 53 → 223 → 488 kbit/s). Hence the long wait; time and estimates are logged.
  const back = Date.now();
  await b.page.getByTestId('toggle-audio-only').click();
  // the bridge's downlink estimate for B (JVB's ConnectionStats; none from lite-bridge), about every 1.2 s
  const downlink = [];
  await waitFor('B to decode video again', async () => {
    const x = await inbound(b);
    await sleep(700);
    const y = await inbound(b);
    const est = await b.page.evaluate(() => Object.values(window.__openmeet?.quality?.tiles ?? {}).find((t) => t.direction === 'send')?.downlinkEstimateKbps ?? null);
    downlink.push(est === null ? null : Math.round(est));
    return { ok: y.video.framesDecoded > x.video.framesDecoded, y: y.video, downlink, bridgeChannel: await b.page.evaluate(() => window.__openmeet?.bridgeChannel?.recentMessages?.slice(-3)) };
  }, 90_000, 500);
  console.log(`  B decodes video again ${Date.now() - back} ms after leaving audio-only; the bridge's downlink estimate for B meanwhile (kbit/s): ${downlink.join(' ')}`);
  await waitForRemoteVideos(a, 1, 20_000);
});
