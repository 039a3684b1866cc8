/** Pure layout arithmetic: quality levels, how many grid tiles fit, and the grid's shape. */

/** The heights we ask the bridge for, as jitsi-meet's low / standard / high levels. */
export const QUALITY_LEVELS = [180, 360, 720] as const;

/** At most this many tiles on one grid page, however large the window. */
export const MAX_PAGE_SIZE = 12;

/**
 * The smallest tile we consider readable (name, initials, a face): 16:9 at 240 CSS px wide. A window
 * that fits fewer of these gets more grid pages.
 */
export const MIN_TILE_WIDTH = 240;
export const MIN_TILE_HEIGHT = 135;

/** The gap between grid tiles in CSS px (Call.module.css `.grid` gap: 0.5rem). */
export const GRID_GAP = 8;

/**
 * The level for a tile `devicePixels` high (CSS px × devicePixelRatio): rounded up to 180, 360 or 720,
 * capped at 720; 0 for a tile that takes no space.
 */
export function qualityLevel(devicePixels: number): number {
  if (!Number.isFinite(devicePixels) || devicePixels <= 0) return 0;
  for (const level of QUALITY_LEVELS) if (devicePixels <= level) return level;
  return QUALITY_LEVELS[QUALITY_LEVELS.length - 1];
}

/** How many tiles of at least the readable size fit in a `width` × `height` area (1..12). */
export function gridCapacity(width: number, height: number): number {
  const fit = (space: number, min: number) => Math.max(1, Math.floor((space + GRID_GAP) / (min + GRID_GAP)));
  if (!(width > 0) || !(height > 0)) return MAX_PAGE_SIZE;
  return Math.min(MAX_PAGE_SIZE, fit(width, MIN_TILE_WIDTH) * fit(height, MIN_TILE_HEIGHT));
}

/**
 * Columns for `count` tiles in a `width` × `height` area: the choice that gives a 16:9 picture the most
 * room in each cell. Without a measured area, a square-ish grid.
 */
export function gridColumns(width: number, height: number, count: number): number {
  if (count <= 1) return 1;
  if (!(width > 0) || !(height > 0)) return Math.ceil(Math.sqrt(count));
  let best = 1;
  let bestArea = -1;
  for (let cols = 1; cols <= count; cols++) {
    const rows = Math.ceil(count / cols);
    const cellW = (width - GRID_GAP * (cols - 1)) / cols;
    const cellH = (height - GRID_GAP * (rows - 1)) / rows;
    const pictureW = Math.min(cellW, (cellH * 16) / 9);
    const area = pictureW * ((pictureW * 9) / 16);
    if (area > bestArea + 1e-6) {
      best = cols;
      bestArea = area;
    }
  }
  return best;
}
