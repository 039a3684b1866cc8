import { create } from 'zustand';
import { describeError, type ConnectionFailure, type ConnectionState, type ParticipantInfo, type ServerMessage } from '../protocol';
import { MAX_PAGE_SIZE } from './layout';

/** Tiles per grid page when the grid could not be measured; a measured grid fits fewer (see layout.ts). */
export const PAGE_SIZE = MAX_PAGE_SIZE;
export const MAX_CHAT_MESSAGES = 500;

export interface ChatEntry {
  id: number;
  from: string;
  displayName: string;
  text: string;
  ts: number;
  self: boolean;
}

export interface LocalMedia {
  audio: boolean;
  video: boolean;
  screen: boolean;
  audioOnly: boolean;
}

export interface RemoteStreams {
  camera?: MediaStream;
  screen?: MediaStream;
  /** Played by a hidden audio element, so audio continues for participants on other grid pages. */
  audio?: MediaStream;
}

/** Grid: every tile alike, paginated. Speaker: one tile large on the stage, the others in a filmstrip. */
export type Layout = 'grid' | 'speaker';

export type TileKind = 'camera' | 'screen';
export type StreamKind = TileKind | 'audio';

/** Whose a remote video source is (learnt from the offer's msid). */
export interface SourceOwner {
  participantId: string;
  kind: TileKind;
}

/** A tile that is on screen now, and the level its rendered height asks for (null: not measured yet). */
export interface RenderedTile {
  participantId: string;
  kind: TileKind;
  self: boolean;
  maxHeight: number | null;
}

/** Someone waiting in the lobby, as moderators see them. */
export interface LobbyRequest {
  participantId: string;
  displayName: string;
}

export interface CallState {
  connection: ConnectionState;
  /** While we wait in the lobby (not in the call yet): our waiter id and whether a moderator is there. */
  lobby: { participantId: string; moderatorPresent: boolean } | null;
  /** For moderators: who waits in the lobby, in the order they knocked. */
  lobbyRequests: LobbyRequest[];
  failure: ConnectionFailure | null;
  /** The last non-fatal error the server sent (shown as a dismissible notice). */
  notice: string | null;
  selfId: string | null;
  selfName: string;
  moderator: boolean;
  participants: Record<string, ParticipantInfo>;
  /** Join order of remote participants (the grid keeps it stable). */
  order: string[];
  local: LocalMedia;
  localStream: MediaStream | null;
  localScreen: MediaStream | null;
  remoteStreams: Record<string, RemoteStreams>;
  dominantSpeakerId: string | null;
  chat: ChatEntry[];
  unreadChat: number;
  chatOpen: boolean;
  participantsOpen: boolean;
  page: number;
  /** Grid tiles per page: as many readable tiles as the window fits, at most 12. */
  pageSize: number;
  layout: Layout;
  /** The speaker layout was chosen by a remote screen share, not by us: back to the grid when shares end. */
  layoutAuto: boolean;
  /** The tile key we pinned to the stage. */
  pinned: string | null;
  /** The remote participant who started sharing their screen last. */
  latestScreenShareId: string | null;
  /** The last remote participant the bridge called the dominant speaker (the stage keeps them). */
  lastRemoteSpeakerId: string | null;
  /** Source names from the offers' msid lines, with their owner. */
  sourceNames: Record<string, SourceOwner>;
  /** What the bridge says it forwards to us; null until it has said anything. */
  forwardedSources: string[] | null;
  /** The tiles on screen now, by tile key (reported by the tiles themselves). */
  renderedTiles: Record<string, RenderedTile>;
  /** A moderator muted our microphone / camera at the bridge: we cannot turn it on until allowed. */
  forceMuted: { audio: boolean; video: boolean };
  /** When our hand went up (server ms, orders the hands); null while it is down. */
  handRaisedAt: number | null;
}

