import { create } from 'zustand';
import { describeError, type ConnectionFailure, type ConnectionState, type ParticipantInfo, type ServerMessage } from '../protocol';

export const PAGE_SIZE = 12;
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

export interface CallState {
  connection: ConnectionState;
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
}

export const initialCallState: CallState = {
  connection: 'idle',
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
      return {
        selfId: msg.participantId,
        moderator: msg.moderator,
        participants,
        order,
        remoteStreams,
        failure: null,
      };
    }
    case 'participant-joined': {
      const p = msg.participant;
      if (p.participantId === state.selfId) return {};
      const order = state.order.includes(p.participantId) ? state.order : [...state.order, p.participantId];
      return { participants: { ...state.participants, [p.participantId]: p }, order };
    }
    case 'participant-left': {
      if (!state.participants[msg.participantId]) return {};
      const participants = { ...state.participants };
      delete participants[msg.participantId];
      const remoteStreams = { ...state.remoteStreams };
      delete remoteStreams[msg.participantId];
      const order = state.order.filter((id) => id !== msg.participantId);
      const dominantSpeakerId = state.dominantSpeakerId === msg.participantId ? null : state.dominantSpeakerId;
      const pageCount = Math.max(1, Math.ceil((order.length + 1) / PAGE_SIZE));
      return { participants, remoteStreams, order, dominantSpeakerId, page: Math.min(state.page, pageCount - 1) };
    }
    case 'media-state': {
      if (msg.participantId === state.selfId) return {};
      const existing = state.participants[msg.participantId];
      if (!existing) return {};
      return {
        participants: {
          ...state.participants,
          [msg.participantId]: { ...existing, audio: msg.audio, video: msg.video, screen: msg.screen },
        },
      };
    }
    case 'dominant-speaker':
      return { dominantSpeakerId: msg.participantId };
    case 'chat': {
      // Our own lines were shown when sent (addOwnChat); the server's echo is not shown twice.
      if (msg.from === state.selfId) return {};
      const name = msg.displayName ?? state.participants[msg.from]?.displayName ?? 'Guest';
      return addChat(state, { from: msg.from, displayName: name, text: msg.text, ts: msg.ts, self: false });
    }
    case 'muted':
      return { local: { ...state.local, audio: false }, notice: 'A moderator muted your microphone.' };
    case 'error':
      return { notice: describeError(msg.code, msg.message) };
    default:
      return {};
  }
}

export type TileKind = 'camera' | 'screen';
export type StreamKind = TileKind | 'audio';

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
  };
}

export function selectTiles(state: TileInputs): Tile[] {
  const tiles: Tile[] = [];
  const selfId = state.selfId ?? 'self';
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
    });
  }
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
      });
    }
  }
  return tiles;
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
  setPage: (page) => set({ page: paginate(selectTiles(get()), page).page }),
  dismissNotice: () => set({ notice: null }),
  reset: () => set({ ...initialCallState }),
}));
