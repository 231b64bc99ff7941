import { describe, expect, it } from 'vitest';
import { pollUntil } from '../../src/ops/wait.js';
import type { Clock } from '../../src/deps.js';

function fakeClock(): Clock & { slept: number[] } {
  let t = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => t,
    sleep: async (ms) => {
      slept.push(ms);
      t += ms;
    },
  };
}

describe('pollUntil', () => {
  it('backs off exponentially up to the cap and stops when the condition holds', async () => {
    const clock = fakeClock();
    let n = 0;
    const r = await pollUntil(
      async () => ++n,
      (v) => v === 6,
      { clock, timeoutMs: 60_000, initialDelayMs: 100, maxDelayMs: 800 },
    );
    expect(r).toEqual({ done: true, value: 6, attempts: 6 });
    expect(clock.slept).toEqual([100, 200, 400, 800, 800]);
  });

  it('gives up at the deadline with the last value', async () => {
    const clock = fakeClock();
    const r = await pollUntil(
      async () => 'locked',
      () => false,
      { clock, timeoutMs: 1000, initialDelayMs: 300, maxDelayMs: 300 },
    );
    expect(r.done).toBe(false);
    expect(r).toMatchObject({ last: 'locked' });
    expect(clock.slept.reduce((a, b) => a + b, 0)).toBe(1000);
  });
});

describe('Tally', () => {
  it('counts what a wait saw, most frequent first, for the give-up line', async () => {
    const { Tally } = await import('../../src/ops/wait.js');
    const t = new Tally();
    expect(t.summary()).toBe('no request completed');
    for (let i = 0; i < 38; i++) t.add('the gateway answered 502');
    t.add('the server was locked');
    t.add('the server was locked');
    t.add('nothing answered (ECONNREFUSED)');
    expect(t.summary()).toBe(
      'the gateway answered 502 38 times, the server was locked twice, nothing answered (ECONNREFUSED) once',
    );
    expect(t.last).toBe('nothing answered (ECONNREFUSED)');
    expect(t.total).toBe(41);
  });
});
