import { createRequire } from 'node:module';
import type { Agent as AgentClass, buildConnector as BuildConnector, Dispatcher } from 'undici';

/**
 * The three parts of undici pikactl uses, loaded on their own. undici's index pulls in
 * fetch, WebSocket, caches, mocks and interceptors: about 170 ms of start-up on our
 * machines for a command that makes two GETs; these three files cost about 35 ms.
 * The paths are undici's own module layout (no "exports" map restricts them); the
 * dependency is pinned to one minor version for that reason, and the transport tests
 * exercise all three.
 */
const require = createRequire(import.meta.url);

export const Agent = require('undici/lib/dispatcher/agent.js') as typeof AgentClass;
export type Agent = AgentClass;
export const buildConnector = require('undici/lib/core/connect.js') as typeof BuildConnector;

type RequestOptions = Omit<Dispatcher.RequestOptions, 'origin' | 'path' | 'method'> & { method?: Dispatcher.HttpMethod; dispatcher: Dispatcher };
const apiRequest = require('undici/lib/api/api-request.js') as (this: Dispatcher, opts: Dispatcher.RequestOptions) => Promise<Dispatcher.ResponseData>;

/** undici's top-level request(url, opts), minus the global-dispatcher fallback: ours is always explicit. */
export function request(url: string, opts: RequestOptions): Promise<Dispatcher.ResponseData> {
  const u = new URL(url);
  const { dispatcher, ...rest } = opts;
  return apiRequest.call(dispatcher, { ...rest, origin: u.origin, path: `${u.pathname}${u.search}`, method: opts.method ?? 'GET' });
}
