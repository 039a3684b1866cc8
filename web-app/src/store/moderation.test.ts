import { beforeEach, describe, expect, it } from 'vitest';
import type { ParticipantInfo, ServerMessage } from '../protocol';
import { initialCallState, raisedHands, reduceServerMessage, selectTiles, useCallStore, type CallState } from './callStore';

const person = (id: string, over: Partial<ParticipantInfo> = {}): ParticipantInfo => ({
  participantId: id,
  displayName: id.toUpperCase(),
  moderator: false,
  audio: true,
  video: true,
  screen: false,
  ...over,
});

function apply(state: CallState, ...msgs: ServerMessage[]): CallState {
  return msgs.reduce((s, m) => ({ ...s, ...reduceServerMessage(s, m) }), state);
}

const joined = (self: string, others: ParticipantInfo[]): ServerMessage => ({
  type: 'joined',
  participantId: self,
  moderator: false,
  participants: others,
  iceServers: [],
});

beforeEach(() => useCallStore.getState().reset());

describe('moderation in the call state', () => {
  it('a force-mute of ours turns the microphone off, says so, and allowing it again says that', () => {
    let s = apply(initialCallState, joined('me', [person('mod', { moderator: true })]));
    s = apply(s, { type: 'force-muted', participantId: 'me', audio: true, video: false, by: 'mod' });
    expect(s.forceMuted).toEqual({ audio: true, video: false });
    expect(s.local.audio).toBe(false);
    expect(s.notice).toMatch(/moderator muted your microphone/);
    expect(selectTiles(s)[0]).toMatchObject({ self: true, audioForceMuted: true });

    s = apply(s, { type: 'force-muted', participantId: 'me', audio: false, video: false, by: 'mod' });
    expect(s.forceMuted).toEqual({ audio: false, video: false });
    expect(s.notice).toMatch(/allowed you to unmute/);
    // allowed is not unmuted: turning the microphone on stays ours to do
    expect(s.local.audio).toBe(false);
  });

  it("another participant's force-mute shows on its tile and survives its page claiming otherwise", () => {
    let s = apply(initialCallState, joined('me', [person('a')]));
    s = apply(s, { type: 'force-muted', participantId: 'a', audio: true, video: true, by: 'mod' });
    const tile = selectTiles(s).find((t) => t.participantId === 'a');
    expect(tile).toMatchObject({ audio: false, video: false, audioForceMuted: true, videoForceMuted: true });
  });

  it('raised hands are ordered by when they went up, ours included, and a newcomer sees them', () => {
    let s = apply(initialCallState, joined('me', [person('a', { handRaisedAt: 200 }), person('b')]));
    s = apply(
      s,
      { type: 'hand-raised', participantId: 'b', raised: true, raisedAt: 100 },
      { type: 'hand-raised', participantId: 'me', raised: true, raisedAt: 300 },
    );
    expect(raisedHands(s)).toEqual(['b', 'a', 'me']);
    const hands = Object.fromEntries(selectTiles(s).map((t) => [t.participantId, t.hand]));
    expect(hands).toEqual({ me: 3, a: 2, b: 1 });

    s = apply(s, { type: 'hand-raised', participantId: 'b', raised: false, by: 'mod' });
    expect(raisedHands(s)).toEqual(['a', 'me']);
    expect(s.participants.b?.handRaisedAt).toBeUndefined();
    s = apply(s, { type: 'hand-raised', participantId: 'me', raised: false });
    expect(s.handRaisedAt).toBeNull();
  });

  it('a new identity starts unmoderated with its hand down', () => {
    let s = apply(initialCallState, joined('me', []));
    s = apply(
      s,
      { type: 'force-muted', participantId: 'me', audio: true, video: true },
      { type: 'hand-raised', participantId: 'me', raised: true, raisedAt: 5 },
    );
    const resumed = apply(s, joined('me', []));
    expect(resumed.forceMuted).toEqual({ audio: true, video: true });
    const fresh = apply(s, joined('me2', []));
    expect(fresh.forceMuted).toEqual({ audio: false, video: false });
    expect(fresh.handRaisedAt).toBeNull();
  });
});
