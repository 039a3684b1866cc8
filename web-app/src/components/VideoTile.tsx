import { useEffect, useRef, useState, type RefObject } from 'react';
import { useCallStore, type Tile } from '../store/callStore';
import { qualityLevel } from '../store/layout';
import { VideoView } from './VideoView';
import { ForceMuteBadges, HandBadge, TileModeration } from './Moderation';
import { devicePixelRatio, observeSize } from './useElementSize';
import styles from './Call.module.css';
import { QualityIndicator } from './QualityIndicator';

function initials(name: string): string {
  const parts = name.replace(/\(you\)/, '').trim().split(/\s+/).filter(Boolean);
  return (parts[0]?.[0] ?? '?').toUpperCase() + (parts[1]?.[0] ?? '').toUpperCase();
}

export type TileVariant = 'grid' | 'stage' | 'thumbnail';

/**
 * Reports this tile as on screen for as long as it is mounted, with the quality level of its rendered
 * height (CSS px × device pixel ratio) once laid out; the call asks the bridge for exactly these.
 */
function useRenderedTile(ref: RefObject<HTMLElement | null>, tile: Tile): void {
  const setRenderedTile = useCallStore((s) => s.setRenderedTile);
  const { key, participantId, kind, self } = tile;
  useEffect(() => {
    const report = (maxHeight: number | null) => setRenderedTile(key, { participantId, kind, self, maxHeight });
    report(null);
    const stop = observeSize(ref.current, (_w, h) => report(qualityLevel(h * devicePixelRatio())));
    return () => {
      stop();
      setRenderedTile(key, null);
    };
  }, [ref, setRenderedTile, key, participantId, kind, self]);
}

/** How often a tile the bridge says it does not forward checks its video for new frames. */
export const FRAME_CHECK_MS = 300;
/** New frames within this long count as video arriving. */
export const FRAMES_FRESH_MS = 1000;

/**
 * Whether the tile's <video> presents new frames (checked only while `watch`). The bridge's
 * ForwardedSources can lag behind what it forwards (seen with JVB: "[]" sent last while the source's
 * frames kept arriving); frames that arrive are shown, a source that stops shows the avatar.
 */
function useFramesArriving(ref: RefObject<HTMLElement | null>, watch: boolean): boolean {
  const [arriving, setArriving] = useState(false);
  useEffect(() => {
    setArriving(false);
    if (!watch) return;
    const frames = () => ref.current?.querySelector('video')?.getVideoPlaybackQuality?.().totalVideoFrames;
    let last = frames();
    let lastNewAt = Number.NEGATIVE_INFINITY;
    const timer = setInterval(() => {
      const now = performance.now();
      const count = frames();
      if (count !== undefined && last !== undefined && count > last) lastNewAt = now;
      last = count;
      setArriving(now - lastNewAt < FRAMES_FRESH_MS);
    }, FRAME_CHECK_MS);
    return () => clearInterval(timer);
  }, [ref, watch]);
  return watch && arriving;
}

export function VideoTile({ tile, variant = 'grid', onStage = false }: { tile: Tile; variant?: TileVariant; onStage?: boolean }) {
  const ref = useRef<HTMLElement>(null);
  useRenderedTile(ref, tile);
  const pinned = useCallStore((s) => s.pinned === tile.key);
  const togglePin = useCallStore((s) => s.togglePin);
  const maxHeight = useCallStore((s) => s.renderedTiles[tile.key]?.maxHeight ?? null);
  const hasVideo = tile.video && tile.stream !== null && tile.stream.getVideoTracks().length > 0;
  const notForwarded = tile.forwarded === false;
  const arriving = useFramesArriving(ref, hasVideo && notForwarded);
  // Not forwarded: the avatar, not the last frame; the <video> stays (hidden) so that frames that do
  // arrive are noticed and shown.
  const showVideo = hasVideo && (!notForwarded || arriving);
  const state = [
    tile.displayName,
    tile.kind === 'camera' && !tile.audio ? 'microphone off' : null,
    tile.kind === 'camera' && !tile.video ? 'camera off' : null,
    hasVideo && !showVideo ? 'video paused' : null,
    tile.speaking ? 'speaking' : null,
    tile.hand !== null ? `hand raised (#${tile.hand})` : null,
    tile.audioForceMuted ? 'microphone muted by a moderator' : null,
  ]
    .filter(Boolean)
    .join(', ');
  const classes = [
    styles.tile,
    tile.speaking ? styles.speaking : '',
    tile.kind === 'screen' ? styles.screenTile : '',
    variant === 'thumbnail' ? styles.thumbnail : '',
    variant === 'stage' ? styles.stageTile : '',
  ]
    .filter(Boolean)
    .join(' ');
  const who = tile.self ? 'self' : tile.participantId;
  return (
    <figure
      ref={ref}
      className={classes}
      aria-label={state}
      data-testid={`tile-${who}-${tile.kind}`}
      data-participant-id={tile.participantId}
      data-kind={tile.kind}
      data-audio={String(tile.audio)}
      data-video={String(tile.video)}
      data-speaking={String(tile.speaking)}
      data-on-stage={String(onStage)}
      data-pinned={String(pinned)}
      data-source-name={tile.sourceName ?? undefined}
      data-forwarded={tile.self ? undefined : tile.forwarded === null ? 'unknown' : String(tile.forwarded)}
      data-max-height={maxHeight ?? undefined}
      data-shows={showVideo ? 'video' : 'avatar'}
      data-hand={tile.hand ?? undefined}
      data-audio-force-muted={String(tile.audioForceMuted)}
      data-video-force-muted={String(tile.videoForceMuted)}
      // A thumbnail is clicked to put it on the stage, as in Jitsi's filmstrip.
      onClick={variant === 'thumbnail' ? () => togglePin(tile.key) : undefined}
    >
      {hasVideo && tile.stream && (
        <VideoView
          stream={tile.stream}
          muted
          mirrored={tile.self && tile.kind === 'camera'}
          testId="tile-video"
          className={showVideo ? undefined : styles.hiddenVideo}
        />
      )}
      {!showVideo && (
        <div className={styles.avatar} aria-hidden="true">
          <span>{initials(tile.displayName)}</span>
        </div>
      )}
      <QualityIndicator tileKey={tile.key} />
      <button
        type="button"
        className={styles.pin}
        aria-pressed={pinned}
        aria-label={pinned ? `Unpin ${tile.displayName}` : `Pin ${tile.displayName} to the stage`}
        title={pinned ? 'Unpin' : 'Pin to the stage'}
        data-testid={`pin-${who}-${tile.kind}`}
        onClick={(e) => {
          e.stopPropagation();
          togglePin(tile.key);
        }}
      >
        {pinned ? 'Unpin' : 'Pin'}
      </button>
      <TileModeration tile={tile} />
      <figcaption className={styles.caption}>
        <span className={styles.name}>{tile.displayName}</span>
        <HandBadge hand={tile.hand} />
        <ForceMuteBadges tile={tile} />
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
