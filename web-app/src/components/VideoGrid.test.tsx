import { beforeEach, describe, expect, it } from 'vitest';
import { render, screen, within, act } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { VideoGrid } from './VideoGrid';
import { ParticipantList } from './ParticipantList';
import { useCallStore } from '../store/callStore';
import type { ParticipantInfo } from '../protocol';

const person = (id: string, over: Partial<ParticipantInfo> = {}): ParticipantInfo => ({
  participantId: id,
  displayName: `Person ${id}`,
  moderator: false,
  audio: true,
  video: true,
  screen: false,
  ...over,
});

function join(others: ParticipantInfo[], moderator = false) {
  act(() =>
    useCallStore.getState().applyServerMessage({
      type: 'joined',
      participantId: 'me',
      moderator,
      participants: others,
      iceServers: [],
    }),
  );
}

beforeEach(() => {
  useCallStore.getState().reset();
  useCallStore.getState().setSelfName('Ada');
});

describe('VideoGrid', () => {
  it('shows names, mute and camera-off indicators, the active speaker and screen tiles', () => {
    join([person('b', { audio: false }), person('c', { video: false, screen: true })]);
    act(() => useCallStore.getState().applyServerMessage({ type: 'dominant-speaker', participantId: 'c' }));
    render(<VideoGrid />);
    expect(screen.getByTestId('tile-self-camera')).toHaveAccessibleName('Ada (you)');
    const b = screen.getByTestId('tile-b-camera');
    expect(b).toHaveAccessibleName('Person b, microphone off');
    expect(within(b).getByTestId('mic-off-indicator')).toBeInTheDocument();
    const c = screen.getByTestId('tile-c-camera');
    expect(c).toHaveAttribute('data-speaking', 'true');
    expect(c).toHaveAccessibleName('Person c, camera off, speaking');
    expect(within(c).getByTestId('camera-off-indicator')).toBeInTheDocument();
    expect(screen.getByTestId('tile-c-screen')).toHaveAccessibleName("Person c's screen");
  });

  it('pages beyond 12 tiles', async () => {
    join(Array.from({ length: 13 }, (_, i) => person(`p${i}`)));
    render(<VideoGrid />);
    const grid = screen.getByTestId('video-grid');
    expect(grid.querySelectorAll('figure')).toHaveLength(12);
    expect(screen.getByText('Page 1 of 2')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Previous page' })).toBeDisabled();
    await userEvent.setup().click(screen.getByRole('button', { name: 'Next page' }));
    expect(screen.getByText('Page 2 of 2')).toBeInTheDocument();
    expect(grid.querySelectorAll('figure')).toHaveLength(2);
    expect(screen.getByTestId('tile-p12-camera')).toBeInTheDocument();
  });

  it('has no pager for a small call', () => {
    join([person('b')]);
    render(<VideoGrid />);
    expect(screen.queryByRole('navigation', { name: 'Video pages' })).toBeNull();
  });
});

describe('ParticipantList', () => {
  it('gives moderators mute and remove buttons per participant', async () => {
    join([person('b'), person('c', { audio: false })], true);
    const actions: string[] = [];
    render(<ParticipantList onModerate={(a, id) => actions.push(`${a}:${id}`)} />);
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Mute Person b' }));
    await user.click(screen.getByRole('button', { name: 'Remove Person c' }));
    expect(screen.getByRole('button', { name: 'Mute Person c' })).toBeDisabled();
    expect(actions).toEqual(['mute:b', 'kick:c']);
  });

  it('shows no moderation controls to other participants', () => {
    join([person('b')], false);
    render(<ParticipantList onModerate={() => {}} />);
    expect(screen.getByText('Person b')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Mute|Remove/ })).toBeNull();
  });
});
