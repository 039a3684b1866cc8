import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { render, screen, within, act } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { VideoGrid } from './VideoGrid';
import { ParticipantList } from './ParticipantList';
import { useCallStore } from '../store/callStore';
import type { ParticipantInfo } from '../protocol';
import { ControlBar } from './ControlBar';
import { ModerationContext } from './Moderation';
import { FRAME_CHECK_MS, FRAMES_FRESH_MS } from './VideoTile';
import { buildReceiverConstraints } from '../call/receiverConstraints';
import { FakeMediaStream, FakeResizeObserver, FakeTrack, asStream } from '../test/fakes';

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

describe('VideoGrid sizes and layouts', () => {
  beforeEach(() => {
    FakeResizeObserver.reset();
    vi.stubGlobal('ResizeObserver', FakeResizeObserver);
    vi.stubGlobal('devicePixelRatio', 1);
  });
  afterEach(() => vi.unstubAllGlobals());

  const tile = (id: string) => screen.getByTestId(id);
  const resize = (el: Element, w: number, h: number) => act(() => FakeResizeObserver.resize(el, w, h));
  const withVideo = (id: string, kind: 'camera' | 'screen' = 'camera') =>
    act(() => useCallStore.getState().setRemoteStream(id, kind, asStream(new FakeMediaStream([new FakeTrack('video')]))));

  it('fits as many tiles per page as the window holds: a small window gives a 3-person call a page 2', async () => {
    join([person('b'), person('c')]);
    render(<VideoGrid />);
    const grid = screen.getByTestId('video-grid');
    expect(grid.querySelectorAll('figure')).toHaveLength(3);
    resize(grid, 464, 280); // one column of two readable 240x135 tiles
    expect(grid).toHaveAttribute('data-page-size', '2');
    expect(screen.getByText('Page 1 of 2')).toBeInTheDocument();
    expect(grid.querySelectorAll('figure')).toHaveLength(2);
    expect(screen.queryByTestId('tile-c-camera')).toBeNull();
    // only what is on screen is asked for: c's camera is not in the constraints
    resize(tile('tile-b-camera'), 464, 136);
    const s = useCallStore.getState();
    expect(Object.keys(s.renderedTiles).sort()).toEqual(['b:camera', 'me:camera']);
    expect(buildReceiverConstraints(s).constraints).toEqual({ 'b-v0': { maxHeight: 180 } });
    await userEvent.setup().click(screen.getByTestId('page-next'));
    expect(screen.getByTestId('tile-c-camera')).toBeInTheDocument();
    expect(buildReceiverConstraints(useCallStore.getState()).constraints).toEqual({ 'c-v0': { maxHeight: 180 } });
    // the window grows: everyone on one page again
    resize(grid, 1264, 600);
    expect(grid).toHaveAttribute('data-page-size', '12');
    expect(screen.queryByRole('navigation', { name: 'Video pages' })).toBeNull();
  });

  it('asks for each tile by its rendered height times the device pixel ratio', () => {
    join([person('b')]);
    render(<VideoGrid />);
    const b = tile('tile-b-camera');
    expect(b).not.toHaveAttribute('data-max-height');
    resize(b, 620, 300);
    expect(b).toHaveAttribute('data-max-height', '360');
    vi.stubGlobal('devicePixelRatio', 2);
    resize(b, 620, 300);
    expect(b).toHaveAttribute('data-max-height', '720');
    resize(b, 100, 80);
    expect(b).toHaveAttribute('data-max-height', '180');
    expect(useCallStore.getState().renderedTiles['b:camera']).toEqual({ participantId: 'b', kind: 'camera', self: false, maxHeight: 180 });
  });

  it('switches to the speaker layout with the toggle: the speaker on stage, the others in the filmstrip', async () => {
    join([person('b'), person('c')]);
    render(
      <>
        <VideoGrid />
        <ControlBar controls={{ toggleMic() {}, toggleCamera() {}, toggleAudioOnly() {}, toggleScreenShare() {}, leave() {} }} />
      </>,
    );
    const user = userEvent.setup();
    await user.click(screen.getByTestId('toggle-layout'));
    expect(screen.getByTestId('toggle-layout')).toHaveAttribute('aria-pressed', 'true');
    expect(screen.getByTestId('video-stage')).toHaveAttribute('data-layout', 'speaker');
    const stage = screen.getByTestId('stage');
    expect(within(stage).getByTestId('tile-b-camera')).toHaveAttribute('data-on-stage', 'true');
    const strip = screen.getByTestId('filmstrip');
    expect([...strip.querySelectorAll('figure')].map((f) => f.getAttribute('data-testid'))).toEqual(['tile-self-camera', 'tile-c-camera']);
    expect(tile('tile-c-camera')).toHaveAttribute('data-on-stage', 'false');
    act(() => useCallStore.getState().applyServerMessage({ type: 'dominant-speaker', participantId: 'c' }));
    expect(within(stage).getByTestId('tile-c-camera')).toHaveAttribute('data-speaking', 'true');
    // we speak: the stage stays with the last remote speaker
    act(() => useCallStore.getState().applyServerMessage({ type: 'dominant-speaker', participantId: 'me' }));
    expect(within(stage).getByTestId('tile-c-camera')).toBeInTheDocument();
    expect(buildReceiverConstraints(useCallStore.getState()).onStageSources).toEqual(['c-v0']);
    await user.click(screen.getByTestId('toggle-layout'));
    expect(screen.getByTestId('video-stage')).toHaveAttribute('data-layout', 'grid');
    expect(screen.queryByTestId('stage')).toBeNull();
  });

  it('pins a tile with its pin button or a click on the thumbnail, and unpins it', async () => {
    join([person('b'), person('c')]);
    render(<VideoGrid />);
    const user = userEvent.setup();
    await user.click(screen.getByTestId('pin-c-camera'));
    expect(useCallStore.getState()).toMatchObject({ layout: 'speaker', pinned: 'c:camera' });
    expect(within(screen.getByTestId('stage')).getByTestId('tile-c-camera')).toHaveAttribute('data-pinned', 'true');
    expect(screen.getByTestId('pin-c-camera')).toHaveAccessibleName('Unpin Person c');
    await user.click(tile('tile-self-camera'));
    expect(within(screen.getByTestId('stage')).getByTestId('tile-self-camera')).toBeInTheDocument();
    await user.click(screen.getByTestId('pin-self-camera'));
    expect(useCallStore.getState().pinned).toBeNull();
    expect(within(screen.getByTestId('stage')).getByTestId('tile-b-camera')).toBeInTheDocument();
  });

  it('puts a remote screen share on the stage by itself, and goes back to the grid when it ends', () => {
    join([person('b'), person('c')]);
    render(<VideoGrid />);
    act(() => useCallStore.getState().applyServerMessage({ type: 'media-state', participantId: 'c', audio: true, video: true, screen: true }));
    expect(screen.getByTestId('video-stage')).toHaveAttribute('data-layout', 'speaker');
    expect(within(screen.getByTestId('stage')).getByTestId('tile-c-screen')).toHaveAttribute('data-source-name', 'c-v1');
    expect(within(screen.getByTestId('filmstrip')).getByTestId('tile-c-camera')).toBeInTheDocument();
    act(() => useCallStore.getState().applyServerMessage({ type: 'media-state', participantId: 'c', audio: true, video: true, screen: false }));
    expect(screen.getByTestId('video-stage')).toHaveAttribute('data-layout', 'grid');
  });

  it('shows the avatar, not a frozen frame, for a source the bridge does not forward', () => {
    join([person('b'), person('c')]);
    withVideo('b');
    withVideo('c');
    render(<VideoGrid />);
    // before the bridge says anything: video as usual
    expect(tile('tile-b-camera')).toHaveAttribute('data-forwarded', 'unknown');
    expect(tile('tile-b-camera')).toHaveAttribute('data-shows', 'video');
    expect(within(tile('tile-b-camera')).getByTestId('tile-video')).toBeVisible();
    expect(tile('tile-self-camera')).not.toHaveAttribute('data-forwarded');
    act(() => useCallStore.getState().setForwardedSources(['c-v0']));
    expect(tile('tile-b-camera')).toHaveAttribute('data-forwarded', 'false');
    expect(tile('tile-b-camera')).toHaveAttribute('data-shows', 'avatar');
    expect(within(tile('tile-b-camera')).getByTestId('tile-video')).toHaveClass(/hiddenVideo/);
    expect(tile('tile-b-camera')).toHaveAccessibleName('Person b, video paused');
    expect(tile('tile-c-camera')).toHaveAttribute('data-forwarded', 'true');
    expect(tile('tile-c-camera')).toHaveAttribute('data-shows', 'video');
    act(() => useCallStore.getState().setForwardedSources(['b-v0', 'c-v0']));
    expect(tile('tile-b-camera')).toHaveAttribute('data-shows', 'video');
    expect(within(tile('tile-b-camera')).getByTestId('tile-video')).not.toHaveClass(/hiddenVideo/);
  });

  it('shows a source the bridge calls not forwarded while its frames keep arriving, and the avatar once they stop', () => {
    vi.useFakeTimers();
    try {
      let frames = 0;
      Object.defineProperty(HTMLVideoElement.prototype, 'getVideoPlaybackQuality', {
        configurable: true,
        value: () => ({ totalVideoFrames: frames }),
      });
      join([person('b')]);
      withVideo('b');
      render(<VideoGrid />);
      act(() => useCallStore.getState().setForwardedSources([]));
      const b = tile('tile-b-camera');
      expect(b).toHaveAttribute('data-shows', 'avatar');
      act(() => vi.advanceTimersByTime(FRAME_CHECK_MS)); // no new frame yet
      expect(b).toHaveAttribute('data-shows', 'avatar');
      frames += 6;
      act(() => vi.advanceTimersByTime(FRAME_CHECK_MS));
      expect(b).toHaveAttribute('data-shows', 'video');
      expect(b).toHaveAttribute('data-forwarded', 'false');
      // the frames stop: the avatar within FRAMES_FRESH_MS, not the last frame
      act(() => vi.advanceTimersByTime(FRAMES_FRESH_MS + FRAME_CHECK_MS));
      expect(b).toHaveAttribute('data-shows', 'avatar');
    } finally {
      delete (HTMLVideoElement.prototype as { getVideoPlaybackQuality?: unknown }).getVideoPlaybackQuality;
      vi.useRealTimers();
    }
  });
});