export const initialCallState: CallState = {
  connection: 'idle',
  lobby: null,
  lobbyRequests: [],
  failure: null,
  notice: null,
  selfId: null,
  selfName: '',
  moderator: false,
  participants: {},
  order: [],
  local: { audio: true, video: true, screen: false, audioOnly: false },
  localStream: null,
  localScreen: null,
  remoteStreams: {},
  dominantSpeakerId: null,
  chat: [],
  unreadChat: 0,
  chatOpen: false,
  participantsOpen: false,
  page: 0,
  pageSize: PAGE_SIZE,
  layout: 'grid',
  layoutAuto: false,
  pinned: null,
  latestScreenShareId: null,
  lastRemoteSpeakerId: null,
  sourceNames: {},
  forwardedSources: null,
  renderedTiles: {},
  forceMuted: { audio: false, video: false },
  handRaisedAt: null,
};

let chatSeq = 0;

function addChat(state: CallState, entry: Omit<ChatEntry, 'id'>): Partial<CallState> {
  const chat = [...state.chat, { ...entry, id: ++chatSeq }].slice(-MAX_CHAT_MESSAGES);
  return { chat, unreadChat: state.chatOpen || entry.self ? state.unreadChat : state.unreadChat + 1 };
}

/** Applies one server frame to the call state; pure, so the store is tested without React. */
export function reduceServerMessage(state: CallState, msg: ServerMessage): Partial<CallState> {
  switch (msg.type) {
    case 'joined': {
      const participants: Record<string, ParticipantInfo> = {};
      const order: string[] = [];
      for (const p of msg.participants) {
        if (p.participantId === msg.participantId) continue;
        participants[p.participantId] = p;
        order.push(p.participantId);
      }
      // Streams of participants who are still here survive a reconnect.
      const remoteStreams: Record<string, RemoteStreams> = {};
      for (const id of order) {
        const streams = state.remoteStreams[id];
        if (streams) remoteStreams[id] = streams;
      }
      const sharer = order.find((id) => participants[id]?.screen && !state.participants[id]?.screen);
      const sourceNames: Record<string, SourceOwner> = {};
      for (const [name, owner] of Object.entries(state.sourceNames)) {
        if (participants[owner.participantId]) sourceNames[name] = owner;
      }
      // A new identity (not a resume) starts unmoderated, hand down.
      const fresh = state.selfId !== msg.participantId;
      return {
        ...(fresh ? { forceMuted: initialCallState.forceMuted, handRaisedAt: null } : {}),
        lobby: null,
        selfId: msg.participantId,
        moderator: msg.moderator,
        participants,
        order,
        remoteStreams,
        sourceNames,
        failure: null,
        // Someone already sharing when we join (or resume) goes on the stage as if they had just started.
        ...(sharer ? screenShareStarted(state, sharer) : afterScreenShares({ ...state, participants })),
      };
    }
    case 'participant-joined': {
      const p = msg.participant;
      if (p.participantId === state.selfId) return {};
      const order = state.order.includes(p.participantId) ? state.order : [...state.order, p.participantId];
      const participants = { ...state.participants, [p.participantId]: p };
      const sharing = p.screen && !state.participants[p.participantId]?.screen;
      return { participants, order, ...(sharing ? screenShareStarted(state, p.participantId) : {}) };
    }
    case 'participant-left': {
      if (!state.participants[msg.participantId]) return {};
      const participants = { ...state.participants };
      delete participants[msg.participantId];
      const remoteStreams = { ...state.remoteStreams };
      delete remoteStreams[msg.participantId];
      const order = state.order.filter((id) => id !== msg.participantId);
      const gone = (id: string | null) => (id === msg.participantId ? null : id);
      const sourceNames = Object.fromEntries(
        Object.entries(state.sourceNames).filter(([, o]) => o.participantId !== msg.participantId),
      );
      const pinned = state.pinned?.startsWith(`${msg.participantId}:`) ? null : state.pinned;
      const pageCount = Math.max(1, Math.ceil((order.length + 1) / state.pageSize));
      return {
        participants,
        remoteStreams,
        order,
        sourceNames,
        pinned,
        dominantSpeakerId: gone(state.dominantSpeakerId),
        lastRemoteSpeakerId: gone(state.lastRemoteSpeakerId),
        page: Math.min(state.page, pageCount - 1),
        ...afterScreenShares({ ...state, participants, pinned }),
      };
    }
    case 'media-state': {
      if (msg.participantId === state.selfId) return {};
      const existing = state.participants[msg.participantId];
      if (!existing) return {};
      const participants = {
        ...state.participants,
        [msg.participantId]: { ...existing, audio: msg.audio, video: msg.video, screen: msg.screen },
      };
      if (msg.screen && !existing.screen) return { participants, ...screenShareStarted(state, msg.participantId) };
      if (!msg.screen && existing.screen) {
        const pinned = state.pinned === `${msg.participantId}:screen` ? null : state.pinned;
        return { participants, pinned, ...afterScreenShares({ ...state, participants, pinned }) };
      }
      return { participants };
    }
    case 'dominant-speaker': {
      const id = msg.participantId;
      const remote = id !== null && id !== state.selfId && state.participants[id] !== undefined;
      return { dominantSpeakerId: id, lastRemoteSpeakerId: remote ? id : state.lastRemoteSpeakerId };
    }
    case 'chat': {
      // Our own lines were shown when sent (addOwnChat); the server's echo is not shown twice.
      if (msg.from === state.selfId) return {};
      const name = msg.displayName ?? state.participants[msg.from]?.displayName ?? 'Guest';
      return addChat(state, { from: msg.from, displayName: name, text: msg.text, ts: msg.ts, self: false });
    }
    case 'muted':
      return { local: { ...state.local, audio: false }, notice: 'A moderator muted your microphone.' };
    case 'force-muted': {
      if (msg.participantId === state.selfId) {
        const before = state.forceMuted;
        const local = { ...state.local, audio: state.local.audio && !msg.audio, video: state.local.video && !msg.video };
        let notice = state.notice;
        if ((msg.audio && !before.audio) || (msg.video && !before.video)) {
          const what = msg.audio && msg.video ? 'microphone and camera' : msg.audio ? 'microphone' : 'camera';
          notice = `A moderator muted your ${what}. Raise your hand to ask to speak.`;
        } else if ((!msg.audio && before.audio) || (!msg.video && before.video)) {
          notice = 'A moderator allowed you to unmute.';
        }
        return { forceMuted: { audio: msg.audio, video: msg.video }, local, notice };
      }
      const p = state.participants[msg.participantId];
      if (!p) return {};
      const updated: ParticipantInfo = {
        ...p,
        audio: p.audio && !msg.audio,
        video: p.video && !msg.video,
        audioForceMuted: msg.audio,
        videoForceMuted: msg.video,
      };
      return { participants: { ...state.participants, [p.participantId]: updated } };
    }
    case 'hand-raised': {
      const at = msg.raised ? (msg.raisedAt ?? Date.now()) : undefined;
      if (msg.participantId === state.selfId) return { handRaisedAt: at ?? null };
      const p = state.participants[msg.participantId];
      if (!p) return {};
      const updated: ParticipantInfo = { ...p };
      if (at === undefined) delete updated.handRaisedAt;
      else updated.handRaisedAt = at;
      return { participants: { ...state.participants, [p.participantId]: updated } };
    }
    case 'lobby-waiting':
      return { lobby: { participantId: msg.participantId, moderatorPresent: msg.moderatorPresent } };
    case 'lobby-request':
      if (state.lobbyRequests.some((r) => r.participantId === msg.participantId)) return {};
      return {
        lobbyRequests: [...state.lobbyRequests, { participantId: msg.participantId, displayName: msg.displayName }],
      };
    case 'lobby-left':
      return { lobbyRequests: state.lobbyRequests.filter((r) => r.participantId !== msg.participantId) };
    case 'error':
      return { notice: describeError(msg.code, msg.message) };
    default:
      return {};
  }
}

