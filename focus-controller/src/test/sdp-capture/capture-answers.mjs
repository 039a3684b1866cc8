// Captures Chromium's answers to the focus's offers, for the SDP tests (src/test/resources/sdp).
// Usage (outside the Maven build; needs Debian's chromium and playwright-core installed elsewhere):
//   java -cp target/classes:target/test-classes io.openmeet.focus.sdp.SdpFixtures /tmp/offers
//   NODE_PATH=/tmp/pw/node_modules node capture-answers.mjs /tmp/offers src/test/resources/sdp
// Session A (with camera and microphone) answers offer-1..5 in turn; session B (receive only)
// answers offer-2. Answers are taken after ICE gathering so they include candidates.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');
const [offersDir, outDir] = process.argv.slice(2);
const offers = [1, 2, 3, 4, 5].map((i) => fs.readFileSync(path.join(offersDir, `offer-${i}.sdp`), 'utf8'));

const server = http.createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'text/html' });
  res.end('<!doctype html><title>capture</title>');
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${server.address().port}/`;

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--use-fake-device-for-media-stream',
    '--use-fake-ui-for-media-stream', '--allow-loopback-in-peer-connection',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--no-first-run'],
});
try {
  const page = await browser.newPage();
  await page.goto(url);
  const answers = await page.evaluate(async (offers) => {
    const gathered = (pc) => new Promise((resolve) => {
      if (pc.iceGatheringState === 'complete') return resolve();
      pc.addEventListener('icegatheringstatechange', () => {
        if (pc.iceGatheringState === 'complete') resolve();
      });
      setTimeout(resolve, 5000);
    });
    const answer = async (pc, sdp) => {
      await pc.setRemoteDescription({ type: 'offer', sdp });
      await pc.setLocalDescription(await pc.createAnswer());
      await gathered(pc);
      return pc.localDescription.sdp;
    };
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
    const a = new RTCPeerConnection();
    const out = {};
    out['chromium-answer-1-sendrecv.sdp'] = await (async () => {
      await a.setRemoteDescription({ type: 'offer', sdp: offers[0] });
      const [audioT, videoT] = a.getTransceivers();
      await audioT.sender.replaceTrack(stream.getAudioTracks()[0]);
      audioT.sender.setStreams(stream);
      audioT.direction = 'sendrecv';
      await videoT.sender.replaceTrack(stream.getVideoTracks()[0]);
      videoT.sender.setStreams(stream);
      videoT.direction = 'sendrecv';
      await a.setLocalDescription(await a.createAnswer());
      await gathered(a);
      return a.localDescription.sdp;
    })();
    out['chromium-answer-2-two-remotes.sdp'] = await answer(a, offers[1]);
    out['chromium-answer-3-recycled.sdp'] = await answer(a, offers[2]);
    out['chromium-answer-4-inactive.sdp'] = await answer(a, offers[3]);
    out['chromium-answer-5-reused-inactive.sdp'] = await answer(a, offers[4]);
    const b = new RTCPeerConnection();
    out['chromium-answer-recvonly.sdp'] = await answer(b, offers[1]);
    return out;
  }, offers);
  fs.mkdirSync(outDir, { recursive: true });
  for (const [name, sdp] of Object.entries(answers)) {
    fs.writeFileSync(path.join(outDir, name), sdp);
  }
  fs.writeFileSync(path.join(outDir, 'chromium-version.txt'), browser.version() + '\n');
  console.log('wrote', Object.keys(answers).join(', '));
} finally {
  await browser.close();
  server.close();
}
