import { beforeEach, describe, expect, it } from 'vitest';
import type { ParticipantInfo, ServerMessage } from '../protocol';
import {
  PAGE_SIZE,
  initialCallState,
  paginate,
  reduceServerMessage,
  selectTiles,
  sourceNameFor,
  stageTile,
  useCallStore,
  type CallState,
} from './callStore';

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

describe('lobby state', () => {
  it('a waiter holds its lobby state until joined; moderators keep one request per waiter', () => {
    const waiting = apply(initialCallState, { type: 'lobby-waiting', participantId: 'lobby-1', moderatorPresent: false });
    expect(waiting.lobby).toEqual({ participantId: 'lobby-1', moderatorPresent: false });
    const told = apply(waiting, { type: 'lobby-waiting', participantId: 'lobby-1', moderatorPresent: true });
    expect(told.lobby?.moderatorPresent).toBe(true);
    expect(apply(told, joined('me', [])).lobby).toBeNull();

    const mod = apply(
      initialCallState,
      joined('m', [], true),
      { type: 'lobby-request', participantId: 'lobby-1', displayName: 'Ann' },
      { type: 'lobby-request', participantId: 'lobby-2', displayName: 'Ben' },
      { type: 'lobby-request', participantId: 'lobby-1', displayName: 'Ann' },
    );
    expect(mod.lobbyRequests.map((r) => r.displayName)).toEqual(['Ann', 'Ben']);
    const after = apply(mod, { type: 'lobby-left', participantId: 'lobby-1', reason: 'admitted' });
    expect(after.lobbyRequests).toEqual([{ participantId: 'lobby-2', displayName: 'Ben' }]);
  });
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

describe('layouts', () => {
  const screenOn = (id: string, screen = true): ServerMessage => ({ type: 'media-state', participantId: id, audio: true, video: true, screen });

  it('a remote screen share switches the grid to the speaker layout, and back when the last share ends', () => {
    let s = apply(initialCallState, joined('me', [person('a'), person('b')]));
    s = apply(s, screenOn('a'));
    expect(s).toMatchObject({ layout: 'speaker', layoutAuto: true, latestScreenShareId: 'a' });
    s = apply(s, screenOn('b'));
    expect(s.latestScreenShareId).toBe('b');
    expect(stageTile(selectTiles(s), s)?.key).toBe('b:screen');
    s = apply(s, screenOn('b', false));
    expect(s).toMatchObject({ layout: 'speaker', latestScreenShareId: null });
    expect(stageTile(selectTiles(s), s)?.key).toBe('a:screen');
    s = apply(s, { type: 'participant-left', participantId: 'a' });
    expect(s).toMatchObject({ layout: 'grid', layoutAuto: false });
  });

  it('joining a call with a share going on shows the share on the stage', () => {
    const s = apply(initialCallState, joined('me', [person('a'), person('b', { screen: true })]));
    expect(s).toMatchObject({ layout: 'speaker', layoutAuto: true, latestScreenShareId: 'b' });
    // a resume with the same share changes nothing
    expect(apply({ ...s, layout: 'grid', layoutAuto: false }, joined('me', [person('a'), person('b', { screen: true })])).layout).toBe('grid');
  });

  it('leaves a layout we chose ourselves alone', () => {
    let s = apply({ ...initialCallState, layout: 'speaker' as const }, joined('me', [person('a')]));
    s = apply(s, screenOn('a'));
    expect(s.layoutAuto).toBe(false);
    s = apply(s, screenOn('a', false));
    expect(s.layout).toBe('speaker');
  });

  it('keeps the speaker layout while a tile is pinned, and forgets pins whose tile went away', () => {
    let s = apply(initialCallState, joined('me', [person('a'), person('b')]));
    s = apply(s, screenOn('a'));
    s = { ...s, pinned: 'b:camera' };
    s = apply(s, screenOn('a', false));
    expect(s.layout).toBe('speaker');
    s = apply(s, { type: 'participant-left', participantId: 'b' });
    expect(s.pinned).toBeNull();
    s = apply({ ...s, pinned: 'a:screen' }, screenOn('a'));
    s = apply(s, screenOn('a', false));
    expect(s.pinned).toBeNull();
  });

  it('chooses the stage: pinned, else a remote share, else the last remote speaker, else the first remote camera', () => {
    let s = apply(initialCallState, joined('me', [person('a'), person('b'), person('c')]));
    const stage = () => stageTile(selectTiles(s), s)?.key;
    expect(stage()).toBe('a:camera');
    s = apply(s, { type: 'dominant-speaker', participantId: 'c' });
    expect(stage()).toBe('c:camera');
    s = apply(s, { type: 'dominant-speaker', participantId: 'me' });
    expect(s.lastRemoteSpeakerId).toBe('c');
    expect(stage()).toBe('c:camera');
    s = apply(s, screenOn('b'));
    expect(stage()).toBe('b:screen');
    s = { ...s, pinned: 'me:camera' };
    expect(stage()).toBe('me:camera');
    s = { ...s, pinned: 'gone:camera' };
    expect(stage()).toBe('b:screen');
    const alone = apply(initialCallState, joined('me', []));
    expect(stageTile(selectTiles(alone), alone)?.key).toBe('me:camera');
    expect(stageTile([], alone)).toBeNull();
  });

  it('names sources from the offer, else by the focus naming rule, and marks what the bridge forwards', () => {
    let s = apply(initialCallState, joined('me', [person('a'), person('b', { screen: true })]));
    s = { ...s, sourceNames: { 'a-cam': { participantId: 'a', kind: 'camera' } } };
    expect(sourceNameFor(s.sourceNames, 'a', 'camera')).toBe('a-cam');
    expect(sourceNameFor(s.sourceNames, 'b', 'screen')).toBe('b-v1');
    expect(selectTiles(s).map((t) => [t.key, t.sourceName, t.forwarded])).toEqual([
      ['me:camera', null, null],
      ['a:camera', 'a-cam', null],
      ['b:camera', 'b-v0', null],
      ['b:screen', 'b-v1', null],
    ]);
    s = { ...s, forwardedSources: ['b-v1'] };
    expect(selectTiles(s).map((t) => t.forwarded)).toEqual([null, false, false, true]);
    // names of people who left are forgotten
    s = apply(s, { type: 'participant-left', participantId: 'a' });
    expect(s.sourceNames).toEqual({});
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

  it('a smaller page size keeps us on a page that exists', () => {
    const store = useCallStore.getState();
    store.applyServerMessage(joined('me', [person('a'), person('b')]));
    store.setPageSize(1);
    useCallStore.getState().setPage(2);
    expect(useCallStore.getState().page).toBe(2);
    useCallStore.getState().setPageSize(2);
    expect(useCallStore.getState()).toMatchObject({ pageSize: 2, page: 1 });
    useCallStore.getState().setPageSize(99);
    expect(useCallStore.getState()).toMatchObject({ pageSize: 12, page: 0 });
    useCallStore.getState().applyServerMessage({ type: 'participant-left', participantId: 'b' });
    expect(useCallStore.getState().page).toBe(0);
  });

  it('toggling back to the grid unpins; pinning a tile opens the speaker layout', () => {
    const store = useCallStore.getState();
    store.applyServerMessage(joined('me', [person('a')]));
    useCallStore.getState().togglePin('a:camera');
    expect(useCallStore.getState()).toMatchObject({ layout: 'speaker', pinned: 'a:camera' });
    useCallStore.getState().toggleLayout();
    expect(useCallStore.getState()).toMatchObject({ layout: 'grid', pinned: null });
  });

  it('does not notify anyone for a report that changes nothing', () => {
    let calls = 0;
    const stop = useCallStore.subscribe(() => calls++);
    const tile = { participantId: 'a', kind: 'camera' as const, self: false, maxHeight: 360 };
    useCallStore.getState().setRenderedTile('a:camera', tile);
    useCallStore.getState().setRenderedTile('a:camera', { ...tile });
    useCallStore.getState().setRenderedTile('b:camera', null);
    useCallStore.getState().setSourceName('a-v0', { participantId: 'a', kind: 'camera' });
    useCallStore.getState().setSourceName('a-v0', { participantId: 'a', kind: 'camera' });
    stop();
    expect(calls).toBe(2);
  });

  it('setPage stays within the pages that exist', () => {
    const store = useCallStore.getState();
    store.applyServerMessage(joined('me', Array.from({ length: 14 }, (_, i) => person(`p${i}`))));
    useCallStore.getState().setPage(5);
    expect(useCallStore.getState().page).toBe(1);
  });
});
