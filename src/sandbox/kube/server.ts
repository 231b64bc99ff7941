import { timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { discovery } from './discovery.js';
import { deploymentJson, listJson, podJson, secretJson, servicesJson, statefulSetJson } from './objects.js';
import { parsePorts, servePortForward } from './portforward.js';
import { parseSelector } from './selectors.js';
import { spdyPortForward } from './spdy-portforward.js';
import { podTable, wantsTable } from './table.js';
import { acceptWebSocket } from './websocket.js';
import { patchSecret, replaceSecret } from './secrets.js';
import { KubeError, kubeErrors } from './status.js';
import type { KubeTls } from './tls.js';
import { WatchHistory, WatchReply } from './watch.js';
import type { KubeWorld } from './world.js';

/**
 * The stand-in API server: HTTPS with its own CA, bearer-token auth, and the REST
 * paths the official client and kubectl use for pods, statefulsets, deployments,
 * services and secrets in one namespace, plus pods/portforward over WebSocket.
 */
export interface ApiServerOptions {
  world: KubeWorld;
  tls: KubeTls;
  token: string;
  log: (line: string) => void;
}

type Route = {
  method: string;
  parts: string[];
  query: URLSearchParams;
  body: () => Promise<unknown>;
  contentType: string;
  accept?: string;
};

function authorized(req: IncomingMessage, token: string): boolean {
  const m = /^Bearer\s+(\S+)$/i.exec(String(req.headers.authorization ?? ''));
  if (!m) return false;
  const a = Buffer.from(m[1]);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function readBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const type = String(req.headers['content-type'] ?? '');
    if (type.includes('protobuf'))
      return reject(new KubeError(415, 'UnsupportedMediaType', `the stand-in speaks JSON only, not ${type}`));
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 3 * 1024 * 1024) reject(new KubeError(413, 'BadRequest', 'the request body is too large'));
      else chunks.push(c);
    });
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null'));
      } catch (err) {
        reject(kubeErrors.badRequest(`error decoding request body: ${(err as Error).message}`));
      }
    });
    req.on('error', reject);
  });
}

