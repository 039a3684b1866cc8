import { useSyncExternalStore } from 'react';

/** A tiny history-API router: "/" is Home, "/r/<slug>" (or "/<slug>", "/<prefix>/<slug>") is a room. */
const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  window.addEventListener('popstate', listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('popstate', listener);
  };
}

export function navigate(path: string): void {
  window.history.pushState(null, '', path);
  for (const l of listeners) l();
}

export function usePath(): string {
  return useSyncExternalStore(subscribe, () => window.location.pathname);
}

export function roomPath(slug: string): string {
  return `/r/${encodeURIComponent(slug)}`;
}

/** The room slug of a path, or null for the home page. */
export function roomSlugFromPath(path: string): string | null {
  const parts = path.split('/').filter(Boolean);
  if (parts.length === 0) return null;
  // "/abc", "/r/abc", "/rooms/abc" or any one-level prefix room-api's joinUrl may use.
  const candidate = parts.length === 1 ? parts[0] : parts.length === 2 ? parts[1] : undefined;
  if (!candidate) return null;
  const slug = decodeURIComponent(candidate);
  return /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/.test(slug) ? slug : null;
}
