import { describe, expect, it } from 'vitest';
import { DEVICE_PREFS_KEY, deviceLabel, loadDevicePrefs, pickDevice, saveDevicePref } from './devicePrefs';

class MemoryStorage {
  data = new Map<string, string>();
  getItem(k: string) {
    return this.data.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.data.set(k, v);
  }
}

const refusing = {
  getItem(): string | null {
    throw new Error('SecurityError');
  },
  setItem(): void {
    throw new Error('QuotaExceededError');
  },
};

describe('device preferences', () => {
  it('remembers each kind apart and reads it back', () => {
    const s = new MemoryStorage();
    expect(loadDevicePrefs(s)).toEqual({});
    expect(saveDevicePref('microphone', { deviceId: 'm2', label: 'Fake Audio Input 2' }, s)).toBe(true);
    expect(saveDevicePref('camera', { deviceId: 'c1', label: 'fake_device_1' }, s)).toBe(true);
    expect(saveDevicePref('microphone', { deviceId: 'm1', label: 'Fake Audio Input 1' }, s)).toBe(true);
    expect(loadDevicePrefs(s)).toEqual({
      microphone: { deviceId: 'm1', label: 'Fake Audio Input 1' },
      camera: { deviceId: 'c1', label: 'fake_device_1' },
    });
  });

  it('treats junk and refusing storage as no choice', () => {
    const s = new MemoryStorage();
    s.setItem(DEVICE_PREFS_KEY, '{not json');
    expect(loadDevicePrefs(s)).toEqual({});
    s.setItem(DEVICE_PREFS_KEY, JSON.stringify({ microphone: { deviceId: 5 }, camera: 'x' }));
    expect(loadDevicePrefs(s)).toEqual({});
    s.setItem(DEVICE_PREFS_KEY, 'null');
    expect(loadDevicePrefs(s)).toEqual({});
    expect(loadDevicePrefs(refusing)).toEqual({});
    expect(saveDevicePref('camera', { deviceId: 'c', label: '' }, refusing)).toBe(false);
  });

  it('picks the same id, else the same label, else the default', () => {
    const present = [
      { deviceId: 'new-id', label: 'USB Camera' },
      { deviceId: 'c2', label: 'Built-in' },
    ];
    expect(pickDevice(present, { deviceId: 'c2', label: 'renamed' })).toBe('c2');
    expect(pickDevice(present, { deviceId: 'old-id', label: 'USB Camera' })).toBe('new-id');
    expect(pickDevice(present, { deviceId: 'gone', label: 'Gone' })).toBeUndefined();
    expect(pickDevice(present, { deviceId: 'gone', label: '' })).toBeUndefined();
    expect(pickDevice(present, undefined)).toBeUndefined();
    // before permission ids and labels are empty: nothing to match
    expect(pickDevice([{ deviceId: '', label: '' }], { deviceId: '', label: '' })).toBeUndefined();
  });

  it('names unlabelled devices by kind and position', () => {
    expect(deviceLabel({ label: '', kind: 'videoinput' }, 1)).toBe('Camera 2');
    expect(deviceLabel({ label: '', kind: 'audioinput' }, 0)).toBe('Microphone 1');
    expect(deviceLabel({ label: 'Fake Audio Input 1', kind: 'audioinput' }, 0)).toBe('Fake Audio Input 1');
  });
});
