import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { RoomPage } from './RoomPage';
import { ServicesProvider } from '../services';
import { useCallStore } from '../store/callStore';
import { FakeBridge, FakePeer, FakeSignalling } from '../test/callFakes';
import { FakeMediaStream } from '../test/fakes';
import { jsonResponse, testServices } from '../test/services';

function setup() {
  const signallers: FakeSignalling[] = [];
  const peers: FakePeer[] = [];
  const { services } = testServices(
    async (url) =>
      url.endsWith('/tokens')
        ? jsonResponse(200, { token: 'guest-jwt' })
        : jsonResponse(200, { id: 'r1', slug: 'abc', name: 'Standup', access: 'public', signallingUrl: 'ws://s/ws' }),
    {
      signallingFactory: (o, l) => {
        const s = new FakeSignalling(o, l);
        signallers.push(s);
        return s;
      },
      peerFactory: (_i, l) => {
        const p = new FakePeer(l);
        peers.push(p);
        return p;
      },
      bridgeFactory: () => new FakeBridge(),
    },
  );
  render(
    <ServicesProvider services={services}>
      <RoomPage slug="abc" />
    </ServicesProvider>,
  );
  return { signallers, peers };
}

async function joinAs(name: string) {
  const user = userEvent.setup();
  await screen.findByRole('heading', { name: 'Join “Standup”' });
  await user.type(screen.getByLabelText('Your name'), name);
  await user.click(screen.getByRole('button', { name: 'Join meeting' }));
  await screen.findByTestId('in-call');
  return user;
}

beforeEach(() => {
  vi.stubGlobal('MediaStream', FakeMediaStream);
  useCallStore.getState().reset();
  localStorage.clear();
  window.history.replaceState(null, '', '/r/abc');
});
afterEach(() => vi.unstubAllGlobals());

describe('RoomPage: pre-join to call', () => {
  it('connects, shows everyone, chats and leaves', async () => {
    const { signallers } = setup();
    const user = await joinAs('Ada');
    const sig = signallers[0]!;
    expect(sig.options).toMatchObject({ url: 'ws://s/ws', token: 'guest-jwt', displayName: 'Ada' });
    act(() => sig.listener.onStateChange('connecting'));
    expect(screen.getByTestId('connection-state')).toHaveTextContent('Connecting…');
    act(() => {
      sig.listener.onStateChange('connected');
      sig.server({
        type: 'joined',
        participantId: 'me',
        moderator: false,
        participants: [{ participantId: 'bob', displayName: 'Bob', moderator: false, audio: false, video: true, screen: false }],
        iceServers: [],
      });
    });
    expect(screen.getByTestId('tile-self-camera')).toHaveAccessibleName('Ada (you)');
    expect(screen.getByTestId('tile-bob-camera')).toHaveAccessibleName('Bob, microphone off');

    await user.click(screen.getByRole('button', { name: 'Chat' }));
    await user.type(screen.getByRole('textbox', { name: 'Chat message' }), 'hello bob{Enter}');
    expect(sig.ofType('chat')).toEqual([{ type: 'chat', text: 'hello bob' }]);
    act(() => sig.server({ type: 'chat', from: 'bob', displayName: 'Bob', text: 'hi ada', ts: 1 }));
    expect(screen.getAllByTestId('chat-message').map((li) => li.textContent)).toEqual([
      expect.stringContaining('hello bob'),
      expect.stringContaining('hi ada'),
    ]);

    act(() => sig.server({ type: 'participant-left', participantId: 'bob', reason: 'leave' }));
    expect(screen.queryByTestId('tile-bob-camera')).toBeNull();

    await user.click(screen.getByRole('button', { name: 'Leave meeting' }));
    expect(sig.left).toBe(true);
    expect(window.location.pathname).toBe('/');
  });

  it('M mutes from the keyboard and the tile shows it', async () => {
    const { signallers } = setup();
    const user = await joinAs('Ada');
    act(() =>
      signallers[0]!.server({ type: 'joined', participantId: 'me', moderator: false, participants: [], iceServers: [] }),
    );
    await user.keyboard('m');
    expect(await screen.findByRole('button', { name: 'Unmute microphone' })).toBeInTheDocument();
    expect(screen.getByTestId('tile-self-camera')).toHaveAttribute('data-audio', 'false');
    expect(signallers[0]!.ofType('media-state').at(-1)).toMatchObject({ audio: false });
  });

  it('shows reconnecting, and failed with a Retry button', async () => {
    const { signallers } = setup();
    const user = await joinAs('Ada');
    const sig = signallers[0]!;
    act(() => {
      sig.server({ type: 'joined', participantId: 'me', moderator: false, participants: [], iceServers: [] });
      sig.listener.onStateChange('reconnecting');
    });
    expect(screen.getByTestId('connection-state')).toHaveTextContent('Reconnecting');
    act(() => sig.listener.onStateChange('failed', { code: 'connection-lost', message: 'could not reach the server' }));
    expect(screen.getByTestId('connection-failed')).toHaveTextContent('could not reach the server');
    await user.click(screen.getByRole('button', { name: 'Retry' }));
    expect(sig.retries).toBe(1);
  });

  it('goes back to pre-join with "room full" when the server refuses the join', async () => {
    const { signallers } = setup();
    await joinAs('Ada');
    act(() => signallers[0]!.listener.onStateChange('failed', { code: 'room-full', message: 'full' }));
    expect(await screen.findByTestId('join-error')).toHaveTextContent('This meeting is full. Try again later.');
    expect(screen.queryByTestId('in-call')).toBeNull();
  });

  it('tells a removed participant why the call ended', async () => {
    const { signallers } = setup();
    await joinAs('Ada');
    act(() => {
      signallers[0]!.server({ type: 'joined', participantId: 'me', moderator: false, participants: [], iceServers: [] });
      signallers[0]!.server({ type: 'participant-left', participantId: 'me', reason: 'kicked' });
    });
    expect(await screen.findByTestId('call-ended')).toHaveTextContent('A moderator removed you from the meeting.');
  });
});

