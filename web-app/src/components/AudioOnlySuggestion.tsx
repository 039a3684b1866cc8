import { useQualityStore } from '../store/qualityStore';
import styles from './Call.module.css';

/** "Your connection is too slow for video": switch to audio only, or not now (then quiet for a while). */
export function AudioOnlySuggestion({ onAccept, onDismiss }: { onAccept(): void; onDismiss(): void }) {
  const show = useQualityStore((s) => s.suggestAudioOnly);
  const estimate = useQualityStore((s) => s.bandwidthEstimateKbps);
  if (!show) return null;
  return (
    <div className={styles.suggestion} role="alertdialog" aria-label="Low bandwidth" data-testid="audio-only-suggestion">
      <span>
        Your connection is too slow for video{estimate !== null ? ` (about ${Math.round(estimate)} kbit/s)` : ''}. Switch to
        audio only? You can turn video back on with “Audio only”.
      </span>
      <button type="button" className={styles.small} onClick={onAccept} data-testid="accept-audio-only">
        Switch to audio only
      </button>
      <button type="button" className={styles.small} onClick={onDismiss} data-testid="dismiss-audio-only">
        Not now
      </button>
    </div>
  );
}
