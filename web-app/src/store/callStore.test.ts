import { beforeEach, describe, expect, it } from 'vitest';
import type { ParticipantInfo, ServerMessage } from '../protocol';
import { PAGE_SIZE, initialCallState, paginate, reduceServerMessage, selectTiles, useCallStore, type CallState } from './callStore';

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

const joined = (self: string, others: ParticipantInfo[], moderator = false): ServerMessage => ({
  type: 'joined',
  participantId: self,
  moderator,
  participants: [person(self), ...others],
  iceServers: [],
});

describe('reduceServerMessage', () => {
  it('joined sets our id and the others, without ourselves', () => {
    const s = apply({ ...initialCallState, selfName: 'Me' }, joined('me', [person('a'), person('b')], true));
    expect(s.selfId).toBe('me');
    expect(s.moderator).toBe(true);
    expect(s.order).toEqual(['a', 'b']);
    expect(Object.keys(s.participants).sort()).toEqual(['a', 'b']);
  });

  it('tracks joins, leaves and media state changes', () => {
    let s = apply(initialCallState, joined('me', [person('a')]));
    s = apply(s, { type: 'participant-joined', participant: person('b') });
    s = apply(s, { type: 'participant-joined', participant: person('b', { displayName: 'Bee' }) });
    expect(s.order).toEqual(['a', 'b']);
    expect(s.participants.b?.displayName).toBe('Bee');
    s = apply(s, { type: 'media-state', participantId: 'b', audio: false, video: false, screen: true });
    expect(s.participants.b).toMatchObject({ audio: false, video: false, screen: true });
    s = apply(s, { type: 'dominant-speaker', participantId: 'a' });
    s = apply(s, { type: 'participant-left', participantId: 'a', reason: 'leave' });
    expect(s.order).toEqual(['b']);
    expect(s.participants.a).toBeUndefined();
    expect(s.dominantSpeakerId).toBeNull();
  });

  it('ignores media-state for strangers and for ourselves', () => {
    const s = apply(initialCallState, joined('me', [person('a')]));
    expect(reduceServerMessage(s, { type: 'media-state', participantId: 'ghost', audio: false, video: false, screen: false })).toEqual({});
    expect(reduceServerMessage(s, { type: 'media-state', participantId: 'me', audio: false, video: false, screen: false })).toEqual({});
  });

  it('adds chat from others, counts unread while the panel is closed, skips our own echo', () => {
    let s = apply(initialCallState, joined('me', [person('a')]));
    s = apply(s, { type: 'chat', from: 'a', text: 'hello', ts: 1 });
    s = apply(s, { type: 'chat', from: 'me', text: 'echo', ts: 2 });
    expect(s.chat.map((c) => [c.displayName, c.text])).toEqual([['A', 'hello']]);
    expect(s.unreadChat).toBe(1);
    s = apply({ ...s, chatOpen: true }, { type: 'chat', from: 'a', displayName: 'Ann', text: 'again', ts: 3 });
    expect(s.unreadChat).toBe(1);
    expect(s.chat[1]?.displayName).toBe('Ann');
  });

  it('a moderator mute turns our microphone off and tells us', () => {
    const s = apply(initialCallState, joined('me', []), { type: 'muted', by: 'mod' });
    expect(s.local.audio).toBe(false);
    expect(s.notice).toMatch(/muted/);
  });

  it('a rejoin keeps the streams of people still present and drops the rest', () => {
    const stream = {} as MediaStream;
    let s = apply(initialCallState, joined('me', [person('a'), person('b')]));
    s = { ...s, remoteStreams: { a: { camera: stream }, b: { camera: stream } } };
    s = apply(s, joined('me', [person('a')]));
    expect(Object.keys(s.remoteStreams)).toEqual(['a']);
  });
});

describe('tiles and pages', () => {
  it('puts us first, others in join order, and screen shares as their own tiles', () => {
    let s = apply({ ...initialCallState, selfName: 'Me' }, joined('me', [person('a'), person('b', { screen: true, audio: false })]));
    s = apply(s, { type: 'dominant-speaker', participantId: 'a' });
    const tiles = selectTiles(s);
    expect(tiles.map((t) => t.key)).toEqual(['me:camera', 'a:camera', 'b:camera', 'b:screen']);
    expect(tiles[0]).toMatchObject({ self: true, displayName: 'Me (you)' });
    expect(tiles[1]?.speaking).toBe(true);
    expect(tiles[2]).toMatchObject({ audio: false, speaking: false });
    expect(tiles[3]).toMatchObject({ kind: 'screen', displayName: "B's screen" });
  });

  it('audio-only mode shows no video anywhere', () => {
    const s = apply(initialCallState, joined('me', [person('a')]));
    const tiles = selectTiles({ ...s, local: { ...s.local, audioOnly: true } });
    expect(tiles.every((t) => !t.video)).toBe(true);
  });

  it('shows 12 tiles per page and clamps the page', () => {
    const items = Array.from({ length: 30 }, (_, i) => i);
    expect(PAGE_SIZE).toBe(12);
    expect(paginate(items, 0)).toMatchObject({ page: 0, pageCount: 3 });
    expect(paginate(items, 2).items).toEqual([24, 25, 26, 27, 28, 29]);
    expect(paginate(items, 9).page).toBe(2);
    expect(paginate(items, -1).page).toBe(0);
    expect(paginate([], 0)).toEqual({ items: [], page: 0, pageCount: 1 });
  });

  it('moves back a page when the last page empties', () => {
    const others = Array.from({ length: 12 }, (_, i) => person(`p${i}`));
    let s = apply(initialCallState, joined('me', others)); // 13 tiles: two pages
    s = { ...s, page: 1 };
    s = apply(s, { type: 'participant-left', participantId: 'p11' });
    expect(s.page).toBe(0);
  });
});

describe('useCallStore', () => {
  beforeEach(() => useCallStore.getState().reset());

  it('applies messages and local actions', () => {
    const store = useCallStore.getState();
    store.setSelfName('Ada');
    store.applyServerMessage(joined('me', [person('a')]));
    store.addOwnChat('hi all');
    store.setLocalMedia({ audio: false });
    store.toggleChat();
    const s = useCallStore.getState();
    expect(s.chat).toMatchObject([{ from: 'me', displayName: 'Ada', text: 'hi all', self: true }]);
    expect(s.local).toMatchObject({ audio: false, video: true });
    expect(s.chatOpen).toBe(true);
  });

  it('opening the chat clears the unread count', () => {
    const store = useCallStore.getState();
    store.applyServerMessage(joined('me', [person('a')]));
    store.applyServerMessage({ type: 'chat', from: 'a', text: '1', ts: 1 });
    store.applyServerMessage({ type: 'chat', from: 'a', text: '2', ts: 2 });
    expect(useCallStore.getState().unreadChat).toBe(2);
    useCallStore.getState().toggleChat();
    expect(useCallStore.getState().unreadChat).toBe(0);
  });

  it('setPage stays within the pages that exist', () => {
    const store = useCallStore.getState();
    store.applyServerMessage(joined('me', Array.from({ length: 14 }, (_, i) => person(`p${i}`))));
    useCallStore.getState().setPage(5);
    expect(useCallStore.getState().page).toBe(1);
  });
});
