import { describe, expect, it } from 'vitest';
import { runCli } from '../support/context.js';
import { ci, keyStatus, lockedCluster, lockedFleet, serverArgs, sleep } from './support.js';

/** Rolling restarts: what `unlock --wait` waits through, and what it must not retry. */
describe('unlock --wait in a rolling restart', () => {
  it('waits for a node that comes up half a second later, then unlocks it too', async () => {
    const fleet = await lockedFleet(2);
    const late = fleet[1];
    const port = late.port;
    await late.stop();
    const pending = runCli(
      ['unlock', ...serverArgs(fleet.map((s) => s.url)), '--key-from', 'env:KEY', '--wait', '15s', '--json'],
      ci(),
    );
    // Up before the third attempt (after 250 + 500 ms of backoff): the first one, at once, was refused.
    await sleep(500);
    await late.restart({ port });
    const r = await pending;
    expect(r.code).toBe(0);
    expect(r.json().nodes.map((n: any) => n.after)).toEqual(['unlocked', 'unlocked']);
  });

  it("waits through the cluster's 503 (no leader) until the leader is back", async () => {
    const cluster = await lockedCluster(2);
    await cluster.stopNode(0);
    // Only the follower is addressed: its key/status answers (a local GET) but every POST gets 503 until the leader returns.
    const pending = runCli(['unlock', '--server', cluster.urls[1], '--key-from', 'env:KEY', '--wait', '15s'], ci());
    await sleep(500);
    await cluster.startNode(0);
    const r = await pending;
    expect(r.stderr).not.toMatch(/cluster forwarding failed/);
    expect(await keyStatus(cluster.urls[0])).toEqual({ initialized: true, unlocked: true }); // the forwarded unlock reached the leader
    expect(r.code).not.toBe(0); // the follower itself stays locked, and says so
    expect(r.stderr).toContain('still reports "locked"');
  });

  it('without --wait a cluster 503 is reported at once', async () => {
    const cluster = await lockedCluster(2);
    await cluster.stopNode(0);
    const r = await runCli(['unlock', '--server', cluster.urls[1], '--key-from', 'env:KEY'], ci());
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no leader available/);
  });

  it('a wrong key is final: not retried however long --wait is', async () => {
    const fleet = await lockedFleet(2);
    const started = Date.now();
    const r = await runCli(
      ['unlock', ...serverArgs(fleet.map((s) => s.url)), '--key-from', 'env:OTHER_KEY', '--wait', '30s'],
      ci(),
    );
    expect(r.code).toBe(5);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('bad credentials are final too', async () => {
    const fleet = await lockedFleet(2);
    const started = Date.now();
    const r = await runCli(
      ['unlock', ...serverArgs(fleet.map((s) => s.url)), '--key-from', 'env:KEY', '--wait', '30s'],
      ci({ PW: 'not-the-password' }),
    );
    expect(r.code).toBe(4);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
