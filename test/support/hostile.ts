import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { onTestFinished } from 'vitest';

/**
 * A hostile "Pika" on 127.0.0.1: a real node:http server whose answers each test
 * chooses. Answers are written as raw bytes on the socket, so headers can carry what
 * node's own ServerResponse would refuse to send (0x9b, any latin1 byte) and bodies
 * can carry anything. Every route not given falls back to a plain Pika-like answer
 * (locked server, password login that works), so a test only names what it attacks.
 */

export interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  json?: Record<string, unknown>;
}

export interface Answer {
  status?: number;
  /** Header values are sent as latin1 bytes: '\x9b' goes out as the byte 0x9b. */
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string as it is (UTF-8). */
  body?: string | Record<string, unknown>;
}

/** `seen` holds every earlier request of the run (login bodies included), for echo attacks. */
export type Route = Answer | ((req: SeenRequest, seen: SeenRequest[]) => Answer);

export interface HostileServer {
  url: string;
  requests: SeenRequest[];
  /** The body of the first request to `METHOD path`, parsed. */
  sent(route: string): Record<string, unknown> | undefined;
  close(): Promise<void>;
}

const DEFAULTS: Record<string, Route> = {
  'GET /healthz': { headers: { 'content-type': 'text/plain' }, body: 'OK' },
  'GET /api/v1/key/status': { body: { initialized: true, unlocked: false } },
  'GET /api/v1/info': { body: { name: 'Pika', version: '1.2.3', local_login_name: 'local' } },
  'GET /login/info': { body: { strategies: [{ name: 'local', kind: 'password' }] } },
  'POST /login/pass/local': {
    headers: { 'set-cookie': 'pika_session=hostile-session-cookie-value; Path=/; HttpOnly' },
    body: { strategy: 'local', redirect_path: '/' },
  },
  'GET /login/me': { body: { subject: 'admin', username: 'admin' } },
  'POST /logout': { status: 204 },
};

function raw(a: Answer): Buffer {
  const body =
    a.body === undefined
      ? Buffer.alloc(0)
      : Buffer.from(typeof a.body === 'string' ? a.body : JSON.stringify(a.body), 'utf8');
  const headers: Record<string, string> = {
    ...(typeof a.body === 'object' ? { 'content-type': 'application/json' } : {}),
    ...(a.headers ?? {}),
    'content-length': String(body.length),
    connection: 'close',
  };
  const head = [
    `HTTP/1.1 ${a.status ?? 200} Hostile`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    '',
    '',
  ].join('\r\n');
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

export async function startHostileServer(routes: Record<string, Route> = {}): Promise<HostileServer> {
  const requests: SeenRequest[] = [];
  const sockets = new Set<Socket>();
  const all = { ...DEFAULTS, ...routes };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: Record<string, unknown> | undefined;
      try {
        json = body ? (JSON.parse(body) as Record<string, unknown>) : undefined;
      } catch {
        json = undefined;
      }
      const seen: SeenRequest = {
        method: req.method ?? 'GET',
        path: (req.url ?? '/').split('?')[0],
        headers: req.headers,
        body,
        json,
      };
      const earlier = [...requests];
      requests.push(seen);
      const route = all[`${seen.method} ${seen.path}`];
      const answer: Answer =
        route === undefined
          ? { status: 404, body: { message: 'not found' } }
          : typeof route === 'function'
            ? route(seen, earlier)
            : route;
      // Raw bytes, then close: nothing of node's header validation stands between the test and the client.
      res.socket?.end(raw(answer));
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  try {
    onTestFinished(close);
  } catch {
    // outside a test: the caller closes it
  }
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    sent: (route) => requests.find((r) => `${r.method} ${r.path}` === route)?.json,
    close,
  };
}

/** Every sequence a terminal acts on: window title (OSC), clear screen and colour (CSI), 8-bit CSI, BEL, bidi override. */
export const INJECTION = '\x1b]2;pwned\x07\x1b[2J\x1b[H\x1b[32mUnlocked\x1b[0m\x9b2J\u202e';

/** Bytes a terminal would act on, or that reorder text, in output meant for people. */
export const TERMINAL_UNSAFE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200b-\u200f]/;
