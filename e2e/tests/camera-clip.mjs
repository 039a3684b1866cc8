// A camera clip for Chromium's fake capture (--use-file-for-fake-video-capture): 640x360 at 20 fps,
// every frame fresh noise. Chromium's built-in fake camera draws a flat, slowly moving picture that
// VP8 codes in ~330 kbit/s at 360p and ~650 kbit/s at 720p whatever the network allows, so its
// bitrate says little about bandwidth estimation; noise cannot be predicted, so the encoder spends
// whatever the sender's estimate and our bitrate ladder give it (a starved sender shows at once).
import { existsSync, mkdirSync, openSync, writeSync, closeSync, renameSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const WIDTH = 640;
const HEIGHT = 360;
const FPS = 20;
const FRAMES = 60; // a 3-second loop (Chromium starts the file again at its end)

/** The clip's path, written once per machine (about 21 MB of YUV4MPEG2, I420). */
export function noiseClip() {
  const dir = join(tmpdir(), 'openmeet-e2e');
  const file = join(dir, `noise-${WIDTH}x${HEIGHT}-${FPS}fps-${FRAMES}.y4m`);
  if (existsSync(file)) return file;
  mkdirSync(dir, { recursive: true });
  const partial = `${file}.${process.pid}.part`;
  const fd = openSync(partial, 'w');
  writeSync(fd, `YUV4MPEG2 W${WIDTH} H${HEIGHT} F${FPS}:1 Ip A1:1 C420jpeg\n`);
  const chroma = Buffer.alloc((WIDTH / 2) * (HEIGHT / 2) * 2, 128);
  for (let i = 0; i < FRAMES; i++) {
    writeSync(fd, 'FRAME\n');
    writeSync(fd, randomBytes(WIDTH * HEIGHT));
    writeSync(fd, chroma);
  }
  closeSync(fd);
  renameSync(partial, file);
  return file;
}
