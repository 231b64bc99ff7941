import { describe, expect, it } from 'vitest';
import { runCli } from '../support/context.js';
import { freePort } from '../support/ports.js';
import { adminEnv, startTestSandbox } from '../support/sandbox.js';

/**
 * recover-rotation's "What to do now" steps that are commands name the server the
 * operator named (issue 10 item 8): without it, `pikactl status --wait 2m` checks the
 * current context, a different server, or fails for want of one.
 */
describe('recover-rotation: the commands in its generic "What to do now" steps', () => {
  it('an unreachable server: the status command to watch it carries --server URL', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const env = { OLD: 'recover-hint-old-key-1', NEW: 'recover-hint-new-key-2' };
    const args = ['recover-rotation', '--server', url, '--old-key-from', 'env:OLD', '--new-key-from', 'env:NEW'];
    const r = await runCli(args, { env });
    expect(r.code, r.stderr).toBe(7);
    expect(r.stdout).toContain(`pikactl status --server ${url} --wait 2m`);
  });

  it('a server without encryption: the init command carries --server URL', async () => {
    const sb = await startTestSandbox();
    const env = adminEnv(null, { OLD: 'recover-hint-old-key-1', NEW: 'recover-hint-new-key-2' });
    const r = await runCli(
      ['recover-rotation', '--server', sb.url, '--old-key-from', 'env:OLD', '--new-key-from', 'env:NEW'],
      { env },
    );
    expect(r.code, r.stderr).toBe(6);
    expect(r.stdout).toContain(`pikactl init --server ${sb.url} --key-from SPEC --confirm-saved`);
  });
});