/** A remote screen share went on: it goes on the stage, like Jitsi (the grid gives way to the speaker layout). */
function screenShareStarted(state: CallState, participantId: string): Partial<CallState> {
  const patch: Partial<CallState> = { latestScreenShareId: participantId };
  if (state.layout === 'grid') {
    patch.layout = 'speaker';
    patch.layoutAuto = true;
  }
  return patch;
}

/** After a share ended or its owner left: forget it, and leave a layout only the share had chosen. */
function afterScreenShares(state: CallState): Partial<CallState> {
  const sharing = (id: string | null) => id !== null && state.participants[id]?.screen === true;
  const anyShare = Object.values(state.participants).some((p) => p.screen);
  const patch: Partial<CallState> = {};
  if (!sharing(state.latestScreenShareId)) patch.latestScreenShareId = null;
  if (state.layoutAuto && !anyShare && state.pinned === null) {
    patch.layout = 'grid';
    patch.layoutAuto = false;
  }
  return patch;
}

export interface Tile {
  key: string;
  participantId: string;
  kind: TileKind;
  displayName: string;
  audio: boolean;
  video: boolean;
  self: boolean;
  speaking: boolean;
  stream: MediaStream | null;
  /** The bridge's name of this remote source (`<participantId>-v0` / `-v1`); null for our own tiles. */
  sourceName: string | null;
  /** Whether the bridge forwards this source to us; null: it has not said (or our own tile). */
  forwarded: boolean | null;
  /** A moderator muted this participant's microphone / camera at the bridge. */
  audioForceMuted: boolean;
  videoForceMuted: boolean;
  /** Its place among the raised hands (1 = first); null while its hand is down. */
  hand: number | null;
}

