import { useCallback, useMemo, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { paginate, pickTileInputs, selectTiles, stageTile, useCallStore, type Tile } from '../store/callStore';
import { gridCapacity, gridColumns } from '../store/layout';
import { VideoTile } from './VideoTile';
import { useElementSize } from './useElementSize';
import styles from './Call.module.css';

/**
 * The call's videos: a grid paginated by how many readable tiles the window fits (at most 12), or
 * the speaker layout (one tile on the stage, the others in a filmstrip).
 */
export function VideoGrid() {
  const inputs = useCallStore(useShallow(pickTileInputs));
  const tiles = useMemo(() => selectTiles(inputs), [inputs]);
  const layout = useCallStore((s) => s.layout);
  return (
    <section className={styles.stage} aria-label="Participants' videos" data-testid="video-stage" data-layout={layout}>
      {layout === 'speaker' ? <SpeakerLayout tiles={tiles} /> : <GridLayout tiles={tiles} />}
    </section>
  );
}

function GridLayout({ tiles }: { tiles: Tile[] }) {
  const page = useCallStore((s) => s.page);
  const pageSize = useCallStore((s) => s.pageSize);
  const setPage = useCallStore((s) => s.setPage);
  const setPageSize = useCallStore((s) => s.setPageSize);
  const [area, setArea] = useState({ width: 0, height: 0 });
  const ref = useRef<HTMLDivElement>(null);
  const onSize = useCallback(
    (width: number, height: number) => {
      setArea((a) => (a.width === width && a.height === height ? a : { width, height }));
      setPageSize(gridCapacity(width, height));
    },
    [setPageSize],
  );
  useElementSize(ref, onSize);
  const view = paginate(tiles, page, pageSize);
  const cols = gridColumns(area.width, area.height, view.items.length);
  return (
    <>
      <div
        ref={ref}
        className={styles.grid}
        style={{ ['--cols' as string]: cols }}
        data-testid="video-grid"
        data-page={view.page}
        data-page-size={pageSize}
        data-page-count={view.pageCount}
      >
        {view.items.map((t) => (
          <VideoTile key={t.key} tile={t} />
        ))}
      </div>
      {view.pageCount > 1 && (
        <nav className={styles.pager} aria-label="Video pages">
          <button
            type="button"
            className={styles.small}
            onClick={() => setPage(view.page - 1)}
            disabled={view.page === 0}
            data-testid="page-prev"
          >
            Previous page
          </button>
          <span aria-live="polite">
            Page {view.page + 1} of {view.pageCount}
          </span>
          <button
            type="button"
            className={styles.small}
            onClick={() => setPage(view.page + 1)}
            disabled={view.page >= view.pageCount - 1}
            data-testid="page-next"
          >
            Next page
          </button>
        </nav>
      )}
    </>
  );
}

function SpeakerLayout({ tiles }: { tiles: Tile[] }) {
  const stageInputs = useCallStore(
    useShallow((s) => ({ pinned: s.pinned, latestScreenShareId: s.latestScreenShareId, lastRemoteSpeakerId: s.lastRemoteSpeakerId })),
  );
  const onStage = stageTile(tiles, stageInputs);
  const others = tiles.filter((t) => t !== onStage);
  return (
    <div className={styles.speakerLayout}>
      <div className={styles.stageArea} data-testid="stage">
        {onStage && <VideoTile key={onStage.key} tile={onStage} variant="stage" onStage />}
      </div>
      {others.length > 0 && (
        <div className={styles.filmstrip} role="group" data-testid="filmstrip" aria-label="Other participants">
          {others.map((t) => (
            <VideoTile key={t.key} tile={t} variant="thumbnail" />
          ))}
        </div>
      )}
    </div>
  );
}
