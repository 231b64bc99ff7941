/**
 * Writes the generated files from the live command tree:
 *   completions/pikactl.bash, completions/_pikactl (zsh), completions/pikactl.fish, man/pikactl.1
 *
 *   npm run gen                    # into the repository
 *   node .tmp/gen/scripts/gen.js --out DIR   # elsewhere (.ci/check-generated.sh compares the two)
 *
 * Runs from the compiled tree (scripts/tsconfig.json: Node 20 cannot run TypeScript).
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository: the working directory (npm run sets it), or --root DIR. */
const root = resolve(arg('--root') ?? process.cwd());
const out = resolve(arg('--out') ?? root);
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  name?: string;
  version: string;
  description: string;
};
if (pkg.name !== 'pikactl') throw new Error(`${root} is not the pikactl repository; run from it or pass --root`);

// src/version.ts reads ../package.json next to the compiled src/: put a copy there
// before anything imports it (hence the dynamic import below).
const compiledRoot = dirname(dirname(fileURLToPath(import.meta.url)));
if (resolve(compiledRoot) !== root) copyFileSync(join(root, 'package.json'), join(compiledRoot, 'package.json'));
const { generatedFiles } = await import('./generate.js');

for (const [file, text] of Object.entries(await generatedFiles(pkg))) {
  const path = join(out, file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  console.log(`wrote ${path}`);
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}
