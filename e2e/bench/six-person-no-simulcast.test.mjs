// P9's comparison (scripts/bench-simulcast): the six-person call of six-person-simulcast.test.mjs with the web app's
// camera simulcast off on every page, recorded without assertions.
process.env.SIX_SIMULCAST = 'off';
process.env.SIX_BENCH = '1';
await import('./six-person-simulcast.test.mjs');
