import { beforeEach, describe, expect, it } from 'vitest';
import { BridgeChannel, receiverVideoConstraints } from './bridgeChannel';
import { FakeSocket } from '../test/fakes';

beforeEach(() => FakeSocket.reset());

describe('BridgeChannel', () => {
  it('uses JVB ReceiverVideoConstraints for lastN', () => {
    expect(receiverVideoConstraints(0)).toEqual({ colibriClass: 'ReceiverVideoConstraints', lastN: 0 });
  });

  it('remembers lastN without a URL and sends it once the channel opens', () => {
    const channel = new BridgeChannel({}, (url) => new FakeSocket(url));
    channel.setLastN(0);
    expect(FakeSocket.instances).toHaveLength(0);
    channel.setUrl(undefined);
    expect(FakeSocket.instances).toHaveLength(0);
    channel.setUrl('ws://127.0.0.1:8180/colibri-ws/b/c/e?pwd=p');
    const socket = FakeSocket.last();
    socket.serverOpens();
    expect(socket.sentMessages()).toEqual([{ colibriClass: 'ReceiverVideoConstraints', lastN: 0 }]);
    channel.setLastN(-1);
    expect(socket.sentMessages()[1]).toEqual({ colibriClass: 'ReceiverVideoConstraints', lastN: -1 });
  });

  it('does not reopen the same URL and replaces the socket for a new one', () => {
    const channel = new BridgeChannel({}, (url) => new FakeSocket(url));
    channel.setUrl('ws://a');
    channel.setUrl('ws://a');
    expect(FakeSocket.instances).toHaveLength(1);
    channel.setUrl('ws://b');
    expect(FakeSocket.instances).toHaveLength(2);
    expect(FakeSocket.instances[0]?.closedWith).not.toBeNull();
  });

  it('reopens the same URL when asked to (a new endpoint on the bridge), with lastN again', () => {
    const channel = new BridgeChannel({}, (url) => new FakeSocket(url));
    channel.setLastN(0);
    channel.setUrl('ws://a');
    channel.setUrl('ws://a', true);
    expect(FakeSocket.instances).toHaveLength(2);
    expect(FakeSocket.instances[0]?.closedWith).not.toBeNull();
    FakeSocket.last().serverOpens();
    expect(FakeSocket.last().sentMessages()).toEqual([{ colibriClass: 'ReceiverVideoConstraints', lastN: 0 }]);
    channel.setUrl(undefined, true);
    expect(FakeSocket.instances).toHaveLength(2);
  });

  it('reports the dominant speaker and ignores junk', () => {
    const speakers: string[] = [];
    const channel = new BridgeChannel({ onDominantSpeaker: (id) => speakers.push(id) }, (url) => new FakeSocket(url));
    channel.setUrl('ws://a');
    const socket = FakeSocket.last();
    socket.serverOpens();
    socket.serverSends('garbage');
    socket.serverSends({ colibriClass: 'ServerHello' });
    socket.serverSends({ colibriClass: 'DominantSpeakerEndpointChangeEvent', dominantSpeakerEndpoint: 'p2' });
    expect(speakers).toEqual(['p2']);
  });
});
