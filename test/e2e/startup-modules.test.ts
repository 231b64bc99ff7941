import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
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
  if (r.url.startsWith('file:') || r.url.startsWith('node:')) appendFileSync(process.env.PIKACTL_TEST_LOADED, r.url + '\\n');
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
// Which V8 flags are set at run time, and how many modules had loaded by then.
const v8 = createRequire(import.meta.url)('node:v8');
const setFlags = v8.setFlagsFromString;
v8.setFlagsFromString = (flags) => {
  appendFileSync(process.env.PIKACTL_TEST_FLAGS, flags + ' ' + process.moduleLoadList.length + '\\n');
  return setFlags(flags);
};
// With promise hooks on (an AsyncLocalStorage entered), a reaction runs with its promise as the resource.
process.once('beforeExit', () =>
  Promise.resolve().then(() =>
    appendFileSync(process.env.PIKACTL_TEST_HOOKS, String(executionAsyncResource() instanceof Promise)),
  ),
);
process.on('exit', () => {
  appendFileSync(process.env.PIKACTL_TEST_BUILTINS, process.moduleLoadList.join('\\n') + '\\n');
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
  /** Built-in modules imported by pikactl's ES modules (`node:v8`). */
  imported: string[];
  /** Built-in modules loaded after a V8 flag was set at run time (each compiled without Node's code cache). */
  builtinsAfterFlags: string[];
  /** The V8 flags set at run time. */
  flags: string[];
  promiseHooks: boolean;
}
/** What `pikactl ARGS` loads: files under dist/, packages (by name), Node built-ins. */
async function loads(args: string[]): Promise<Loaded> {
  const loaded = join(dir, `loaded-${++n}.txt`);
  const builtins = join(dir, `builtins-${n}.txt`);
  const hooked = join(dir, `hooks-${n}.txt`);
  const flagged = join(dir, `flags-${n}.txt`);
  for (const f of [loaded, builtins, hooked, flagged]) writeFileSync(f, '');
  // Not execFileSync: a sandbox in this process must answer the binary's requests meanwhile.
  await promisify(execFile)(process.execPath, ['--import', pathToFileURL(preload).href, BIN, ...args], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      NO_COLOR: '1',
      HOME: dir,
      PIKACTL_TEST_LOADED: loaded,
      PIKACTL_TEST_BUILTINS: builtins,
      PIKACTL_TEST_HOOKS: hooked,
      PIKACTL_TEST_FLAGS: flagged,
    },
    timeout: 20_000,
  });
  const files = [...new Set(readFileSync(loaded, 'utf8').split('\n').filter(Boolean))];
  const flagLines = readFileSync(flagged, 'utf8').split('\n').filter(Boolean);
  const loadList = readFileSync(builtins, 'utf8').split('\n');
  const natives = (list: string[]) =>
    list.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice('NativeModule '.length));
  const firstFlagAt = flagLines.length > 0 ? Number(flagLines[0].split(' ').pop()) : loadList.length;
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
    builtins: natives(loadList),
    imported: files.filter((u) => u.startsWith('node:')),
    builtinsAfterFlags: natives(loadList.slice(firstFlagAt)),
    flags: flagLines.map((l) => l.slice(0, l.lastIndexOf(' '))),
  };
}

/**
 * What `pikactl ARGS` loads with no --import (which would start the ES module loader itself):
 * a CommonJS preload records the CommonJS files required and Node's internal module list,
 * where the ES module loader's module jobs appear once any ES module is loaded or imported.
 */
const cjsPreload = join(dir, 'preload.cjs');
writeFileSync(
  cjsPreload,
  `process.on('exit', () => require('node:fs').writeFileSync(process.env.PIKACTL_TEST_CJS,
  JSON.stringify({ internals: process.moduleLoadList, files: Object.keys(require.cache) })));\n`,
);
async function loadsWithoutImport(args: string[]) {
  const out = join(dir, `cjs-${++n}.json`);
  const { stdout } = await promisify(execFile)(process.execPath, ['--require', cjsPreload, BIN, ...args], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', NO_COLOR: '1', HOME: dir, PIKACTL_TEST_CJS: out },
    timeout: 20_000,
  });
  const { internals, files } = JSON.parse(readFileSync(out, 'utf8')) as { internals: string[]; files: string[] };
  const root = join(BIN, '..', '..');
  return {
    stdout,
    esModules: internals.includes('NativeModule internal/modules/esm/module_job'),
    files: files.filter((f) => f !== cjsPreload).map((f) => relative(root, f)),
  };
}

