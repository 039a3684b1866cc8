import { useEffect, useState } from 'react';
import { listDevices, type DeviceLists } from '../media/localMedia';
import { deviceLabel } from '../media/devicePrefs';
import { useCallStore } from '../store/callStore';
import styles from './Call.module.css';

export interface DeviceSwitcher {
  switchMicrophone(deviceId: string, label: string): Promise<boolean>;
  switchCamera(deviceId: string, label: string): Promise<boolean>;
  /** The chosen ids, for a kind whose track is not live (camera off). */
  currentDevices(): { audioDeviceId?: string; videoDeviceId?: string };
}

/** The devices present now, listed again whenever the browser says they changed (plugged in or out). */
export function useDeviceLists(): DeviceLists {
  const [lists, setLists] = useState<DeviceLists>({ microphones: [], cameras: [] });
  useEffect(() => {
    let live = true;
    const refresh = () =>
      void listDevices()
        .then((l) => live && setLists(l))
        .catch(() => undefined);
    refresh();
    const md = navigator.mediaDevices;
    md?.addEventListener?.('devicechange', refresh);
    return () => {
      live = false;
      md?.removeEventListener?.('devicechange', refresh);
    };
  }, []);
  return lists;
}

function liveDeviceId(stream: MediaStream | null, kind: 'audio' | 'video'): string | undefined {
  const t = kind === 'audio' ? stream?.getAudioTracks()[0] : stream?.getVideoTracks()[0];
  return t?.getSettings?.().deviceId || undefined;
}

/** "Devices" in the control bar: camera and microphone selectors that switch the live tracks. */
export function DeviceMenu({ switcher }: { switcher: DeviceSwitcher }) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const lists = useDeviceLists();
  const localStream = useCallStore((s) => s.localStream);
  const chosen = switcher.currentDevices();
  const mic = liveDeviceId(localStream, 'audio') ?? chosen.audioDeviceId ?? '';
  const cam = liveDeviceId(localStream, 'video') ?? chosen.videoDeviceId ?? '';
  const pick = async (kind: 'audio' | 'video', deviceId: string) => {
    const list = kind === 'audio' ? lists.microphones : lists.cameras;
    const index = list.findIndex((d) => d.deviceId === deviceId);
    const label = index < 0 ? '' : list[index]!.label;
    setBusy(true);
    try {
      await (kind === 'audio' ? switcher.switchMicrophone(deviceId, label) : switcher.switchCamera(deviceId, label));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className={styles.deviceMenu}>
      <button
        type="button"
        className={styles.control}
        aria-expanded={open}
        aria-controls="device-panel"
        onClick={() => setOpen((o) => !o)}
        data-testid="toggle-devices"
      >
        Devices
      </button>
      {open && (
        <div id="device-panel" className={styles.devicePanel} role="group" aria-label="Camera and microphone" aria-busy={busy}>
          <label>
            Microphone
            <select value={mic} disabled={busy} onChange={(e) => void pick('audio', e.target.value)} data-testid="mic-switch-select">
              {!lists.microphones.some((d) => d.deviceId === mic) && <option value={mic}>Current microphone</option>}
              {lists.microphones.map((d, i) => (
                <option key={d.deviceId || i} value={d.deviceId}>
                  {deviceLabel(d, i)}
                </option>
              ))}
            </select>
          </label>
          <label>
            Camera
            <select value={cam} disabled={busy} onChange={(e) => void pick('video', e.target.value)} data-testid="camera-switch-select">
              {!lists.cameras.some((d) => d.deviceId === cam) && <option value={cam}>{cam ? 'Current camera' : 'Default camera'}</option>}
              {lists.cameras.map((d, i) => (
                <option key={d.deviceId || i} value={d.deviceId}>
                  {deviceLabel(d, i)}
                </option>
              ))}
            </select>
          </label>
        </div>
      )}
    </div>
  );
}
