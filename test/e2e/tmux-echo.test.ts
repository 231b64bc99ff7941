import { describe, expect, it } from 'vitest';
import { runBin } from '../support/spawn.js';
import { adminEnv, startTestSandbox } from '../support/sandbox.js';
import { fileLoginEnv, hasTmux, tmuxPikactl } from '../support/tmux.js';

const PASSPHRASE = 'typed-at-3am-violet-harbor-42';

/** A real terminal: the passphrase typed at the prompt must never be echoed. */
describe.runIf(hasTmux)('typing a passphrase in a real terminal (tmux)', () => {
  it('unlock prompts on the terminal without echo and unlocks', async () => {
    let sb = await startTestSandbox();
    const init = await runBin(['init', '--key-from', 'env:KEY', '--confirm-saved'], {
      env: adminEnv(sb, { KEY: PASSPHRASE }),
    });
    expect(init.code, init.stderr).toBe(0);
    sb = await sb.restart();

    const t = tmuxPikactl(['unlock'], fileLoginEnv(sb));
    await t.waitFor(/Server key/i);
    t.keys(PASSPHRASE, true);
    t.keys('Enter');
    const pane = await t.waitFor(/EXIT=\d+/);
    expect(pane).toContain('EXIT=0');
    expect(pane).toMatch(/Unlocked/);
    expect(pane).not.toContain(PASSPHRASE);
    // Not even partially (a masked or echoed prefix).
    expect(pane).not.toContain(PASSPHRASE.slice(0, 8));
  });
});
