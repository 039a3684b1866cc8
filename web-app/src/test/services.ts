import { vi } from 'vitest';
import { RoomApi, type FetchLike } from '../protocol';
import type { Services } from '../services';
import type { CallDeps } from '../call/CallController';
import { browserCallDeps } from '../call/CallController';
import { FakeMediaStream, FakeTrack, asStream } from './fakes';

export function memoryStorage(): Services['tokens'] & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (k) => data.get(k) ?? null,
    setItem: (k, v) => void data.set(k, v),
    removeItem: (k) => void data.delete(k),
  };
}

/** Services for component tests: REST answered by `fetch`, media from fake tracks. */
export function testServices(fetch: FetchLike, callDeps: Partial<CallDeps> = {}) {
  const tokens = memoryStorage();
  const copyText = vi.fn(async (_text: string) => {});
  const services: Services = {
    api: new RoomApi('', fetch),
    callDeps: {
      ...browserCallDeps,
      media: {
        open: async (_c, want) =>
          asStream(
            new FakeMediaStream([
              ...(want.audio ? [new FakeTrack('audio')] : []),
              ...(want.video ? [new FakeTrack('video')] : []),
            ]),
          ),
        openScreen: async () => asStream(new FakeMediaStream([new FakeTrack('video')])),
      },
      ...callDeps,
    },
    copyText,
    tokens,
  };
  return { services, tokens, copyText };
}

export const jsonResponse = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': status >= 400 ? 'application/problem+json' : 'application/json' },
  });
