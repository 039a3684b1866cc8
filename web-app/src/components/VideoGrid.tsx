import { useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { PAGE_SIZE, paginate, pickTileInputs, selectTiles, useCallStore } from '../store/callStore';
import { VideoTile } from './VideoTile';
import styles from './Call.module.css';

/** Up to 12 tiles per page; more tiles get Previous / Next page buttons. */
export function VideoGrid() {
  const inputs = useCallStore(useShallow(pickTileInputs));
  const tiles = useMemo(() => selectTiles(inputs), [inputs]);
  const page = useCallStore((s) => s.page);
  const setPage = useCallStore((s) => s.setPage);
  const view = paginate(tiles, page, PAGE_SIZE);
  const cols = Math.max(1, Math.ceil(Math.sqrt(view.items.length)));
  return (
    <section className={styles.stage} aria-label="Participants' videos">
      <div className={styles.grid} style={{ ['--cols' as string]: cols }} data-testid="video-grid">
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
    </section>
  );
}
