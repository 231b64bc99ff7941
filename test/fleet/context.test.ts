import { describe, expect, it } from 'vitest';
import { runCli, tempDir, testContext } from '../support/context.js';
import { KEY, keyStatus, lockedFleet, serverArgs, TEST_ADMIN } from './support.js';

/** A context with several replica URLs, saved with `pikactl context add` into a temp XDG config dir. */
describe('a context with several servers', () => {
  it('unlock --context prod: one prompt, every replica unlocked; then status and lock over the same list', async () => {
    const fleet = await lockedFleet(3);
    const urls = fleet.map((s) => s.url);
    const env = { XDG_CONFIG_HOME: tempDir('pikactl-xdg-'), PW: TEST_ADMIN.password };

    const add = await runCli(['context', 'add', 'prod', ...serverArgs(urls), '--user', TEST_ADMIN.username], { env });
    expect(add.stderr).toBe('');
    expect(add.code).toBe(0);
    expect(add.stdout).toContain('3 servers');

    const ctx = testContext({ tty: true, env, answers: [{ match: /key/i, answer: KEY }] });
    const unlock = await runCli(['unlock', '--context', 'prod', '--password-from', 'env:PW'], ctx);
    expect(unlock.code).toBe(0);
    expect(ctx.io.prompts.asked).toHaveLength(1);
    for (const u of urls) {
      expect(unlock.stdout).toMatch(new RegExp(`${u}\\s+locked\\s+unlocked\\s+unlocked`));
      expect(await keyStatus(u)).toEqual({ initialized: true, unlocked: true });
    }

    const status = await runCli(['status', '--json'], { env }); // prod is the current context
    expect(status.code).toBe(0);
    expect(status.json().nodes.map((n: any) => n.server)).toEqual(urls);

    const lock = await runCli(['lock', '--yes', '--context', 'prod', '--password-from', 'env:PW', '--json'], { env });
    expect(lock.code).toBe(0);
    expect(lock.json().nodes.every((n: any) => n.action === 'locked')).toBe(true);
    for (const u of urls) expect((await keyStatus(u)).unlocked).toBe(false);
  });
});
