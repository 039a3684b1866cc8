import { useEffect, useMemo, useRef } from 'react';
import { CallController, type CallParams } from '../call/CallController';
import { FATAL_ERROR_CODES } from '../protocol';
import { useServices } from '../services';
import { useCallStore } from '../store/callStore';
import { ConnectionBanner } from '../components/ConnectionBanner';
import { ControlBar, useCallShortcuts, type CallControls } from '../components/ControlBar';
import { VideoGrid } from '../components/VideoGrid';
import { ChatPanel } from '../components/ChatPanel';
import { ParticipantList } from '../components/ParticipantList';
import { AudioSink } from '../components/VideoView';
import { ModerationContext, type ModerationActions } from '../components/Moderation';
import { LobbyRequests, LobbyWaiting } from '../components/Lobby';
import { DeviceMenu, type DeviceSwitcher } from '../components/DeviceMenu';
import { AudioOnlySuggestion } from '../components/AudioOnlySuggestion';
import { useCallStats } from '../call/useCallStats';
import styles from '../components/Call.module.css';

export interface InCallProps {
  params: CallParams;
  onLeft(reason: string | null): void;
  /** The server refused the join for good (room full, not invited…) before we were ever in. */
  onJoinFailed(reason: string): void;
}

export function InCallPage({ params, onLeft, onJoinFailed }: InCallProps) {
  const { callDeps } = useServices();
  const controllerRef = useRef<CallController | null>(null);
  if (controllerRef.current === null) controllerRef.current = new CallController(params, callDeps);
  const controller = controllerRef.current;
  const callbacks = useRef({ onLeft, onJoinFailed });
  callbacks.current = { onLeft, onJoinFailed };

  useEffect(() => {
    controller.onEnded = (reason) => callbacks.current.onLeft(reason);
    controller.start();
    return () => {
      controller.onEnded = null;
      controller.leave();
    };
  }, [controller]);

  useEffect(() => {
    const before = document.title;
    document.title = 'In a meeting — openmeet';
    return () => {
      document.title = before;
    };
  }, []);

  const connection = useCallStore((s) => s.connection);
  const failure = useCallStore((s) => s.failure);
  const selfId = useCallStore((s) => s.selfId);
  const waitingInLobby = useCallStore((s) => s.lobby !== null && s.selfId === null);
  useEffect(() => {
    if (connection === 'failed' && failure && selfId === null && FATAL_ERROR_CODES.has(failure.code)) {
      callbacks.current.onJoinFailed(failure.message);
    }
  }, [connection, failure, selfId]);

  const controls: CallControls = useMemo(
    () => ({
      toggleMic: () => void controller.toggleMic(),
      toggleCamera: () => void controller.toggleCamera(),
      toggleAudioOnly: () => void controller.toggleAudioOnly(),
      toggleScreenShare: () => void controller.toggleScreenShare(),
      leave: () => controller.leave(),
      toggleHand: () => controller.toggleHand(),
      endMeeting: () => controller.endMeeting(),
    }),
    [controller],
  );
  const moderation: ModerationActions = useMemo(
    () => ({ moderate: (action, id, media) => controller.moderate(action, id, media) }),
    [controller],
  );
  useCallShortcuts(controls);
  const getStats = useMemo(() => () => controller.getStats(), [controller]);
  const stats = useCallStats(getStats);
  const switcher: DeviceSwitcher = useMemo(
    () => ({
      switchMicrophone: (id, label) => controller.switchMicrophone(id, label),
      switchCamera: (id, label) => controller.switchCamera(id, label),
      currentDevices: () => controller.currentDevices(),
    }),
    [controller],
  );

  const chatOpen = useCallStore((s) => s.chatOpen);
  const participantsOpen = useCallStore((s) => s.participantsOpen);
  const remoteStreams = useCallStore((s) => s.remoteStreams);

  if (waitingInLobby && connection !== 'failed') {
    return <LobbyWaiting onLeave={() => controller.leave()} />;
  }

  return (
    <ModerationContext.Provider value={moderation}>
    <main className={styles.call} data-testid="in-call">
      <h1 className="visually-hidden">Meeting</h1>
      <ConnectionBanner onRetry={() => controller.retry()} />
      <div className={styles.body}>
        <VideoGrid />
        {participantsOpen && <ParticipantList onModerate={(a, id, media) => controller.moderate(a, id, media)} />}
        {chatOpen && <ChatPanel onSend={(t) => controller.sendChat(t)} />}
      </div>
      <ControlBar controls={controls} extra={<DeviceMenu switcher={switcher} />} />
      <LobbyRequests
        onDecide={(d, id) => controller.lobbyDecision(d, id)}
        onAdmitAll={() => controller.admitAllFromLobby()}
      />
      <AudioOnlySuggestion
        onAccept={() => {
          if (!useCallStore.getState().local.audioOnly) void controller.toggleAudioOnly();
        }}
        onDismiss={() => stats.dismissSuggestion()}
      />
      <div hidden>
        {Object.entries(remoteStreams).map(([id, s]) =>
          s.audio ? <AudioSink key={id} participantId={id} stream={s.audio} /> : null,
        )}
      </div>
    </main>
    </ModerationContext.Provider>
  );
}
