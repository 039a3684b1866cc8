import { describe, expect, it } from 'vitest';
import { encodingFor, ladderBitrate, simulcastEncodings, trackShortSide } from './senderQuality';

describe('sender quality', () => {
  it('has a bitrate ladder by encoded height, with 360p well above 800 kbit/s', () => {
    expect(ladderBitrate(180)).toBe(300_000);
    expect(ladderBitrate(240)).toBe(1_000_000);
    expect(ladderBitrate(360)).toBe(1_000_000);
    expect(ladderBitrate(540)).toBe(2_500_000);
    expect(ladderBitrate(720)).toBe(2_500_000);
    expect(ladderBitrate(1080)).toBe(4_000_000);
    expect(ladderBitrate(360)).toBeGreaterThanOrEqual(800_000);
  });

  it('turns the encoding off when nobody wants the source', () => {
    expect(encodingFor(0, 720)).toMatchObject({ active: false });
  });

  it('scales a 720p camera down to the wanted height', () => {
    expect(encodingFor(360, 720)).toEqual({ active: true, scaleResolutionDownBy: 2, maxBitrate: 1_000_000 });
    expect(encodingFor(180, 720)).toEqual({ active: true, scaleResolutionDownBy: 4, maxBitrate: 300_000 });
    expect(encodingFor(720, 720)).toEqual({ active: true, scaleResolutionDownBy: 1, maxBitrate: 2_500_000 });
  });

  it('never scales up, and caps by what is actually sent', () => {
    expect(encodingFor(720, 480)).toEqual({ active: true, scaleResolutionDownBy: 1, maxBitrate: 2_500_000 });
    expect(encodingFor(2160, 1080)).toEqual({ active: true, scaleResolutionDownBy: 1, maxBitrate: 4_000_000 });
    expect(encodingFor(360, 480).scaleResolutionDownBy).toBeCloseTo(4 / 3);
  });

  it('treats a negative height as no limit and an unknown size as unscalable', () => {
    expect(encodingFor(-1, 720)).toEqual({ active: true, scaleResolutionDownBy: 1, maxBitrate: 2_500_000 });
    expect(encodingFor(360, null)).toEqual({ active: true, scaleResolutionDownBy: 1, maxBitrate: 1_000_000 });
  });

  it('measures the smaller side (portrait video is limited by its width)', () => {
    expect(trackShortSide({ width: 1280, height: 720 })).toBe(720);
    expect(trackShortSide({ width: 720, height: 1280 })).toBe(720);
    expect(trackShortSide({ height: 480 })).toBe(480);
    expect(trackShortSide({})).toBeNull();
    expect(trackShortSide(null)).toBeNull();
  });

  describe('simulcast layers', () => {
    const active = (maxHeight: number, shortSide: number | null) =>
      simulcastEncodings(maxHeight, shortSide, 3).map((l) => l.active);

    it('scales a 720p camera to 180, 360 and 720 with the ladder’s bitrates', () => {
      expect(simulcastEncodings(-1, 720, 3)).toEqual([
        { active: true, scaleResolutionDownBy: 4, maxBitrate: 250_000, height: 180 },
        { active: true, scaleResolutionDownBy: 2, maxBitrate: 1_000_000, height: 360 },
        { active: true, scaleResolutionDownBy: 1, maxBitrate: 1_500_000, height: 720 },
      ]);
      // one staged camera and four thumbnails fit a 2.5 Mbit/s downlink
      const [low, , high] = simulcastEncodings(-1, 720, 3);
      expect(high!.maxBitrate + 4 * low!.maxBitrate).toBeLessThanOrEqual(2_500_000);
    });

    it('sends the lowest layer whenever anyone wants the camera, higher ones only up to the wanted height', () => {
      expect(active(0, 720)).toEqual([false, false, false]);
      expect(active(90, 720)).toEqual([true, false, false]);
      expect(active(180, 720)).toEqual([true, false, false]);
      expect(active(360, 720)).toEqual([true, true, false]);
      expect(active(720, 720)).toEqual([true, true, true]);
      expect(active(1080, 720)).toEqual([true, true, true]);
    });

    it('does not send a layer that would repeat the one below (a camera smaller than the ladder)', () => {
      expect(simulcastEncodings(-1, 360, 3)).toEqual([
        { active: true, scaleResolutionDownBy: 2, maxBitrate: 250_000, height: 180 },
        { active: true, scaleResolutionDownBy: 1, maxBitrate: 1_000_000, height: 360 },
        { active: false, scaleResolutionDownBy: 1, maxBitrate: 1_000_000, height: 360 },
      ]);
      expect(active(720, 180)).toEqual([true, false, false]);
      // 540p: the top layer is the camera's own size, sent once somebody wants more than 360.
      expect(simulcastEncodings(720, 540, 3)[2]).toEqual({ active: true, scaleResolutionDownBy: 1, maxBitrate: 1_500_000, height: 540 });
      expect(active(360, 540)).toEqual([true, true, false]);
    });

    it('falls back to scales 4, 2, 1 when the camera’s size is unknown', () => {
      expect(simulcastEncodings(360, null, 3).map((l) => [l.scaleResolutionDownBy, l.active])).toEqual([
        [4, true],
        [2, true],
        [1, false],
      ]);
    });
  });
});
