import { describe, expect, it } from 'vitest';
import { runBin } from '../support/spawn.js';
import { adminEnv, startTestSandbox } from '../support/sandbox.js';
import { fileLoginEnv, hasTmux, tmuxPikactl, type TmuxRun } from '../support/tmux.js';

const KEY = 'recover-typed-key-amber-fjord-17';

/** `re` shown twice on the pane (a prompt asked again looks like the first one). */
const twice = (re: RegExp) => new RegExp(`${re.source}[\\s\\S]*${re.source}`);

/** Types `text` at the prompt and presses Enter. */
const type = (t: TmuxRun, text: string) => {
  if (text) t.keys(text, true);
  t.keys('Enter');
};

/** The real binary on a real terminal: a key typed at recover-rotation's prompt is typed twice, without echo. */
describe.runIf(hasTmux)('recover-rotation keys typed in a real terminal (tmux)', () => {
  it('a slip in the confirmation is caught and asked again; the right key then unlocks, exit 0', async () => {
    let sb = await startTestSandbox();
    const init = await runBin(['init', '--key-from', 'env:KEY', '--confirm-saved'], {
      env: adminEnv(sb, { KEY }),
    });
    expect(init.code, init.stderr).toBe(0);
    sb = await sb.restart(); // locked, on KEY

    const t = tmuxPikactl(['recover-rotation', '--yes'], fileLoginEnv(sb));
    await t.waitFor(/Old server key .*leave empty/);
    type(t, `${KEY}-slip`);
    await t.waitFor(/again to confirm/);
    type(t, KEY);
    await t.waitFor(/do not match/);
    await t.waitFor(twice(/Old server key .*leave empty/));
    type(t, KEY);
    await t.waitFor(twice(/again to confirm/));
    type(t, KEY);
    await t.waitFor(/New server key .*leave empty/);
    type(t, ''); // "I do not have it"
    const pane = await t.waitFor(/EXIT=\d+/);
    expect(pane).toContain('EXIT=0');
    expect(pane).toContain('consistent on the OLD key');
    expect(pane).not.toContain(KEY.slice(0, 12));
  });
});
