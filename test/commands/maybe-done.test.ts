import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir, type TestContextOptions } from '../support/context.js';
import { freePort } from '../support/ports.js';
import { adminClient, adminEnv, startTestSandbox, TEST_ADMIN, type TestSandbox } from '../support/sandbox.js';
import { once, rawResponse, startAnswerProxy, type Rewrite } from '../support/answer-proxy.js';
import { handoverStartArgs } from '../support/handover.js';

/**
 * Every state-changing command, when its answer is lost, late or garbled after the server
 * applied the change: exit 8, the command that finds out (with the server as named), and
 * the server really holds the change. Refusals and connections that never happened: not done.
 */

const KEY = 'maybe-done-key-amber-falcon-1';
const NEW_KEY = 'maybe-done-new-key-slate-owl-2';
const ROTATE = '/api/v1/key/rotate';

function ci(server: string, extra: Record<string, string> = {}): TestContextOptions {
  return { env: adminEnv({ url: server }, { KEY, NEW_KEY, ...extra }) };
}

const rotateArgs = ['rotate', '--current-key-from', 'env:KEY', '--new-key-from', 'env:NEW_KEY', '--confirm-saved'];

async function initialized(sb: TestSandbox): Promise<void> {
  const r = await runCli(['init', '--key-from', 'env:KEY', '--confirm-saved'], ci(sb.url));
  expect(r.code, r.stderr).toBe(0);
}

async function keyStatus(sb: TestSandbox): Promise<{ initialized: boolean; unlocked: boolean }> {
  return (await (await adminClient(sb)).call('GET', '/api/v1/key/status')).json();
}

/** The verifier holds `key`: an unlock with it on the unlocked server re-verifies (200), any other key is 403. */
async function verifierAccepts(sb: TestSandbox, key: string): Promise<boolean> {
  const r = await (await adminClient(sb)).call('POST', '/api/v1/key/unlock', { json: { key } });
  return r.status === 200;
}

function expectMaybeDone(r: { code: number; stdout: string }, hint: string): void {
  expect(r.code, r.stdout).toBe(8);
  const e = JSON.parse(r.stdout);
  expect(e.error.code).toBe('maybe_done');
  expect(e.error.message).toMatch(/may have been applied/);
  expect(e.error.hint).toContain(hint);
}

describe('init whose answer is late or garbled after the server initialized', () => {
  it.each([
    ['init-delay', ['--timeout', '1s']],
    ['init-garble', []],
  ])('%s: exit 8, "pikactl status --server URL", and the server is initialized', async (fault, extra) => {
    const sb = await startTestSandbox({ faults: [fault] });
    const r = await runCli([...extra, '--json', 'init', '--key-from', 'env:KEY', '--confirm-saved'], ci(sb.url));
    expectMaybeDone(r, `pikactl status --server ${sb.url}`);
    expect(await keyStatus(sb)).toEqual({ initialized: true, unlocked: true });
    expect(await verifierAccepts(sb, KEY)).toBe(true);
  });
});

describe('rotate whose answer is lost, late or garbled after the server rotated', () => {
  it.each([
    ['rotate-delay', ['--timeout', '1s']],
    ['rotate-garble', []],
    ['rotate-drop', []],
  ])('%s: exit 8 naming recover-rotation --server URL; the server holds the NEW key', async (fault, extra) => {
    const sb = await startTestSandbox();
    await initialized(sb);
    sb.armFault(fault as 'rotate-delay');
    const r = await runCli([...extra, '--json', ...rotateArgs], ci(sb.url));
    expectMaybeDone(r, `pikactl recover-rotation --server ${sb.url}`);
    expect(r.json().error.hint).not.toMatch(/Raise --timeout/);
    expect(await verifierAccepts(sb, NEW_KEY)).toBe(true);
  });

  const html = rawResponse('200 OK', { 'Content-Type': 'text/html' }, '<html><body>Welcome</body></html>');
  const cases: Array<[string, Rewrite]> = [
    [
      '502 cluster: leader forward failed',
      {
        raw: rawResponse(
          '502 Bad Gateway',
          { 'Content-Type': 'text/plain; charset=utf-8', 'X-Pika-Cluster-Error': '1' },
          'cluster: leader forward failed: EOF\n',
        ),
      },
    ],
    ['200 with an HTML page', { raw: html }],
    ['200 with a non-JSON body', { raw: rawResponse('200 OK', { 'Content-Type': 'application/json' }, 'OK, rotated') }],
    ['202 with no body', { raw: rawResponse('202 Accepted', {}, '') }],
    [
      '200 over the size cap',
      {
        raw: rawResponse('200 OK', { 'Content-Type': 'application/json' }, `{"message":"${'x'.repeat(1100 * 1024)}"}`),
      },
    ],
    ['malformed HTTP', { raw: 'HTTP/1.1 200 OK\r\nContent-Length: nonsense\r\n\r\n{}' }],
    ['an answer that never comes', { hold: true }],
  ];
  it.each(cases)('%s (after the real rotation): exit 8 naming recover-rotation', async (_name, rewrite) => {
    const sb = await startTestSandbox();
    await initialized(sb);
    const proxy = await startAnswerProxy(sb, once(ROTATE, rewrite));
    // Only the held answer waits the timeout out: 1 s, as lock and unlock below (each request ~50 ms).
    const timeout = 'hold' in rewrite ? '1s' : '2s';
    const r = await runCli(['--timeout', timeout, '--json', ...rotateArgs], ci(proxy.url));
    expect(proxy.rewritten).toEqual([`POST ${ROTATE}`]);
    expectMaybeDone(r, `pikactl recover-rotation --server ${proxy.url}`);
    expect(await verifierAccepts(sb, NEW_KEY)).toBe(true);
  });

  it('a rotate whose connection is refused is not done: exit 7, no recovery hint, the old key stays', async () => {
    const sb = await startTestSandbox();
    await initialized(sb);
    const dead = `http://127.0.0.1:${await freePort()}`;
    // Everything reaches the sandbox except the rotate itself, which goes to a closed port.
    const fetchFn: typeof fetch = (input, init) => {
      const url = String(input);
      return fetch(url.endsWith(ROTATE) ? `${dead}${ROTATE}` : url, init);
    };
    const r = await runCli(rotateArgs, { ...ci(sb.url), fetch: fetchFn });
    expect(r.code, r.stderr).toBe(7);
    expect(r.stderr).toMatch(/cannot reach|cannot connect/);
    expect(r.stderr).not.toMatch(/recover-rotation|may have been applied/);
    expect(await verifierAccepts(sb, KEY)).toBe(true);
  });

  it('a retry after a maybe-done rotation is refused (5) and still points at recover-rotation', async () => {
    const sb = await startTestSandbox();
    await initialized(sb);
    sb.armFault('rotate-garble');
    expect((await runCli(rotateArgs, ci(sb.url))).code).toBe(8);
    const retry = await runCli(rotateArgs, ci(sb.url));
    expect(retry.code, retry.stderr).toBe(5);
    expect(retry.stderr).toContain(`pikactl recover-rotation --server ${sb.url}`);
  });

  it('a refusal after sending (403 wrong current key) is not done: exit 5', async () => {
    const sb = await startTestSandbox();
    await initialized(sb);
    const r = await runCli(
      ['rotate', '--current-key-from', 'env:NEW_KEY', '--new-key-from', 'env:KEY', '--confirm-saved'],
      ci(sb.url),
    );
    expect(r.code, r.stderr).toBe(5);
    expect(r.stderr).toContain('nothing was changed');
  });
});

