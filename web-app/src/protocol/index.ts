export * from './messages';
export * from './SignallingClient';
export * from './rest';
export * from './bridgeChannel';
export * from './socket';
