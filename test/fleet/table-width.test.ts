import { describe, expect, it } from 'vitest';
import { runCli, testContext } from '../support/context.js';
import { startTestSandbox } from '../support/sandbox.js';
import { fleetEnv, initLocked, KEY, serverArgs } from './support.js';

/** The per-node table on a 120-column terminal: one line per node, long cells cut with "…", nothing lost. */

const BASE = '/pika-behind-the-company-ingress/with/a/rather/long/base-path';

async function fleetWithOneDown() {
  const up = await Promise.all([startTestSandbox({ basePath: BASE }), startTestSandbox({ basePath: BASE })]);
  await Promise.all(up.map((sb) => initLocked(sb)));
  const down = await startTestSandbox({ basePath: BASE });
  await down.stop();
  return [...up, down].map((s) => s.url);
}

function tty120(columns = 120) {
  const ctx = testContext({ tty: true, env: fleetEnv(), answers: [{ match: /key/i, answer: KEY }] });
  Object.assign(ctx.io.stdout, { columns });
  return ctx;
}

describe('fleet table width', () => {
  it('fits a 120-column terminal; the cut error is printed whole on stderr', async () => {
    const urls = await fleetWithOneDown();
    const ctx = tty120();
    const r = await runCli(['unlock', ...serverArgs(urls)], ctx);
    expect(r.code).toBe(8);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(120);
    expect(lines[0]).toMatch(/^NODE\s+BEFORE\s+ACTION\s+AFTER\s+ERROR$/);
    const downRow = lines[3];
    expect(downRow).toContain('…');
    expect(downRow).toMatch(/failed/);
    // The whole message is not lost: stderr has it, with the node's URL.
    expect(r.stderr).toContain(`${urls[2]}: `);
    const full = r.stderr.split('\n').find((l) => l.startsWith(`  ${urls[2]}: `) && !l.includes('Hint'))!;
    expect(full.length).toBeGreaterThan(40);
  });

  it('a pipe (no terminal) keeps every cell whole', async () => {
    const urls = await fleetWithOneDown();
    const r = await runCli(['unlock', ...serverArgs(urls), '--key-from', 'env:KEY'], { env: fleetEnv() });
    expect(r.code).toBe(8);
    const lines = r.stdout.trimEnd().split('\n');
    for (const u of urls) expect(lines.some((l) => l.startsWith(u))).toBe(true);
    expect(r.stdout).not.toContain('…');
  });
});
