import { describe, expect, it } from 'vitest';
import { gridCapacity, gridColumns, qualityLevel } from './layout';

describe('qualityLevel', () => {
  it('rounds device pixels up to 180, 360 or 720 and caps at 720', () => {
    expect(qualityLevel(0)).toBe(0);
    expect(qualityLevel(-5)).toBe(0);
    expect(qualityLevel(Number.NaN)).toBe(0);
    expect(qualityLevel(1)).toBe(180);
    expect(qualityLevel(180)).toBe(180);
    expect(qualityLevel(180.5)).toBe(360);
    expect(qualityLevel(360)).toBe(360);
    expect(qualityLevel(361)).toBe(720);
    expect(qualityLevel(2160)).toBe(720);
  });
});

describe('gridCapacity', () => {
  it('fits as many readable tiles as the area holds, at most 12', () => {
    // 1280x720 page: the grid area is about 1264 x 600 → 5 x 4 readable tiles, capped
    expect(gridCapacity(1264, 600)).toBe(12);
    // a phone-sized or small window
    expect(gridCapacity(500, 300)).toBe(4);
    expect(gridCapacity(400, 250)).toBe(1);
    expect(gridCapacity(100, 50)).toBe(1);
  });

  it('does not limit an area it could not measure', () => {
    expect(gridCapacity(0, 0)).toBe(12);
  });
});

describe('gridColumns', () => {
  it('gives 16:9 pictures the most room', () => {
    expect(gridColumns(1264, 600, 1)).toBe(1);
    expect(gridColumns(1264, 600, 2)).toBe(2);
    expect(gridColumns(1264, 600, 3)).toBe(2);
    expect(gridColumns(1264, 600, 9)).toBe(3);
    // a tall, narrow area stacks tiles
    expect(gridColumns(400, 1000, 3)).toBe(1);
  });

  it('falls back to a square grid without a measured area', () => {
    expect(gridColumns(0, 0, 5)).toBe(3);
  });
});
