import { describe, expect, it } from 'vitest';
import { runCli } from '../support/context.js';
import { startTestSandbox } from '../support/sandbox.js';
import { ci, keyStatus, lockedFleet, serverArgs, sleep, unlockDirect } from './support.js';

describe('status over several servers', () => {
  it('one row per node: table, --json rows, and the fleet exit code', async () => {
    const fleet = await lockedFleet(3);
    await unlockDirect(fleet[0]);
    await fleet[2].stop();
    const urls = fleet.map((s) => s.url);

    const human = await runCli(['status', ...serverArgs(urls)], ci());
    expect(human.code).toBe(8); // some serve, some do not
    const lines = human.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^NODE\s+ENCRYPTION\s+PRODUCT\s+ERROR$/);
    expect(lines[1]).toMatch(new RegExp(`^${urls[0]}\\s+unlocked\\s+pika v0\\.0\\.0$`));
    expect(lines[2]).toMatch(new RegExp(`^${urls[1]}\\s+locked\\s+pika`));
    expect(lines[3]).toMatch(new RegExp(`^${urls[2]}\\s+unreachable\\s+-\\s+\\S`));
    expect(human.stdout).toContain(`Next for ${urls[1]}: pikactl unlock`);

    const json = await runCli(['status', ...serverArgs(urls), '--json'], ci());
    expect(json.code).toBe(8);
    const out = json.json();
    expect(out).toMatchObject({ ok: false, exit_code: 8 });
    expect(out.nodes.map((n: any) => [n.server, n.state, n.exit_code])).toEqual([
      [urls[0], 'unlocked', 0],
      [urls[1], 'locked', 3],
      [urls[2], 'unreachable', 7],
    ]);
  });

  it('all locked: exit 3 (the worst single code); all serving: exit 0', async () => {
    const fleet = await lockedFleet(2);
    const urls = fleet.map((s) => s.url);
    expect((await runCli(['status', ...serverArgs(urls)], ci())).code).toBe(3);
    await Promise.all(fleet.map((s) => unlockDirect(s)));
    const r = await runCli(['status', ...serverArgs(urls), '--json'], ci());
    expect(r.code).toBe(0);
    expect(r.json().nodes.every((n: any) => n.state === 'unlocked')).toBe(true);
  });

  it('a node that is not Pika is an error row, not a failed command', async () => {
    const [a] = await lockedFleet(1);
    const based = await startTestSandbox({ basePath: '/pika' });
    const r = await runCli(['status', ...serverArgs([a.url, based.origin]), '--json'], ci());
    expect(r.code).toBe(3);
    expect(r.json().nodes[1]).toMatchObject({ server: based.origin, state: 'error', exit_code: 1 });
  });

  it('--wait --for unlocked waits for every node, including one that starts half a second later', async () => {
    const fleet = await lockedFleet(2);
    const late = fleet[1];
    const port = late.port;
    await late.stop();
    const pending = runCli(
      ['status', ...serverArgs(fleet.map((s) => s.url)), '--wait', '15s', '--for', 'unlocked', '--json'],
      ci(),
    );
    await unlockDirect(fleet[0]);
    await sleep(500); // before the third attempt (250 + 500 ms of backoff), after the first
    const again = await late.restart({ port });
    await unlockDirect(again);
    const r = await pending;
    expect(r.code).toBe(0);
    expect(r.json().nodes.map((n: any) => n.state)).toEqual(['unlocked', 'unlocked']);
  });

  it('--wait gives up per node and reports which ones missed', async () => {
    const fleet = await lockedFleet(2);
    await unlockDirect(fleet[0]);
    const r = await runCli(
      ['status', ...serverArgs(fleet.map((s) => s.url)), '--wait', '700ms', '--for', 'unlocked'],
      ci(),
    );
    expect(r.code).toBe(8);
    expect(r.stderr).toContain('Gave up after 700ms waiting for 1 of 2 nodes to be unlocked');
    expect(r.stderr).toMatch(/to be unlocked: the server was locked (\d+ times|twice|once)/);
  });
});

describe('lock over several servers', () => {
  it('--yes locks every node; an already locked one is action none', async () => {
    const fleet = await lockedFleet(3);
    await unlockDirect(fleet[0]);
    await unlockDirect(fleet[1]);
    const r = await runCli(['lock', '--yes', ...serverArgs(fleet.map((s) => s.url)), '--json'], ci());
    expect(r.code).toBe(0);
    expect(r.json().nodes.map((n: any) => [n.before, n.action, n.after])).toEqual([
      ['unlocked', 'locked', 'locked'],
      ['unlocked', 'locked', 'locked'],
      ['locked', 'none', 'locked'],
    ]);
    for (const s of fleet) expect(await keyStatus(s.url)).toEqual({ initialized: true, unlocked: false });
  });

  it('without --yes and without a terminal it refuses before touching any node', async () => {
    const fleet = await lockedFleet(2);
    await Promise.all(fleet.map((s) => unlockDirect(s)));
    const r = await runCli(['lock', ...serverArgs(fleet.map((s) => s.url))], ci());
    expect(r.code).toBe(2);
    for (const s of fleet) expect((await keyStatus(s.url)).unlocked).toBe(true);
  });
});
