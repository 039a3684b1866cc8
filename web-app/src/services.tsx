import { createContext, useContext, type ReactNode } from 'react';
import { RoomApi } from './protocol';
import { browserCallDeps, type CallDeps } from './call/CallController';

/** Everything that talks to the outside world, replaceable in component tests. */
export interface Services {
  api: RoomApi;
  callDeps: CallDeps;
  copyText(text: string): Promise<void>;
  /** Remembered join tokens (the creator's moderator token survives a page reload). */
  tokens: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
}

export const defaultServices = (): Services => ({
  api: new RoomApi(''),
  callDeps: browserCallDeps,
  copyText: (text) => navigator.clipboard.writeText(text),
  tokens: window.sessionStorage,
});

const ServicesContext = createContext<Services | null>(null);

export function ServicesProvider({ services, children }: { services: Services; children: ReactNode }) {
  return <ServicesContext.Provider value={services}>{children}</ServicesContext.Provider>;
}

export function useServices(): Services {
  const s = useContext(ServicesContext);
  if (!s) throw new Error('useServices() outside <ServicesProvider>');
  return s;
}

export const tokenKey = (slug: string) => `openmeet.token.${slug}`;
export const signallingKey = (slug: string) => `openmeet.signalling.${slug}`;
