import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';
import type {
  Agent as AgentClass,
  buildConnector as BuildConnector,
  Dispatcher,
  Pool as PoolClass,
  ProxyAgent as ProxyAgentClass,
} from 'undici';

/**
 * The three parts of undici pikactl uses, loaded on their own. undici's index pulls in
 * fetch, WebSocket, caches, mocks and interceptors: about 170 ms of start-up on our
 * machines for a command that makes two GETs; these three files cost about 35 ms.
 * The paths are undici's own module layout (no "exports" map restricts them); the
 * dependency is pinned to one exact version for that reason, the transport tests
 * exercise all three, and test/transport/undici-layout.test.ts names what broke.
 */
const require = createRequire(import.meta.url);

export const Agent = require('undici/lib/dispatcher/agent.js') as typeof AgentClass;
export type Agent = AgentClass;
export const buildConnector = require('undici/lib/core/connect.js') as typeof BuildConnector;

// undici parses HTTP with a WebAssembly build of llhttp. V8 compiles it twice: a quick
// baseline, then an optimised tier in the background, and a process cannot exit until
// that background job ends: about 150 ms of idle after the last response of every
// command. A CLI makes a handful of requests, so the baseline tier is plenty. Set here,
// once undici and the built-in modules under it are loaded, not at start-up: a V8 flag
// set at run time voids Node's code cache for every built-in module loaded after it
// (each is then compiled from source: +100M instructions, a sixth of `status`).
setFlagsFromString('--liftoff-only');

type RequestOptions = Omit<Dispatcher.RequestOptions, 'origin' | 'path' | 'method'> & {
  method?: Dispatcher.HttpMethod;
  dispatcher: Dispatcher;
};
const apiRequest = require('undici/lib/api/api-request.js') as (
  this: Dispatcher,
  opts: Dispatcher.RequestOptions,
) => Promise<Dispatcher.ResponseData>;

/** undici's top-level request(url, opts), minus the global-dispatcher fallback: ours is always explicit. */
export function request(url: string, opts: RequestOptions): Promise<Dispatcher.ResponseData> {
  const u = new URL(url);
  const { dispatcher, ...rest } = opts;
  return apiRequest.call(dispatcher, {
    ...rest,
    origin: u.origin,
    path: `${u.pathname}${u.search}`,
    method: opts.method ?? 'GET',
  });
}

/**
 * undici's ProxyAgent and Pool, loaded only when a proxy applies to a server (most runs
 * have none and pay nothing). Same reasoning and pin as the parts above. ProxyAgent sends
 * CONNECT with `client.connect()`, a method undici's index adds to every dispatcher; the
 * index is not loaded here, so `connectVia` gives the proxy's pool that one method.
 */
export function loadProxyParts(): {
  ProxyAgent: typeof ProxyAgentClass;
  Pool: typeof PoolClass;
  connectVia: (pool: PoolClass) => PoolClass;
} {
  const apiConnect = require('undici/lib/api/api-connect.js') as (
    this: Dispatcher,
    opts: Dispatcher.ConnectOptions,
  ) => Promise<Dispatcher.ConnectData>;
  return {
    ProxyAgent: require('undici/lib/dispatcher/proxy-agent.js') as typeof ProxyAgentClass,
    Pool: require('undici/lib/dispatcher/pool.js') as typeof PoolClass,
    connectVia: (pool) => {
      if (typeof pool.connect !== 'function')
        Object.defineProperty(pool, 'connect', { value: (o: Dispatcher.ConnectOptions) => apiConnect.call(pool, o) });
      return pool;
    },
  };
}
