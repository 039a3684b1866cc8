import { useState } from 'react';
import type { CallParams } from '../call/CallController';
import { PreJoinPage } from './PreJoinPage';
import { InCallPage } from './InCallPage';
import { navigate } from '../router';

/** A room: the pre-join screen, then the call; a call that cannot start returns here with the reason. */
export function RoomPage({ slug }: { slug: string }) {
  const [params, setParams] = useState<CallParams | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [endedReason, setEndedReason] = useState<string | null>(null);
  if (endedReason) {
    return (
      <main style={{ maxWidth: 640, margin: '0 auto', padding: '2rem 1rem' }}>
        <h1>The call ended</h1>
        <p role="alert" data-testid="call-ended">
          {endedReason}
        </p>
        <button type="button" onClick={() => navigate('/')}>
          Back to start
        </button>
      </main>
    );
  }
  if (params) {
    return (
      <InCallPage
        params={params}
        onLeft={(reason) => {
          if (reason) {
            setParams(null);
            setEndedReason(reason);
          } else {
            navigate('/');
          }
        }}
        onJoinFailed={(reason) => {
          setParams(null);
          setError(reason);
        }}
      />
    );
  }
  return (
    <PreJoinPage
      slug={slug}
      initialError={error}
      onJoin={(p) => {
        setError(null);
        setParams(p);
      }}
    />
  );
}
