import { describe, expect, it } from 'vitest';
import { buildReceiverConstraints, UNMEASURED_LEVEL } from './receiverConstraints';
import { initialCallState, reduceServerMessage, type CallState, type RenderedTile } from '../store/callStore';
import type { ParticipantInfo } from '../protocol';

const person = (id: string, screen = false): ParticipantInfo => ({
  participantId: id,
  displayName: id,
  moderator: false,
  audio: true,
  video: true,
  screen,
});

function call(renderedTiles: Record<string, RenderedTile>, over: Partial<CallState> = {}): CallState {
  const s = { ...initialCallState, renderedTiles };
  const joined = reduceServerMessage(s, {
    type: 'joined',
    participantId: 'me',
    moderator: false,
    participants: [person('me'), person('zed'), person('amy', true)],
    iceServers: [],
  });
  return { ...s, ...joined, ...over };
}

const cam = (participantId: string, maxHeight: number | null, self = false): RenderedTile => ({ participantId, kind: 'camera', self, maxHeight });

describe('buildReceiverConstraints', () => {
  it('names every remote tile on screen with its level, in a stable order, and nothing else', () => {
    const s = call({
      'zed:camera': cam('zed', 360),
      'me:camera': cam('me', 720, true),
      'amy:camera': cam('amy', null),
      'amy:screen': { participantId: 'amy', kind: 'screen', self: false, maxHeight: 720 },
    }, { layout: 'grid', layoutAuto: false });
    const c = buildReceiverConstraints(s);
    expect(c).toEqual({
      lastN: -1,
      onStageSources: [],
      selectedSources: [],
      defaultConstraints: { maxHeight: 0 },
      constraints: { 'amy-v0': { maxHeight: UNMEASURED_LEVEL }, 'amy-v1': { maxHeight: 720 }, 'zed-v0': { maxHeight: 360 } },
    });
    expect(Object.keys(c.constraints)).toEqual(['amy-v0', 'amy-v1', 'zed-v0']);
  });

  it('asks for no video at all in audio-only mode', () => {
    const s = call({ 'zed:camera': cam('zed', 360) });
    expect(buildReceiverConstraints({ ...s, local: { ...s.local, audioOnly: true } }).lastN).toBe(0);
  });

  it('names the stage source in the speaker layout, unless our own tile is on the stage', () => {
    const s = call({ 'zed:camera': cam('zed', 720), 'amy:screen': { participantId: 'amy', kind: 'screen', self: false, maxHeight: 180 } });
    expect(s.layout).toBe('speaker'); // amy shares her screen
    expect(buildReceiverConstraints(s).onStageSources).toEqual(['amy-v1']);
    expect(buildReceiverConstraints({ ...s, pinned: 'zed:camera' }).onStageSources).toEqual(['zed-v0']);
    expect(buildReceiverConstraints({ ...s, pinned: 'me:camera' }).onStageSources).toEqual([]);
  });
});
