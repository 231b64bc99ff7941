import { describe, expect, it } from 'vitest';
import { runCli } from '../support/context.js';
import { startTestSandbox, TEST_ADMIN } from '../support/sandbox.js';

/**
 * A server whose settings do not open (the upstream half-rotation, sandbox fault
 * rotate-write) is reported the same way by every command that finds it so: exit 8,
 * recover-rotation naming the server, and Pika's request_id in --json for its logs.
 */
const KEY = 'unreadable-key-amber-quarry-1';
const NEW_KEY = 'unreadable-new-key-slate-owl-2';

describe('settings that do not open, found before a change', () => {
  it('unlock and rotate say it alike, each with the request_id of the 500', async () => {
    const sb = await startTestSandbox({ faults: ['rotate-write'] });
    const env = {
      PIKA_SERVER: sb.url,
      PIKA_USER: TEST_ADMIN.username,
      PIKA_PASSWORD_FROM: 'env:PW',
      PW: TEST_ADMIN.password,
      KEY,
      NEW_KEY,
    };
    expect((await runCli(['init', '--key-from', 'env:KEY', '--confirm-saved'], { env })).code).toBe(0);
    const rotate = ['rotate', '--current-key-from', 'env:KEY', '--new-key-from', 'env:NEW_KEY', '--confirm-saved'];
    expect((await runCli(rotate, { env })).code).toBe(8); // the fault: memory on the new key, disk on the old
    for (const args of [['unlock', '--key-from', 'env:NEW_KEY'], rotate]) {
      const r = await runCli(['--json', ...args], { env });
      expect(r.code, r.stdout).toBe(8);
      const e = r.json().error;
      expect(e.message).toContain('cannot read its own settings');
      expect(e.hint).toContain(`pikactl recover-rotation --server ${sb.url}`);
      expect(
        typeof e.request_id === 'string' && e.request_id !== '' ? 'has request_id' : `${args[0]}: ${r.stdout}`,
      ).toBe('has request_id');
    }
  });
});
