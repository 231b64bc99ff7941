import { existsSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { withFileLock } from '../../src/config/lock.js';
import { CliError } from '../../src/errors.js';
import { tempDir } from '../support/context.js';

describe('config lock file', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('waits for a held lock, then gives up with a clear message naming the file', async () => {
    dir = tempDir('pikactl-lock-');
    const lock = join(dir, 'config.json.lock');
    writeFileSync(lock, '123\n');
    const t0 = Date.now();
    const err = await withFileLock(lock, async () => 'ran', { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).message).toMatch(
      /another pikactl has been changing the config for over 300ms \(lock file .*config\.json\.lock\)/,
    );
    expect((err as CliError).hint).toContain(`remove ${lock}`);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(280);
    expect(existsSync(lock)).toBe(true); // someone else's lock is not removed
  });

  it('takes over a stale lock left by a crashed run, and removes its own', async () => {
    dir = tempDir('pikactl-lock-');
    const lock = join(dir, 'config.json.lock');
    writeFileSync(lock, '123\n');
    const old = (Date.now() - 60_000) / 1000;
    utimesSync(lock, old, old);
    expect(await withFileLock(lock, async () => 'ran', { timeoutMs: 300 })).toBe('ran');
    expect(existsSync(lock)).toBe(false);
  });

  it('serialises concurrent holders', async () => {
    dir = tempDir('pikactl-lock-');
    const lock = join(dir, 'config.json.lock');
    let inside = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 8 }, () =>
        withFileLock(lock, async () => {
          most = Math.max(most, ++inside);
          await new Promise((r) => setTimeout(r, 10));
          inside--;
        }),
      ),
    );
    expect(most).toBe(1);
  });
});
