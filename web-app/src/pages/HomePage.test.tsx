import { beforeEach, describe, expect, it } from 'vitest';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { HomePage } from './HomePage';
import { ServicesProvider } from '../services';
import { jsonResponse, testServices } from '../test/services';

const created = {
  id: 'r1',
  slug: 'team-sync',
  joinUrl: 'http://127.0.0.1:8080/r/team-sync',
  signallingUrl: 'ws://127.0.0.1:8080/ws',
  token: 'moderator-jwt',
};

beforeEach(() => window.history.replaceState(null, '', '/'));

describe('HomePage', () => {
  it('starts a password meeting, shows and copies the invite link, remembers the moderator token', async () => {
    const bodies: unknown[] = [];
    const { services, tokens, copyText } = testServices(async (_url, init) => {
      bodies.push(JSON.parse(init?.body as string));
      return jsonResponse(201, created);
    });
    render(
      <ServicesProvider services={services}>
        <HomePage />
      </ServicesProvider>,
    );
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Meeting name'), 'Team sync');
    await user.selectOptions(screen.getByLabelText('Who can join'), 'password');
    await user.click(screen.getByRole('button', { name: 'Start meeting' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('at least 4 characters');
    await user.type(screen.getByLabelText('Meeting password'), 'pw12');
    await user.click(screen.getByRole('button', { name: 'Start meeting' }));
    expect(await screen.findByLabelText('Invite link')).toHaveValue(created.joinUrl);
    expect(bodies).toEqual([{ name: 'Team sync', access: 'password', password: 'pw12', lobbyEnabled: false }]);
    expect(tokens.data.get('openmeet.token.team-sync')).toBe('moderator-jwt');
    expect(copyText).toHaveBeenCalledWith(created.joinUrl); // copied on creation
    await user.click(screen.getByRole('button', { name: 'Copy invite link' }));
    expect(copyText).toHaveBeenCalledTimes(2);
    expect(await screen.findByText('Invite link copied.')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Join now' }));
    expect(window.location.pathname).toBe('/r/team-sync');
  });

  it('starts a meeting with a lobby when the box is ticked', async () => {
    const bodies: unknown[] = [];
    const { services } = testServices(async (_url, init) => {
      bodies.push(JSON.parse(init?.body as string));
      return jsonResponse(201, created);
    });
    render(
      <ServicesProvider services={services}>
        <HomePage />
      </ServicesProvider>,
    );
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Meeting name'), 'Team sync');
    await user.click(screen.getByLabelText('Lobby: a moderator lets each guest in'));
    await user.click(screen.getByRole('button', { name: 'Start meeting' }));
    expect(await screen.findByLabelText('Invite link')).toHaveValue(created.joinUrl);
    expect(bodies).toEqual([{ name: 'Team sync', access: 'public', lobbyEnabled: true }]);
  });

  it('shows the server problem when creating fails', async () => {
    const { services } = testServices(async () =>
      jsonResponse(400, { title: 'Bad Request', detail: 'maxParticipants must be at most 100', status: 400 }),
    );
    render(
      <ServicesProvider services={services}>
        <HomePage />
      </ServicesProvider>,
    );
    await userEvent.setup().click(screen.getByRole('button', { name: 'Start meeting' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('maxParticipants must be at most 100');
  });

  it('joins by link or code and rejects junk', async () => {
    const { services } = testServices(async () => jsonResponse(500, {}));
    render(
      <ServicesProvider services={services}>
        <HomePage />
      </ServicesProvider>,
    );
    const user = userEvent.setup();
    const input = screen.getByLabelText('Meeting link or code');
    await user.type(input, 'no way!');
    await user.click(screen.getByRole('button', { name: 'Join' }));
    expect(screen.getByRole('alert')).toHaveTextContent('not a meeting link');
    expect(window.location.pathname).toBe('/');
    await user.clear(input);
    await user.type(input, 'https://meet.example/r/abc-123');
    await user.click(screen.getByRole('button', { name: 'Join' }));
    expect(window.location.pathname).toBe('/r/abc-123');
  });
});
