import { useCallStore } from '../store/callStore';
import { VideoView } from './VideoView';
import styles from './Call.module.css';

/** The waiting screen of someone in the lobby: their own preview and whether a moderator is there. */
export function LobbyWaiting({ onLeave }: { onLeave(): void }) {
  const lobby = useCallStore((s) => s.lobby);
  const localStream = useCallStore((s) => s.localStream);
  const video = useCallStore((s) => s.local.video);
  const name = useCallStore((s) => s.selfName);
  if (!lobby) return null;
  return (
    <main className={styles.lobbyWaiting} data-testid="lobby-waiting">
      <h1>Waiting to join</h1>
      <div className={styles.lobbyPreview}>
        {localStream && video ? (
          <VideoView stream={localStream} muted mirrored testId="lobby-preview" />
        ) : (
          <p>Your camera is off.</p>
        )}
      </div>
      <p role="status" data-testid="lobby-status" data-moderator-present={String(lobby.moderatorPresent)}>
        {lobby.moderatorPresent
          ? `${name ? `${name}, you are` : 'You are'} waiting for a moderator to let you in.`
          : 'No moderator is here yet. You will be let in once one arrives and admits you.'}
      </p>
      <button type="button" onClick={onLeave} data-testid="lobby-leave">
        Leave
      </button>
    </main>
  );
}

/** For moderators: who waits in the lobby, with Admit / Deny each and Admit all. */
export function LobbyRequests({
  onDecide,
  onAdmitAll,
}: {
  onDecide(decision: 'admit' | 'deny', participantId: string): void;
  onAdmitAll(): void;
}) {
  const moderator = useCallStore((s) => s.moderator);
  const requests = useCallStore((s) => s.lobbyRequests);
  if (!moderator || requests.length === 0) return null;
  return (
    <section className={styles.lobbyRequests} aria-label="Lobby" data-testid="lobby-requests">
      <h2>Lobby</h2>
      <ul>
        {requests.map((r) => (
          <li key={r.participantId} data-testid="lobby-request" data-participant-id={r.participantId}>
            <span>{r.displayName} wants to join</span>
            <button type="button" onClick={() => onDecide('admit', r.participantId)} data-testid="lobby-admit">
              Admit
            </button>
            <button type="button" onClick={() => onDecide('deny', r.participantId)} data-testid="lobby-deny">
              Deny
            </button>
          </li>
        ))}
      </ul>
      <button type="button" onClick={onAdmitAll} data-testid="lobby-admit-all">
        Admit all
      </button>
    </section>
  );
}
