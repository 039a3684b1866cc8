import { beforeEach, describe, expect, it, vi } from 'vitest';
import { act, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { QualityIndicator } from './QualityIndicator';
import { AudioOnlySuggestion } from './AudioOnlySuggestion';
import { useQualityStore } from '../store/qualityStore';
import type { StreamQuality } from '../media/connectionQuality';

const q = (over: Partial<StreamQuality> = {}): StreamQuality => ({
  level: 'fair',
  direction: 'receive',
  lossFraction: 0.031,
  rttMs: 42,
  width: 640,
  height: 360,
  fps: 20,
  bitrateKbps: 812,
  ...over,
});

beforeEach(() => useQualityStore.getState().reset());

describe('QualityIndicator', () => {
  it('shows nothing before the first reading, then the level with its numbers on click', async () => {
    render(<QualityIndicator tileKey="bob:camera" />);
    expect(screen.queryByTestId('quality-indicator')).toBeNull();
    act(() => useQualityStore.getState().setTiles({ 'bob:camera': q() }));
    const dot = screen.getByRole('button', { name: 'Fair connection' });
    expect(dot).toHaveAttribute('data-quality', 'fair');
    expect(dot.getAttribute('title')).toContain('Packet loss: 3.1 %');
    await userEvent.click(dot);
    const popover = screen.getByTestId('quality-popover');
    expect(popover).toHaveTextContent('Round trip42 ms');
    expect(popover).toHaveTextContent('Receiving640×360');
    expect(popover).toHaveTextContent('Bitrate812 kbit/s');
    await userEvent.click(dot);
    expect(screen.queryByTestId('quality-popover')).toBeNull();
  });

  it('shows the estimates on our own tile', async () => {
    act(() =>
      useQualityStore.getState().setTiles({
        'me:camera': q({ level: 'good', direction: 'send', availableOutgoingKbps: 1500, downlinkEstimateKbps: null }),
      }),
    );
    render(<QualityIndicator tileKey="me:camera" />);
    await userEvent.click(screen.getByRole('button', { name: 'Good connection' }));
    expect(screen.getByTestId('quality-popover')).toHaveTextContent('Upload estimate1500 kbit/s');
    expect(screen.getByTestId('quality-popover')).toHaveTextContent('Download estimate (bridge)–');
  });
});

describe('AudioOnlySuggestion', () => {
  it('shows only while suggested; accept and not-now call back', async () => {
    const onAccept = vi.fn();
    const onDismiss = vi.fn();
    render(<AudioOnlySuggestion onAccept={onAccept} onDismiss={onDismiss} />);
    expect(screen.queryByTestId('audio-only-suggestion')).toBeNull();
    act(() => useQualityStore.getState().setSuggestion(true, 87.4));
    expect(screen.getByTestId('audio-only-suggestion')).toHaveTextContent('about 87 kbit/s');
    await userEvent.click(screen.getByRole('button', { name: 'Switch to audio only' }));
    await userEvent.click(screen.getByRole('button', { name: 'Not now' }));
    expect(onAccept).toHaveBeenCalledTimes(1);
    expect(onDismiss).toHaveBeenCalledTimes(1);
  });
});
