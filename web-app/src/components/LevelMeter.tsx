import styles from '../pages/Page.module.css';

/** The pre-join microphone level (0..1) as an ARIA meter. */
export function LevelMeter({ level }: { level: number }) {
  const pct = Math.round(Math.min(1, Math.max(0, level)) * 100);
  return (
    <div
      role="meter"
      aria-label="Microphone level"
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={pct}
      className={styles.meter}
      data-testid="mic-level"
    >
      <div className={styles.meterFill} style={{ width: `${pct}%` }} />
    </div>
  );
}
