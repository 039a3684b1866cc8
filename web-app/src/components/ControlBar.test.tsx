import { beforeEach, describe, expect, it, vi } from 'vitest';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ControlBar, useCallShortcuts, type CallControls } from './ControlBar';
import { useCallStore } from '../store/callStore';

function controls() {
  return {
    toggleMic: vi.fn<() => void>(),
    toggleCamera: vi.fn<() => void>(),
    toggleAudioOnly: vi.fn<() => void>(),
    toggleScreenShare: vi.fn<() => void>(),
    leave: vi.fn<() => void>(),
  } satisfies CallControls;
}

function Harness({ c }: { c: CallControls }) {
  useCallShortcuts(c);
  return (
    <>
      <label>
        Chat message <input />
      </label>
      <ControlBar controls={c} />
    </>
  );
}

beforeEach(() => useCallStore.getState().reset());

describe('ControlBar', () => {
  it('labels every control and reflects mic and camera state', () => {
    const c = controls();
    const { rerender } = render(<ControlBar controls={c} />);
    expect(screen.getByRole('button', { name: 'Mute microphone' })).toHaveAttribute('aria-pressed', 'false');
    expect(screen.getByRole('button', { name: 'Turn camera off' })).toHaveAttribute('aria-keyshortcuts', 'V');
    for (const name of ['Audio-only mode', 'Share screen', 'Chat', 'Participants (1)', 'Leave meeting']) {
      expect(screen.getByRole('button', { name })).toBeInTheDocument();
    }
    useCallStore.getState().setLocalMedia({ audio: false, video: false });
    rerender(<ControlBar controls={c} />);
    expect(screen.getByRole('button', { name: 'Unmute microphone' })).toHaveAttribute('aria-pressed', 'true');
    expect(screen.getByRole('button', { name: 'Turn camera on' })).toBeInTheDocument();
  });

  it('calls the controls on click', async () => {
    const c = controls();
    render(<ControlBar controls={c} />);
    const user = userEvent.setup();
    await user.click(screen.getByTestId('toggle-mic'));
    await user.click(screen.getByTestId('toggle-camera'));
    await user.click(screen.getByTestId('toggle-audio-only'));
    await user.click(screen.getByTestId('toggle-screen'));
    await user.click(screen.getByTestId('leave-call'));
    expect(c.toggleMic).toHaveBeenCalledTimes(1);
    expect(c.toggleCamera).toHaveBeenCalledTimes(1);
    expect(c.toggleAudioOnly).toHaveBeenCalledTimes(1);
    expect(c.toggleScreenShare).toHaveBeenCalledTimes(1);
    expect(c.leave).toHaveBeenCalledTimes(1);
  });

  it('opens chat and participants through the store and shows unread chat', async () => {
    useCallStore.getState().applyServerMessage({
      type: 'joined',
      participantId: 'me',
      moderator: false,
      participants: [{ participantId: 'a', displayName: 'A', moderator: false, audio: true, video: true, screen: false }],
      iceServers: [],
    });
    useCallStore.getState().applyServerMessage({ type: 'chat', from: 'a', text: 'hi', ts: 1 });
    render(<ControlBar controls={controls()} />);
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Chat, 1 unread' }));
    expect(useCallStore.getState().chatOpen).toBe(true);
    expect(screen.getByRole('button', { name: 'Chat' })).toHaveAttribute('aria-pressed', 'true');
    await user.click(screen.getByRole('button', { name: 'Participants (2)' }));
    expect(useCallStore.getState().participantsOpen).toBe(true);
  });

  it('M and V toggle mic and camera, but not while typing or with modifiers', async () => {
    const c = controls();
    render(<Harness c={c} />);
    const user = userEvent.setup();
    await user.keyboard('m');
    await user.keyboard('V');
    expect(c.toggleMic).toHaveBeenCalledTimes(1);
    expect(c.toggleCamera).toHaveBeenCalledTimes(1);
    await user.keyboard('{Control>}m{/Control}');
    await user.click(screen.getByRole('textbox', { name: 'Chat message' }));
    await user.keyboard('mv');
    expect(c.toggleMic).toHaveBeenCalledTimes(1);
    expect(c.toggleCamera).toHaveBeenCalledTimes(1);
  });

  it('keeps a sensible tab order: mic, camera, then the rest, leave last', async () => {
    render(<ControlBar controls={controls()} />);
    const user = userEvent.setup();
    const order: (string | null)[] = [];
    for (let i = 0; i < 8; i++) {
      await user.tab();
      order.push(document.activeElement?.getAttribute('data-testid') ?? null);
    }
    expect(order).toEqual([
      'toggle-mic',
      'toggle-camera',
      'toggle-audio-only',
      'toggle-screen',
      'toggle-layout',
      'toggle-chat',
      'toggle-participants',
      'leave-call',
    ]);
  });

  it('Escape closes the side panels and puts focus back on the chat button', async () => {
    render(<Harness c={controls()} />);
    const user = userEvent.setup();
    await user.click(screen.getByTestId('toggle-chat'));
    await user.click(screen.getByTestId('toggle-participants'));
    await user.click(screen.getByRole('textbox', { name: 'Chat message' }));
    await user.keyboard('{Escape}');
    expect(useCallStore.getState()).toMatchObject({ chatOpen: false, participantsOpen: false });
    expect(screen.getByTestId('toggle-chat')).toHaveFocus();
  });

  it('a force-muted participant cannot unmute but can raise its hand; moderators can end for all', async () => {
    const c = { ...controls(), toggleHand: vi.fn<() => void>(), endMeeting: vi.fn<() => void>() };
    const { rerender } = render(<ControlBar controls={c} />);
    expect(screen.queryByTestId('end-meeting')).toBeNull();
    useCallStore.setState({ forceMuted: { audio: true, video: false }, moderator: true });
    useCallStore.getState().setLocalMedia({ audio: false });
    rerender(<ControlBar controls={c} />);
    expect(screen.getByTestId('toggle-mic')).toBeDisabled();
    expect(screen.getByTestId('toggle-camera')).toBeEnabled();
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Raise your hand' }));
    expect(c.toggleHand).toHaveBeenCalledOnce();
    useCallStore.setState({ handRaisedAt: 7 });
    rerender(<ControlBar controls={c} />);
    expect(screen.getByRole('button', { name: 'Lower your hand' })).toHaveAttribute('aria-pressed', 'true');
    vi.spyOn(window, 'confirm').mockReturnValue(true);
    await user.click(screen.getByTestId('end-meeting'));
    expect(c.endMeeting).toHaveBeenCalledOnce();
  });
});
