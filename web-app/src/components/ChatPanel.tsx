import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useCallStore } from '../store/callStore';
import styles from './Call.module.css';

export function ChatPanel({ onSend }: { onSend(text: string): boolean }) {
  const chat = useCallStore((s) => s.chat);
  const [text, setText] = useState('');
  const listRef = useRef<HTMLOListElement>(null);
  const inputRef = useRef<HTMLInputElement>(null);

  useEffect(() => inputRef.current?.focus(), []);
  useEffect(() => {
    const el = listRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [chat]);

  function submit(e: FormEvent) {
    e.preventDefault();
    if (onSend(text)) setText('');
  }

  return (
    <aside id="chat-panel" className={styles.panel} aria-labelledby="chat-heading">
      <h2 id="chat-heading">Chat</h2>
      <ol className={styles.messages} ref={listRef} role="log" aria-live="polite" data-testid="chat-messages">
        {chat.map((m) => (
          <li key={m.id} data-testid="chat-message" data-from={m.from}>
            <div className={styles.from}>
              {m.self ? 'You' : m.displayName}{' '}
              <time dateTime={new Date(m.ts).toISOString()}>
                {new Date(m.ts).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}
              </time>
            </div>
            <div>{m.text}</div>
          </li>
        ))}
      </ol>
      <form className={styles.chatForm} onSubmit={submit}>
        <label htmlFor="chat-input" className="visually-hidden">
          Chat message
        </label>
        <input
          id="chat-input"
          ref={inputRef}
          value={text}
          onChange={(e) => setText(e.target.value)}
          maxLength={4000}
          autoComplete="off"
          data-testid="chat-input"
        />
        <button type="submit" className={styles.small} data-testid="chat-send">
          Send
        </button>
      </form>
    </aside>
  );
}
