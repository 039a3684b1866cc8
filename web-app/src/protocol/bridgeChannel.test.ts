import { beforeEach, describe, expect, it } from 'vitest';
import { BridgeChannel, parseBridgeMessage, type BridgeChannelListener, type ReceiverVideoConstraints } from './bridgeChannel';
import { FakeSocket, ManualTimers } from '../test/fakes';
import { OnceLogger } from '../debug/expose';

beforeEach(() => FakeSocket.reset());

const rvc = (over: Partial<ReceiverVideoConstraints> = {}): ReceiverVideoConstraints => ({
  lastN: -1,
  onStageSources: [],
  selectedSources: [],
  defaultConstraints: { maxHeight: 0 },
  constraints: { 'bob-v0': { maxHeight: 360 } },
  ...over,
});

function setup(listener: BridgeChannelListener = {}, factory?: (url: string) => FakeSocket) {
  const timers = new ManualTimers();
  const logged: string[] = [];
  const channel = new BridgeChannel(listener, {
    factory: factory ?? ((url) => new FakeSocket(url)),
    timers,
    log: new OnceLogger('bridge channel', (m) => logged.push(m)),
  });
  return { channel, timers, logged };
}

const rvcSent = (s: FakeSocket) => s.sentMessages().filter((m) => m.colibriClass === 'ReceiverVideoConstraints');

describe('parseBridgeMessage', () => {
  it('reads the messages JVB sends', () => {
    expect(parseBridgeMessage('{"colibriClass":"ServerHello"}')).toEqual({ ok: true, event: { colibriClass: 'ServerHello' } });
    expect(parseBridgeMessage('{"colibriClass":"ForwardedSources","forwardedSources":["a-v0","b-v0"]}')).toEqual({
      ok: true,
      event: { colibriClass: 'ForwardedSources', forwardedSources: ['a-v0', 'b-v0'] },
    });
    expect(
      parseBridgeMessage(
        '{"colibriClass":"DominantSpeakerEndpointChangeEvent","dominantSpeakerEndpoint":"a","previousSpeakers":[],"silence":false}',
      ),
    ).toEqual({ ok: true, event: { colibriClass: 'DominantSpeakerEndpointChangeEvent', dominantSpeakerEndpoint: 'a', silence: false } });
    expect(parseBridgeMessage('{"colibriClass":"SenderSourceConstraints","sourceName":"me-v0","maxHeight":360}')).toEqual({
      ok: true,
      event: { colibriClass: 'SenderSourceConstraints', sourceName: 'me-v0', maxHeight: 360 },
    });
    expect(parseBridgeMessage('{"colibriClass":"ConnectionStats","estimatedDownlinkBandwidth":1687857}')).toEqual({
      ok: true,
      event: { colibriClass: 'ConnectionStats', estimatedDownlinkBandwidth: 1687857 },
    });
    expect(parseBridgeMessage('{"colibriClass":"ConnectionStats"}')).toEqual({
      ok: true,
      event: { colibriClass: 'ignored', original: 'ConnectionStats' },
    });
    expect(parseBridgeMessage('{"colibriClass":"ConnectionStats","estimatedDownlinkBandwidth":"fast"}')).toEqual({
      ok: false,
      problem: 'a malformed ConnectionStats',
    });
  });

  it('hands the downlink estimate of ConnectionStats to the listener', () => {
    const estimates: number[] = [];
    const { channel } = setup({ onConnectionStats: (bps) => estimates.push(bps) });
    channel.setUrl('ws://a');
    const socket = FakeSocket.last();
    socket.serverOpens();
    socket.serverSends({ colibriClass: 'ConnectionStats', estimatedDownlinkBandwidth: 1687857 });
    socket.serverSends({ colibriClass: 'ConnectionStats', estimatedDownlinkBandwidth: -5 });
    socket.serverSends({ colibriClass: 'ConnectionStats', estimatedDownlinkBandwidth: 90000 });
    expect(estimates).toEqual([1687857, 90000]);
  });

  it('rejects junk with a reason per kind', () => {
    const problem = (data: unknown) => {
      const r = parseBridgeMessage(data);
      return r.ok ? null : r.problem;
    };
    expect(problem(new ArrayBuffer(2))).toBe('a binary frame');
    expect(problem('{not json')).toBe('a frame that is not JSON');
    expect(problem('[1,2]')).toBe('a frame that is not a JSON object');
    expect(problem('null')).toBe('a frame that is not a JSON object');
    expect(problem('{"type":"x"}')).toBe('a message without colibriClass');
    expect(problem('{"colibriClass":"ForwardedSources","forwardedSources":"a-v0"}')).toBe('a malformed ForwardedSources');
    expect(problem('{"colibriClass":"ForwardedSources","forwardedSources":[1]}')).toBe('a malformed ForwardedSources');
    expect(problem('{"colibriClass":"DominantSpeakerEndpointChangeEvent"}')).toBe('a malformed DominantSpeakerEndpointChangeEvent');
    expect(problem('{"colibriClass":"SenderSourceConstraints","sourceName":"a-v0","maxHeight":"360"}')).toBe(
      'a malformed SenderSourceConstraints',
    );
    expect(problem('{"colibriClass":"SenderSourceConstraints","sourceName":"","maxHeight":360}')).toBe('a malformed SenderSourceConstraints');
    expect(problem('{"colibriClass":"FutureThing"}')).toBe('an unknown message "FutureThing"');
  });
});

