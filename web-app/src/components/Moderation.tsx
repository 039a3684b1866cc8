import { createContext, useContext } from 'react';
import type { ModerateAction, ModeratedMedia } from '../protocol';
import { useCallStore, type Tile } from '../store/callStore';
import styles from './Call.module.css';

/** What moderator controls ask for; the call page provides it (the controller sends the frame). */
export interface ModerationActions {
  moderate(action: ModerateAction, participantId: string, media?: ModeratedMedia): void;
}

export const ModerationContext = createContext<ModerationActions | null>(null);

/** A raised hand on a tile or in the list, with its place in the queue (1 = first). */
export function HandBadge({ hand }: { hand: number | null }) {
  if (hand === null) return null;
  return (
    <span className={styles.badge} data-testid="hand-raised-indicator" data-hand-order={hand} title={`Hand raised (#${hand})`}>
      hand #{hand}
    </span>
  );
}

/** "muted by a moderator" badges for a tile. */
export function ForceMuteBadges({ tile }: { tile: Tile }) {
  return (
    <>
      {tile.audioForceMuted && (
        <span className={styles.badge} data-testid="mic-force-muted-indicator" title="A moderator muted the microphone">
          mic muted by moderator
        </span>
      )}
      {tile.videoForceMuted && (
        <span className={styles.badge} data-testid="cam-force-muted-indicator" title="A moderator turned the camera off">
          cam off by moderator
        </span>
      )}
    </>
  );
}

/** A moderator's buttons on another participant's camera tile: mute / allow audio and video, lower hand, remove. */
export function TileModeration({ tile }: { tile: Tile }) {
  const moderator = useCallStore((s) => s.moderator);
  const actions = useContext(ModerationContext);
  if (!moderator || !actions || tile.self || tile.kind !== 'camera') return null;
  const id = tile.participantId;
  const name = tile.displayName;
  const button = (label: string, aria: string, testId: string, run: () => void) => (
    <button
      type="button"
      className={styles.small}
      aria-label={aria}
      data-testid={`${testId}-${id}`}
      onClick={(e) => {
        e.stopPropagation();
        run();
      }}
    >
      {label}
    </button>
  );
  return (
    <div className={styles.tileModeration} role="group" aria-label={`Moderate ${name}`}>
      {tile.audioForceMuted
        ? button('Allow mic', `Allow ${name} to unmute`, 'tile-allow-audio', () => actions.moderate('allow-unmute', id, 'audio'))
        : button('Mute mic', `Mute ${name}'s microphone`, 'tile-mute-audio', () => actions.moderate('mute', id, 'audio'))}
      {tile.videoForceMuted
        ? button('Allow cam', `Allow ${name} to turn the camera on`, 'tile-allow-video', () =>
            actions.moderate('allow-unmute', id, 'video'),
          )
        : button('Stop cam', `Turn ${name}'s camera off`, 'tile-mute-video', () => actions.moderate('mute', id, 'video'))}
      {tile.hand !== null &&
        button('Lower hand', `Lower ${name}'s hand`, 'tile-lower-hand', () => actions.moderate('lower-hand', id))}
      {button('Remove', `Remove ${name} from the meeting`, 'tile-kick', () => actions.moderate('kick', id))}
    </div>
  );
}
