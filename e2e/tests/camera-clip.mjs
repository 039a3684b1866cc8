// Camera clips for Chromium's fake capture (--use-file-for-fake-video-capture), written once per
// machine as YUV4MPEG2 (I420). Chromium's built-in fake camera draws a flat, slowly moving picture
// that VP8 codes in ~330 kbit/s at 360p and ~650 kbit/s at 720p whatever the network allows, so its
// bitrate says little about bandwidth estimation or layer allocation. Two clips instead:
// - sceneClip(): 1280x720 at 20 fps, a synthetic "person in a room": a textured background with a
//   slow camera sway, a textured head-and-shoulders shape that moves, and sensor-like grain of a few
//   levels per frame. It is synthetic (generated here, no recorded video), made so that VP8 needs
//   roughly what a real webcam needs: its bitrate grows with what the sender may send, the 720p
//   camera gives all three simulcast layers (~180/360/720), and the encoder can hold 20 fps at our
//   ladder's bitrates.
// - noiseClip(): 640x360 at 20 fps of fresh noise per frame: the hardest case for VP8 (nothing to
//   predict), so it spends whatever it may send and a starved sender shows at once; at 1 Mbit/s it
//   cannot be coded at 360p without dropping frames, which is what a realistic clip would hide.
import { existsSync, mkdirSync, openSync, writeSync, closeSync, renameSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const FPS = 20;

function writeClip(name, width, height, frames, frameAt) {
  const dir = join(tmpdir(), 'openmeet-e2e');
  const file = join(dir, name);
  if (existsSync(file)) return file;
  mkdirSync(dir, { recursive: true });
  const partial = `${file}.${process.pid}.part`;
  const fd = openSync(partial, 'w');
  writeSync(fd, `YUV4MPEG2 W${width} H${height} F${FPS}:1 Ip A1:1 C420jpeg\n`);
  for (let i = 0; i < frames; i++) {
    writeSync(fd, 'FRAME\n');
    for (const plane of frameAt(i)) writeSync(fd, plane);
  }
  closeSync(fd);
  renameSync(partial, file);
  return file;
}

/** The noise clip's path: 640x360, 20 fps, a 3-second loop (about 21 MB). */
export function noiseClip() {
  const w = 640;
  const h = 360;
  const chroma = Buffer.alloc((w / 2) * (h / 2) * 2, 128);
  return writeClip(`noise-${w}x${h}-${FPS}fps-60.y4m`, w, h, 60, () => [randomBytes(w * h), chroma]);
}

// A small deterministic generator: the scene is the same on every machine and every run.
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Value noise at several octaves: texture with detail at every scale, as walls, shelves and cloth have.
function texture(w, h, seed, octaves) {
  const out = new Float32Array(w * h);
  const r = rng(seed);
  let amp = 1;
  let total = 0;
  for (const cell of octaves) {
    const gw = Math.ceil(w / cell) + 2;
    const gh = Math.ceil(h / cell) + 2;
    const grid = new Float32Array(gw * gh).map(() => r());
    for (let y = 0; y < h; y++) {
      const gy = y / cell;
      const y0 = Math.floor(gy);
      const fy = gy - y0;
      const sy = fy * fy * (3 - 2 * fy);
      for (let x = 0; x < w; x++) {
        const gx = x / cell;
        const x0 = Math.floor(gx);
        const fx = gx - x0;
        const sx = fx * fx * (3 - 2 * fx);
        const a = grid[y0 * gw + x0];
        const b = grid[y0 * gw + x0 + 1];
        const c = grid[(y0 + 1) * gw + x0];
        const d = grid[(y0 + 1) * gw + x0 + 1];
        out[y * w + x] += amp * (a + (b - a) * sx + (c - a) * sy + (a - b - c + d) * sx * sy);
      }
    }
    total += amp;
    amp *= 0.6;
  }
  for (let i = 0; i < out.length; i++) out[i] /= total;
  return out;
}

/**
 * The scene clip's path: 1280x720, 20 fps, a 4-second loop whose motion is periodic (no jump at the
 * loop), about 110 MB. `grain` is the sensor noise in luma levels (peak); the default is a clean
 * webcam in good light.
 */
export function sceneClip({ grain = 4 } = {}) {
  const w = 1280;
  const h = 720;
  const frames = 80;
  return writeClip(`scene-${w}x${h}-${FPS}fps-${frames}-g${grain}.y4m`, w, h, frames, (() => {
    // The background is drawn larger than the frame so that the camera can sway across it.
    const margin = 24;
    const bw = w + 2 * margin;
    const bh = h + 2 * margin;
    const bg = texture(bw, bh, 1, [160, 40, 10, 3]);
    const cloth = texture(w, h, 2, [60, 12, 3]);
    const cw = w / 2;
    const ch = h / 2;
    const bgU = texture(cw + margin, ch + margin, 3, [120, 30]);
    const bgV = texture(cw + margin, ch + margin, 4, [120, 30]);
    const noise = rng(5);
    return (i) => {
      const phase = (2 * Math.PI * i) / frames;
      const ox = Math.round(margin + margin * 0.8 * Math.sin(phase));
      const oy = Math.round(margin + margin * 0.4 * Math.sin(2 * phase));
      // The head: an ellipse that leans and nods; the shoulders: a wider ellipse below it.
      const hx = w / 2 + 90 * Math.sin(phase) + 25 * Math.sin(3 * phase);
      const hy = h * 0.42 + 20 * Math.sin(2 * phase);
      const y = Buffer.alloc(w * h);
      const u = Buffer.alloc(cw * ch);
      const v = Buffer.alloc(cw * ch);
      const inHead = (px, py) => ((px - hx) / 150) ** 2 + ((py - hy) / 190) ** 2 < 1;
      const inBody = (px, py) => py > hy + 150 && ((px - hx) / 360) ** 2 + ((py - (h + 120)) / 330) ** 2 < 1;
      for (let py = 0; py < h; py++) {
        for (let px = 0; px < w; px++) {
          let l;
          if (inHead(px, py)) {
            const t = cloth[((py - Math.round(hy)) & 511) * w + ((px - Math.round(hx)) & 1023)];
            l = 150 + 40 * (t - 0.5) - 0.12 * (py - hy);
          } else if (inBody(px, py)) {
            l = 60 + 90 * cloth[py * w + ((px - Math.round(hx) + 2048) % w)];
          } else {
            l = 40 + 170 * bg[(py + oy) * bw + px + ox];
          }
          l += grain * (2 * noise() - 1);
          y[py * w + px] = l < 0 ? 0 : l > 255 ? 255 : l;
        }
      }
      for (let py = 0; py < ch; py++) {
        for (let px = 0; px < cw; px++) {
          const skin = inHead(2 * px, 2 * py);
          const body = inBody(2 * px, 2 * py);
          const bi = (py + (oy >> 1)) * (cw + margin) + px + (ox >> 1);
          u[py * cw + px] = skin ? 112 : body ? 150 : 100 + 50 * bgU[bi];
          v[py * cw + px] = skin ? 150 : body ? 110 : 110 + 40 * bgV[bi];
        }
      }
      return [y, u, v];
    };
  })());
}