describe('BridgeChannel', () => {
  it('sends the constraints as soon as the channel opens, with every field', () => {
    const { channel } = setup();
    channel.setReceiverConstraints(rvc());
    expect(FakeSocket.instances).toHaveLength(0);
    channel.setUrl(undefined);
    expect(FakeSocket.instances).toHaveLength(0);
    channel.setUrl('ws://127.0.0.1:9090/colibri-ws/b/c/e?pwd=p');
    const socket = FakeSocket.last();
    socket.serverOpens();
    expect(socket.sentMessages()).toEqual([
      {
        colibriClass: 'ReceiverVideoConstraints',
        lastN: -1,
        onStageSources: [],
        selectedSources: [],
        defaultConstraints: { maxHeight: 0 },
        constraints: { 'bob-v0': { maxHeight: 360 } },
      },
    ]);
    expect(channel.lastSentConstraints).toEqual(rvc());
  });

  it('debounces changes into one message and never repeats an identical one', () => {
    const { channel, timers } = setup();
    channel.setUrl('ws://a');
    channel.setReceiverConstraints(rvc());
    const socket = FakeSocket.last();
    socket.serverOpens();
    expect(rvcSent(socket)).toHaveLength(1);
    channel.setReceiverConstraints(rvc());
    timers.advance(1000);
    expect(rvcSent(socket)).toHaveLength(1);
    channel.setReceiverConstraints(rvc({ constraints: { 'bob-v0': { maxHeight: 180 } } }));
    channel.setReceiverConstraints(rvc({ constraints: { 'bob-v0': { maxHeight: 720 } } }));
    channel.setReceiverConstraints(rvc({ lastN: 0, constraints: { 'bob-v0': { maxHeight: 720 } } }));
    expect(rvcSent(socket)).toHaveLength(1);
    timers.advance(99);
    expect(rvcSent(socket)).toHaveLength(1);
    timers.advance(1);
    expect(rvcSent(socket)).toHaveLength(2);
    expect(rvcSent(socket)[1]).toMatchObject({ lastN: 0, constraints: { 'bob-v0': { maxHeight: 720 } } });
    // a change and its undo within the window send nothing
    channel.setReceiverConstraints(rvc({ lastN: -1 }));
    channel.setReceiverConstraints(rvc({ lastN: 0, constraints: { 'bob-v0': { maxHeight: 720 } } }));
    timers.advance(500);
    expect(rvcSent(socket)).toHaveLength(2);
  });

  it('reconnects a dropped channel with a bounded back-off and sends the constraints again', () => {
    const { channel, timers, logged } = setup();
    channel.setReceiverConstraints(rvc());
    channel.setUrl('ws://a');
    FakeSocket.last().serverOpens();
    FakeSocket.last().serverSends({ colibriClass: 'ServerHello' });
    FakeSocket.last().serverDrops();
    expect(FakeSocket.instances).toHaveLength(1);
    timers.advance(499);
    expect(FakeSocket.instances).toHaveLength(1);
    timers.advance(1);
    expect(FakeSocket.instances).toHaveLength(2);
    expect(FakeSocket.last().url).toBe('ws://a');
    // refused again and again: 1 s, 2 s, 4 s, 8 s, then every 10 s, for as long as the call lasts
    const delays: number[] = [];
    for (let i = 0; i < 7; i++) {
      const before = FakeSocket.instances.length;
      FakeSocket.last().serverDrops();
      let waited = 0;
      while (FakeSocket.instances.length === before) {
        timers.advance(100);
        waited += 100;
      }
      delays.push(waited);
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]);
    expect(logged).toEqual([expect.stringContaining('cannot reach the bridge channel')]);
    const socket = FakeSocket.last();
    socket.serverOpens();
    expect(rvcSent(socket)).toEqual([expect.objectContaining({ constraints: { 'bob-v0': { maxHeight: 360 } } })]);
    // once the bridge spoke, the next drop starts from the first delay again
    socket.serverSends({ colibriClass: 'ServerHello' });
    socket.serverDrops();
    timers.advance(500);
    expect(FakeSocket.last()).not.toBe(socket);
  });

  it('gives up a connection attempt that hangs and tries again', () => {
    const { channel, timers, logged } = setup();
    channel.setUrl('ws://10.255.255.1:9/colibri-ws/x');
    const first = FakeSocket.last();
    timers.advance(10_000);
    expect(first.closedWith).not.toBeNull();
    expect(logged).toEqual([expect.stringContaining('no connection to ws://10.255.255.1:9/colibri-ws/x within 10000 ms')]);
    timers.advance(500);
    expect(FakeSocket.instances).toHaveLength(2);
    // the abandoned socket's late events change nothing
    first.serverOpens();
    expect(channel.isOpen).toBe(false);
  });

  it('keeps retrying when the socket cannot even be created', () => {
    let calls = 0;
    const { channel, timers, logged } = setup({}, (url) => {
      calls++;
      if (calls < 3) throw new SyntaxError('bad url');
      return new FakeSocket(url);
    });
    channel.setUrl('ws://bad');
    timers.advance(500);
    timers.advance(1000);
    expect(calls).toBe(3);
    expect(FakeSocket.instances).toHaveLength(1);
    expect(logged).toHaveLength(1);
  });

  it('does not reopen the same URL, replaces the channel for a new one and stops retrying the old', () => {
    const { channel, timers } = setup();
    channel.setUrl('ws://a');
    channel.setUrl('ws://a');
    expect(FakeSocket.instances).toHaveLength(1);
    FakeSocket.last().serverDrops();
    channel.setUrl('ws://b');
    expect(FakeSocket.instances).toHaveLength(2);
    FakeSocket.last().serverOpens();
    timers.advance(60_000);
    expect(FakeSocket.instances.map((s) => s.url)).toEqual(['ws://a', 'ws://b']);
  });

  it('reopens the same URL when asked to (a new endpoint on the bridge) and sends the constraints there', () => {
    const { channel } = setup();
    channel.setReceiverConstraints(rvc({ lastN: 0 }));
    channel.setUrl('ws://a');
    FakeSocket.last().serverOpens();
    channel.setUrl('ws://a', true);
    expect(FakeSocket.instances).toHaveLength(2);
    expect(FakeSocket.instances[0]?.closedWith).not.toBeNull();
    FakeSocket.last().serverOpens();
    expect(rvcSent(FakeSocket.last())).toEqual([expect.objectContaining({ lastN: 0 })]);
    channel.setUrl(undefined, true);
    expect(FakeSocket.instances).toHaveLength(2);
  });

  it('stops everything on close', () => {
    const { channel, timers } = setup();
    channel.setUrl('ws://a');
    FakeSocket.last().serverDrops();
    channel.close();
    timers.advance(60_000);
    expect(FakeSocket.instances).toHaveLength(1);
    expect(timers.pending()).toBe(0);
  });

  it('reports forwarded sources, sender constraints and the dominant speaker', () => {
    const events: string[] = [];
    const { channel } = setup({
      onForwardedSources: (s) => events.push(`fwd ${s.join(',')}`),
      onSenderConstraints: (n, h) => events.push(`ssc ${n} ${h}`),
      onDominantSpeaker: (id, silence) => events.push(`ds ${id} ${silence}`),
    });
    channel.setUrl('ws://a');
    const socket = FakeSocket.last();
    socket.serverOpens();
    socket.serverSends({ colibriClass: 'ServerHello' });
    socket.serverSends({ colibriClass: 'ForwardedSources', forwardedSources: ['a-v0'] });
    socket.serverSends({ colibriClass: 'SenderSourceConstraints', sourceName: 'me-v0', maxHeight: 180 });
    socket.serverSends({ colibriClass: 'DominantSpeakerEndpointChangeEvent', dominantSpeakerEndpoint: 'p2', previousSpeakers: [] });
    socket.serverSends({ colibriClass: 'DominantSpeakerEndpointChangeEvent', dominantSpeakerEndpoint: 'p2', silence: true });
    expect(events).toEqual(['fwd a-v0', 'ssc me-v0 180', 'ds p2 false', 'ds p2 true']);
  });

  it('ignores malformed and unknown messages, logging each kind once, and survives a failing handler', () => {
    const events: string[] = [];
    const { channel, logged } = setup({
      onForwardedSources: (s) => events.push(s.join(',')),
      onSenderConstraints: () => {
        throw new Error('boom');
      },
    });
    channel.setUrl('ws://a');
    const socket = FakeSocket.last();
    socket.serverOpens();
    for (let i = 0; i < 3; i++) {
      socket.serverSends('garbage');
      socket.serverSends({ colibriClass: 'ForwardedSources', forwardedSources: 'x' });
      socket.serverSends({ colibriClass: 'Nonsense', n: i });
      socket.serverSends({ colibriClass: 'ConnectionStats', estimatedDownlinkBandwidth: 1 });
      socket.serverSends({ colibriClass: 'SenderSourceConstraints', sourceName: 'me-v0', maxHeight: 360 });
    }
    socket.serverSends({ colibriClass: 'ForwardedSources', forwardedSources: ['b-v0'] });
    expect(events).toEqual(['b-v0']);
    expect(logged).toEqual([
      expect.stringContaining('ignored a frame that is not JSON'),
      expect.stringContaining('ignored a malformed ForwardedSources'),
      expect.stringContaining('ignored an unknown message "Nonsense"'),
      expect.stringContaining('handling SenderSourceConstraints failed'),
    ]);
  });

  it('shows the last constraints sent on window.__openmeet for browser tests', () => {
    const { channel } = setup();
    channel.setUrl('ws://a');
    channel.setReceiverConstraints(rvc({ onStageSources: ['bob-v0'] }));
    FakeSocket.last().serverOpens();
    const seen = (globalThis as { __openmeet?: Record<string, unknown> }).__openmeet?.bridgeChannel;
    expect(seen).toMatchObject({ url: 'ws://a', open: true, receiverConstraintsSent: 1, receiverConstraints: { onStageSources: ['bob-v0'] } });
  });
});
