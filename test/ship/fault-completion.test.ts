import { describe, expect, it } from 'vitest';
import { completionScript, describeProgram } from '../../src/completion/index.js';
import { FAULT_NAMES } from '../../src/sandbox/faults.js';
import { inertProgram } from '../../scripts/generate.js';
import { runCli } from '../support/context.js';

/** `pikactl sandbox --fault <TAB>` offers the sandbox's faults, taken from the faults list itself. */
describe('--fault completion', () => {
  it('every shell completes the fault names', async () => {
    const spec = await describeProgram(await inertProgram());
    expect(FAULT_NAMES.length).toBeGreaterThan(2);
    expect(completionScript('bash', spec)).toContain(
      `'sandbox|--fault') _pikactl_r='choices ${FAULT_NAMES.join(' ')}'`,
    );
    expect(completionScript('zsh', spec)).toContain(
      `'sandbox|--fault') reply=('choices' ${FAULT_NAMES.map((f) => `'${f}'`).join(' ')})`,
    );
    expect(completionScript('fish', spec)).toContain(`-l fault -x -a '${FAULT_NAMES.join(' ')}'`);
  });

  it('an unknown fault is still a usage error naming the known ones; repeats still collect', async () => {
    const r = await runCli(['sandbox', '--fault', 'rotate-nope', '--port', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(FAULT_NAMES[0]);
    const help = await runCli(['sandbox', '--help']);
    for (const f of FAULT_NAMES) expect(help.stdout).toContain(f);
  });
});
