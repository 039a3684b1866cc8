import { useEffect, useRef } from 'react';

/** A <video> bound to a MediaStream (React cannot set srcObject as an attribute). */
export function VideoView({
  stream,
  muted = false,
  mirrored = false,
  testId,
  className,
}: {
  stream: MediaStream;
  muted?: boolean;
  mirrored?: boolean;
  testId?: string;
  className?: string;
}) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    if (el.srcObject !== stream) el.srcObject = stream;
    el.play?.()?.catch(() => {
      /* autoplay may need a gesture; the element retries when it can */
    });
  }, [stream]);
  return (
    <video
      ref={ref}
      autoPlay
      playsInline
      muted={muted}
      data-testid={testId}
      className={className}
      style={mirrored ? { transform: 'scaleX(-1)' } : undefined}
    />
  );
}

/** Plays a remote audio stream without showing anything. */
export function AudioSink({ stream, participantId }: { stream: MediaStream; participantId: string }) {
  const ref = useRef<HTMLAudioElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    if (el.srcObject !== stream) el.srcObject = stream;
    el.play?.()?.catch(() => {});
  }, [stream]);
  return <audio ref={ref} autoPlay data-testid={`audio-${participantId}`} />;
}