/** Grid tiles: self first, then remote participants in join order; screen shares as extra tiles. */
export type TileInputs = Pick<
  CallState,
  | 'selfId'
  | 'selfName'
  | 'local'
  | 'localStream'
  | 'localScreen'
  | 'participants'
  | 'order'
  | 'remoteStreams'
  | 'dominantSpeakerId'
  | 'sourceNames'
  | 'forwardedSources'
  | 'forceMuted'
  | 'handRaisedAt'
>;

export function pickTileInputs(s: CallState): TileInputs {
  return {
    selfId: s.selfId,
    selfName: s.selfName,
    local: s.local,
    localStream: s.localStream,
    localScreen: s.localScreen,
    participants: s.participants,
    order: s.order,
    remoteStreams: s.remoteStreams,
    dominantSpeakerId: s.dominantSpeakerId,
    sourceNames: s.sourceNames,
    forwardedSources: s.forwardedSources,
    forceMuted: s.forceMuted,
    handRaisedAt: s.handRaisedAt,
  };
}

/** The raised hands in the order they went up: participant ids (ours as `selfId`). */
export function raisedHands(
  state: Pick<CallState, 'selfId' | 'handRaisedAt' | 'participants'>,
): string[] {
  const hands: [string, number][] = [];
  if (state.handRaisedAt !== null && state.selfId !== null) hands.push([state.selfId, state.handRaisedAt]);
  for (const p of Object.values(state.participants)) {
    if (p.handRaisedAt !== undefined) hands.push([p.participantId, p.handRaisedAt]);
  }
  return hands.sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0])).map(([id]) => id);
}

/**
 * The bridge's name for a remote participant's camera or screen: the name an offer's msid gave it, else
 * the focus's naming rule (CONTRACTS.md: `<endpointId>-v0` camera, `-v1` screen), so constraints can
 * name a source before its track has arrived.
 */
export function sourceNameFor(
  sourceNames: Record<string, SourceOwner>,
  participantId: string,
  kind: TileKind,
): string {
  for (const [name, owner] of Object.entries(sourceNames)) {
    if (owner.participantId === participantId && owner.kind === kind) return name;
  }
  return `${participantId}-${kind === 'screen' ? 'v1' : 'v0'}`;
}

