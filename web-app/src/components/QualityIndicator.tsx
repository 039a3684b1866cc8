import { useState } from 'react';
import { useQualityStore } from '../store/qualityStore';
import type { QualityLevel, StreamQuality } from '../media/connectionQuality';
import styles from './Call.module.css';

const LEVEL_TEXT: Record<QualityLevel, string> = {
  good: 'Good connection',
  fair: 'Fair connection',
  poor: 'Poor connection',
  unknown: 'Connection: measuring',
};

const fmt = (v: number | null | undefined, digits = 0, unit = ''): string =>
  v === null || v === undefined ? '–' : `${v.toFixed(digits)}${unit}`;

/** The numbers behind the level, as rows of the popover. */
export function qualityRows(q: StreamQuality): [string, string][] {
  const rows: [string, string][] = [
    ['Packet loss', q.lossFraction === null ? '–' : `${(q.lossFraction * 100).toFixed(1)} %`],
    ['Round trip', fmt(q.rttMs, 0, ' ms')],
    [q.direction === 'send' ? 'Sending' : 'Receiving', q.width && q.height ? `${q.width}×${q.height}` : '–'],
    ['Frame rate', fmt(q.fps, 0, ' fps')],
    ['Bitrate', fmt(q.bitrateKbps, 0, ' kbit/s')],
  ];
  if (q.availableOutgoingKbps !== undefined) rows.push(['Upload estimate', fmt(q.availableOutgoingKbps, 0, ' kbit/s')]);
  if (q.downlinkEstimateKbps !== undefined) rows.push(['Download estimate (bridge)', fmt(q.downlinkEstimateKbps, 0, ' kbit/s')]);
  return rows;
}

/** A tile's connection dot (good / fair / poor), with its numbers on hover (title) and on click. */
export function QualityIndicator({ tileKey }: { tileKey: string }) {
  const q = useQualityStore((s) => s.tiles[tileKey]);
  const [open, setOpen] = useState(false);
  if (!q) return null;
  const rows = qualityRows(q);
  const summary = `${LEVEL_TEXT[q.level]}. ${rows.map(([k, v]) => `${k}: ${v}`).join('; ')}`;
  return (
    <div className={styles.quality}>
      <button
        type="button"
        className={`${styles.qualityDot} ${styles[`quality_${q.level}`] ?? ''}`}
        aria-label={LEVEL_TEXT[q.level]}
        aria-expanded={open}
        title={summary}
        data-testid="quality-indicator"
        data-quality={q.level}
        data-direction={q.direction}
        data-loss={q.lossFraction ?? undefined}
        data-rtt-ms={q.rttMs ?? undefined}
        data-width={q.width ?? undefined}
        data-height={q.height ?? undefined}
        data-fps={q.fps ?? undefined}
        data-bitrate-kbps={q.bitrateKbps ?? undefined}
        onClick={(e) => {
          e.stopPropagation();
          setOpen((o) => !o);
        }}
      />
      {open && (
        <dl className={styles.qualityPopover} data-testid="quality-popover">
          <dt className={styles.qualityTitle}>{LEVEL_TEXT[q.level]}</dt>
          <dd />
          {rows.map(([k, v]) => (
            <div key={k} className={styles.qualityRow}>
              <dt>{k}</dt>
              <dd>{v}</dd>
            </div>
          ))}
        </dl>
      )}
    </div>
  );
}
