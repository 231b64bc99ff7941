import { mkdirSync, mkdtempSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { staleReason } from '../support/global-setup.js';

/** The decision of vitest's globalSetup: rebuild dist/ exactly when a build input is newer. */
describe('global-setup: is dist/ stale?', () => {
  let dir: string;
  const at = (path: string, secondsAgo: number) => {
    const t = new Date(Date.now() - secondsAgo * 1000);
    utimesSync(join(dir, path), t, t);
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pikactl-global-setup-'));
    mkdirSync(join(dir, 'src', 'ops'), { recursive: true });
    mkdirSync(join(dir, 'dist', 'ops'), { recursive: true });
    writeFileSync(join(dir, 'src', 'ops', 'a.ts'), '');
    writeFileSync(join(dir, 'dist', 'ops', 'a.js'), '');
    writeFileSync(join(dir, 'package.json'), '{}');
    for (const p of ['src/ops/a.ts', 'src/ops', 'src', 'package.json']) at(p, 100);
    for (const p of ['dist/ops/a.js', 'dist/ops', 'dist']) at(p, 50);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is fresh when the last build is newer than every input', () => {
    expect(staleReason(dir)).toBeUndefined();
  });
  it('is stale when dist/ is missing', () => {
    rmSync(join(dir, 'dist'), { recursive: true });
    expect(staleReason(dir)).toBe('dist/ is missing');
  });
  it('is stale when a source file was edited after the build', () => {
    at('src/ops/a.ts', 10);
    expect(staleReason(dir)).toMatch(/newer than dist/);
  });
  it('is stale when a source file was moved (a rename keeps the file mtime, not its folder)', () => {
    mkdirSync(join(dir, 'src', 'recovery'));
    renameSync(join(dir, 'src', 'ops', 'a.ts'), join(dir, 'src', 'recovery', 'a.ts'));
    at('src/recovery/a.ts', 100);
    expect(staleReason(dir)).toMatch(/newer than dist/);
  });
  it('is stale when package.json changed after the build', () => {
    at('package.json', 1);
    expect(staleReason(dir)).toMatch(/newer than dist/);
  });
  it.each(['tsconfig.cjs.json', 'scripts/build.mjs'])(
    'is stale when %s (the CommonJS build of --help) changed',
    (f) => {
      mkdirSync(join(dir, 'scripts'), { recursive: true });
      writeFileSync(join(dir, f), '');
      at(f, 100);
      at('scripts', 100);
      expect(staleReason(dir)).toBeUndefined();
      at(f, 1);
      expect(staleReason(dir)).toMatch(/newer than dist/);
    },
  );
  it('stays fresh with a file left in dist/ from a deleted source (it is never rewritten)', () => {
    writeFileSync(join(dir, 'dist', 'old.js'), '');
    at('dist/old.js', 1000);
    at('dist', 50);
    expect(staleReason(dir)).toBeUndefined();
  });
});
