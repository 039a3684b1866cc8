import { beforeEach, describe, expect, it } from 'vitest';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { PreJoinPage } from './PreJoinPage';
import { ServicesProvider } from '../services';
import type { CallParams } from '../call/CallController';
import type { FetchLike } from '../protocol';
import { jsonResponse, testServices } from '../test/services';

const room = (access: string) => ({
  id: 'r1',
  slug: 'abc',
  name: 'Standup',
  access,
  signallingUrl: 'ws://127.0.0.1:8080/ws',
});

function renderPreJoin(fetch: FetchLike, initialError: string | null = null) {
  const { services, tokens } = testServices(fetch);
  const joins: CallParams[] = [];
  render(
    <ServicesProvider services={services}>
      <PreJoinPage slug="abc" initialError={initialError} onJoin={(p) => joins.push(p)} />
    </ServicesProvider>,
  );
  return { joins, tokens };
}

beforeEach(() => localStorage.clear());

describe('PreJoinPage', () => {
  it('says clearly when the room does not exist', async () => {
    renderPreJoin(async () => jsonResponse(404, { title: 'Not Found', detail: 'no room abc', status: 404 }));
    expect(await screen.findByTestId('room-error')).toHaveTextContent('This meeting does not exist or has ended');
  });

  it('says when the meeting has ended', async () => {
    renderPreJoin(async () => jsonResponse(200, { ...room('public'), active: false }));
    expect(await screen.findByTestId('room-error')).toHaveTextContent('This meeting has ended.');
  });

  it('joins a public room with camera off and muted', async () => {
    const calls: string[] = [];
    const { joins } = renderPreJoin(async (url, init) => {
      calls.push(`${init?.method ?? 'GET'} ${url} ${init?.body ?? ''}`);
      return url.endsWith('/tokens') ? jsonResponse(200, { token: 'guest-jwt' }) : jsonResponse(200, room('public'));
    });
    expect(await screen.findByRole('heading', { name: 'Join “Standup”' })).toBeInTheDocument();
    expect(screen.getByRole('meter', { name: 'Microphone level' })).toBeInTheDocument();
    expect(screen.getByLabelText('Camera')).toBeInTheDocument();
    expect(screen.getByLabelText('Microphone')).toBeInTheDocument();
    expect(screen.queryByLabelText('Meeting password')).toBeNull();
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Join meeting' }));
    expect(screen.getByRole('alert')).toHaveTextContent('Enter your name');
    await user.type(screen.getByLabelText('Your name'), 'Bob');
    await user.click(screen.getByLabelText('Join with camera off'));
    await user.click(screen.getByLabelText('Join muted'));
    await user.click(screen.getByRole('button', { name: 'Join meeting' }));
    expect(joins).toHaveLength(1);
    expect(joins[0]).toMatchObject({
      signallingUrl: 'ws://127.0.0.1:8080/ws',
      token: 'guest-jwt',
      displayName: 'Bob',
      audio: false,
      video: false,
    });
    expect(calls).toContain('POST /api/rooms/abc/tokens {"displayName":"Bob"}');
    expect(localStorage.getItem('openmeet.displayName')).toBe('Bob');
  });

  it('asks for the password of a password room and explains a wrong one', async () => {
    const passwords: unknown[] = [];
    const { joins } = renderPreJoin(async (url, init) => {
      if (!url.endsWith('/tokens')) return jsonResponse(200, room('password'));
      const body = JSON.parse(init?.body as string) as { password?: string };
      passwords.push(body.password);
      return body.password === 'right'
        ? jsonResponse(200, { token: 't' })
        : jsonResponse(403, { title: 'Forbidden', detail: 'wrong password', status: 403 });
    });
    const user = userEvent.setup();
    const password = await screen.findByLabelText('Meeting password');
    await user.type(screen.getByLabelText('Your name'), 'Eve');
    await user.click(screen.getByRole('button', { name: 'Join meeting' }));
    expect(screen.getByRole('alert')).toHaveTextContent('needs a password');
    await user.type(password, 'wrong');
    await user.click(screen.getByRole('button', { name: 'Join meeting' }));
    expect(await screen.findByText('Wrong password.')).toBeInTheDocument();
    expect(joins).toHaveLength(0);
    await user.clear(password);
    await user.type(password, 'right');
    await user.click(screen.getByRole('button', { name: 'Join meeting' }));
    expect(joins).toHaveLength(1);
    expect(passwords).toEqual(['wrong', 'right']);
  });

  it('explains room full and not invited', async () => {
    let answer = jsonResponse(409, { title: 'Conflict', detail: 'room full', status: 409 });
    renderPreJoin(async (url) => (url.endsWith('/tokens') ? answer : jsonResponse(200, room('invite_only'))));
    const user = userEvent.setup();
    await screen.findByRole('heading', { name: 'Join “Standup”' });
    await user.type(screen.getByLabelText('Your name'), 'Eve');
    await user.click(screen.getByRole('button', { name: 'Join meeting' }));
    expect(await screen.findByText('This meeting is full. Try again later.')).toBeInTheDocument();
    answer = jsonResponse(403, { title: 'Forbidden', detail: 'invite only', status: 403 });
    await user.click(screen.getByRole('button', { name: 'Join meeting' }));
    expect(await screen.findByText('You are not invited to this meeting.')).toBeInTheDocument();
  });

  it('turns a remembered moderator token into a moderator token in the typed name, without a password', async () => {
    const asked: { auth: string | null; body: unknown }[] = [];
    const { services, tokens } = testServices(async (url, init) => {
      if (!url.endsWith('/tokens')) return jsonResponse(200, room('password'));
      const auth = new Headers(init?.headers).get('Authorization');
      asked.push({ auth, body: JSON.parse(init?.body as string) });
      return jsonResponse(200, { token: 'mod-jwt-ada' });
    });
    tokens.setItem('openmeet.token.abc', 'mod-jwt');
    const joins: CallParams[] = [];
    render(
      <ServicesProvider services={services}>
        <PreJoinPage slug="abc" onJoin={(p) => joins.push(p)} />
      </ServicesProvider>,
    );
    const user = userEvent.setup();
    await screen.findByRole('heading', { name: 'Join “Standup”' });
    expect(screen.queryByLabelText('Meeting password')).toBeNull();
    await user.type(screen.getByLabelText('Your name'), 'Ada');
    await user.click(screen.getByRole('button', { name: 'Join meeting' }));
    expect(asked).toEqual([{ auth: 'Bearer mod-jwt', body: { displayName: 'Ada' } }]);
    expect(joins[0]?.token).toBe('mod-jwt-ada');
  });

  it('joins like anyone with the link when the server no longer takes the remembered token', async () => {
    const auths: (string | null)[] = [];
    const { services, tokens } = testServices(async (url, init) => {
      if (!url.endsWith('/tokens')) return jsonResponse(200, room('public'));
      const auth = new Headers(init?.headers).get('Authorization');
      auths.push(auth);
      return auth
        ? jsonResponse(401, { title: 'Unauthorized', detail: 'token expired', status: 401 })
        : jsonResponse(200, { token: 'guest-jwt' });
    });
    tokens.setItem('openmeet.token.abc', 'old-mod-jwt');
    const joins: CallParams[] = [];
    render(
      <ServicesProvider services={services}>
        <PreJoinPage slug="abc" onJoin={(p) => joins.push(p)} />
      </ServicesProvider>,
    );
    const user = userEvent.setup();
    await screen.findByRole('heading', { name: 'Join “Standup”' });
    await user.type(screen.getByLabelText('Your name'), 'Ada');
    await user.click(screen.getByRole('button', { name: 'Join meeting' }));
    expect(auths).toEqual(['Bearer old-mod-jwt', null]);
    expect(joins[0]?.token).toBe('guest-jwt');
  });

  it('shows why an earlier join attempt failed', async () => {
    renderPreJoin(async () => jsonResponse(200, room('public')), 'This meeting is full. Try again later.');
    expect(await screen.findByTestId('join-error')).toHaveTextContent('This meeting is full.');
  });
});
