import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestSandbox } from '../support/sandbox.js';
import { BIN } from '../support/spawn.js';

/**
 * Start-up is mostly module loading (bench/startup.mjs measures it; no test here is timed).
 * This guards the hot paths by what they load, which is exact on any machine: the real
 * binary runs under a module hook that records every file it resolves or requires, every
 * built-in Node module it loaded, and whether promise hooks were on (see the status test).
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
  `import { createRequire, register } from 'node:module';
import { executionAsyncResource } from 'node:async_hooks';
import { appendFileSync } from 'node:fs';
register(${JSON.stringify(pathToFileURL(hooks).href)});
// With promise hooks on (an AsyncLocalStorage entered), a reaction runs with its promise as the resource.
process.once('beforeExit', () =>
  Promise.resolve().then(() =>
    appendFileSync(process.env.PIKACTL_TEST_HOOKS, String(executionAsyncResource() instanceof Promise)),
  ),
);
process.on('exit', () => {
  appendFileSync(process.env.PIKACTL_TEST_BUILTINS, process.moduleLoadList.join('\\n'));
  const required = Object.keys(createRequire(import.meta.url).cache).map((f) => 'file://' + f + '\\n');
  appendFileSync(process.env.PIKACTL_TEST_LOADED, required.join(''));
});\n`,
);

let n = 0;
interface Loaded {
  dist: string[];
  packages: string[];
  /** Files of packages, as `package/path`. */
  packageFiles: string[];
  builtins: string[];
  promiseHooks: boolean;
}
/** What `pikactl ARGS` loads: files under dist/, packages (by name), Node built-ins. */
async function loads(args: string[]): Promise<Loaded> {
  const loaded = join(dir, `loaded-${++n}.txt`);
  const builtins = join(dir, `builtins-${n}.txt`);
  const hooked = join(dir, `hooks-${n}.txt`);
  for (const f of [loaded, builtins, hooked]) writeFileSync(f, '');
  // Not execFileSync: a sandbox in this process must answer the binary's requests meanwhile.
  await promisify(execFile)(process.execPath, ['--import', pathToFileURL(preload).href, BIN, ...args], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      NO_COLOR: '1',
      HOME: dir,
      PIKACTL_TEST_LOADED: loaded,
      PIKACTL_TEST_BUILTINS: builtins,
      PIKACTL_TEST_HOOKS: hooked,
    },
    timeout: 20_000,
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
    packageFiles: files.filter((u) => u.includes('/node_modules/')).map((u) => u.replace(/^.*\/node_modules\//, '')),
    promiseHooks: readFileSync(hooked, 'utf8') === 'true',
    builtins: readFileSync(builtins, 'utf8')
      .split('\n')
      .filter((m) => m.startsWith('NativeModule '))
      .map((m) => m.slice('NativeModule '.length)),
  };
}

describe('start-up: what the hot paths load', () => {
  it('--version loads no package and at most five of pikactl own modules (not the redactor, errors or output)', async () => {
    const l = await loads(['--version']);
    expect(l.packages).toEqual([]);
    expect(l.dist.length, `--version loaded ${l.dist.join(', ')}`).toBeLessThanOrEqual(5);
    expect(l.builtins).not.toContain('crypto');
    // node:v8 is for undici's WebAssembly (bin/pikactl.js), node:tty for a prompt's stdin (deps.ts).
    expect(l.builtins).not.toContain('v8');
    expect(l.builtins).not.toContain('tty');
  });

  it('--help loads no package (not even commander: root-help.ts renders it), no command module, not node:crypto', async () => {
    const l = await loads(['--help']);
    expect(l.packages).toEqual([]);
    expect(l.dist.length, `--help loaded ${l.dist.join(', ')}`).toBeLessThanOrEqual(8);
    // The command list comes from the stubs (commands/summaries.ts), not from loading each command.
    const commands = l.dist.filter((f) => /^commands\/(?!index|summaries|app)/.test(f));
    expect(commands, 'a command module was loaded to render --help').toEqual([]);
    expect(l.builtins).not.toContain('crypto');
    expect(l.builtins).not.toContain('v8');
    expect(l.builtins).not.toContain('tty');
  });

  it('status: no promise hooks (the redactor enters no AsyncLocalStorage in the binary), few modules', async () => {
    const sb = await startTestSandbox();
    const l = await loads(['status', '--json', '--server', sb.url]);
    // On Node 20 an entered AsyncLocalStorage runs a hook for every promise made after it.
    expect(l.promiseHooks, 'promise hooks were on').toBe(false);
    expect(l.builtins, 'V8 was not kept on its baseline WebAssembly tier (bin/pikactl.js)').toContain('v8');
    expect(l.packages.sort()).toEqual(['commander', 'undici']);
    expect(l.dist.length, `status loaded ${l.dist.join(', ')}`).toBeLessThanOrEqual(62);
  });
});
