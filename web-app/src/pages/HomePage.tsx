import { useState, type FormEvent } from 'react';
import { ApiError, describeError, slugFromInput, type AccessPolicy, type CreatedRoom } from '../protocol';
import { navigate, roomPath } from '../router';
import { signallingKey, tokenKey, useServices } from '../services';
import styles from './Page.module.css';

export function HomePage() {
  const { api, copyText, tokens } = useServices();
  const [name, setName] = useState('');
  const [access, setAccess] = useState<AccessPolicy>('public');
  const [password, setPassword] = useState('');
  const [lobby, setLobby] = useState(false);
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<CreatedRoom | null>(null);
  const [createError, setCreateError] = useState<string | null>(null);
  const [copied, setCopied] = useState<string | null>(null);
  const [joinInput, setJoinInput] = useState('');
  const [joinError, setJoinError] = useState<string | null>(null);

  async function startMeeting(e: FormEvent) {
    e.preventDefault();
    if (access === 'password' && password.length < 4) {
      setCreateError('Choose a meeting password of at least 4 characters.');
      return;
    }
    setBusy(true);
    setCreateError(null);
    try {
      const room = await api.createRoom({
        name: name.trim() || 'Meeting',
        access,
        ...(access === 'password' ? { password } : {}),
        lobbyEnabled: lobby,
      });
      tokens.setItem(tokenKey(room.slug), room.token);
      tokens.setItem(signallingKey(room.slug), room.signallingUrl);
      setCreated(room);
      setCopied(null);
      // Copy right away when the browser allows it; the Copy button stays for when it does not.
      copyText(room.joinUrl).then(
        () => setCopied('Invite link copied.'),
        () => {},
      );
    } catch (err) {
      setCreateError(err instanceof ApiError ? describeError(err.code, err.detail || err.title) : String(err));
    } finally {
      setBusy(false);
    }
  }

  async function copyLink() {
    if (!created) return;
    try {
      await copyText(created.joinUrl);
      setCopied('Invite link copied.');
    } catch {
      setCopied('Could not copy: select the link and copy it yourself.');
    }
  }

  function join(e: FormEvent) {
    e.preventDefault();
    const slug = slugFromInput(joinInput);
    if (!slug) {
      setJoinError('That is not a meeting link or code.');
      return;
    }
    navigate(roomPath(slug));
  }

  return (
    <main className={styles.page}>
      <h1 className={styles.title}>openmeet</h1>
      <div className={styles.cards}>
        <section className={styles.card} aria-labelledby="start-heading">
          <h2 id="start-heading">Start a meeting</h2>
          <form onSubmit={startMeeting} className={styles.card} style={{ padding: 0 }}>
            <label className={styles.field}>
              Meeting name
              <input value={name} onChange={(e) => setName(e.target.value)} maxLength={100} data-testid="room-name" />
            </label>
            <label className={styles.field}>
              Who can join
              <select
                value={access}
                onChange={(e) => setAccess(e.target.value as AccessPolicy)}
                data-testid="room-access"
              >
                <option value="public">Anyone with the link</option>
                <option value="password">Anyone with the link and password</option>
                <option value="invite_only">Invited people only</option>
              </select>
            </label>
            {access === 'password' && (
              <label className={styles.field}>
                Meeting password
                <input
                  type="password"
                  value={password}
                  onChange={(e) => setPassword(e.target.value)}
                  data-testid="room-password"
                  autoComplete="new-password"
                />
              </label>
            )}
            <label className={styles.field} style={{ flexDirection: 'row', alignItems: 'center', gap: '0.5rem' }}>
              <input
                type="checkbox"
                checked={lobby}
                onChange={(e) => setLobby(e.target.checked)}
                data-testid="room-lobby"
              />
              Lobby: a moderator lets each guest in
            </label>
            {createError && (
              <p role="alert" className={styles.error}>
                {createError}
              </p>
            )}
            <button type="submit" className={styles.primary} disabled={busy} data-testid="start-meeting">
              {busy ? 'Starting…' : 'Start meeting'}
            </button>
          </form>
          {created && (
            <div className={styles.card} style={{ padding: 0 }} data-testid="created-room">
              <label className={styles.field}>
                Invite link
                <input readOnly value={created.joinUrl} onFocus={(e) => e.currentTarget.select()} data-testid="invite-link" />
              </label>
              <div className={styles.row}>
                <button type="button" className={styles.secondary} onClick={copyLink} data-testid="copy-invite">
                  Copy invite link
                </button>
                <button
                  type="button"
                  className={styles.primary}
                  onClick={() => navigate(roomPath(created.slug))}
                  data-testid="join-created"
                >
                  Join now
                </button>
              </div>
              {copied && (
                <p role="status" className={styles.hint}>
                  {copied}
                </p>
              )}
            </div>
          )}
        </section>
        <section className={styles.card} aria-labelledby="join-heading">
          <h2 id="join-heading">Join a meeting</h2>
          <form onSubmit={join} className={styles.card} style={{ padding: 0 }}>
            <label className={styles.field}>
              Meeting link or code
              <input
                value={joinInput}
                onChange={(e) => {
                  setJoinInput(e.target.value);
                  setJoinError(null);
                }}
                data-testid="join-input"
              />
            </label>
            {joinError && (
              <p role="alert" className={styles.error}>
                {joinError}
              </p>
            )}
            <button type="submit" className={styles.primary} data-testid="join-by-link">
              Join
            </button>
          </form>
        </section>
      </div>
    </main>
  );
}