describe('ParticipantList', () => {
  it('gives moderators mute (or allow) and remove buttons per participant', async () => {
    // a mute is enforced at the bridge: it means something even while the microphone is off
    join([person('b'), person('c', { audio: false }), person('d', { audio: false, audioForceMuted: true })], true);
    const actions: string[] = [];
    render(<ParticipantList onModerate={(a, id, media) => actions.push(`${a}:${id}:${media}`)} />);
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Mute Person b' }));
    await user.click(screen.getByRole('button', { name: 'Mute Person c' }));
    await user.click(screen.getByRole('button', { name: 'Remove Person c' }));
    expect(screen.queryByRole('button', { name: 'Mute Person d' })).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Allow Person d to unmute' }));
    expect(actions).toEqual(['mute:b:audio', 'mute:c:audio', 'kick:c:undefined', 'allow-unmute:d:audio']);
  });

  it('shows no moderation controls to other participants', () => {
    join([person('b')], false);
    render(<ParticipantList onModerate={() => {}} />);
    expect(screen.getByText('Person b')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Mute|Remove/ })).toBeNull();
  });
});

describe('moderation on the tiles', () => {
  it('shows raised hands in order and gives moderators per-tile mute, allow, lower-hand and remove', async () => {
    join([person('b', { handRaisedAt: 20 }), person('c', { handRaisedAt: 10, audioForceMuted: true, audio: false })], true);
    const actions: string[] = [];
    render(
      <ModerationContext.Provider value={{ moderate: (a, id, media) => actions.push(`${a}:${id}:${media}`) }}>
        <VideoGrid />
      </ModerationContext.Provider>,
    );
    expect(screen.getByTestId('tile-b-camera')).toHaveAttribute('data-hand', '2');
    expect(screen.getByTestId('tile-c-camera')).toHaveAttribute('data-hand', '1');
    expect(screen.getByTestId('tile-c-camera')).toHaveAttribute('data-audio-force-muted', 'true');
    expect(within(screen.getByTestId('tile-self-camera')).queryByRole('group')).toBeNull();
    const user = userEvent.setup();
    await user.click(screen.getByTestId('tile-mute-audio-b'));
    await user.click(screen.getByTestId('tile-mute-video-b'));
    await user.click(screen.getByTestId('tile-allow-audio-c'));
    await user.click(screen.getByTestId('tile-lower-hand-c'));
    await user.click(screen.getByTestId('tile-kick-b'));
    expect(actions).toEqual([
      'mute:b:audio',
      'mute:b:video',
      'allow-unmute:c:audio',
      'lower-hand:c:undefined',
      'kick:b:undefined',
    ]);
  });

  it('shows no moderator buttons to a participant who is not a moderator', () => {
    join([person('b')], false);
    render(
      <ModerationContext.Provider value={{ moderate: () => {} }}>
        <VideoGrid />
      </ModerationContext.Provider>,
    );
    expect(screen.queryByTestId('tile-mute-audio-b')).toBeNull();
    expect(screen.queryByTestId('tile-kick-b')).toBeNull();
  });
});
