import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { TEST_ADMIN } from './sandbox.js';
import { BIN } from './spawn.js';

export const hasTmux = spawnSync('tmux', ['-V']).status === 0;

function tmux(...args: string[]): string {
  return execFileSync('tmux', args, { encoding: 'utf8' });
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export interface TmuxRun {
  session: string;
  dir: string;
  /** The pane's text (joined lines, with scrollback). */
  pane(): string;
  waitFor(re: RegExp, timeoutMs?: number): Promise<string>;
  /** tmux send-keys: key names (C-d, Enter) or, with literal, text. */
  keys(keys: string, literal?: boolean): void;
  /** The pid of the pikactl process the pane's shell runs (its only child). */
  pikactlPid(): number;
}

/** The test admin's login for `sb`, its password read from a file: the only prompt is the one under test. */
export function fileLoginEnv(sb: { url: string }): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'pikactl-tmux-pw-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const pw = join(dir, 'pw');
  writeFileSync(pw, TEST_ADMIN.password, { mode: 0o600 });
  return { PIKA_SERVER: sb.url, PIKA_USER: 'admin', PIKA_PASSWORD_FROM: `file:${pw}` };
}

let counter = 0;

/**
 * Runs `pikactl ARGS` in a fresh tmux session (a real terminal), then prints `EXIT=<code>`
 * and the terminal's `stty -a`, and keeps the pane open for capture. Killed when the test ends.
 */
export function tmuxPikactl(args: string[], env: Record<string, string>): TmuxRun {
  const dir = mkdtempSync(join(tmpdir(), 'pikactl-tmux-'));
  const script = join(dir, 'run.sh');
  const exports = Object.entries({ NO_COLOR: '1', HOME: dir, ...env })
    .map(([k, v]) => `export ${k}=${quote(v)}`)
    .join('\n');
  // CI=true disables prompts even on a TTY (by design); these tests are about the terminal itself.
  writeFileSync(
    script,
    `unset CI\n${exports}\n${quote(process.execPath)} ${quote(BIN)} ${args.map(quote).join(' ')}\necho "EXIT=$?"\nstty -a | tr -s ' ;' '\\n\\n' | grep -E '^-?(echo|icanon|isig)$' | tr '\\n' ' ' | sed 's/^/STTY=[/; s/ *$/]/'\necho\nsleep 60\n`,
  );
  const session = `pikactl-h3-${process.pid}-${++counter}`;
  tmux('new-session', '-d', '-s', session, '-x', '150', '-y', '40', `bash ${script}`);
  onTestFinished(() => {
    spawnSync('tmux', ['kill-session', '-t', session]);
  });
  const pane = () => tmux('capture-pane', '-p', '-J', '-S', '-200', '-t', session);
  return {
    session,
    dir,
    pane,
    async waitFor(re, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      let text = '';
      while (Date.now() < deadline) {
        text = pane();
        if (re.test(text)) return text;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`timed out waiting for ${re} in pane:\n${text}`);
    },
    keys(keys, literal = false) {
      tmux('send-keys', '-t', session, ...(literal ? ['-l', keys] : [keys]));
    },
    pikactlPid() {
      const shell = Number(tmux('display-message', '-p', '-t', session, '#{pane_pid}').trim());
      const children = readFileSync(`/proc/${shell}/task/${shell}/children`, 'utf8')
        .trim()
        .split(/\s+/)
        .filter(Boolean);
      if (children.length !== 1)
        throw new Error(`expected one child of the pane's shell, got ${children.join(',') || 'none'}`);
      return Number(children[0]);
    },
  };
}
