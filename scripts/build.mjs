#!/usr/bin/env node
// `npm run build`, and test/support/global-setup.ts's rebuild of a stale dist/: one build.
//   1. tsconfig.build.json: src/ as ES modules into dist/ (what `run()` loads);
//   2. tsconfig.cjs.json: src/root-help.ts and its imports as CommonJS into dist/cjs/, with a
//      package.json saying so (the root one says "module"): bin/pikactl.js, itself CommonJS
//      (bin/package.json), answers `--help` from it without starting Node's ES module loader.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
for (const project of ['tsconfig.build.json', 'tsconfig.cjs.json']) {
  // tsc prints its own errors; its exit status is the build's (as `tsc -p` alone was).
  const { status } = spawnSync(process.execPath, [tsc, '-p', project], { cwd: root, stdio: 'inherit' });
  if (status !== 0) process.exit(status ?? 1);
}
writeFileSync(join(root, 'dist', 'cjs', 'package.json'), '{ "type": "commonjs" }\n');
