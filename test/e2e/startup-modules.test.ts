import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN } from '../support/spawn.js';

/**
 * Start-up is mostly module loading (bench/startup.mjs measures it; no test here is timed).
 * This guards the hot paths by what they load, which is exact on any machine: the real
 * binary runs under a module hook that records every file it resolves, and every built-in
 * Node module it loaded.
 */
const dir = mkdtempSync(join(tmpdir(), 'pikactl-startup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const hooks = join(dir, 'hooks.mjs');
writeFileSync(
  hooks,
  `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  if (r.url.startsWith('file:')) appendFileSync(process.env.PIKACTL_TEST_LOADED, r.url + '\\n');
  return r;
}\n`,
);
const preload = join(dir, 'preload.mjs');
writeFileSync(
  preload,
  `import { register } from 'node:module';
import { appendFileSync } from 'node:fs';
register(${JSON.stringify(pathToFileURL(hooks).href)});
process.on('exit', () => appendFileSync(process.env.PIKACTL_TEST_BUILTINS, process.moduleLoadList.join('\\n')));\n`,
);

let n = 0;
/** What `pikactl ARGS` loads: files under dist/, packages (by name), Node built-ins. */
function loads(args: string[]): { dist: string[]; packages: string[]; builtins: string[] } {
  const loaded = join(dir, `loaded-${++n}.txt`);
  const builtins = join(dir, `builtins-${n}.txt`);
  writeFileSync(loaded, '');
  writeFileSync(builtins, '');
  execFileSync(process.execPath, ['--import', pathToFileURL(preload).href, BIN, ...args], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      NO_COLOR: '1',
      HOME: dir,
      PIKACTL_TEST_LOADED: loaded,
      PIKACTL_TEST_BUILTINS: builtins,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const files = [...new Set(readFileSync(loaded, 'utf8').split('\n').filter(Boolean))];
  return {
    dist: files.filter((u) => u.includes('/dist/')).map((u) => u.replace(/^.*\/dist\//, '')),
    packages: [
      ...new Set(
        files
          .filter((u) => u.includes('/node_modules/'))
          .map((u) => u.replace(/^.*\/node_modules\/((?:@[^/]+\/)?[^/]+).*$/, '$1')),
      ),
    ],
    builtins: readFileSync(builtins, 'utf8')
      .split('\n')
      .filter((m) => m.startsWith('NativeModule '))
      .map((m) => m.slice('NativeModule '.length)),
  };
}

describe('start-up: what the hot paths load', () => {
  it('--version loads no package and at most five of pikactl own modules (not the redactor, errors or output)', () => {
    const l = loads(['--version']);
    expect(l.packages).toEqual([]);
    expect(l.dist.length, `--version loaded ${l.dist.join(', ')}`).toBeLessThanOrEqual(5);
    expect(l.builtins).not.toContain('crypto');
  });

  it('--help loads no package (not even commander: root-help.ts renders it), no command module, not node:crypto', () => {
    const l = loads(['--help']);
    expect(l.packages).toEqual([]);
    expect(l.dist.length, `--help loaded ${l.dist.join(', ')}`).toBeLessThanOrEqual(8);
    // The command list comes from the stubs (commands/summaries.ts), not from loading each command.
    const commands = l.dist.filter((f) => /^commands\/(?!index|summaries|app)/.test(f));
    expect(commands, 'a command module was loaded to render --help').toEqual([]);
    expect(l.builtins).not.toContain('crypto');
  });
});
