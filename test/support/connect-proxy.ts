import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterAll, onTestFinished } from 'vitest';

export interface ProxyLogEntry {
  method: string;
  /** CONNECT: "host:port"; otherwise the absolute URL of the request. */
  target: string;
  proxyAuthorization?: string;
}

export interface TestProxy {
  /** http://127.0.0.1:PORT */
  url: string;
  port: number;
  log: ProxyLogEntry[];
  stop(): Promise<void>;
}

export interface TestProxyOptions {
  /** Made-up host names only this proxy can resolve: "pika.proxy-only.test" → 127.0.0.1:port. */
  hosts?: Record<string, number>;
  /** Answer 407 unless Proxy-Authorization equals this. */
  requireAuth?: string;
}

/**
 * A small forward proxy on loopback, as corporate proxies behave: CONNECT tunnels (for
 * https) and absolute-form requests (for http). It resolves the names in `hosts` and
 * nothing else (502 for any other name), so a request that reaches a `*.proxy-only.test`
 * server proves it went through the proxy. Stopped when the test ends.
 */
export async function startTestProxy(opts: TestProxyOptions = {}): Promise<TestProxy> {
  const log: ProxyLogEntry[] = [];
  const sockets = new Set<Socket>();
  const resolveTarget = (hostPort: string): { host: string; port: number } | undefined => {
    const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(hostPort);
    if (!m) return undefined;
    const mapped = opts.hosts?.[m[1].toLowerCase()];
    return mapped !== undefined ? { host: '127.0.0.1', port: mapped } : undefined;
  };
  const authorized = (req: IncomingMessage) =>
    opts.requireAuth === undefined || req.headers['proxy-authorization'] === opts.requireAuth;
  const entry = (req: IncomingMessage): ProxyLogEntry => ({
    method: req.method ?? '?',
    target: req.url ?? '',
    ...(req.headers['proxy-authorization'] ? { proxyAuthorization: String(req.headers['proxy-authorization']) } : {}),
  });

  const server: Server = createServer((req, res) => {
    log.push(entry(req));
    if (!authorized(req)) return void res.writeHead(407, { 'proxy-authenticate': 'Basic realm="test"' }).end();
    let url: URL;
    try {
      url = new URL(req.url ?? '');
    } catch {
      return void res.writeHead(400).end('absolute-form only');
    }
    const t = resolveTarget(`${url.hostname}:${url.port || '80'}`);
    if (!t) return void res.writeHead(502, { 'content-type': 'text/html' }).end('<h1>502 Bad Gateway</h1>');
    const up = httpRequest(
      { host: t.host, port: t.port, method: req.method, path: `${url.pathname}${url.search}`, headers: req.headers },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      },
    );
    up.on('error', () => res.writeHead(502).end());
    req.pipe(up);
  });
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    log.push(entry(req));
    sockets.add(client);
    client.on('error', () => {});
    if (!authorized(req))
      return void client.end(
        'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\n\r\n',
      );
    const t = resolveTarget(req.url ?? '');
    if (!t) return void client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n');
    const up = connect(t.port, t.host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) up.write(head);
      up.pipe(client);
      client.pipe(up);
    });
    sockets.add(up);
    up.on('error', () => client.destroy());
    up.on('close', () => client.destroy());
    client.on('close', () => up.destroy());
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const stop = async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  try {
    onTestFinished(stop);
  } catch {
    afterAll(stop);
  }
  return { url: `http://127.0.0.1:${port}`, port, log, stop };
}
