import { execFileSync } from 'node:child_process';
import { readdirSync, type Stats, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * vitest globalSetup: the e2e tests spawn bin/pikactl.js, which runs dist/, not src/. When
 * dist/ is older than any source file (or missing), build it once before any test runs, so
 * no test ever runs stale code. A fresh dist/ costs nothing; a rebuild costs two `tsc` runs
 * (about 10 s here), paid only after a source change, not on every `vitest run`.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));

/** The build's inputs: every file under src/, and the configs and manifest tsc reads. */
const INPUTS = [
  'src',
  'tsconfig.json',
  'tsconfig.build.json',
  'tsconfig.cjs.json',
  'scripts/build.mjs',
  'package.json',
];

/**
 * The newest modification time under `path`, directories included: a file moved or deleted
 * (`git mv` keeps its mtime) changes its directory's. Undefined when `path` does not exist.
 */
function newest(path: string): number | undefined {
  let st: Stats;
  try {
    st = statSync(path);
  } catch {
    return undefined;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  let acc = st.mtimeMs;
  for (const name of readdirSync(path)) acc = Math.max(acc, newest(join(path, name)) ?? 0);
  return acc;
}

/** Why dist/ must be rebuilt, or undefined when it is up to date. */
export function staleReason(dir = root): string | undefined {
  // tsc rewrites every output file, so the newest file in dist/ is when the last build ended
  // (not the oldest: a file left from a source since moved or deleted is never rewritten).
  const built = newest(join(dir, 'dist'));
  if (built === undefined) return 'dist/ is missing';
  const changed = Math.max(...INPUTS.map((p) => newest(join(dir, p)) ?? 0));
  return changed > built ? 'a source file is newer than dist/' : undefined;
}

export default function setup(): void {
  const why = staleReason();
  if (why === undefined) return;
  const started = Date.now();
  try {
    // `npm run build`'s own script (dist/ and dist/cjs/), without npm in between.
    execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'pipe' });
  } catch (err) {
    const out = (err as { stdout?: Buffer }).stdout?.toString() ?? String(err);
    throw new Error(`global-setup: the build failed (${why}), so the e2e tests would run stale code:\n${out}`);
  }
  process.stderr.write(`global-setup: built dist/ (${why}) in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}
