import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, onTestFinished } from 'vitest';
import { makeCa, makeLeaf, writeCertFiles } from '../../src/sandbox/certs.js';
import { assertOwnProcess } from './own-process.js';
import { freePort } from './ports.js';

/**
 * A real nginx (Debian's nginx-light) in front of test servers, as operators deploy Pika:
 * TLS terminated at nginx with a throwaway CA, locations proxied to loopback upstreams.
 * Everything lives in a temp prefix (config, pid, error log, temp paths); nginx runs in
 * the foreground as one process (daemon off, master_process off), so killing that one
 * pid stops it: stop() at the end of the test, afterAll and process exit as fallbacks.
 */

/** The nginx binary; tests skip without one, except under CI (where .ci/run installs nginx-light). */
export const NGINX = ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));

export interface NginxLocation {
  /** A path prefix such as "/pika/". */
  path: string;
  /** Raw nginx directives for the location, e.g. `proxy_pass http://127.0.0.1:1234;`. */
  body: string;
}

export interface TestNginx {
  /** https://127.0.0.1:PORT (no path). */
  origin: string;
  port: number;
  /** The throwaway CA that signed nginx's certificate (pass as --cacert / PIKA_CACERT). */
  caFile: string;
  errorLog(): string;
  stop(): Promise<void>;
}

/** proxy_pass to a loopback upstream keeping the whole path (the upstream serves the same base path). */
export function proxyTo(port: number, extra = ''): string {
  return `proxy_pass http://127.0.0.1:${port}; proxy_set_header Host $host; proxy_set_header X-Forwarded-Proto https; ${extra}`;
}

/** A throwaway CA and a leaf it signed for 127.0.0.1 / localhost, written into `dir`. */
async function makeCaAndLeaf(dir: string): Promise<{ caFile: string; certFile: string; keyFile: string }> {
  const ca = await makeCa({ subject: '/CN=pikactl test CA', days: 2 });
  const leaf = await makeLeaf(ca, { subject: '/CN=localhost', sans: ['DNS:localhost', 'IP:127.0.0.1'], days: 2 });
  const caFile = join(dir, 'ca.crt');
  writeFileSync(caFile, ca.certPem);
  return { caFile, ...(await writeCertFiles(join(dir, 'server'), leaf)) };
}

const canConnect = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });

function config(
  dir: string,
  port: number,
  tls: { certFile: string; keyFile: string },
  locations: NginxLocation[],
): string {
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((k) => `${k}_temp_path ${join(dir, 'tmp', k)};`)
    .join('\n  ');
  return `daemon off;
master_process off;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 64; }
http {
  access_log off;
  ${temp}
  server {
    listen 127.0.0.1:${port} ssl;
    ssl_certificate ${tls.certFile};
    ssl_certificate_key ${tls.keyFile};
${locations.map((l) => `    location ${l.path} { ${l.body} }`).join('\n')}
    location / { return 404; }
  }
}
`;
}

/** Every nginx started and not yet stopped, with its prefix directory. */
const running = new Map<ChildProcess, string>();
process.once('exit', () => {
  for (const c of running.keys()) c.kill('SIGKILL');
});
afterAll(async () => {
  for (const [c, dir] of [...running]) {
    await killAndWait(c);
    rmSync(dir, { recursive: true, force: true });
  }
});

function killAndWait(child: ChildProcess): Promise<void> {
  running.delete(child);
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const hard = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => (clearTimeout(hard), resolve()));
    child.kill('SIGTERM'); // nginx: fast shutdown
  });
}

/** Starts nginx with these locations on a free loopback port; stopped when the test (or file) ends. */
export async function startNginx(locations: NginxLocation[]): Promise<TestNginx> {
  if (!NGINX) throw new Error('nginx is not installed (Debian: apt-get install nginx-light)');
  const dir = mkdtempSync(join(tmpdir(), 'pikactl-nginx-'));
  mkdirSync(join(dir, 'tmp'));
  const tls = await makeCaAndLeaf(dir);
  const errorLog = () => (existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8') : '');
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    writeFileSync(join(dir, 'nginx.conf'), config(dir, port, tls, locations));
    const child = spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    running.set(child, dir);
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const deadline = Date.now() + 10_000;
    while (child.exitCode === null && !(await canConnect(port)) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    if (child.exitCode === null && (await canConnect(port))) {
      const stop = async () => {
        await killAndWait(child);
        rmSync(dir, { recursive: true, force: true });
      };
      try {
        onTestFinished(stop);
      } catch {
        // called outside a test (beforeAll): afterAll above stops it, in a file of its own process only
        try {
          assertOwnProcess('startNginx');
        } catch (err) {
          await stop();
          throw err;
        }
      }
      return { origin: `https://127.0.0.1:${port}`, port, caFile: tls.caFile, errorLog, stop };
    }
    await killAndWait(child);
    // Someone took the port between freePort() and nginx's bind: try another one.
    if (attempt >= 3 || !/Address already in use/.test(stderr + errorLog())) {
      throw new Error(`nginx did not start: ${stderr}${errorLog()}`);
    }
  }
}
