import { useEffect, type RefObject } from 'react';

/**
 * Calls `onSize` with the element's content size in CSS px whenever the browser lays it out anew
 * (ResizeObserver); answers a function that stops. Without ResizeObserver (jsdom) nothing is called.
 */
export function observeSize(el: Element | null, onSize: (width: number, height: number) => void): () => void {
  const RO = globalThis.ResizeObserver;
  if (!el || typeof RO !== 'function') return () => {};
  const observer = new RO((entries) => {
    const last = entries[entries.length - 1];
    if (last) onSize(last.contentRect.width, last.contentRect.height);
  });
  observer.observe(el);
  return () => observer.disconnect();
}

/** observeSize for a component's element, for as long as it is mounted. */
export function useElementSize(ref: RefObject<Element | null>, onSize: (width: number, height: number) => void): void {
  useEffect(() => observeSize(ref.current, onSize), [ref, onSize]);
}

/** The display's device pixels per CSS px (1 where the browser does not say). */
export function devicePixelRatio(): number {
  const r = globalThis.devicePixelRatio;
  return typeof r === 'number' && r > 0 ? r : 1;
}