describe('start-up: a bare --version or --help never starts the ES module loader (1.2x node on its own)', () => {
  it.each([['--version'], ['-V']])('%s: bin/pikactl.js alone, CommonJS, reading package.json', async (flag) => {
    const l = await loadsWithoutImport([flag]);
    expect(l.stdout).toBe(`${JSON.parse(readFileSync(join(BIN, '..', '..', 'package.json'), 'utf8')).version}\n`);
    expect(l.esModules, 'an ES module was loaded').toBe(false);
    expect(l.files).toEqual([join('bin', 'pikactl.js')]);
  });

  it.each([['--help'], ['-h']])(
    '%s: bin/pikactl.js and the CommonJS build of root-help.ts (dist/cjs/)',
    async (flag) => {
      const l = await loadsWithoutImport([flag]);
      expect(l.stdout).toMatch(/^Usage: pikactl \[options\] \[command\]\n/);
      expect(l.esModules, 'an ES module was loaded').toBe(false);
      expect(l.files.sort()).toEqual(
        ['bin/pikactl.js', 'dist/cjs/commands/summaries.js', 'dist/cjs/global-env.js', 'dist/cjs/root-help.js'].map(
          (f) => join(...f.split('/')),
        ),
      );
    },
  );

  it('anything else still runs dist/ as ES modules (the probe can tell)', async () => {
    const l = await loadsWithoutImport(['help', 'exit-codes']);
    expect(l.esModules).toBe(true);
  });
});

describe('start-up: what the hot paths load', () => {
  it('--version loads no package and at most five of pikactl own modules (not the redactor, errors or output)', async () => {
    const l = await loads(['--version']);
    expect(l.packages).toEqual([]);
    expect(l.dist.length, `--version loaded ${l.dist.join(', ')}`).toBeLessThanOrEqual(5);
    expect(l.builtins).not.toContain('crypto');
    // node:v8 is for undici's WebAssembly (transport/undici-parts.ts), node:tty for a prompt's stdin (deps.ts).
    expect(l.imported).not.toContain('node:v8');
    expect(l.builtins).not.toContain('tty');
  });

  it('--help loads no package (not even commander: root-help.ts renders it), no command module, not node:crypto', async () => {
    const l = await loads(['--help']);
    expect(l.packages).toEqual([]);
    expect(l.dist.length, `--help loaded ${l.dist.join(', ')}`).toBeLessThanOrEqual(7);
    // The command list comes from the stubs (commands/summaries.ts), not from loading each command.
    const commands = l.dist.filter((f) => /^commands\/(?!index|summaries|app)/.test(f));
    expect(commands, 'a command module was loaded to render --help').toEqual([]);
    expect(l.builtins).not.toContain('crypto');
    expect(l.imported).not.toContain('node:v8');
    expect(l.builtins).not.toContain('tty');
  });

  it('status: no promise hooks (the redactor enters no AsyncLocalStorage in the binary), few modules', async () => {
    const sb = await startTestSandbox();
    const l = await loads(['status', '--json', '--server', sb.url]);
    // On Node 20 an entered AsyncLocalStorage runs a hook for every promise made after it.
    expect(l.promiseHooks, 'promise hooks were on').toBe(false);
    expect(l.flags, 'V8 is kept on its baseline WebAssembly tier (transport/undici-parts.ts)').toEqual([
      '--liftoff-only',
    ]);
    expect(l.imported).toContain('node:v8');
    // A V8 flag set at run time voids Node's code cache for the built-ins loaded after it.
    expect(l.builtinsAfterFlags, 'built-in modules compiled from source').toEqual([]);
    expect(l.packages.sort()).toEqual(['commander', 'undici']);
    // undici's three parts (transport/undici-parts.ts), not its index of about 110 files.
    const undici = l.packageFiles.filter((f) => f.startsWith('undici/'));
    expect(undici.length, `undici files: ${undici.join(', ')}`).toBeLessThanOrEqual(26);
    // One server, no --wait: no fleet, Kubernetes, wait-progress, lock or config-writing modules.
    expect(l.dist.length, `status loaded ${l.dist.join(', ')}`).toBeLessThanOrEqual(54);
    for (const lazy of ['fleet/ops.js', 'kube/leader.js', 'commands/shared/wait-progress.js', 'config/lock.js'])
      expect(l.dist, `status loaded ${lazy}`).not.toContain(lazy);
  });
});
