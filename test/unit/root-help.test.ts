import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/program.js';
import { createApp } from '../../src/commands/app.js';
import { renderRootHelp } from '../../src/root-help.js';
import { runCli, testContext } from '../support/context.js';
import { BIN, runBin } from '../support/spawn.js';

const hasScript = spawnSync('script', ['--version']).status === 0;

/**
 * `pikactl --help` is printed by renderRootHelp without loading commander (start-up); every
 * other help, and this one inside commander, is commander's. They must never differ: the
 * same text at every width a terminal may have, from the same declarations.
 */
describe('the root help printed without commander', () => {
  const commanderHelp = async (width: number) => {
    const ctx = testContext();
    const program = await buildProgram(ctx, createApp(ctx, { exitCode: 0 }), { argv: ['--help'] });
    let out = '';
    program.configureOutput({ writeOut: (s) => (out += s), getOutHelpWidth: () => width });
    program.outputHelp();
    return out;
  };

  it.each([20, 39, 40, 41, 50, 60, 72, 79, 80, 81, 100, 120, 160, 300])(
    'is commander’s text at %i columns',
    async (width) => {
      expect(renderRootHelp(width)).toBe(await commanderHelp(width));
    },
  );

  // The binary prints it from the CommonJS build (dist/cjs/root-help.js), wrapped by the same helpWidth.
  it('is what the binary prints for --help and -h on a pipe (80 columns)', async () => {
    for (const flag of ['--help', '-h']) {
      const r = await runBin([flag]);
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
      expect(r.stdout).toBe(await commanderHelp(80));
    }
  });

  it.runIf(hasScript).each([40, 57, 100, 300])('is what the binary prints on a %i-column terminal', async (cols) => {
    const inner = `stty cols ${cols}; exec '${process.execPath}' '${BIN}' --help`;
    const out = execFileSync('script', ['-qfec', inner, '/dev/null'], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', NO_COLOR: '1', TERM: 'dumb' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(out.replace(/\r\n/g, '\n')).toBe(await commanderHelp(cols));
  });

  it('is what `pikactl --help` and `-h` print (80 columns off a terminal)', async () => {
    for (const flag of ['--help', '-h']) {
      const r = await runCli([flag]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(await commanderHelp(80));
    }
  });
});
