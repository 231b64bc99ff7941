import { describe, expect, it } from 'vitest';
import { runCli } from '../support/context.js';
import { ci, KEY, keyStatus, lockedCluster, serverArgs } from './support.js';

/**
 * pikactl against the simulated Pika cluster: every POST runs on the leader, so an
 * unlock or lock sent to a follower acts on the leader. pikactl re-reads each node's
 * own key/status and says so, with the reason, instead of claiming success.
 */
describe('unlock / lock in a Pika cluster', () => {
  it('reports a follower that is still locked after a 200, with the cluster reason', async () => {
    const cluster = await lockedCluster(3);
    const urls = cluster.urls;
    const leaderAddr = `127.0.0.1:${cluster.node(0).port}`;
    const r = await runCli(['unlock', ...serverArgs(urls), '--key-from', 'env:KEY', '--json'], ci());
    expect(r.code).toBe(8);
    const rows = r.json().nodes;
    expect(rows[0]).toMatchObject({ server: urls[0], after: 'unlocked', exit_code: 0 });
    expect(['unlocked', 'none']).toContain(rows[0].action);
    for (const row of rows.slice(1)) {
      expect(row).toMatchObject({
        before: 'locked',
        action: 'forwarded',
        after: 'locked',
        exit_code: 3,
        error: { code: 'locked' },
      });
      expect(row.cluster).toMatchObject({ via: urls[0], leader_addr: leaderAddr });
      expect(row.error.message).toContain(
        `follower in a Pika cluster: POSTs are forwarded to the leader ${leaderAddr}; a follower can only be unlocked at boot (encryption.password) or by becoming leader`,
      );
    }
    expect(await keyStatus(urls[1])).toEqual({ initialized: true, unlocked: false });

    // The human table says the same, and the hint is on stderr.
    const human = await runCli(['unlock', ...serverArgs(urls), '--key-from', 'env:KEY'], ci());
    expect(human.code).toBe(8);
    expect(human.stdout).toMatch(new RegExp(`${urls[0]}\\s+unlocked\\s+none\\s+unlocked`));
    expect(human.stdout).toMatch(
      new RegExp(
        `${urls[1]}\\s+locked\\s+forwarded\\s+locked\\s+still locked although the unlock was accepted: follower`,
      ),
    );
    expect(human.stderr).toContain('restart it with encryption.password set');
  });

  it('a leader unlocked "by someone else" (a forwarded unlock) comes out as action none', async () => {
    // 9 followers first, leader last: with 8 workers the leader is looked at only after a
    // follower's forwarded unlock already unlocked it.
    const cluster = await lockedCluster(10, { leader: 9 });
    const r = await runCli(['unlock', ...serverArgs(cluster.urls), '--key-from', 'env:KEY', '--json'], ci());
    expect(r.code).toBe(8);
    const rows = r.json().nodes;
    expect(rows[9]).toMatchObject({
      server: cluster.urls[9],
      before: 'unlocked',
      action: 'none',
      after: 'unlocked',
      exit_code: 0,
    });
    expect(rows.slice(0, 9).every((n: any) => n.exit_code !== 0 && n.error.message.includes('locked'))).toBe(true);
  });

  it('only a locked follower given: no node can tell, so the generic hint stays', async () => {
    const cluster = await lockedCluster(2);
    const r = await runCli(['unlock', '--server', cluster.urls[1], '--key-from', 'env:KEY'], ci());
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('still reports "locked"');
    expect(r.stderr).toMatch(/follower/);
    expect(await keyStatus(cluster.urls[0])).toEqual({ initialized: true, unlocked: true }); // the leader got it
  });

  it('lock --yes: a follower unlocked at boot stays unlocked and is reported so', async () => {
    const cluster = await lockedCluster(2);
    await cluster.restartNode(0, { bootKey: KEY });
    await cluster.restartNode(1, { bootKey: KEY });
    const urls = cluster.urls;
    const r = await runCli(['lock', '--yes', ...serverArgs(urls), '--json'], ci());
    expect(r.code).toBe(8);
    const rows = r.json().nodes;
    expect(rows[0]).toMatchObject({ action: 'locked', after: 'locked', exit_code: 0 });
    expect(rows[1]).toMatchObject({ before: 'unlocked', action: 'forwarded', after: 'unlocked', exit_code: 8 });
    expect(rows[1].cluster).toMatchObject({ via: urls[1], role: 'follower' });
    expect(rows[1].error.message).toContain('follower in a Pika cluster: POSTs are forwarded to the leader');
    expect(rows[1].error.hint).toMatch(/Restart this replica/);
  });
});
