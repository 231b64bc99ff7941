import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BIN } from '../support/spawn.js';
import { startTestSandbox } from '../support/sandbox.js';

interface Ended {
  code: number | null;
  stderr: string;
}

/** The real binary with stdout on `stdout` (an fd, or 'closed': a pipe whose reader has gone). */
function runWithStdout(args: string[], stdout: number | 'closed', env: Record<string, string> = {}): Promise<Ended> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', NO_COLOR: '1', ...env },
      stdio: ['ignore', stdout === 'closed' ? 'pipe' : stdout, 'pipe'],
    });
    if (stdout === 'closed') child.stdout!.destroy();
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

const ONE_LINE = (code: string) => `Error: cannot write to stdout (${code}); the output is incomplete.\n`;

/** A write error on stdout ends the command with one line and exit 1: no Node stack trace. */
describe.runIf(existsSync('/dev/full'))('stdout that cannot be written', () => {
  // --help, -h, --version and -V are answered by bin/pikactl.js itself (no ES module), the rest by cli.ts.
  it.each([[['--help']], [['-h']], [['--version']], [['-V']], [['help', 'exit-codes']]])(
    'pikactl %j > /dev/full: one line, exit 1',
    async (args) => {
      const full = openSync('/dev/full', 'w');
      try {
        const r = await runWithStdout(args, full);
        expect(r.code).toBe(1);
        expect(r.stderr).toBe(ONE_LINE('ENOSPC'));
      } finally {
        closeSync(full);
      }
    },
  );

  it('status --json > /dev/full against a sandbox: one line, exit 1', async () => {
    const sb = await startTestSandbox();
    const full = openSync('/dev/full', 'w');
    try {
      const r = await runWithStdout(['status', '--json'], full, { PIKA_SERVER: sb.url });
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(ONE_LINE('ENOSPC'));
    } finally {
      closeSync(full);
    }
  });

  it.each([[['help', 'secrets']], [['--help']], [['-h']], [['--version']], [['-V']]])(
    'pikactl %j to a reader that went away (EPIPE): one line, exit 1, not a silent success',
    async (args) => {
      const r = await runWithStdout(args, 'closed');
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(ONE_LINE('EPIPE'));
    },
  );
});