function handle(w: KubeWorld, r: Route, serverAddress: string, history: WatchHistory): Promise<unknown> | unknown {
  const { method, parts, query } = r;
  const path = `/${parts.join('/')}`;
  const found = discovery(path, serverAddress);
  if (found) return found;
  const wl = w.workload;
  const get = method === 'GET';
  if (path === '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews') {
    if (method !== 'POST') throw kubeErrors.methodNotAllowed();
    return r.body().then((b) => w.rbac.review(b));
  }
  // /api/v1/[namespaces/NS/]RESOURCE[/NAME[/SUB]] and /apis/apps/v1/…
  const core = parts[0] === 'api' && parts[1] === 'v1';
  const apps = parts[0] === 'apis' && parts[1] === 'apps' && parts[2] === 'v1';
  if (!core && !apps) throw kubeErrors.pathNotFound();
  let rest = parts.slice(core ? 2 : 3);
  let ns: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    ns = rest[1];
    rest = rest.slice(2);
  }
  const [resource, name, sub] = rest;
  const inNs = ns === undefined || ns === wl.namespace;
  const labels = parseSelector(query.get('labelSelector'));
  const fields = parseSelector(query.get('fieldSelector'), true);
  const pick = (objs: Array<Record<string, unknown>>) =>
    objs.filter((o) => {
      const m = o.metadata as { name: string; namespace: string; labels?: Record<string, string> };
      const st = o.status as { phase?: string } | undefined;
      return (
        inNs &&
        labels(m.labels ?? {}) &&
        fields({
          'metadata.name': m.name,
          'metadata.namespace': m.namespace,
          ...(st?.phase ? { 'status.phase': st.phase } : {}),
        })
      );
    });
  const one = (objs: Record<string, Record<string, unknown>>, res: string, group = '') => {
    const o = inNs && name ? objs[name] : undefined;
    if (!o) throw kubeErrors.notFound(res, name ?? '', group);
    return o;
  };
  const kinds: Record<string, { list: string; group: string; objs: () => Record<string, Record<string, unknown>> }> =
    core
      ? {
          pods: {
            list: 'PodList',
            group: '',
            objs: () => Object.fromEntries(w.pods.map((p) => [`${wl.name}-${p.index}`, podJson(wl, w.stsUid, p)])),
          },
          services: { list: 'ServiceList', group: '', objs: () => servicesJson(wl) },
          secrets: {
            list: 'SecretList',
            group: '',
            objs: () => (w.secret ? { [w.secret.name]: secretJson(wl, w.secret) } : {}),
          },
        }
      : {
          statefulsets: {
            list: 'StatefulSetList',
            group: 'apps',
            objs: () => ({ [wl.name]: statefulSetJson(wl, w.pods) }),
          },
          deployments: {
            list: 'DeploymentList',
            group: 'apps',
            objs: () => ({ [wl.name]: deploymentJson(wl, w.pods) }),
          },
        };
  if (core && resource === 'namespaces' && ns === undefined) {
    const nsObj = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: wl.namespace, uid: wl.uid, resourceVersion: String(wl.rv) },
      spec: {},
      status: { phase: 'Active' },
    };
    if (!get) throw kubeErrors.methodNotAllowed();
    if (name === undefined) return listJson('NamespaceList', 'v1', w.rv, [nsObj]);
    if (name !== wl.namespace) throw kubeErrors.notFound('namespaces', name);
    return nsObj;
  }
  const kind = kinds[resource];
  if (!kind) throw kubeErrors.pathNotFound();
  const verb = (
    {
      GET: name === undefined ? (['true', '1'].includes(query.get('watch') ?? '') ? 'watch' : 'list') : 'get',
      DELETE: 'delete',
      PATCH: 'patch',
      PUT: 'update',
    } as Record<string, string>
  )[method];
  if (verb && sub === undefined) w.rbac.check(verb, resource, kind.group, ns, name);
  if (name === undefined) {
    if (!get) throw kubeErrors.methodNotAllowed();
    const watch = query.get('watch');
    if (watch === 'true' || watch === '1') {
      if (resource !== 'pods' && resource !== 'secrets') throw kubeErrors.methodNotAllowed();
      const rv = query.get('resourceVersion');
      const initial =
        !rv || rv === '0'
          ? pick(Object.values(kind.objs())).map((object) => ({
              resource: resource as 'pods' | 'secrets',
              type: 'ADDED' as const,
              object,
            }))
          : history.since(Number(rv), w.rv);
      if (!initial) throw new KubeError(410, 'Expired', `too old resource version: ${rv} (${w.rv})`);
      const timeout = Number(query.get('timeoutSeconds') ?? 1800);
      return new WatchReply(
        resource as 'pods' | 'secrets',
        initial,
        (o) => pick([o]).length === 1,
        Math.min(Number.isFinite(timeout) && timeout > 0 ? timeout : 1800, 3600) * 1000,
        resource === 'pods' && wantsTable(r.accept)
          ? (o) =>
              podTable({
                metadata: { resourceVersion: String((o.metadata as { resourceVersion: string }).resourceVersion) },
                items: [o],
              })
          : undefined,
      );
    }
    const list = listJson(kind.list, core ? 'v1' : 'apps/v1', w.rv, pick(Object.values(kind.objs())));
    return resource === 'pods' && wantsTable(r.accept) ? podTable(list as Parameters<typeof podTable>[0]) : list;
  }
  if (sub !== undefined) {
    if (resource === 'pods' && sub === 'portforward') throw kubeErrors.badRequest('Upgrade request required');
    throw kubeErrors.pathNotFound();
  }
  if (get) {
    const obj = one(kind.objs(), resource, kind.group);
    return resource === 'pods' && wantsTable(r.accept)
      ? podTable({ metadata: { resourceVersion: String(w.rv) }, items: [obj] })
      : obj;
  }
  if (resource === 'pods' && method === 'DELETE') {
    const p = inNs ? w.podByName(name) : undefined;
    if (!p) throw kubeErrors.notFound('pods', name);
    return w.deletePod(p).then((gone) => podJson(wl, w.stsUid, gone));
  }
  if (resource === 'secrets' && (method === 'PATCH' || method === 'PUT')) {
    one(kind.objs(), resource);
    return r.body().then((body) => (method === 'PATCH' ? patchSecret(w, r.contentType, body) : replaceSecret(w, body)));
  }
  throw kubeErrors.methodNotAllowed();
}

function send(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-cache, private',
  });
  res.end(text);
}

