import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const ROOT = resolve(import.meta.dirname, '../..');

/**
 * Transpiles src/ modules and everything they import relatively into a temp
 * directory, so a plain `node` child process can run them. Needed because the
 * native keyring library fixes its D-Bus address once per process (a test of
 * "no bus" must be a fresh process with its own environment), and for tests on
 * a real terminal. Node 20 cannot run .ts itself, and building dist/ would race
 * with other test files. `path('src/x.ts')` is the transpiled module's path.
 */
export function transpileForChild(...entries: string[]): { dir: string; path(entry: string): string } {
  const dir = mkdtempSync(join(tmpdir(), 'pikactl-child-'));
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n');
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const out = (tsPath: string) => join(dir, relative(ROOT, tsPath)).replace(/\.ts$/, '.js');
  const seen = new Set<string>();
  const visit = (tsPath: string) => {
    if (seen.has(tsPath)) return;
    seen.add(tsPath);
    const js = ts.transpileModule(readFileSync(tsPath, 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      fileName: tsPath,
    }).outputText;
    mkdirSync(dirname(out(tsPath)), { recursive: true });
    writeFileSync(out(tsPath), js);
    for (const m of js.matchAll(/(?:from\s+|import\()\s*['"](\.{1,2}\/[^'"]+)\.js['"]/g)) {
      visit(resolve(dirname(tsPath), `${m[1]}.ts`));
    }
  };
  for (const e of entries) visit(resolve(ROOT, e));
  return { dir, path: (entry) => out(resolve(ROOT, entry)) };
}
