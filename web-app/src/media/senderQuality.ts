/**
 * What we send for one of our video sources when the bridge says how much of it anyone wants
 * (`SenderSourceConstraints.maxHeight`, the smaller side of the picture, 0 = nobody).
 *
 * Our bitrate ladder, by the height actually encoded (after scaling), for VP8 at up to 30 fps:
 *   ≤ 180 px → 300 kbit/s   (thumbnails; enough for a face without visible blocking)
 *   ≤ 360 px → 1 000 kbit/s (grid tiles; a 3-person grid on a 1280×720 page is at this level, and the
 *                            e2e quality check needs ≥ 500 kbit/s received, so the cap leaves Chromium's
 *                            rate control room above it; 1 Mbit/s is also what 360p30 VP8 needs for
 *                            clean motion)
 *   ≤ 720 px → 2 500 kbit/s (the stage)
 *   larger   → 4 000 kbit/s (screen shares at full size)
 * jitsi-meet uses 200k / 500k / 1500k; we choose more per level because our calls are small and the
 * bandwidth estimator, not this cap, should be what limits a healthy link.
 */
export const SEND_BITRATE_LADDER: readonly { maxHeight: number; maxBitrate: number }[] = [
  { maxHeight: 180, maxBitrate: 300_000 },
  { maxHeight: 360, maxBitrate: 1_000_000 },
  { maxHeight: 720, maxBitrate: 2_500_000 },
  { maxHeight: Number.POSITIVE_INFINITY, maxBitrate: 4_000_000 },
];

/** The settings of one encoding we apply with RTCRtpSender.setParameters. */
export interface EncodingLimit {
  active: boolean;
  scaleResolutionDownBy: number;
  maxBitrate: number;
}

/**
 * The caps of the camera's simulcast layers, by the height a layer encodes. The top and bottom layers
 * get less than one encoding of that height would (1.5 Mbit/s as jitsi-meet's high layer, 250 kbit/s)
 * so that a receiver of one staged camera and four thumbnails stays within 2.5 Mbit/s. Chromium gives
 * a lower layer about 3/4 of its cap as target (measured: 750 kbit/s at 360p), the top one all of it.
 */
export const SIMULCAST_BITRATE_LADDER: readonly { maxHeight: number; maxBitrate: number }[] = [
  { maxHeight: 180, maxBitrate: 250_000 },
  { maxHeight: 360, maxBitrate: 1_000_000 },
  { maxHeight: Number.POSITIVE_INFINITY, maxBitrate: 1_500_000 },
];

/** The bitrate cap for an encoded picture whose smaller side is `height` px. */
export function ladderBitrate(height: number, ladder = SEND_BITRATE_LADDER): number {
  for (const step of ladder) if (height <= step.maxHeight) return step.maxBitrate;
  return ladder[ladder.length - 1]!.maxBitrate;
}

/** The smaller side of a track's picture, or null when the browser does not say. */
export function trackShortSide(settings: { width?: number; height?: number } | null | undefined): number | null {
  const w = settings?.width;
  const h = settings?.height;
  if (typeof w === 'number' && w > 0 && typeof h === 'number' && h > 0) return Math.min(w, h);
  if (typeof h === 'number' && h > 0) return h;
  return null;
}

/**
 * The encoding for a wanted `maxHeight` and a source whose smaller side is `shortSide` px: off at 0,
 * otherwise scaled down to at most `maxHeight` (never up) with the ladder's bitrate for what is sent.
 * A negative `maxHeight` means no limit.
 */
export function encodingFor(maxHeight: number, shortSide: number | null): EncodingLimit {
  if (maxHeight === 0) return { active: false, scaleResolutionDownBy: 1, maxBitrate: ladderBitrate(180) };
  const limit = maxHeight < 0 ? Number.POSITIVE_INFINITY : maxHeight;
  if (shortSide === null) {
    // Without the track's size we cannot scale; cap the bitrate for the wanted height instead.
    return { active: true, scaleResolutionDownBy: 1, maxBitrate: ladderBitrate(limit) };
  }
  const scale = shortSide > limit ? shortSide / limit : 1;
  return { active: true, scaleResolutionDownBy: scale, maxBitrate: ladderBitrate(shortSide / scale) };
}

/**
 * The camera's simulcast layers by height, lowest first (Jitsi's ladder: thumbnails, grid tiles,
 * the stage). The bridge forwards each receiver the highest layer that fits its tile.
 */
export const SIMULCAST_LAYER_HEIGHTS: readonly number[] = [180, 360, 720];

/** The settings of each simulcast encoding, as for one encoding plus which layers are sent. */
export interface LayerLimit extends EncodingLimit {
  /** The smaller side of what this layer encodes, in px (its ladder height when the size is unknown). */
  height: number;
}

/**
 * The `count` simulcast encodings (lowest first) for a wanted `maxHeight` and a camera whose smaller
 * side is `shortSide` px. Layer i is scaled to SIMULCAST_LAYER_HEIGHTS[i] (never up) and capped at
 * SIMULCAST_BITRATE_LADDER's bitrate for that height. A layer is sent when somebody may get it: all of them at 0
 * are off; otherwise the lowest is always on (the bridge falls back to it when bandwidth is short)
 * and a higher one only when its height fits `maxHeight` (negative: no limit). A layer that would
 * repeat the one below it (a camera smaller than the ladder) is off. Without the camera's size the
 * scales are 4, 2, 1 (a 720p camera's).
 */
export function simulcastEncodings(maxHeight: number, shortSide: number | null, count: number): LayerLimit[] {
  const out: LayerLimit[] = [];
  for (let i = 0; i < count; i++) {
    const top = SIMULCAST_LAYER_HEIGHTS.length - 1;
    const ladder = SIMULCAST_LAYER_HEIGHTS[Math.min(i, top)]! * 2 ** Math.max(0, i - top);
    const height = shortSide === null ? ladder : Math.min(ladder, shortSide);
    const scale = shortSide === null ? 2 ** (count - 1 - i) : shortSide / height;
    const repeats = i > 0 && height <= out[i - 1]!.height;
    const wanted = maxHeight !== 0 && (i === 0 || maxHeight < 0 || height <= maxHeight);
    const maxBitrate = ladderBitrate(height, SIMULCAST_BITRATE_LADDER);
    out.push({ active: wanted && !repeats, scaleResolutionDownBy: scale, maxBitrate, height });
  }
  return out;
}
