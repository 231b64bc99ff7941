import { describe, expect, it } from 'vitest';
import { runCli } from '../support/context.js';
import { once, rawResponse, startAnswerProxy } from '../support/answer-proxy.js';
import { ci, keyStatus, lockedFleet, serverArgs } from './support.js';

/**
 * Several nodes, one whose unlock may have been applied (its answer never came) and one
 * that failed with a numerically higher code (429: 9): the command's exit code is 8, what
 * the operator must act on, not the larger number.
 */
describe('fleet exit code with a maybe-done node', () => {
  it('unlock: one answer lost (8), one rate-limited (9) → exit 8', async () => {
    const [a, b] = await lockedFleet(2);
    const lost = await startAnswerProxy(a, once('/api/v1/key/unlock', { hold: true }));
    const limited = await startAnswerProxy(
      b,
      once('/api/v1/key/unlock', {
        raw: rawResponse(
          '429 Too Many Requests',
          { 'Content-Type': 'application/json', 'Retry-After': '60' },
          '{"message":"too many failed attempts"}',
        ),
      }),
    );
    const r = await runCli(
      ['--timeout', '1s', '--json', 'unlock', ...serverArgs([lost.url, limited.url]), '--key-from', 'env:KEY'],
      ci(),
    );
    const nodes = r.json().nodes.map((n: { exit_code: number }) => n.exit_code);
    expect(nodes).toEqual([8, 9]);
    expect(r.code, r.stdout).toBe(8);
    expect(await keyStatus(a.url)).toEqual({ initialized: true, unlocked: true });
  });
});
