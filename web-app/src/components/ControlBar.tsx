import { useEffect, type ReactNode } from 'react';
import { useCallStore } from '../store/callStore';
import styles from './Call.module.css';

export interface CallControls {
  toggleMic(): void;
  toggleCamera(): void;
  toggleAudioOnly(): void;
  toggleScreenShare(): void;
  leave(): void;
  /** Raise or lower our hand (ask to speak). */
  toggleHand?(): void;
  /** Moderators: end the meeting for everyone. */
  endMeeting?(): void;
}

function typingTarget(t: EventTarget | null): boolean {
  if (!(t instanceof HTMLElement)) return false;
  return t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName);
}

/** Keyboard shortcuts M (microphone) and V (camera), ignored while typing; Escape closes side panels. */
export function useCallShortcuts(controls: Pick<CallControls, 'toggleMic' | 'toggleCamera'>): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.repeat || e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.key === 'Escape') {
        // Escape closes the chat / participant panels (also from inside them) and returns focus.
        const s = useCallStore.getState();
        if (!s.chatOpen && !s.participantsOpen) return;
        const back = s.chatOpen ? 'toggle-chat' : 'toggle-participants';
        s.closePanels();
        document.querySelector<HTMLElement>(`[data-testid="${back}"]`)?.focus();
        return;
      }
      if (typingTarget(e.target)) return;
      const key = e.key.toLowerCase();
      if (key === 'm') {
        e.preventDefault();
        controls.toggleMic();
      } else if (key === 'v') {
        e.preventDefault();
        controls.toggleCamera();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [controls]);
}

/** `extra`: more controls (e.g. the device menu), shown before Leave. */
export function ControlBar({ controls, extra }: { controls: CallControls; extra?: ReactNode }) {
  const local = useCallStore((s) => s.local);
  const chatOpen = useCallStore((s) => s.chatOpen);
  const unread = useCallStore((s) => s.unreadChat);
  const participantsOpen = useCallStore((s) => s.participantsOpen);
  const count = useCallStore((s) => s.order.length + 1);
  const toggleChat = useCallStore((s) => s.toggleChat);
  const toggleParticipants = useCallStore((s) => s.toggleParticipants);
  const layout = useCallStore((s) => s.layout);
  const toggleLayout = useCallStore((s) => s.toggleLayout);
  const videoOn = local.video && !local.audioOnly;
  const forceMuted = useCallStore((s) => s.forceMuted);
  const handUp = useCallStore((s) => s.handRaisedAt !== null);
  const moderator = useCallStore((s) => s.moderator);
  // force-muted by a moderator: turning it on is not ours to do until allowed
  const micLocked = forceMuted.audio && !local.audio;
  const camLocked = forceMuted.video && !videoOn;
  return (
    <nav className={styles.bar} aria-label="Call controls">
      <button
        type="button"
        className={`${styles.control} ${local.audio ? '' : styles.off}`}
        aria-pressed={!local.audio}
        aria-label={local.audio ? 'Mute microphone' : 'Unmute microphone'}
        aria-keyshortcuts="M"
        title={micLocked ? 'A moderator muted you: raise your hand to ask to speak' : `${local.audio ? 'Mute' : 'Unmute'} microphone (M)`}
        disabled={micLocked}
        onClick={() => controls.toggleMic()}
        data-testid="toggle-mic"
      >
        {local.audio ? 'Mic on' : 'Mic off'}
      </button>
      <button
        type="button"
        className={`${styles.control} ${videoOn ? '' : styles.off}`}
        aria-pressed={!videoOn}
        aria-label={videoOn ? 'Turn camera off' : 'Turn camera on'}
        aria-keyshortcuts="V"
        title={camLocked ? 'A moderator turned your camera off' : `Turn camera ${videoOn ? 'off' : 'on'} (V)`}
        disabled={camLocked}
        onClick={() => controls.toggleCamera()}
        data-testid="toggle-camera"
      >
        {videoOn ? 'Camera on' : 'Camera off'}
      </button>
      <button
        type="button"
        className={styles.control}
        aria-pressed={local.audioOnly}
        aria-label="Audio-only mode"
        onClick={() => controls.toggleAudioOnly()}
        data-testid="toggle-audio-only"
      >
        Audio only
      </button>
      <button
        type="button"
        className={styles.control}
        aria-pressed={local.screen}
        aria-label={local.screen ? 'Stop sharing screen' : 'Share screen'}
        onClick={() => controls.toggleScreenShare()}
        data-testid="toggle-screen"
      >
        {local.screen ? 'Stop sharing' : 'Share screen'}
      </button>
      <button
        type="button"
        className={styles.control}
        aria-pressed={layout === 'speaker'}
        aria-label="Speaker view"
        title={layout === 'speaker' ? 'Back to the grid' : 'One large video and a filmstrip'}
        onClick={toggleLayout}
        data-testid="toggle-layout"
      >
        Speaker view
      </button>
      <button
        type="button"
        className={styles.control}
        aria-pressed={chatOpen}
        aria-label={unread > 0 ? `Chat, ${unread} unread` : 'Chat'}
        aria-controls="chat-panel"
        onClick={toggleChat}
        data-testid="toggle-chat"
      >
        Chat{unread > 0 && <span className={styles.count}>{unread}</span>}
      </button>
      <button
        type="button"
        className={styles.control}
        aria-pressed={participantsOpen}
        aria-label={`Participants (${count})`}
        aria-controls="participants-panel"
        onClick={toggleParticipants}
        data-testid="toggle-participants"
      >
        People <span className={styles.count}>{count}</span>
      </button>
      {controls.toggleHand && (
        <button
          type="button"
          className={styles.control}
          aria-pressed={handUp}
          aria-label={handUp ? 'Lower your hand' : 'Raise your hand'}
          title={handUp ? 'Lower your hand' : 'Raise your hand to ask to speak'}
          onClick={() => controls.toggleHand?.()}
          data-testid="toggle-hand"
        >
          {handUp ? 'Lower hand' : 'Raise hand'}
        </button>
      )}
      {moderator && controls.endMeeting && (
        <button
          type="button"
          className={`${styles.control} ${styles.leave}`}
          aria-label="End meeting for all"
          onClick={() => {
            if (window.confirm('End the meeting for everyone?')) controls.endMeeting?.();
          }}
          data-testid="end-meeting"
        >
          End for all
        </button>
      )}
      {extra}
      <button
        type="button"
        className={`${styles.control} ${styles.leave}`}
        aria-label="Leave meeting"
        onClick={() => controls.leave()}
        data-testid="leave-call"
      >
        Leave
      </button>
    </nav>
  );
}
