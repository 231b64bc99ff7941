import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const DEPCRUISE = join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');

/**
 * `npm run lint:imports` (run by `npm test`) checks src/ against .dependency-cruiser.cjs.
 * A rule that never fires checks nothing, so this runs the real config over a tiny tree
 * with one edge per rule, plus edges the layering allows, and expects exactly the
 * forbidden ones to be reported.
 */
const FIXTURE: Record<string, string> = {
  // allowed: a command's own sub-file, the shared helpers, the registration modules
  'src/commands/keychain.ts':
    "import './keychain-set.js';\nimport './shared/helper.js';\nimport './app.js';\nexport {};\n",
  // allowed: a sub-file reading its command's options type (a type-only import)
  'src/commands/keychain-set.ts':
    "import type { SetOptions } from './keychain.js';\nexport const set = 1;\nexport type S = SetOptions;\n",
  'src/commands/app.ts': 'export const app = 1;\n',
  'src/commands/shared/helper.ts': "import '../../recovery/plan.js';\nexport const h = 1;\n",
  'src/commands/status.ts': 'export const status = 1;\n',
  // forbidden: a sub-file importing its command at run time
  'src/commands/status-watch.ts': "import { status } from './status.js';\nexport const w = status;\n",
  // forbidden: a command importing another command
  'src/commands/unlock.ts': "import { status } from './status.js';\nexport const u = status;\n",
  // forbidden: a command helper importing a command
  'src/commands/shared/observe.ts': "import { status } from '../status.js';\nexport const o = status;\n",
  // forbidden: the sandbox importing from commands/ (a type is enough)
  'src/sandbox/run.ts': "import type { set } from '../commands/keychain-set.js';\nexport type S = typeof set;\n",
  // forbidden: transport reaching up into config/
  'src/transport/tls.ts': "import { pin } from '../config/pin.js';\nexport const t = pin;\n",
  'src/config/pin.ts': 'export const pin = 1;\n',
  // forbidden: the API layer importing a playbook
  'src/api/client.ts': "import { engine } from '../playbooks/engine.js';\nexport const c = engine;\n",
  'src/playbooks/engine.ts': 'export const engine = 1;\n',
  // forbidden: a feature importing the fleet (a higher layer)
  'src/recovery/plan.ts': "import { fleet } from '../fleet/ops.js';\nexport const p = fleet;\n",
  'src/fleet/ops.ts': 'export const fleet = 1;\n',
  // forbidden: output importing a command (lower -> commands)
  'src/output/table.ts': "import { status } from '../commands/status.js';\nexport const tb = status;\n",
  // forbidden: chalk outside io/; allowed inside it
  'src/ops/paint.ts': "import chalk from 'chalk';\nexport const paint = chalk;\n",
  'src/io/system.ts': "import chalk from 'chalk';\nexport const io = chalk;\n",
  // forbidden: the process module outside deps.ts; allowed in it
  'src/util/env.ts': "import process from 'node:process';\nexport const env = process.env;\n",
  'src/deps.ts': "import process from 'node:process';\nexport const deps = process.env;\n",
  // forbidden: a run-time cycle (reported once); allowed: a cycle through a type-only import
  'src/util/a.ts': "import { b } from './b.js';\nexport const a = () => b;\n",
  'src/util/b.ts': "import { a } from './a.js';\nexport const b = () => a;\n",
  'src/util/c.ts': "import type { D } from './d.js';\nexport interface C { d?: D }\nexport const c = 1;\n",
  'src/util/d.ts': "import { c } from './c.js';\nexport interface D { c: typeof c }\n",
};

const EXPECTED = [
  'api-not-features src/api/client.ts',
  'command-imports-command src/commands/unlock.ts',
  'commands-only-from-above src/output/table.ts',
  'commands-only-from-above src/sandbox/run.ts',
  'features-not-up src/recovery/plan.ts',
  'leaves-not-up src/output/table.ts',
  'lower-layers-not-commands src/output/table.ts',
  'no-circular src/util/a.ts',
  'process-module-in-deps src/util/env.ts',
  'sandbox-not-client src/sandbox/run.ts',
  'shared-not-commands src/commands/shared/observe.ts',
  'sub-file-imports-command-types-only src/commands/status-watch.ts',
  'terminal-libraries-in-io src/ops/paint.ts',
  'wire-not-up src/api/client.ts',
  'wire-not-up src/transport/tls.ts',
];

interface Violation {
  from: string;
  rule: { name: string };
}

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pikactl-graph-'));
  for (const [path, text] of Object.entries(FIXTURE)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  copyFileSync(join(ROOT, '.dependency-cruiser.cjs'), join(dir, '.dependency-cruiser.cjs'));
  copyFileSync(join(ROOT, 'tsconfig.json'), join(dir, 'tsconfig.json'));
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n');
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the import-graph check (.dependency-cruiser.cjs)', () => {
  it('reports every forbidden edge of the fixture, and only those', async () => {
    const run = await promisify(execFile)(
      process.execPath,
      [DEPCRUISE, 'src', '--config', '.dependency-cruiser.cjs', '--output-type', 'json'],
      {
        cwd: dir,
        maxBuffer: 16 * 1024 * 1024,
        timeout: 60_000,
      },
    ).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }));
    const found = (JSON.parse(run.stdout) as { summary: { violations: Violation[] } }).summary.violations;
    const names = [...new Set(found.map((v) => `${v.rule.name} ${v.from}`))].sort();
    expect(names).toEqual(EXPECTED);
  });
});
