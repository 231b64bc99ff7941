import { existsSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { runCli, tempDir, testContext } from '../support/context.js';
import { runBin } from '../support/spawn.js';

function listenOn(port: number): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(undefined));
    s.listen(port, '127.0.0.1', () => resolve(s));
  });
}
const close = (s: Server) => new Promise<void>((r) => s.close(() => r()));

/** A port Q held by this test, with Q-1 free (checked just before use; a few tries). */
async function heldPortAfterFreeOne(): Promise<{ free: number; held: number }> {
  for (let i = 0; i < 20; i++) {
    const probe = (await listenOn(0))!;
    const held = (probe.address() as { port: number }).port;
    const below = await listenOn(held - 1);
    if (below) {
      await close(below);
      onTestFinished(() => close(probe));
      return { free: held - 1, held };
    }
    await close(probe);
  }
  throw new Error('no pair of adjacent ports found');
}

describe('pikactl sandbox start-up errors say what is wrong', () => {
  it.runIf(existsSync('/proc/1'))('--data /proc/1/nope fails at once with a clear error (no spinning)', async () => {
    const t0 = Date.now();
    const r = await runBin(['sandbox', '--data', '/proc/1/nope', '--quiet'], { timeoutMs: 8000 });
    expect(r.signal).toBeNull();
    expect(r.code).toBe(1);
    expect(Date.now() - t0).toBeLessThan(6000);
    expect(r.stderr).toContain('cannot use /proc/1/nope as the sandbox data directory');
    expect(r.stderr).toContain('Hint: Pass --data with a folder you can write');
    const deeper = await runBin(['sandbox', '--data', '/proc/1/nope/deeper', '--quiet'], { timeoutMs: 8000 });
    expect(deeper.code).toBe(1);
    expect(deeper.stderr).toContain('cannot use /proc/1/nope/deeper as the sandbox data directory');
  });

  it('--data below a regular file names the data directory and why', async () => {
    const file = join(tempDir(), 'plain-file');
    writeFileSync(file, 'x');
    const r = await runCli(['sandbox', '--data', join(file, 'data'), '--quiet', '--port', '0']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `cannot use ${join(file, 'data')} as the sandbox data directory: a part of the path is not a folder`,
    );
  });

  it('a port in use is named as the port that failed (a cluster node on --port + 1)', async () => {
    const { free, held } = await heldPortAfterFreeOne();
    const ac = new AbortController();
    const ctx = { ...testContext(), signal: ac.signal };
    const r = await runCli(['sandbox', '--port', String(free), '--cluster', '2', '--quiet', '--data', tempDir()], ctx);
    ac.abort();
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`cannot listen on 127.0.0.1:${held}: address already in use`);
    // The first node was stopped again: its port is free.
    const again = await listenOn(free);
    expect(again).toBeDefined();
    await close(again!);
  });
});
