import { describe, expect, it } from 'vitest';
import { MemoryKeychain, runCli } from '../support/context.js';
import { adminClient, startTestSandbox } from '../support/sandbox.js';
import { once, startAnswerProxy } from '../support/answer-proxy.js';
import { ciEnv } from '../keychain/support.js';

/**
 * `keychain set` tests the key on a locked server by unlocking it: a state change. When
 * that unlock's answer never comes, the server may well be unlocked (here it is), so the
 * outcome is "maybe done" (exit 8, the command that finds out), not a plain timeout (7).
 */
describe('keychain set: the verifying unlock whose answer never comes', () => {
  it('exit 8 naming pikactl status --server URL, nothing stored, and the server really is unlocked', async () => {
    const first = await startTestSandbox();
    expect((await runCli(['init', '--key-from', 'env:KEY', '--confirm-saved'], { env: ciEnv(first) })).code).toBe(0);
    const sb = await first.restart(); // comes back locked
    const proxy = await startAnswerProxy(sb, once('/api/v1/key/unlock', { hold: true }));
    const kc = new MemoryKeychain();
    const r = await runCli(['--timeout', '1s', '--json', 'keychain', 'set', '--key-from', 'env:KEY'], {
      env: { ...ciEnv(sb), PIKA_SERVER: proxy.url },
      keychain: kc,
    });
    expect(proxy.rewritten).toEqual(['POST /api/v1/key/unlock']);
    expect(r.code, r.stdout).toBe(8);
    const e = r.json().error;
    expect(e.code).toBe('maybe_done');
    expect(e.hint).toContain(`pikactl status --server ${proxy.url}`);
    expect(kc.entries.size).toBe(0);
    expect((await (await adminClient(sb)).call('GET', '/api/v1/key/status')).json()).toEqual({
      initialized: true,
      unlocked: true,
    });
  });
});
