import { createServer, type Server } from 'node:http';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildHeader } from '../../src/backup/format.js';
import { runCli, tempDir } from '../support/context.js';
import { adminEnv, startTestSandbox } from '../support/sandbox.js';

/**
 * The download path on its own: a loopback server that answers GET /api/v1/backup the way
 * a broken transfer or a foreign page would. The header is checked as it arrives and the
 * byte count against it at the end; nothing is left under the final name (nor a .partial).
 */
const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

async function fake(send: (res: import('node:http').ServerResponse) => void): Promise<string> {
  const s = createServer((req, res) => {
    if (req.url?.startsWith('/api/v1/backup')) return send(res);
    res.writeHead(404).end();
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(s.address() as { port: number }).port}`;
}

const env = (url: string) => ({ PIKA_SERVER: url, PIKA_ALLOW_HTTP: '1', PIKA_SESSION: 'fake-session-cookie' });
const ok = {
  'Content-Type': 'application/octet-stream',
  'Content-Disposition': "attachment; filename*=UTF-8''..%2F..%2Fetc%2Fevil%07%E2%80%AE.pikabw",
};

describe('backup export: the transfer is checked as it arrives', () => {
  it('a transfer that stops short of the size in the header leaves no file (exit 7)', async () => {
    const url = await fake((res) => {
      res.writeHead(200, ok);
      res.write(buildHeader({ encrypted: false, payloadSize: 10_000, dbVersion: 7n }));
      res.end(Buffer.alloc(100, 1));
    });
    const home = tempDir();
    const r = await runCli(['backup', 'export'], { home, env: env(url) });
    expect(r.code).toBe(7);
    expect(r.stderr).toContain('incomplete: 125 of 10025 bytes');
    expect(readdirSync(home).filter((n) => n.includes('pikabw'))).toEqual([]);
  });

  it('an answer that is not a backup (bad magic) is refused at the header, nothing saved (exit 1)', async () => {
    const url = await fake((res) => {
      res.writeHead(200, ok);
      res.end(`<html>${'x'.repeat(100)}</html>`);
    });
    const home = tempDir();
    const r = await runCli(['backup', 'export', '--out', join(home, 'x.pikabw')], { home, env: env(url) });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('bad magic');
    expect(readdirSync(home).filter((n) => n.includes('pikabw'))).toEqual([]);
  });

  it('the server-given name is reduced to a plain file name in the current directory', async () => {
    const url = await fake((res) => {
      res.writeHead(200, ok);
      res.end(Buffer.concat([buildHeader({ encrypted: false, payloadSize: 3, dbVersion: 7n }), Buffer.from('abc')]));
    });
    const home = tempDir();
    const r = await runCli(['backup', 'export'], { home, env: env(url) });
    expect(r.code).toBe(0);
    expect(readdirSync(home).filter((n) => n.includes('pikabw'))).toEqual(['evil__.pikabw']);
  });

  it('a progress bar on a terminal (bytes and total), none without one', async () => {
    const sb = await startTestSandbox();
    const e = adminEnv(sb, { PIKA_ALLOW_HTTP: '1' });
    const tty = await runCli(['backup', 'export', '--out', 'a.pikabw'], { home: tempDir(), env: e, tty: true });
    expect(tty.code).toBe(0);
    expect(tty.stderr).toMatch(/\r\x1b\[2KDownloading \[#+\] 100% [\d.]+ K?i?B \/ [\d.]+ K?i?B\n/);
    const plain = await runCli(['backup', 'export', '--out', 'a.pikabw'], { home: tempDir(), env: e });
    expect(plain.code).toBe(0);
    expect(plain.stderr).not.toContain('Downloading');
  });
});
