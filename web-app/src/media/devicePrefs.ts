/**
 * The camera and microphone the user picked, kept in localStorage for the next join. Device ids are
 * per origin and can change (a device plugged into another port), so the label is kept as well and
 * used when the id is gone.
 */

export const DEVICE_PREFS_KEY = 'openmeet.devices';

export interface DevicePref {
  deviceId: string;
  label: string;
}

export interface DevicePrefs {
  microphone?: DevicePref;
  camera?: DevicePref;
}

type ReadStorage = Pick<Storage, 'getItem'>;
type WriteStorage = Pick<Storage, 'getItem' | 'setItem'>;

function isPref(v: unknown): v is DevicePref {
  const p = v as DevicePref | null;
  return typeof p === 'object' && p !== null && typeof p.deviceId === 'string' && typeof p.label === 'string';
}

/** The stored choice; anything unreadable (blocked storage, someone else's junk) counts as no choice. */
export function loadDevicePrefs(storage: ReadStorage | undefined = globalThis.localStorage): DevicePrefs {
  let raw: string | null;
  try {
    raw = storage?.getItem(DEVICE_PREFS_KEY) ?? null;
  } catch {
    return {};
  }
  if (!raw) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return {};
  }
  const o = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
  const out: DevicePrefs = {};
  if (isPref(o.microphone)) out.microphone = { deviceId: o.microphone.deviceId, label: o.microphone.label };
  if (isPref(o.camera)) out.camera = { deviceId: o.camera.deviceId, label: o.camera.label };
  return out;
}

/** Remembers one kind's choice (the other kind's stays); false when the storage refused. */
export function saveDevicePref(
  kind: keyof DevicePrefs,
  pref: DevicePref,
  storage: WriteStorage | undefined = globalThis.localStorage,
): boolean {
  if (!storage) return false;
  try {
    const prefs = loadDevicePrefs(storage);
    prefs[kind] = { deviceId: pref.deviceId, label: pref.label };
    storage.setItem(DEVICE_PREFS_KEY, JSON.stringify(prefs));
    return true;
  } catch {
    return false;
  }
}

/**
 * The id to open for a stored choice among the devices present now: the same id, else the same
 * label, else undefined (the browser's default).
 */
export function pickDevice(devices: readonly Pick<MediaDeviceInfo, 'deviceId' | 'label'>[], pref: DevicePref | undefined): string | undefined {
  if (!pref) return undefined;
  const byId = devices.find((d) => d.deviceId !== '' && d.deviceId === pref.deviceId);
  if (byId) return byId.deviceId;
  const byLabel = pref.label === '' ? undefined : devices.find((d) => d.deviceId !== '' && d.label === pref.label);
  return byLabel?.deviceId;
}

/** A readable name for a device (labels are empty until the page may use media). */
export function deviceLabel(d: Pick<MediaDeviceInfo, 'label' | 'kind'>, index: number): string {
  if (d.label) return d.label;
  return `${d.kind === 'videoinput' ? 'Camera' : 'Microphone'} ${index + 1}`;
}
