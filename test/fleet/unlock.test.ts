import { describe, expect, it } from 'vitest';
import { runCli, testContext } from '../support/context.js';
import { adminEnv, startTestSandbox } from '../support/sandbox.js';
import { ci, fleetEnv, KEY, keyStatus, lockedFleet, OTHER_KEY, serverArgs, unlockDirect } from './support.js';

/** `pikactl unlock` over several independent replicas (each its own sandbox on 127.0.0.1). */
describe('unlock over several servers', () => {
  it('unlocks every node after ONE passphrase prompt on a terminal', async () => {
    const fleet = await lockedFleet(3);
    const urls = fleet.map((s) => s.url);
    const ctx = testContext({
      tty: true,
      env: adminEnv(null),
      answers: [{ match: /key/i, answer: KEY }],
    });
    const r = await runCli(['unlock', ...serverArgs(urls)], ctx);
    expect(r.stderr).not.toMatch(/did not end/);
    expect(r.code).toBe(0);
    // The second and third node reused the answer: no further prompt (a ScriptedPrompter with no answers left would throw).
    expect(ctx.io.prompts.asked).toHaveLength(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^NODE\s+BEFORE\s+ACTION\s+AFTER/);
    for (const u of urls) expect(lines.find((l) => l.startsWith(u))).toMatch(/locked\s+unlocked\s+unlocked/);
    for (const u of urls) expect(await keyStatus(u)).toEqual({ initialized: true, unlocked: true });
  });

  it('asks the user name, password and key once for the whole fleet, never interleaved', async () => {
    const fleet = await lockedFleet(3);
    const ctx = testContext({
      tty: true,
      answers: [
        { match: /user/i, answer: 'admin' },
        { match: /password for admin/i, answer: fleetEnv().PW },
        { match: /key/i, answer: KEY },
      ],
    });
    const r = await runCli(['unlock', ...serverArgs(fleet.map((s) => s.url))], ctx);
    expect(r.code, r.stderr).toBe(0);
    expect(ctx.io.prompts.asked).toHaveLength(3);
    for (const s of fleet) expect(await keyStatus(s.url)).toEqual({ initialized: true, unlocked: true });
  });

  it('leaves already-unlocked nodes alone (action none) and reports one JSON row per node', async () => {
    const fleet = await lockedFleet(3);
    await unlockDirect(fleet[1]);
    const r = await runCli(['unlock', ...serverArgs(fleet.map((s) => s.url)), '--key-from', 'env:KEY', '--json'], ci());
    expect(r.code).toBe(0);
    const out = r.json();
    expect(out).toMatchObject({ ok: true, exit_code: 0 });
    expect(out.nodes.map((n: any) => [n.server, n.before, n.action, n.after, n.exit_code])).toEqual([
      [fleet[0].url, 'locked', 'unlocked', 'unlocked', 0],
      [fleet[1].url, 'unlocked', 'none', 'unlocked', 0],
      [fleet[2].url, 'locked', 'unlocked', 'unlocked', 0],
    ]);
  });

  it('one node down: the others are unlocked, the row says why, exit 8', async () => {
    const fleet = await lockedFleet(3);
    await fleet[2].stop();
    const r = await runCli(['unlock', ...serverArgs(fleet.map((s) => s.url)), '--key-from', 'env:KEY', '--json'], ci());
    expect(r.code).toBe(8);
    const out = r.json();
    expect(out.ok).toBe(false);
    expect(out.nodes[0]).toMatchObject({ action: 'unlocked', exit_code: 0 });
    expect(out.nodes[1]).toMatchObject({ action: 'unlocked', exit_code: 0 });
    expect(out.nodes[2]).toMatchObject({
      server: fleet[2].url,
      action: 'failed',
      exit_code: 7,
      error: { code: 'unreachable' },
    });
    expect(out.nodes[2].error.message).toContain(fleet[2].url);
  });

  it('human table for a partial result names the failed node and its next step on stderr', async () => {
    const fleet = await lockedFleet(2);
    await fleet[1].stop();
    const r = await runCli(['unlock', ...serverArgs(fleet.map((s) => s.url)), '--key-from', 'env:KEY'], ci());
    expect(r.code).toBe(8);
    expect(r.stdout).toMatch(
      new RegExp(
        `${fleet[1].url.replace(/[.]/g, '\\.')}\\s+unreachable\\s+failed\\s+unreachable\\s+unlock failed: cannot reach`,
      ),
    );
    expect(r.stderr).toContain('1 of 2 node(s) did not end in the wanted state.');
  });

  it('a node with a different key: wrong-key row and exit 8 while the others succeed', async () => {
    const fleet = await lockedFleet(3, { 1: OTHER_KEY });
    const r = await runCli(['unlock', ...serverArgs(fleet.map((s) => s.url)), '--key-from', 'env:KEY', '--json'], ci());
    expect(r.code).toBe(8);
    const rows = r.json().nodes;
    expect(rows[1]).toMatchObject({
      before: 'locked',
      action: 'failed',
      after: 'locked',
      exit_code: 5,
      error: { code: 'wrong_key' },
    });
    expect(rows[0].exit_code).toBe(0);
    expect(rows[2].exit_code).toBe(0);
    expect(await keyStatus(fleet[1].url)).toEqual({ initialized: true, unlocked: false });
  });

  it('every node rejects the key: exit 5 (the worst single code), nothing unlocked', async () => {
    const fleet = await lockedFleet(2);
    const r = await runCli(
      ['unlock', ...serverArgs(fleet.map((s) => s.url)), '--key-from', 'env:OTHER_KEY', '--json'],
      ci(),
    );
    expect(r.code).toBe(5);
    expect(r.json().nodes.every((n: any) => n.error?.code === 'wrong_key')).toBe(true);
    for (const s of fleet) expect((await keyStatus(s.url)).unlocked).toBe(false);
  });

  it('a node with encryption off is a not-initialized row among unlocked ones', async () => {
    const [a] = await lockedFleet(1);
    const fresh = await startTestSandbox();
    const r = await runCli(['unlock', ...serverArgs([a.url, fresh.url]), '--key-from', 'env:KEY', '--json'], ci());
    expect(r.code).toBe(8);
    expect(r.json().nodes[1]).toMatchObject({ exit_code: 6, error: { code: 'not_initialized' } });
  });
});