describe('lock and unlock whose answer is late or garbled after the server acted', () => {
  it('lock: an answer that never comes → exit 8, "pikactl status --server URL"; the server is locked', async () => {
    const sb = await startTestSandbox();
    await initialized(sb);
    const proxy = await startAnswerProxy(sb, once('/api/v1/key/lock', { hold: true }));
    const r = await runCli(['--timeout', '1s', '--json', 'lock', '--yes'], ci(proxy.url));
    expectMaybeDone(r, `pikactl status --server ${proxy.url}`);
    expect(await keyStatus(sb)).toEqual({ initialized: true, unlocked: false });
  });

  it.each<[string, Rewrite]>([
    ['an answer that never comes', { hold: true }],
    [
      'a 200 with an HTML page',
      { raw: rawResponse('200 OK', { 'Content-Type': 'text/html' }, '<!doctype html><p>hi</p>') },
    ],
  ])('unlock: %s → exit 8, "pikactl status --server URL"; the server is unlocked', async (_name, rewrite) => {
    const sb0 = await startTestSandbox();
    await initialized(sb0);
    const sb = await sb0.restart();
    const proxy = await startAnswerProxy(sb, once('/api/v1/key/unlock', rewrite));
    const r = await runCli(['--timeout', '1s', '--json', 'unlock', '--key-from', 'env:KEY'], ci(proxy.url));
    expectMaybeDone(r, `pikactl status --server ${proxy.url}`);
    expect(await keyStatus(sb)).toEqual({ initialized: true, unlocked: true });
  });
});

describe('handover start whose rotation answer is late or garbled', () => {
  it.each([
    ['rotate-delay', ['--timeout', '1s']],
    ['rotate-garble', []],
  ])(
    '%s: exit 8 naming recover-rotation, and the record is written, marked "rotation may be half done"',
    async (fault, extra) => {
      const sb = await startTestSandbox();
      await initialized(sb);
      sb.armFault(fault as 'rotate-delay');
      const home = tempDir('pikactl-handover-maybe-');
      const opts = { ...ci(sb.url, { USER: 'alice' }), home };
      const args = handoverStartArgs();
      const r = await runCli([...extra, ...args], opts);
      expect(r.code, r.stderr).toBe(8);
      expect(r.stderr).toContain(`pikactl recover-rotation --server ${sb.url}`);
      expect(r.stderr).toContain(join(home, 'h.json'));
      const record = JSON.parse(readFileSync(join(home, 'h.json'), 'utf8'));
      expect(record).toMatchObject({
        state: 'started',
        rotation_may_be_half_done: { why: expect.stringMatching(/may have been applied/) },
      });
      expect(record.steps.map((s: { id: string }) => s.id)).not.toContain('rotated');
      const checklist = readFileSync(join(home, 'h.md'), 'utf8');
      expect(checklist).toMatch(/rotation may be half done/);
      expect(checklist).toContain(`pikactl recover-rotation --server ${sb.url}`);
      for (const secret of [KEY, NEW_KEY, TEST_ADMIN.password])
        expect(`${JSON.stringify(record)}${checklist}`).not.toContain(secret);
      expect(await verifierAccepts(sb, NEW_KEY)).toBe(true);
      // Running start again does not send the operator to `handover accept`.
      const again = await runCli(args, opts);
      expect(again.code).toBe(2);
      expect(again.stderr).toContain(`pikactl recover-rotation --server ${sb.url}`);
      expect(again.stderr).not.toContain('handover accept');
    },
  );
});