describe('RoomPage: lobby', () => {
  it('a waiter sees its preview and who is there, then enters the call when admitted', async () => {
    const { signallers, peers } = setup();
    await joinAs('Gus');
    const sig = signallers[0]!;
    act(() => sig.server({ type: 'lobby-waiting', participantId: 'lobby-1', moderatorPresent: false }));
    expect(screen.getByTestId('lobby-waiting')).toBeInTheDocument();
    expect(screen.queryByTestId('in-call')).toBeNull();
    expect(screen.getByTestId('lobby-status')).toHaveTextContent('No moderator is here yet');
    expect(screen.getByTestId('lobby-preview')).toBeInTheDocument();
    act(() => sig.server({ type: 'lobby-waiting', participantId: 'lobby-1', moderatorPresent: true }));
    expect(screen.getByTestId('lobby-status')).toHaveTextContent('waiting for a moderator to let you in');
    expect(peers).toHaveLength(0);
    act(() => {
      sig.listener.onStateChange('connected');
      sig.server({ type: 'joined', participantId: 'me', moderator: false, participants: [], iceServers: [] });
    });
    expect(screen.getByTestId('in-call')).toBeInTheDocument();
    expect(screen.queryByTestId('lobby-waiting')).toBeNull();
  });

  it('a denied waiter goes back to pre-join with the reason', async () => {
    const { signallers } = setup();
    await joinAs('Dee');
    const sig = signallers[0]!;
    act(() => sig.server({ type: 'lobby-waiting', participantId: 'lobby-1', moderatorPresent: true }));
    act(() => sig.listener.onStateChange('failed', { code: 'lobby-denied', message: 'no' }));
    expect(await screen.findByTestId('join-error')).toHaveTextContent('A moderator did not let you into this meeting.');
  });

  it('a moderator sees who wants to join and admits, denies or admits all', async () => {
    const { signallers } = setup();
    const user = await joinAs('Mo');
    const sig = signallers[0]!;
    act(() => {
      sig.listener.onStateChange('connected');
      sig.server({ type: 'joined', participantId: 'me', moderator: true, participants: [], iceServers: [] });
      sig.server({ type: 'lobby-request', participantId: 'lobby-1', displayName: 'Ann' });
      sig.server({ type: 'lobby-request', participantId: 'lobby-2', displayName: 'Ben' });
    });
    const rows = screen.getAllByTestId('lobby-request');
    expect(rows.map((r) => r.textContent)).toEqual([
      expect.stringContaining('Ann wants to join'),
      expect.stringContaining('Ben wants to join'),
    ]);
    await user.click(screen.getAllByRole('button', { name: 'Admit' })[0]!);
    await user.click(screen.getAllByRole('button', { name: 'Deny' })[1]!);
    await user.click(screen.getByRole('button', { name: 'Admit all' }));
    expect(sig.sent.filter((m) => m.type.startsWith('lobby-'))).toEqual([
      { type: 'lobby-admit', participantId: 'lobby-1' },
      { type: 'lobby-deny', participantId: 'lobby-2' },
      { type: 'lobby-admit-all' },
    ]);
    act(() => {
      sig.server({ type: 'lobby-left', participantId: 'lobby-1', reason: 'admitted' });
      sig.server({ type: 'lobby-left', participantId: 'lobby-2', reason: 'denied' });
    });
    expect(screen.queryByTestId('lobby-requests')).toBeNull();
  });
});
