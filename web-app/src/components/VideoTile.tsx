import type { Tile } from '../store/callStore';
import { VideoView } from './VideoView';
import styles from './Call.module.css';

function initials(name: string): string {
  const parts = name.replace(/\(you\)/, '').trim().split(/\s+/).filter(Boolean);
  return (parts[0]?.[0] ?? '?').toUpperCase() + (parts[1]?.[0] ?? '').toUpperCase();
}

export function VideoTile({ tile }: { tile: Tile }) {
  const showVideo = tile.video && tile.stream !== null && tile.stream.getVideoTracks().length > 0;
  const state = [
    tile.displayName,
    tile.kind === 'camera' && !tile.audio ? 'microphone off' : null,
    tile.kind === 'camera' && !tile.video ? 'camera off' : null,
    tile.speaking ? 'speaking' : null,
  ]
    .filter(Boolean)
    .join(', ');
  const classes = [styles.tile, tile.speaking ? styles.speaking : '', tile.kind === 'screen' ? styles.screenTile : '']
    .filter(Boolean)
    .join(' ');
  return (
    <figure
      className={classes}
      aria-label={state}
      data-testid={`tile-${tile.self ? 'self' : tile.participantId}-${tile.kind}`}
      data-participant-id={tile.participantId}
      data-kind={tile.kind}
      data-audio={String(tile.audio)}
      data-video={String(tile.video)}
      data-speaking={String(tile.speaking)}
    >
      {showVideo && tile.stream ? (
        <VideoView stream={tile.stream} muted mirrored={tile.self && tile.kind === 'camera'} testId="tile-video" />
      ) : (
        <div className={styles.avatar} aria-hidden="true">
          <span>{initials(tile.displayName)}</span>
        </div>
      )}
      <figcaption className={styles.caption}>
        <span className={styles.name}>{tile.displayName}</span>
        {tile.kind === 'camera' && !tile.audio && (
          <span className={styles.badge} data-testid="mic-off-indicator" title="Microphone off">
            mic off
          </span>
        )}
        {tile.kind === 'camera' && !tile.video && (
          <span className={styles.badge} data-testid="camera-off-indicator" title="Camera off">
            cam off
          </span>
        )}
      </figcaption>
    </figure>
  );
}
