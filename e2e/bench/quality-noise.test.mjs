// The harder case of P8 (scripts/bench-simulcast): the three-person call of tests/08 with the noise
// camera clip instead of the scene clip. Its checks are expected to fail (VP8 drops frames of noise
// at our layers' bitrates); the series and summary are what the benchmark keeps.
process.env.QUALITY_CLIP = 'noise';
await import('../tests/08-sustained-quality.test.mjs');
