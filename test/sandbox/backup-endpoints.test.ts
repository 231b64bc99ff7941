import { describe, expect, it } from 'vitest';
import { HEADER_SIZE, MAGIC, parseHeader } from '../../src/backup/format.js';
import { adminClient, SandboxClient, startTestSandbox } from '../support/sandbox.js';

const KEY = 'sandbox-backup-key-1';

async function raw(
  c: SandboxClient,
  method: string,
  path: string,
  body?: Buffer,
  headers: Record<string, string> = {},
) {
  const r = await fetch(c.baseUrl + path, {
    method,
    redirect: 'manual',
    headers: { ...(c.cookie ? { cookie: `${c.cookieName}=${c.cookie}` } : {}), ...headers },
    body: body ? new Uint8Array(body) : undefined,
  });
  return { status: r.status, headers: r.headers, body: Buffer.from(await r.arrayBuffer()) };
}

describe('sandbox backups (upstream shapes, shared/pika-api.md §12)', () => {
  it('exports a .pikabw container with the header, the file name and the db_version of /backup/info', async () => {
    const sb = await startTestSandbox();
    const c = await adminClient(sb);
    const info = await c.call('GET', '/api/v1/backup/info');
    expect(info.status).toBe(200);
    expect(typeof info.json().db_version).toBe('number');
    const r = await raw(c, 'GET', '/api/v1/backup');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/octet-stream');
    expect(r.headers.get('content-disposition')).toMatch(
      /^attachment; filename="pika-backup-\d{8}-\d{6}-v\d+\.pikabw"$/,
    );
    expect(r.body.subarray(0, 8).equals(MAGIC)).toBe(true);
    const h = parseHeader(r.body);
    expect(h.encrypted).toBe(false);
    expect(r.body.length).toBe(HEADER_SIZE + h.payloadSize);
    // An encrypted export is the plain payload + 40 (nonce and tag), flag bit 0 set.
    const e = await raw(c, 'GET', '/api/v1/backup', undefined, { 'X-Encryption-Password': 'pw' });
    expect(parseHeader(e.body).encrypted).toBe(true);
    expect(await c.call('GET', '/api/v1/backup?since=1&until=2')).toMatchObject({
      status: 400,
      text: expect.stringContaining('since and until are mutually exclusive'),
    });
    expect((await c.call('GET', '/api/v1/backup?since=x')).status).toBe(400);
    expect((await c.call('GET', '/api/v1/backup', { auth: false })).status).toBe(307);
  });

  it('refuses bad, truncated and wrongly encrypted files with 400, and anything while locked with 503', async () => {
    const sb = await startTestSandbox();
    const c = await adminClient(sb);
    const file = (await raw(c, 'GET', '/api/v1/backup', undefined, { 'X-Encryption-Password': 'right' })).body;
    const post = (body: Buffer, headers: Record<string, string> = {}) =>
      raw(c, 'POST', '/api/v1/backup', body, headers).then((r) => ({ status: r.status, text: r.body.toString() }));
    expect(await post(Buffer.alloc(0))).toMatchObject({
      status: 400,
      text: expect.stringContaining('reading header: EOF'),
    });
    expect(await post(file.subarray(0, 10))).toMatchObject({
      status: 400,
      text: expect.stringContaining('unexpected EOF'),
    });
    expect(await post(Buffer.concat([Buffer.from('NOTPIKA!'), file.subarray(8)]))).toMatchObject({
      status: 400,
      text: expect.stringContaining('bad magic'),
    });
    expect(await post(file.subarray(0, file.length - 5))).toMatchObject({
      status: 400,
      text: expect.stringContaining('truncated'),
    });
    expect(await post(file)).toMatchObject({
      status: 400,
      text: expect.stringContaining('encryption password is required'),
    });
    expect(await post(file, { 'X-Encryption-Password': 'wrong' })).toMatchObject({
      status: 400,
      text: expect.stringContaining('wrong password'),
    });
    expect(await post(file, { 'X-Pika-Wipe': 'maybe' })).toMatchObject({
      status: 400,
      text: expect.stringContaining('wipe must be a boolean'),
    });
    expect(await post(file, { 'X-Encryption-Password': 'right' })).toMatchObject({
      status: 200,
      text: expect.stringContaining('backup restored successfully'),
    });

    expect((await c.call('POST', '/api/v1/key/initialize', { json: { key: KEY } })).status).toBe(200);
    const locked = await sb.restart();
    const lc = await adminClient(locked);
    for (const [m, p] of [
      ['GET', '/api/v1/backup'],
      ['GET', '/api/v1/backup/info'],
      ['POST', '/api/v1/backup'],
    ] as const) {
      const r = await raw(lc, m, p, m === 'POST' ? file : undefined);
      expect(r.status, `${m} ${p}`).toBe(503);
      expect(r.headers.get('x-pika-locked')).toBe('true');
    }
  });

  it('has its own body cap on the restore route (413), not the general one', async () => {
    const sb = await startTestSandbox({ maxBodyBytes: 64, backupBodyBytes: 4096 });
    const c = await adminClient(sb);
    const file = (await raw(c, 'GET', '/api/v1/backup')).body;
    expect(file.length).toBeGreaterThan(64);
    expect(file.length).toBeLessThan(4096);
    expect((await raw(c, 'POST', '/api/v1/backup', file)).status).toBe(200);
    const big = Buffer.concat([file, Buffer.alloc(5000)]);
    const r = await raw(c, 'POST', '/api/v1/backup', big);
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body.toString())).toEqual({ message: 'request body too large' });
  });

  it("merge keeps the target's own users and session; wipe replaces them with the backup's", async () => {
    const src = await startTestSandbox();
    const file = (await raw(await adminClient(src), 'GET', '/api/v1/backup')).body;
    const dst = await startTestSandbox({
      users: [
        { username: 'admin', password: 'admin-password-for-tests' },
        { username: 'bob', password: 'bob-password-1234' },
      ],
    });
    const admin = await adminClient(dst);
    expect((await raw(admin, 'POST', '/api/v1/backup', file)).status).toBe(200);
    expect((await admin.call('GET', '/api/v1/backup/info')).status).toBe(200); // the session survived the merge
    const bob = await new SandboxClient(dst.url).login('bob', 'bob-password-1234');
    expect(bob.status).toBe(200);
    const w = await raw(admin, 'POST', '/api/v1/backup?wipe=true', file);
    expect(JSON.parse(w.body.toString())).toEqual({ message: 'database wiped and backup restored successfully' });
    expect((await admin.call('GET', '/api/v1/backup/info')).status).toBe(307); // the restoring session is gone
    expect((await new SandboxClient(dst.url).login('bob', 'bob-password-1234')).status).toBe(401);
  });
});
