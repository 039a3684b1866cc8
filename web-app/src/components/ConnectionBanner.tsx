import { useCallStore } from '../store/callStore';
import styles from './Call.module.css';

/** Connecting / reconnecting / failed (with Retry), plus the latest notice from the server. */
export function ConnectionBanner({ onRetry }: { onRetry(): void }) {
  const connection = useCallStore((s) => s.connection);
  const failure = useCallStore((s) => s.failure);
  const notice = useCallStore((s) => s.notice);
  const dismiss = useCallStore((s) => s.dismissNotice);
  return (
    <header>
      <div role="status" aria-live="polite" data-testid="connection-state" data-state={connection}>
        {connection === 'connecting' && <div className={`${styles.banner} ${styles.bannerWarn}`}>Connecting…</div>}
        {connection === 'reconnecting' && (
          <div className={`${styles.banner} ${styles.bannerWarn}`}>Connection lost. Reconnecting…</div>
        )}
      </div>
      {connection === 'failed' && (
        <div role="alert" className={`${styles.banner} ${styles.bannerFail}`} data-testid="connection-failed">
          <span>{failure?.message ?? 'The connection failed.'}</span>
          <button type="button" className={styles.small} onClick={onRetry} data-testid="retry-connection">
            Retry
          </button>
        </div>
      )}
      {notice && (
        <div className={styles.notice} role="status" data-testid="call-notice">
          <span>{notice}</span>
          <button type="button" className={styles.small} onClick={dismiss} aria-label="Dismiss notice">
            Dismiss
          </button>
        </div>
      )}
    </header>
  );
}
