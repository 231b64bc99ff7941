import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, runBin } from '../support/spawn.js';
import { adminEnv, startTestSandbox, TEST_ADMIN } from '../support/sandbox.js';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const KEY = 'recover-typed-key-amber-fjord-17';

function tmux(...args: string[]): string {
  return execFileSync('tmux', args, { encoding: 'utf8' });
}

/** Waits until the pane shows `re` `count` times (a prompt asked again looks like the first one). */
async function waitForPane(session: string, re: RegExp, count = 1, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let pane = '';
  while (Date.now() < deadline) {
    pane = tmux('capture-pane', '-p', '-J', '-S', '-200', '-t', session);
    if ((pane.match(new RegExp(re.source, 'g')) ?? []).length >= count) return pane;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${re} x${count} in pane:\n${pane}`);
}

const type = (session: string, text: string) => {
  if (text) tmux('send-keys', '-t', session, '-l', text);
  tmux('send-keys', '-t', session, 'Enter');
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

    const dir = mkdtempSync(join(tmpdir(), 'pikactl-tmux-rr-'));
    const pwFile = join(dir, 'pw');
    writeFileSync(pwFile, TEST_ADMIN.password, { mode: 0o600 });
    const script = join(dir, 'run.sh');
    writeFileSync(
      script,
      `unset CI; export PIKA_SERVER='${sb.url}' PIKA_USER=admin PIKA_PASSWORD_FROM='file:${pwFile}' NO_COLOR=1 HOME='${dir}'\n` +
        `'${process.execPath}' '${BIN}' recover-rotation --yes; echo "EXIT=$?"\nsleep 60\n`,
    );
    const session = `pikactl-rr-${process.pid}`;
    tmux('new-session', '-d', '-s', session, '-x', '160', '-y', '50', `bash ${script}`);
    try {
      await waitForPane(session, /Old server key .*leave empty/);
      type(session, `${KEY}-slip`);
      await waitForPane(session, /again to confirm/);
      type(session, KEY);
      await waitForPane(session, /do not match/);
      await waitForPane(session, /Old server key .*leave empty/, 2);
      type(session, KEY);
      await waitForPane(session, /again to confirm/, 2);
      type(session, KEY);
      await waitForPane(session, /New server key .*leave empty/);
      type(session, ''); // "I do not have it"
      const pane = await waitForPane(session, /EXIT=\d+/);
      expect(pane).toContain('EXIT=0');
      expect(pane).toContain('consistent on the OLD key');
      expect(pane).not.toContain(KEY.slice(0, 12));
    } finally {
      spawnSync('tmux', ['kill-session', '-t', session]);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
