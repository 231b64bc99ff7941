import { describe, expect, it } from 'vitest';
import { runCli } from '../support/context.js';
import { halfRotatedSandbox } from '../support/half-rotation.js';

/**
 * A server whose settings do not open (the upstream half-rotation, sandbox fault
 * rotate-write) is reported the same way by every command that finds it so: exit 8,
 * recover-rotation naming the server, and Pika's request_id in --json for its logs.
 */
const KEY = 'unreadable-key-amber-quarry-1';
const NEW_KEY = 'unreadable-new-key-slate-owl-2';

describe('settings that do not open, found before a change', () => {
  it('unlock and rotate say it alike, each with the request_id of the 500', async () => {
    const { sb, env, rotate } = await halfRotatedSandbox({ KEY, NEW_KEY });
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
