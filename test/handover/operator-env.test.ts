import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultOperator } from '../../src/handover/operator.js';
import { tempDir } from '../support/context.js';

/**
 * `git config user.name` (the operator's name when the environment names nobody) runs with
 * only what git needs to find its config: a session cookie or a key an `env:` source names
 * must not sit in a child's environment. A fake `git` first on PATH dumps what it got.
 */
describe.runIf(process.platform !== 'win32')("git's environment for the operator name", () => {
  it('gets PATH, HOME, XDG_CONFIG_HOME and GIT_CONFIG_*, never PIKA_SESSION or a key', async () => {
    const dir = tempDir('pikactl-fake-git-');
    const dump = join(dir, 'env.txt');
    writeFileSync(join(dir, 'git'), `#!/bin/sh\nenv > '${dump}'\necho 'Fake Git'\n`);
    chmodSync(join(dir, 'git'), 0o755);
    const name = await defaultOperator({
      cwd: dir,
      env: {
        PATH: `${dir}:/usr/bin:/bin`,
        HOME: dir,
        XDG_CONFIG_HOME: join(dir, 'config'),
        GIT_CONFIG_GLOBAL: join(dir, 'gitconfig'),
        GIT_CONFIG_COUNT: '0',
        PIKA_SESSION: 'a-session-cookie-value',
        PIKA_PASSWORD_FROM: 'env:PW',
        PW: 'the-login-password',
        NEW_KEY: 'the-new-server-key',
      },
    });
    expect(name).toBe('Fake Git');
    const seen = Object.fromEntries(
      readFileSync(dump, 'utf8')
        .split('\n')
        .filter((l) => l.includes('='))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    expect(seen).toMatchObject({
      PATH: `${dir}:/usr/bin:/bin`,
      HOME: dir,
      XDG_CONFIG_HOME: join(dir, 'config'),
      GIT_CONFIG_GLOBAL: join(dir, 'gitconfig'),
      GIT_CONFIG_COUNT: '0',
    });
    for (const gone of ['PIKA_SESSION', 'PIKA_PASSWORD_FROM', 'PW', 'NEW_KEY']) expect(seen).not.toHaveProperty(gone);
    expect(readFileSync(dump, 'utf8')).not.toMatch(/a-session-cookie-value|the-login-password|the-new-server-key/);
  });
});