/** The server, and a closer for the upgraded (port-forward) sockets that server.close() would wait for. */
export function buildApiServer(o: ApiServerOptions): { server: Server; closeUpgraded(): void } {
  const server = createServer({ cert: o.tls.certPem, key: o.tls.keyPem });
  const upgraded = new Set<Duplex>();
  const history = new WatchHistory(o.world);
  const address = () => {
    const a = server.address();
    return typeof a === 'object' && a ? `127.0.0.1:${a.port}` : '127.0.0.1';
  };
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'https://kube.invalid');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const method = req.method ?? 'GET';
    const done = (code: number, body: unknown) => {
      o.log(`kube: ${method} ${url.pathname}${url.search} → ${code}`);
      send(res, code, body);
    };
    if (!authorized(req, o.token)) return done(401, kubeErrors.unauthorized().body());
    const route: Route = {
      method,
      parts,
      query: url.searchParams,
      body: () => readBody(req),
      contentType: String(req.headers['content-type'] ?? ''),
      accept: req.headers.accept,
    };
    Promise.resolve()
      .then(() => handle(o.world, route, address(), history))
      .then(
        (body) => {
          if (!(body instanceof WatchReply)) return done(200, body);
          o.log(`kube: ${method} ${url.pathname}${url.search} → 200 (watch)`);
          body.stream(o.world, res);
        },
        (err: unknown) => {
          if (err instanceof KubeError) return done(err.code, err.body());
          o.log(`kube: internal error: ${(err as Error).message}`);
          done(500, new KubeError(500, 'BadRequest', 'Internal error occurred').body());
        },
      );
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
    const fail = (e: KubeError) => {
      const text = JSON.stringify(e.body());
      socket.end(
        `HTTP/1.1 ${e.code} ${e.reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
      );
    };
    socket.on('error', () => socket.destroy());
    upgraded.add(socket);
    socket.on('close', () => upgraded.delete(socket));
    if (!authorized(req, o.token)) return fail(kubeErrors.unauthorized());
    const url = new URL(req.url ?? '/', 'https://kube.invalid');
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/portforward$/.exec(url.pathname);
    if (!m) return fail(kubeErrors.pathNotFound());
    const w = o.world;
    const p = m[1] === w.workload.namespace ? w.podByName(decodeURIComponent(m[2])) : undefined;
    try {
      w.rbac.check('create', 'pods/portforward', '', m[1], decodeURIComponent(m[2]));
    } catch (e) {
      return fail(e as KubeError);
    }
    if (!p) return fail(kubeErrors.notFound('pods', decodeURIComponent(m[2])));
    if (p.phase !== 'Running') return fail(kubeErrors.badRequest(`pod ${m[2]} is not running (phase ${p.phase})`));
    const target = {
      podName: m[2],
      podUid: p.uid,
      ip: p.ip,
      resolvePort: (port: number) => (port === 8080 || port === p.port ? p.port : port),
    };
    // kubectl: SPDY/3.1 straight after `Upgrade: SPDY/3.1` (its fallback), or tunnelled over a WebSocket (1.31+ first try).
    const upgrade = String(req.headers.upgrade ?? '').toLowerCase();
    if (upgrade === 'spdy/3.1') {
      socket.write(
        'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: portforward.k8s.io\r\n\r\n',
      );
      const session = spdyPortForward(
        (b) => socket.write(b),
        () => socket.end(),
        target,
        o.log,
      );
      socket.on('data', (d: Buffer) => session.feed(d));
      socket.on('close', () => session.close());
      return;
    }
    if (String(req.headers['sec-websocket-protocol'] ?? '').includes('SPDY/3.1+portforward.k8s.io')) {
      const ws = acceptWebSocket(req, socket, ['SPDY/3.1+portforward.k8s.io'])!;
      const session = spdyPortForward(
        (b) => ws.conn.send(b),
        () => ws.conn.close(),
        target,
        o.log,
      );
      ws.conn.on('message', (d) => session.feed(d));
      ws.conn.on('close', () => session.close());
      return;
    }
    const ports = parsePorts(url.searchParams);
    if (typeof ports === 'string') return fail(kubeErrors.badRequest(ports));
    if (!servePortForward(req, socket, ports, target, o.log)) {
      fail(kubeErrors.badRequest('unable to upgrade: the WebSocket protocol must be one of v4.channel.k8s.io'));
    }
  });
  return {
    server,
    closeUpgraded: () => {
      for (const s of upgraded) s.destroy();
    },
  };
}