export function selectTiles(state: TileInputs): Tile[] {
  const tiles: Tile[] = [];
  const selfId = state.selfId ?? 'self';
  const hands = raisedHands(state);
  const hand = (id: string) => (hands.includes(id) ? hands.indexOf(id) + 1 : null);
  const noModeration = { audioForceMuted: false, videoForceMuted: false, hand: null };
  tiles.push({
    key: `${selfId}:camera`,
    participantId: selfId,
    kind: 'camera',
    displayName: state.selfName ? `${state.selfName} (you)` : 'You',
    audio: state.local.audio,
    video: state.local.video && !state.local.audioOnly,
    self: true,
    speaking: state.dominantSpeakerId === state.selfId && state.selfId !== null,
    stream: state.localStream,
    sourceName: null,
    forwarded: null,
    audioForceMuted: state.forceMuted.audio,
    videoForceMuted: state.forceMuted.video,
    hand: state.selfId === null ? null : hand(state.selfId),
  });
  if (state.local.screen) {
    tiles.push({
      key: `${selfId}:screen`,
      participantId: selfId,
      kind: 'screen',
      displayName: 'Your screen',
      audio: false,
      video: true,
      self: true,
      speaking: false,
      stream: state.localScreen,
      sourceName: null,
      forwarded: null,
      ...noModeration,
    });
  }
  const forwarded = state.forwardedSources === null ? null : new Set(state.forwardedSources);
  const remote = (id: string, kind: TileKind) => {
    const sourceName = sourceNameFor(state.sourceNames, id, kind);
    return { sourceName, forwarded: forwarded === null ? null : forwarded.has(sourceName) };
  };
  for (const id of state.order) {
    const p = state.participants[id];
    if (!p) continue;
    const streams = state.remoteStreams[id] ?? {};
    const name = p.displayName || 'Guest';
    tiles.push({
      key: `${id}:camera`,
      participantId: id,
      kind: 'camera',
      displayName: name,
      audio: p.audio,
      video: p.video && !state.local.audioOnly,
      self: false,
      speaking: state.dominantSpeakerId === id,
      stream: streams.camera ?? null,
      ...remote(id, 'camera'),
      audioForceMuted: p.audioForceMuted === true,
      videoForceMuted: p.videoForceMuted === true,
      hand: hand(id),
    });
    if (p.screen) {
      tiles.push({
        key: `${id}:screen`,
        participantId: id,
        kind: 'screen',
        displayName: `${name}'s screen`,
        audio: false,
        video: !state.local.audioOnly,
        self: false,
        speaking: false,
        stream: streams.screen ?? null,
        ...remote(id, 'screen'),
        ...noModeration,
      });
    }
  }
  return tiles;
}

export type StageInputs = Pick<CallState, 'pinned' | 'latestScreenShareId' | 'lastRemoteSpeakerId'>;

/**
 * The tile on the stage of the speaker layout: the pinned tile, else a remote screen share (the latest
 * started), else the last remote dominant speaker, else the first remote camera, else our own camera.
 */
export function stageTile(tiles: Tile[], s: StageInputs): Tile | null {
  const pinned = s.pinned === null ? undefined : tiles.find((t) => t.key === s.pinned);
  if (pinned) return pinned;
  const screens = tiles.filter((t) => !t.self && t.kind === 'screen');
  const screen = screens.find((t) => t.participantId === s.latestScreenShareId) ?? screens[0];
  if (screen) return screen;
  const speaker = tiles.find((t) => !t.self && t.kind === 'camera' && t.participantId === s.lastRemoteSpeakerId);
  if (speaker) return speaker;
  return tiles.find((t) => !t.self && t.kind === 'camera') ?? tiles[0] ?? null;
}

export interface Page<T> {
  items: T[];
  page: number;
  pageCount: number;
}

export function paginate<T>(items: T[], page: number, pageSize = PAGE_SIZE): Page<T> {
  const pageCount = Math.max(1, Math.ceil(items.length / pageSize));
  const current = Math.min(Math.max(0, Math.floor(page)), pageCount - 1);
  return { items: items.slice(current * pageSize, (current + 1) * pageSize), page: current, pageCount };
}

