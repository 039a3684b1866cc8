import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ApiError, defaultSignallingUrl, describeError, type RoomInfo } from '../protocol';
import type { CallParams } from '../call/CallController';
import { describeMediaError, listDevices, startLevelMeter, type DeviceLists } from '../media/localMedia';
import { navigate } from '../router';
import { signallingKey, tokenKey, useServices } from '../services';
import { LevelMeter } from '../components/LevelMeter';
import { VideoView } from '../components/VideoView';
import styles from './Page.module.css';
import { loadDevicePrefs, pickDevice, saveDevicePref } from '../media/devicePrefs';

const NAME_KEY = 'openmeet.displayName';

type RoomLoad = { state: 'loading' } | { state: 'ready'; room: RoomInfo } | { state: 'error'; message: string };

export interface PreJoinProps {
  slug: string;
  initialError?: string | null;
  onJoin(params: CallParams): void;
}

/** Stores a pick of the pre-join selectors ('' = the default: nothing to remember). */
function rememberDevice(kind: 'camera' | 'microphone', list: MediaDeviceInfo[], deviceId: string): void {
  if (deviceId === '') return;
  saveDevicePref(kind, { deviceId, label: list.find((d) => d.deviceId === deviceId)?.label ?? '' });
}

export function PreJoinPage({ slug, initialError, onJoin }: PreJoinProps) {
  const { api, callDeps, tokens } = useServices();
  const [room, setRoom] = useState<RoomLoad>({ state: 'loading' });
  const [displayName, setDisplayName] = useState(() => localStorage.getItem(NAME_KEY) ?? '');
  const [password, setPassword] = useState('');
  const [cameraOff, setCameraOff] = useState(false);
  const [muted, setMuted] = useState(false);
  const [devices, setDevices] = useState<DeviceLists>({ microphones: [], cameras: [] });
  // The devices chosen last time (DeviceMenu in the call or the selectors here), if still present.
  const [audioDeviceId, setAudioDeviceId] = useState(() => loadDevicePrefs().microphone?.deviceId ?? '');
  const [videoDeviceId, setVideoDeviceId] = useState(() => loadDevicePrefs().camera?.deviceId ?? '');
  const [stream, setStream] = useState<MediaStream | null>(null);
  const [mediaError, setMediaError] = useState<string | null>(null);
  const [level, setLevel] = useState(0);
  const [joinError, setJoinError] = useState<string | null>(initialError ?? null);
  const [busy, setBusy] = useState(false);
  const handedOver = useRef(false);
  // Until the browser answers getUserMedia, Join would enter the call without microphone and camera.
  const mediaPending = stream === null && mediaError === null;
  const storedToken = tokens.getItem(tokenKey(slug));

  useEffect(() => {
    let live = true;
    api.getRoom(slug).then(
      (r) => {
        if (!live) return;
        setRoom(
          r.active === false ? { state: 'error', message: describeError('room-closed') } : { state: 'ready', room: r },
        );
      },
      (e: unknown) =>
        live &&
        setRoom({
          state: 'error',
          message: e instanceof ApiError ? describeError(e.code, e.detail || e.title) : String(e),
        }),
    );
    return () => {
      live = false;
    };
  }, [api, slug]);

  useEffect(() => {
    let live = true;
    let opened: MediaStream | null = null;
    callDeps.media
      .open(
        { ...(audioDeviceId ? { audioDeviceId } : {}), ...(videoDeviceId ? { videoDeviceId } : {}) },
        { audio: true, video: !cameraOff },
      )
      .then(
        async (s) => {
          opened = s;
          if (!live) {
            for (const t of s.getTracks()) t.stop();
            return;
          }
          setStream(s);
          setMediaError(null);
          const lists = await listDevices().catch(() => ({ microphones: [], cameras: [] }));
          if (!live) return;
          setDevices(lists);
          // A stored id that changed (another origin session, replugged): the same device by its label.
          const prefs = loadDevicePrefs();
          const mic = pickDevice(lists.microphones, prefs.microphone);
          const cam = pickDevice(lists.cameras, prefs.camera);
          if (mic && mic !== audioDeviceId) setAudioDeviceId(mic);
          if (cam && cam !== videoDeviceId && !cameraOff) setVideoDeviceId(cam);
        },
        (e: unknown) => {
          if (!live) return;
          const name = (e as { name?: string })?.name;
          if ((name === 'OverconstrainedError' || name === 'NotFoundError') && (audioDeviceId || videoDeviceId)) {
            // The remembered device is gone: the browser's default instead.
            setAudioDeviceId('');
            setVideoDeviceId('');
            return;
          }
          setMediaError(describeMediaError(e));
        },
      );
    return () => {
      live = false;
      if (opened && !handedOver.current) for (const t of opened.getTracks()) t.stop();
    };
  }, [callDeps, cameraOff, audioDeviceId, videoDeviceId]);

  useEffect(() => {
    if (!stream || muted) {
      setLevel(0);
      return;
    }
    return startLevelMeter(stream, setLevel);
  }, [stream, muted]);

  const needsPassword = room.state === 'ready' && room.room.access === 'password' && !storedToken;

  /**
   * A join token in `name` (the signed name is the participant's name). The creator's stored
   * moderator token is the bearer for a moderator token in that name; if the server no longer takes
   * it (expired, or the room's access changed), the person joins as anyone with the link would.
   */
  async function joinToken(name: string, pw: string | undefined): Promise<string> {
    if (storedToken) {
      try {
        return (await api.requestToken(slug, name, pw, storedToken)).token;
      } catch (e) {
        if (!(e instanceof ApiError) || e.kind === 'network') throw e;
      }
    }
    return (await api.requestToken(slug, name, pw)).token;
  }

  async function join(e: FormEvent) {
    e.preventDefault();
    if (room.state !== 'ready') return;
    const name = displayName.trim();
    if (name.length === 0) {
      setJoinError('Enter your name so others know who you are.');
      return;
    }
    if (needsPassword && password.length === 0) {
      setJoinError(describeError('password-required'));
      return;
    }
    setBusy(true);
    setJoinError(null);
    localStorage.setItem(NAME_KEY, name);
    try {
      const token = await joinToken(name, needsPassword ? password : undefined);
      const signallingUrl =
        tokens.getItem(signallingKey(slug)) ?? room.room.signallingUrl ?? defaultSignallingUrl(window.location, slug);
      handedOver.current = true;
      onJoin({
        signallingUrl,
        token,
        displayName: name,
        devices: { ...(audioDeviceId ? { audioDeviceId } : {}), ...(videoDeviceId ? { videoDeviceId } : {}) },
        localStream: stream,
        audio: !muted,
        video: !cameraOff,
      });
    } catch (err) {
      setJoinError(err instanceof ApiError ? describeError(err.code, err.detail || err.title) : String(err));
      setBusy(false);
    }
  }

  if (room.state === 'error') {
    return (
      <main className={styles.page}>
        <h1 className={styles.title}>Cannot join</h1>
        <p role="alert" className={styles.error} data-testid="room-error">
          {room.message}
        </p>
        <p>
          <button type="button" className={styles.secondary} onClick={() => navigate('/')}>
            Back to start
          </button>
        </p>
      </main>
    );
  }

  const roomName = room.state === 'ready' ? room.room.name || slug : slug;
  return (
    <main className={styles.page}>
      <h1 className={styles.title}>Join “{roomName}”</h1>
      <div className={styles.prejoin}>
        <section aria-label="Camera preview" className={styles.card}>
          <div className={styles.preview}>
            {stream && !cameraOff && stream.getVideoTracks().length > 0 ? (
              <VideoView stream={stream} muted testId="preview-video" />
            ) : (
              <div className={styles.previewOff}>{cameraOff ? 'Camera is off' : 'No camera picture'}</div>
            )}
          </div>
          <LevelMeter level={level} />
          {mediaError && (
            <p role="alert" className={styles.error}>
              {mediaError}
            </p>
          )}
          <div className={styles.row}>
            <label className={styles.field}>
              Camera
              <select
                value={videoDeviceId}
                onChange={(e) => {
                  setVideoDeviceId(e.target.value);
                  rememberDevice('camera', devices.cameras, e.target.value);
                }}
                data-testid="camera-select"
              >
                <option value="">Default camera</option>
                {devices.cameras.map((d, i) => (
                  <option key={d.deviceId || i} value={d.deviceId}>
                    {d.label || `Camera ${i + 1}`}
                  </option>
                ))}
              </select>
            </label>
            <label className={styles.field}>
              Microphone
              <select
                value={audioDeviceId}
                onChange={(e) => {
                  setAudioDeviceId(e.target.value);
                  rememberDevice('microphone', devices.microphones, e.target.value);
                }}
                data-testid="mic-select"
              >
                <option value="">Default microphone</option>
                {devices.microphones.map((d, i) => (
                  <option key={d.deviceId || i} value={d.deviceId}>
                    {d.label || `Microphone ${i + 1}`}
                  </option>
                ))}
              </select>
            </label>
          </div>
        </section>
        <form onSubmit={join} className={styles.card} aria-label="Join the meeting">
          <label className={styles.field}>
            Your name
            <input
              value={displayName}
              onChange={(e) => setDisplayName(e.target.value)}
              maxLength={64}
              autoComplete="name"
              data-testid="display-name"
            />
          </label>
          {needsPassword && (
            <label className={styles.field}>
              Meeting password
              <input
                type="password"
                value={password}
                onChange={(e) => setPassword(e.target.value)}
                autoComplete="current-password"
                data-testid="join-password"
              />
            </label>
          )}
          <label className={styles.check}>
            <input type="checkbox" checked={cameraOff} onChange={(e) => setCameraOff(e.target.checked)} data-testid="join-camera-off" />
            Join with camera off
          </label>
          <label className={styles.check}>
            <input type="checkbox" checked={muted} onChange={(e) => setMuted(e.target.checked)} data-testid="join-muted" />
            Join muted
          </label>
          {joinError && (
            <p role="alert" className={styles.error} data-testid="join-error">
              {joinError}
            </p>
          )}
          <button type="submit" className={styles.primary} disabled={busy || room.state !== 'ready' || mediaPending} data-testid="join-button">
            {room.state === 'loading' ? 'Loading…' : busy ? 'Joining…' : 'Join meeting'}
          </button>
        </form>
      </div>
    </main>
  );
}
