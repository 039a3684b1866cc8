/** Camera/microphone access and the pre-join mic level meter. */

export interface DeviceChoice {
  audioDeviceId?: string;
  videoDeviceId?: string;
}

export interface DeviceLists {
  microphones: MediaDeviceInfo[];
  cameras: MediaDeviceInfo[];
}

export async function listDevices(): Promise<DeviceLists> {
  if (!navigator.mediaDevices?.enumerateDevices) return { microphones: [], cameras: [] };
  const all = await navigator.mediaDevices.enumerateDevices();
  return {
    microphones: all.filter((d) => d.kind === 'audioinput'),
    cameras: all.filter((d) => d.kind === 'videoinput'),
  };
}

/** Opens the chosen devices; a kind set to false is not requested at all. */
export async function openLocalMedia(
  choice: DeviceChoice,
  want: { audio: boolean; video: boolean },
): Promise<MediaStream> {
  if (!navigator.mediaDevices?.getUserMedia) {
    throw new Error('This browser cannot use a camera or microphone here (a secure context is needed).');
  }
  if (!want.audio && !want.video) return new MediaStream();
  const constraints: MediaStreamConstraints = {
    audio: want.audio ? (choice.audioDeviceId ? { deviceId: { exact: choice.audioDeviceId } } : true) : false,
    video: want.video
      ? {
          ...(choice.videoDeviceId ? { deviceId: { exact: choice.videoDeviceId } } : {}),
          width: { ideal: 1280 },
          height: { ideal: 720 },
        }
      : false,
  };
  return navigator.mediaDevices.getUserMedia(constraints);
}

export function describeMediaError(e: unknown): string {
  const name = (e as { name?: string })?.name;
  switch (name) {
    case 'NotAllowedError':
      return 'Camera or microphone access was blocked. Allow it in the browser to be seen and heard.';
    case 'NotFoundError':
      return 'No camera or microphone was found.';
    case 'NotReadableError':
      return 'The camera or microphone is in use by another application.';
    case 'OverconstrainedError':
      return 'The chosen device is not available any more.';
    default:
      return (e as Error)?.message || 'Could not start the camera or microphone.';
  }
}

/** Root-mean-square level of time-domain samples (bytes centred on 128), scaled to 0..1. */
export function rmsLevel(samples: Uint8Array): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (const s of samples) {
    const v = (s - 128) / 128;
    sum += v * v;
  }
  // Speech sits around 0.05–0.3 RMS; scale so a normal voice fills most of the meter.
  return Math.min(1, Math.sqrt(sum / samples.length) * 4);
}

/** Calls `onLevel` about 15 times a second with the stream's audio level; returns a stop function. */
export function startLevelMeter(stream: MediaStream, onLevel: (level: number) => void): () => void {
  const AudioCtx = globalThis.AudioContext;
  if (!AudioCtx || stream.getAudioTracks().length === 0) return () => {};
  const ctx = new AudioCtx();
  const source = ctx.createMediaStreamSource(stream);
  const analyser = ctx.createAnalyser();
  analyser.fftSize = 512;
  source.connect(analyser);
  const buf = new Uint8Array(analyser.fftSize);
  const timer = setInterval(() => {
    analyser.getByteTimeDomainData(buf);
    onLevel(rmsLevel(buf));
  }, 66);
  return () => {
    clearInterval(timer);
    source.disconnect();
    void ctx.close();
  };
}