export interface CallActions {
  applyServerMessage(msg: ServerMessage): void;
  setConnection(state: ConnectionState, failure?: ConnectionFailure): void;
  setSelfName(name: string): void;
  setLocalMedia(patch: Partial<LocalMedia>): void;
  setLocalStream(stream: MediaStream | null): void;
  setLocalScreen(stream: MediaStream | null): void;
  setRemoteStream(participantId: string, kind: StreamKind, stream: MediaStream | null): void;
  addOwnChat(text: string): void;
  toggleChat(): void;
  toggleParticipants(): void;
  closePanels(): void;
  setPage(page: number): void;
  setPageSize(pageSize: number): void;
  /** Grid ⇄ speaker layout; the grid has no pinned tile. */
  toggleLayout(): void;
  /** Pins a tile to the stage (switching to the speaker layout), or unpins the pinned one. */
  togglePin(tileKey: string): void;
  setForwardedSources(sources: string[] | null): void;
  setSourceName(sourceName: string, owner: SourceOwner): void;
  /** A tile reports itself on screen (with the level of its height) or gone (null). */
  setRenderedTile(tileKey: string, tile: RenderedTile | null): void;
  dismissNotice(): void;
  reset(): void;
}

export type CallStore = CallState & CallActions;

export const useCallStore = create<CallStore>()((set, get) => ({
  ...initialCallState,
  applyServerMessage: (msg) => set((s) => reduceServerMessage(s, msg)),
  setConnection: (connection, failure) => set({ connection, failure: failure ?? null }),
  setSelfName: (selfName) => set({ selfName }),
  setLocalMedia: (patch) => set((s) => ({ local: { ...s.local, ...patch } })),
  setLocalStream: (localStream) => set({ localStream }),
  setLocalScreen: (localScreen) => set({ localScreen }),
  setRemoteStream: (participantId, kind, stream) =>
    set((s) => {
      const current = { ...(s.remoteStreams[participantId] ?? {}) };
      if (stream) current[kind] = stream;
      else delete current[kind];
      return { remoteStreams: { ...s.remoteStreams, [participantId]: current } };
    }),
  addOwnChat: (text) =>
    set((s) =>
      addChat(s, { from: s.selfId ?? 'self', displayName: s.selfName || 'You', text, ts: Date.now(), self: true }),
    ),
  toggleChat: () => set((s) => ({ chatOpen: !s.chatOpen, unreadChat: s.chatOpen ? s.unreadChat : 0 })),
  toggleParticipants: () => set((s) => ({ participantsOpen: !s.participantsOpen })),
  closePanels: () => set({ chatOpen: false, participantsOpen: false }),
  setPage: (page) => set((s) => ({ page: paginate(selectTiles(get()), page, s.pageSize).page })),
  setPageSize: (n) =>
    set((s) => {
      const pageSize = Math.max(1, Math.min(MAX_PAGE_SIZE, Math.floor(n) || 1));
      if (pageSize === s.pageSize) return s; // unchanged: no store notification
      return { pageSize, page: paginate(selectTiles(s), s.page, pageSize).page };
    }),
  toggleLayout: () =>
    set((s) => (s.layout === 'grid' ? { layout: 'speaker', layoutAuto: false } : { layout: 'grid', layoutAuto: false, pinned: null })),
  togglePin: (tileKey) =>
    set((s) => (s.pinned === tileKey ? { pinned: null } : { pinned: tileKey, layout: 'speaker', layoutAuto: false })),
  setForwardedSources: (forwardedSources) => set({ forwardedSources }),
  setSourceName: (name, owner) =>
    set((s) => {
      const known = s.sourceNames[name];
      if (known && known.participantId === owner.participantId && known.kind === owner.kind) return s; // unchanged: no store notification
      return { sourceNames: { ...s.sourceNames, [name]: owner } };
    }),
  setRenderedTile: (key, tile) =>
    set((s) => {
      const known = s.renderedTiles[key];
      if (tile === null) {
        if (!known) return s; // unchanged: no store notification
        const renderedTiles = { ...s.renderedTiles };
        delete renderedTiles[key];
        return { renderedTiles };
      }
      if (
        known &&
        known.maxHeight === tile.maxHeight &&
        known.participantId === tile.participantId &&
        known.kind === tile.kind &&
        known.self === tile.self
      ) {
        return s; // unchanged: no store notification
      }
      return { renderedTiles: { ...s.renderedTiles, [key]: tile } };
    }),
  dismissNotice: () => set({ notice: null }),
  reset: () => set({ ...initialCallState }),
}));
