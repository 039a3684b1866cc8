import { create } from 'zustand';
import type { StreamQuality } from '../media/connectionQuality';

/** Connection quality per tile and the audio-only suggestion, apart from the call store (updated every 2 s). */
export interface QualityState {
  /** By tile key (`<participantId>:camera|screen`, our own with our id or `self`). */
  tiles: Record<string, StreamQuality>;
  /** The bridge's last downlink estimate for us (ConnectionStats), kbit/s; null until it said one. */
  downlinkEstimateKbps: number | null;
  /** The estimate the audio-only suggestion judged last, kbit/s (shown for debugging). */
  bandwidthEstimateKbps: number | null;
  suggestAudioOnly: boolean;
}

export interface QualityActions {
  setTiles(tiles: Record<string, StreamQuality>): void;
  setDownlinkEstimate(kbps: number | null): void;
  setSuggestion(suggest: boolean, estimateKbps: number | null): void;
  reset(): void;
}

export const initialQualityState: QualityState = {
  tiles: {},
  downlinkEstimateKbps: null,
  bandwidthEstimateKbps: null,
  suggestAudioOnly: false,
};

export const useQualityStore = create<QualityState & QualityActions>()((set) => ({
  ...initialQualityState,
  setTiles: (tiles) => set({ tiles }),
  setDownlinkEstimate: (downlinkEstimateKbps) => set({ downlinkEstimateKbps }),
  setSuggestion: (suggestAudioOnly, bandwidthEstimateKbps) =>
    set((s) =>
      s.suggestAudioOnly === suggestAudioOnly && s.bandwidthEstimateKbps === bandwidthEstimateKbps
        ? s
        : { suggestAudioOnly, bandwidthEstimateKbps },
    ),
  reset: () => set({ ...initialQualityState }),
}));
