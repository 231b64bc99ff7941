import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN } from '../support/spawn.js';
import { INJECTION, startHostileServer, type Route } from '../support/hostile.js';

const KEY = 'e2e "hostile" key\\7';
const PASSWORD = 'e2e-login-password-echoed';
const hasTmux = spawnSync('tmux', ['-V']).status === 0;

/** The 403 a hostile server sends after a real login: title, clear screen, a green "Unlocked", and both secrets echoed. */
const unlock403: Route = (req, seen) => ({
  status: 403,
  headers: { 'x-request-id': `\x9b2J${String(req.json?.key)}` },
  body: {
    message: `${INJECTION}\n\x1b[32mUnlocked\x1b[0m ${String(req.json?.key)} ${String(seen.find((s) => s.path === '/login/pass/local')?.json?.password)}`,
    request_id: `\x1b]2;pwned\x07${PASSWORD}`,
  },
});

function env(url: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    PIKA_SERVER: url,
    PIKA_USER: 'admin',
    PIKA_PASSWORD_FROM: 'env:PW',
    PW: PASSWORD,
    KEY,
    NO_COLOR: '1',
  };
}

/** The exact bytes the binary writes: no decoding in between. */
function runBinBytes(
  args: string[],
  e: Record<string, string>,
): Promise<{ code: number | null; out: Buffer; err: Buffer }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: e, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out: Buffer.concat(out), err: Buffer.concat(err) });
    });
  });
}

describe('the real binary in front of a hostile server', () => {
  it('writes no ESC, no 8-bit CSI and no secret to stdout or stderr', async () => {
    const hs = await startHostileServer({ 'POST /api/v1/key/unlock': unlock403 });
    for (const args of [
      ['unlock', '--key-from', 'env:KEY'],
      ['unlock', '--key-from', 'env:KEY', '--json'],
    ]) {
      const r = await runBinBytes(args, env(hs.url));
      expect(r.code).toBe(4);
      const bytes = Buffer.concat([r.out, r.err]);
      expect(bytes.includes(0x1b)).toBe(false);
      expect(bytes.includes(Buffer.from([0xc2, 0x9b]))).toBe(false); // U+009B in UTF-8
      expect(bytes.includes(0x9b)).toBe(false);
      for (const s of [KEY, JSON.stringify(KEY).slice(1, -1), PASSWORD])
        expect(bytes.includes(Buffer.from(s))).toBe(false);
      expect(bytes.toString('utf8')).toContain('[redacted]');
    }
  });
});

describe.runIf(hasTmux)('in a real terminal (tmux)', () => {
  it('the server cannot set the window title, clear the screen or draw an "Unlocked" line', async () => {
    const hs = await startHostileServer({ 'POST /api/v1/key/unlock': unlock403 });
    const dir = mkdtempSync(join(tmpdir(), 'pikactl-hostile-'));
    const script = join(dir, 'run.sh');
    const vars = Object.entries({ ...env(hs.url), HOME: dir })
      .map(([k, v]) => `export ${k}='${v.replace(/'/g, `'\\''`)}'`)
      .join('\n');
    writeFileSync(
      script,
      `${vars}\necho BEFORE-MARKER\n'${process.execPath}' '${BIN}' unlock --key-from env:KEY; echo "EXIT=$?"\nsleep 60\n`,
    );
    const session = `pikactl-hostile-${process.pid}`;
    const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8' });
    tmux('new-session', '-d', '-s', session, '-x', '200', '-y', '40', `bash ${script}`);
    try {
      let pane = '';
      for (let i = 0; i < 150 && !/EXIT=\d+/.test(pane); i++) {
        await new Promise((r) => setTimeout(r, 100));
        pane = tmux('capture-pane', '-p', '-J', '-t', session);
      }
      expect(pane).toContain('EXIT=4');
      expect(pane).toContain('BEFORE-MARKER'); // the screen was not cleared
      expect(pane).toContain('\\x1b]2;pwned\\x07'); // the sequence is shown, not obeyed
      expect(pane).not.toMatch(/^Unlocked/m); // no line of its own saying "Unlocked"
      expect(tmux('display-message', '-p', '-t', session, '#{pane_title}')).not.toContain('pwned');
      expect(pane).not.toContain(PASSWORD);
    } finally {
      spawnSync('tmux', ['kill-session', '-t', session]);
    }
  });
});
