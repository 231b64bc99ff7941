import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, runBin } from '../support/spawn.js';
import { adminEnv, startTestSandbox, TEST_ADMIN } from '../support/sandbox.js';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const PASSPHRASE = 'typed-at-3am-violet-harbor-42';

function tmux(...args: string[]): string {
  return execFileSync('tmux', args, { encoding: 'utf8' });
}

async function waitForPane(session: string, re: RegExp, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let pane = '';
  while (Date.now() < deadline) {
    pane = tmux('capture-pane', '-p', '-J', '-S', '-200', '-t', session);
    if (re.test(pane)) return pane;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${re} in pane:\n${pane}`);
}

/** A real terminal: the passphrase typed at the prompt must never be echoed. */
describe.runIf(hasTmux)('typing a passphrase in a real terminal (tmux)', () => {
  it('unlock prompts on the terminal without echo and unlocks', async () => {
    let sb = await startTestSandbox();
    const init = await runBin(['init', '--key-from', 'env:KEY', '--confirm-saved'], {
      env: adminEnv(sb, { KEY: PASSPHRASE }),
    });
    expect(init.code, init.stderr).toBe(0);
    sb = await sb.restart();

    const dir = mkdtempSync(join(tmpdir(), 'pikactl-tmux-'));
    const pwFile = join(dir, 'pw');
    writeFileSync(pwFile, TEST_ADMIN.password, { mode: 0o600 });
    const script = join(dir, 'run.sh');
    writeFileSync(
      script,
      // CI=true disables prompts even on a TTY (by design); this test is about the terminal itself.
      `unset CI; export PIKA_SERVER='${sb.url}' PIKA_USER=admin PIKA_PASSWORD_FROM='file:${pwFile}' NO_COLOR=1 HOME='${dir}'\n` +
        `'${process.execPath}' '${BIN}' unlock; echo "EXIT=$?"\nsleep 60\n`,
    );
    const session = `pikactl-echo-${process.pid}`;
    tmux('new-session', '-d', '-s', session, '-x', '120', '-y', '30', `bash ${script}`);
    try {
      await waitForPane(session, /Server key/i);
      tmux('send-keys', '-t', session, '-l', PASSPHRASE);
      tmux('send-keys', '-t', session, 'Enter');
      const pane = await waitForPane(session, /EXIT=\d+/);
      expect(pane).toContain('EXIT=0');
      expect(pane).toMatch(/Unlocked/);
      expect(pane).not.toContain(PASSPHRASE);
      // Not even partially (a masked or echoed prefix).
      expect(pane).not.toContain(PASSPHRASE.slice(0, 8));
    } finally {
      spawnSync('tmux', ['kill-session', '-t', session]);
    }
  });
});
