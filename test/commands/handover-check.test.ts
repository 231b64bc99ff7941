import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { MemoryKeychain, runCli, tempDir, testContext, type TestContextOptions } from '../support/context.js';
import { adminEnv, startTestSandbox, TEST_ADMIN, type TestSandbox } from '../support/sandbox.js';
import { handoverStartArgs } from '../support/handover.js';

/**
 * handover accept checks the record before it sends the incoming operator's password
 * and key anywhere: a record whose server was changed on the way must not get them.
 */

const KEY = 'correct-horse-battery-staple-1';
const NEW_KEY = 'tr0ub4dor-and-3-more-words-2';
const BOB = { username: 'bob', password: 'bob-password-for-tests', superadmin: true };

/** A loopback server that only counts what reaches it: where a tampered record points. */
async function decoy(): Promise<{ url: string; hits: () => number }> {
  let hits = 0;
  const server: Server = createServer((_req, res) => {
    hits++;
    res.writeHead(500).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  onTestFinished(() => new Promise<void>((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits: () => hits };
}

async function started(opts: { tls?: boolean } = {}): Promise<{ sb: TestSandbox; file: string; home: string }> {
  const sb = await startTestSandbox({
    users: [{ ...TEST_ADMIN }, BOB],
    ...(opts.tls ? { tls: { selfSigned: true } } : {}),
  });
  const trust: Record<string, string> = sb.certFile ? { PIKA_CACERT: sb.certFile } : {};
  const env = adminEnv(sb, { KEY, NEW_KEY, USER: 'alice', ...trust });
  const init = await runCli(['init', '--key-from', 'env:KEY', '--confirm-saved'], { env });
  expect(init.code, init.stderr).toBe(0);
  const home = tempDir('pikactl-handover-');
  const start = await runCli(handoverStartArgs(), { home, env });
  expect(start.code, start.stderr).toBe(0);
  return { sb, file: join(home, 'h.json'), home };
}

function bob(
  home: string,
  extra: Partial<TestContextOptions> = {},
  env: Record<string, string> = {},
): TestContextOptions {
  return {
    home,
    keychain: new MemoryKeychain(),
    ...extra,
    env: { PIKA_USER: BOB.username, PIKA_PASSWORD_FROM: 'env:PW', PW: BOB.password, NEW_KEY, USER: 'bob', ...env },
  };
}

function tamper(file: string, change: Record<string, unknown>): void {
  writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), ...change }, null, 2));
}

const ACCEPT = ['handover', 'accept', '--record', 'h.json', '--key-from', 'env:NEW_KEY', '--no-wait-restart'];

describe('handover accept: the record is checked, not trusted', () => {
  it('a record whose server was changed is refused, and the other server gets nothing', async () => {
    const { sb, file, home } = await started();
    const evil = await decoy();
    tamper(file, { server: evil.url });

    // --server names the server the operator expects: the record disagrees.
    const named = await runCli([...ACCEPT, '--server', sb.url], bob(home));
    expect(named.code).toBe(2);
    expect(named.stderr).toContain(`the record is for ${evil.url}, but the command points at ${sb.url}`);

    // A context the operator chose, pointing elsewhere, is refused the same way.
    const add = await runCli(['context', 'add', 'prod', '--server', sb.url], bob(home));
    expect(add.code, add.stderr).toBe(0);
    const ctxRun = await runCli([...ACCEPT, '--context', 'prod'], bob(home));
    expect(ctxRun.code).toBe(2);
    expect(ctxRun.stderr).toContain('context "prod" points at');

    // No terminal and no --server: the file alone does not choose the destination.
    const bare = await runCli(ACCEPT, bob(home));
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain(`Server:           ${evil.url}`);
    expect(bare.stderr).toContain(`--server ${evil.url}`);
    // --yes alone confirms nothing.
    const yes = await runCli([...ACCEPT, '--yes'], bob(home));
    expect(yes.code).toBe(2);
    expect(yes.stderr).toContain('--yes needs --server');

    // On a terminal the operator types the host name they expect; another one (three times) sends nothing.
    const hostPrompt = /Type the server's host name \(127\.0\.0\.1\)/;
    const tty = await runCli(
      ACCEPT,
      bob(home, {
        tty: true,
        answers: [
          { match: hostPrompt, answer: 'pika.example' },
          { match: hostPrompt, answer: 'pika.example' },
          { match: hostPrompt, answer: 'pika.example' },
        ],
      }),
    );
    expect(tty.code).toBe(130);
    expect(tty.stderr).toContain('That is not 127.0.0.1. Type the host name 127.0.0.1 (2 tries left; Ctrl-C stops).');
    expect(tty.stderr).toContain('nothing was sent');
    expect(evil.hits()).toBe(0);
  });

  it("on a terminal, typing the record's host name accepts; without one, --server (or --server --yes) does", async () => {
    const { sb, home } = await started();
    const ctx = testContext(
      bob(home, { tty: true, answers: [{ match: /Type the server's host name/, answer: '127.0.0.1' }] }),
    );
    const typed = await runCli(ACCEPT, ctx);
    expect(typed.code, typed.stderr).toBe(0);
    expect(typed.stderr).toContain(`Server:           ${sb.url}`);
    expect(typed.stderr).toContain('Certificate pin:  none (plain http: no certificate)');
    expect(ctx.io.prompts.asked).toHaveLength(1);

    const record = JSON.parse(readFileSync(join(home, 'h.json'), 'utf8'));
    const fresh = tempDir('pikactl-bob-');
    writeFileSync(join(fresh, 'h.json'), JSON.stringify({ ...record, state: 'started', steps: [] }));
    const scripted = await runCli([...ACCEPT, '--server', sb.url, '--yes'], bob(fresh));
    expect(scripted.code, scripted.stderr).toBe(0);
  });

  it('start records the certificate pin; accept shows it and refuses a pin other than the one the operator trusts', async () => {
    const { sb, file, home } = await started({ tls: true });
    const record = JSON.parse(readFileSync(file, 'utf8'));
    expect(record.tls_pin).toBe(sb.fingerprint);

    const other = 'AB'.repeat(32);
    const r = await runCli([...ACCEPT, '--server', sb.url, '--pin', other], bob(home));
    expect(r.code).toBe(7);
    expect(r.stderr).toContain(`differs from the one you trust (${other})`);

    const ok = await runCli([...ACCEPT, '--server', sb.url], bob(home, {}, { PIKA_CACERT: sb.certFile! }));
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toContain(`Certificate pin:  ${sb.fingerprint}`);
  });

  it('a damaged server or pin in the record makes it no usable record (exit 2)', async () => {
    const { file, home } = await started();
    tamper(file, { tls_pin: 'not-a-pin' });
    const pin = await runCli([...ACCEPT], bob(home));
    expect(pin.code).toBe(2);
    expect(pin.stderr).toContain('"tls_pin" is not a SHA-256 fingerprint');
    tamper(file, { tls_pin: undefined, server: 'ftp://example' });
    const server = await runCli([...ACCEPT], bob(home));
    expect(server.code).toBe(2);
    expect(server.stderr).toContain('"server" is not a server URL');
  });
});
