import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../support/context.js';
import { adminEnv, startTestSandbox } from '../support/sandbox.js';
import { handoverStartArgs } from '../support/handover.js';

/** The record names who did each step: the login name, else git's user.name; "unknown" only when neither is known. */

const KEY = 'correct-horse-battery-staple-1';
const NEW_KEY = 'tr0ub4dor-and-3-more-words-2';

async function startAs(env: Record<string, string>, home = tempDir('pikactl-op-')): Promise<string> {
  const sb = await startTestSandbox();
  const base = adminEnv(sb, { KEY, NEW_KEY, PATH: process.env.PATH ?? '/usr/bin:/bin', GIT_CONFIG_NOSYSTEM: '1' });
  expect((await runCli(['init', '--key-from', 'env:KEY', '--confirm-saved'], { env: base })).code).toBe(0);
  const r = await runCli(handoverStartArgs(), { home, env: { ...base, ...env } });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(readFileSync(join(home, 'h.json'), 'utf8')).outgoing.operator;
}

describe('handover: the operator name in the record', () => {
  it('$LOGNAME when $USER is unset (cron, some containers)', async () => {
    expect(await startAs({ LOGNAME: 'carol' })).toBe('carol');
  });

  it('git config user.name when the environment names nobody', async () => {
    const home = tempDir('pikactl-op-');
    writeFileSync(join(home, '.gitconfig'), '[user]\n\tname = Dana Scully\n');
    expect(await startAs({ HOME: home }, home)).toBe('Dana Scully');
  });

  it('"unknown" only when neither is known', async () => {
    expect(await startAs({})).toBe('unknown');
  });
});
