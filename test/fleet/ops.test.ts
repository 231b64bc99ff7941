import { describe, expect, it } from 'vitest';
import { apiErrorToCli } from '../../src/api/errors.js';
import { ApiError, type ApiErrorKind } from '../../src/api/types.js';
import { parseServerUrl } from '../../src/api/url.js';
import { forEachNode, type NodeResult } from '../../src/fleet/nodes.js';
import type { Target } from '../../src/commands/shared/invocation.js';
import type { Clock } from '../../src/deps.js';
import { CliError, ExitCode } from '../../src/errors.js';
import { explainNotApplied, followerReason, isTransient, notApplied, type FleetRow } from '../../src/fleet/ops.js';

const api = (kind: ApiErrorKind, status?: number) =>
  new ApiError(`x: ${kind}`, { kind, method: 'POST', path: '/p', status });

describe('isTransient', () => {
  it('waits through refused, reset and the cluster 503/502, also when a login wrapped them', () => {
    expect(isTransient(api('unreachable'))).toBe(true);
    expect(isTransient(api('connection_lost'))).toBe(true);
    expect(isTransient(api('cluster', 503))).toBe(true);
    expect(isTransient(api('cluster', 502))).toBe(true);
    expect(isTransient(apiErrorToCli(api('cluster', 503), parseServerUrl('http://127.0.0.1:1'), 'login'))).toBe(true);
  });
  it('never retries wrong key, auth, TLS, rate limits or a cluster 413', () => {
    for (const k of [
      'wrong_key',
      'unauthenticated',
      'invalid_credentials',
      'forbidden',
      'tls',
      'rate_limited',
      'timeout',
      'server_error',
    ] as ApiErrorKind[]) {
      expect(isTransient(api(k, 403)), k).toBe(false);
    }
    expect(isTransient(api('cluster', 413))).toBe(false);
    expect(isTransient(new CliError('plain', { code: 'error' }))).toBe(false);
  });
});

describe('explainNotApplied', () => {
  const ok = (server: string): FleetRow => ({
    server,
    before: 'locked',
    action: 'unlocked',
    after: 'unlocked',
    exitCode: 0,
  });
  const stuck = (server: string): FleetRow => {
    const error = notApplied(server, 'unlock', 'locked');
    return { server, action: 'failed', error, exitCode: error.exitCode };
  };

  it('asks an unlocked node and rewrites the stuck rows with the follower reason', async () => {
    const asked: string[] = [];
    const rows = await explainNotApplied([ok('a'), stuck('b')], 'unlock', async (s) => {
      asked.push(s);
      return { enabled: true, role: 'leader', leader_addr: '10.0.0.1:7946' };
    });
    expect(asked).toEqual(['a']);
    expect(rows[0]).toEqual(ok('a'));
    expect(rows[1]).toMatchObject({
      before: 'locked',
      action: 'forwarded',
      after: 'locked',
      exitCode: ExitCode.LOCKED,
      cluster: { via: 'a', leader_addr: '10.0.0.1:7946' },
    });
    expect(rows[1].error?.message).toContain(followerReason('unlock', '10.0.0.1:7946'));
  });

  it('leaves rows alone when no node can answer, or when none is stuck', async () => {
    const fail = async () => {
      throw new Error('no');
    };
    const rows = [ok('a'), stuck('b')];
    expect(await explainNotApplied(rows, 'unlock', fail)).toEqual(rows);
    let calls = 0;
    await explainNotApplied([ok('a')], 'unlock', async () => (calls++, { enabled: true }));
    expect(calls).toBe(0);
  });

  it('a standalone answer keeps the message but says it is not the follower case', async () => {
    const rows = await explainNotApplied([ok('a'), stuck('b')], 'unlock', async () => ({
      enabled: false,
      role: 'standalone',
    }));
    expect(rows[1].action).toBe('failed');
    expect(rows[1].error?.hint).toMatch(/no cluster mode/);
  });
});

describe('forEachNode retries', () => {
  const target = (id: string) => ({ server: parseServerUrl(id) }) as unknown as Target;
  const fakeClock = (): Clock & { slept: number[] } => {
    let t = 0;
    const slept: number[] = [];
    return { slept, now: () => t, sleep: async (ms) => void (slept.push(ms), (t += ms)) };
  };

  it('re-runs a node after a transient failure while the budget lasts, with less time left each attempt', async () => {
    const clock = fakeClock();
    const seen: Array<number | undefined> = [];
    const rows = await forEachNode(
      [target('http://127.0.0.1:1')],
      async (t, a): Promise<NodeResult> => {
        seen.push(a.remainingMs);
        if (a.n < 3) throw api('cluster', 503);
        return { server: t.server.id, action: 'unlocked', exitCode: 0 };
      },
      async (_t, e) => apiErrorToCli(e, parseServerUrl('http://127.0.0.1:1')),
      { retryFor: 10_000, clock },
    );
    expect(rows[0].action).toBe('unlocked');
    expect(clock.slept).toEqual([250, 500]);
    expect(seen).toEqual([10_000, 9_750, 9_250]);
  });

  it('gives up when the budget is spent, and never retries without one', async () => {
    const clock = fakeClock();
    let calls = 0;
    const fn = async (): Promise<NodeResult> => {
      calls++;
      throw api('unreachable');
    };
    const map = async (_t: Target, e: ApiError) => apiErrorToCli(e, parseServerUrl('http://127.0.0.1:1'));
    const rows = await forEachNode([target('http://127.0.0.1:1')], fn, map, { retryFor: 1000, clock });
    expect(rows[0]).toMatchObject({ action: 'failed', before: 'unreachable', exitCode: 7 });
    expect(clock.slept.reduce((a, b) => a + b, 0)).toBe(1000);
    calls = 0;
    await forEachNode([target('http://127.0.0.1:1')], fn, map);
    expect(calls).toBe(1);
  });
});
