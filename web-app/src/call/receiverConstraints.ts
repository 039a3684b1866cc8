import type { ReceiverVideoConstraints, VideoConstraint } from '../protocol';
import { selectTiles, sourceNameFor, stageTile, type CallState, type TileInputs } from '../store/callStore';

/** The level asked for a tile that is on screen but not measured yet (the measurement follows within a frame). */
export const UNMEASURED_LEVEL = 180;

export type ConstraintInputs = TileInputs &
  Pick<CallState, 'layout' | 'pinned' | 'latestScreenShareId' | 'lastRemoteSpeakerId' | 'renderedTiles'>;

/**
 * What we ask the bridge for, as jitsi-meet's tile and stage views do: every remote tile on screen by
 * the level of its rendered height, nothing else (`defaultConstraints` 0: tiles on other grid pages get
 * no video), the stage tile as on-stage source in the speaker layout, lastN 0 in audio-only mode.
 */
export function buildReceiverConstraints(s: ConstraintInputs): ReceiverVideoConstraints {
  const wanted = new Map<string, number>();
  for (const t of Object.values(s.renderedTiles)) {
    if (t.self) continue;
    const level = t.maxHeight ?? UNMEASURED_LEVEL;
    if (level <= 0) continue;
    const name = sourceNameFor(s.sourceNames, t.participantId, t.kind);
    wanted.set(name, Math.max(wanted.get(name) ?? 0, level));
  }
  // Sorted, so the same wishes always make the same message (the channel drops repeats).
  const constraints: Record<string, VideoConstraint> = {};
  for (const name of [...wanted.keys()].sort()) constraints[name] = { maxHeight: wanted.get(name)! };
  let onStageSources: string[] = [];
  if (s.layout === 'speaker') {
    const stage = stageTile(selectTiles(s), s);
    if (stage?.sourceName) onStageSources = [stage.sourceName];
  }
  return {
    lastN: s.local.audioOnly ? 0 : -1,
    onStageSources,
    selectedSources: [],
    defaultConstraints: { maxHeight: 0 },
    constraints,
  };
}
