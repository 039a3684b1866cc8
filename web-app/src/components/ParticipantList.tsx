import { raisedHands, useCallStore } from '../store/callStore';
import type { ModerateAction, ModeratedMedia } from '../protocol';
import { HandBadge } from './Moderation';
import styles from './Call.module.css';

export function ParticipantList({
  onModerate,
}: {
  onModerate(action: ModerateAction, participantId: string, media?: ModeratedMedia): void;
}) {
  const participants = useCallStore((s) => s.participants);
  const order = useCallStore((s) => s.order);
  const moderator = useCallStore((s) => s.moderator);
  const selfName = useCallStore((s) => s.selfName);
  const local = useCallStore((s) => s.local);
  const handRaisedAt = useCallStore((s) => s.handRaisedAt);
  const selfId = useCallStore((s) => s.selfId);
  const hands = raisedHands({ selfId, handRaisedAt, participants });
  return (
    <aside id="participants-panel" className={styles.panel} aria-labelledby="people-heading">
      <h2 id="people-heading">Participants ({order.length + 1})</h2>
      <ul className={styles.people} data-testid="participant-list">
        <li className={styles.person} data-testid="participant-self">
          <span className={styles.name}>
            {selfName || 'You'} (you){moderator ? ', moderator' : ''}
          </span>
          {!local.audio && <span className={styles.badge}>mic off</span>}
        </li>
        {order.map((id) => {
          const p = participants[id];
          if (!p) return null;
          const name = p.displayName || 'Guest';
          return (
            <li key={id} className={styles.person} data-testid={`participant-${id}`}>
              <span className={styles.name}>
                {name}
                {p.moderator ? ' (moderator)' : ''}
              </span>
              <HandBadge hand={hands.includes(id) ? hands.indexOf(id) + 1 : null} />
              {!p.audio && <span className={styles.badge}>mic off</span>}
              {!p.video && <span className={styles.badge}>cam off</span>}
              {moderator && (
                <>
                  {p.audioForceMuted ? (
                    <button
                      type="button"
                      className={styles.small}
                      onClick={() => onModerate('allow-unmute', id, 'audio')}
                      aria-label={`Allow ${name} to unmute`}
                      data-testid={`allow-${id}`}
                    >
                      Allow mic
                    </button>
                  ) : (
                    <button
                      type="button"
                      className={styles.small}
                      onClick={() => onModerate('mute', id, 'audio')}
                      aria-label={`Mute ${name}`}
                      data-testid={`mute-${id}`}
                    >
                      Mute
                    </button>
                  )}
                  <button
                    type="button"
                    className={styles.small}
                    onClick={() => onModerate('kick', id)}
                    aria-label={`Remove ${name}`}
                    data-testid={`kick-${id}`}
                  >
                    Remove
                  </button>
                </>
              )}
            </li>
          );
        })}
      </ul>
    </aside>
  );
}
