import { describe, expect, it } from 'vitest';
import { runCli } from '../support/context.js';
import { halfRotatedSandbox } from '../support/half-rotation.js';
import { adminClient } from '../support/sandbox.js';
import { once, startAnswerProxy } from '../support/answer-proxy.js';

/**
 * recover-rotation's lock step is a state change like `pikactl lock`: when its answer
 * never comes, the server may be locked (here it is), so the outcome is "maybe done"
 * (exit 8), never exit 7 "no answer to a request that changes nothing".
 */
const KEY = 'lock-lost-key-amber-falcon-1';
const NEW_KEY = 'lock-lost-new-key-slate-owl-2';

describe('recover-rotation: the lock step whose answer never comes', () => {
  it('exit 8, the command that finds out and how to resume; the server is locked', async () => {
    const { sb, env } = await halfRotatedSandbox({ KEY, NEW_KEY });
    const proxy = await startAnswerProxy(sb, once('/api/v1/key/lock', { hold: true }));
    const r = await runCli(
      [
        '--timeout',
        '1s',
        '--json',
        'recover-rotation',
        '--old-key-from',
        'env:KEY',
        '--new-key-from',
        'env:NEW_KEY',
        '--yes',
      ],
      { env: { ...env, PIKA_SERVER: proxy.url } },
    );
    expect(proxy.rewritten).toEqual(['POST /api/v1/key/lock']);
    expect(r.code, r.stdout + r.stderr).toBe(8);
    expect(r.stdout).toContain(`pikactl recover-rotation --server ${proxy.url}`);
    expect((await (await adminClient(sb)).call('GET', '/api/v1/key/status')).json()).toEqual({
      initialized: true,
      unlocked: false,
    });
  });

  it('the diagnostic lock (only the new key given) whose answer never comes: exit 8 too; the server is locked', async () => {
    const { sb, env } = await halfRotatedSandbox({ KEY, NEW_KEY });
    const proxy = await startAnswerProxy(sb, once('/api/v1/key/lock', { hold: true }));
    const r = await runCli(
      ['--timeout', '1s', '--json', 'recover-rotation', '--new-key-from', 'env:NEW_KEY', '--yes'],
      { env: { ...env, PIKA_SERVER: proxy.url } },
    );
    expect(proxy.rewritten).toEqual(['POST /api/v1/key/lock']);
    expect(r.code, r.stdout + r.stderr).toBe(8);
    expect(r.stdout).toContain(`pikactl status --server ${proxy.url}`);
    expect((await (await adminClient(sb)).call('GET', '/api/v1/key/status')).json()).toEqual({
      initialized: true,
      unlocked: false,
    });
  });
});
