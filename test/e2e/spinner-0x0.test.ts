import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BIN, runBin } from '../support/spawn.js';
import { adminEnv, startTestSandbox } from '../support/sandbox.js';
import { tempDir } from '../support/context.js';

const hasScript = spawnSync('script', ['--version']).status === 0;
const KEY = 'spinner-key-violet-harbor-42';
const TICKS_PER_S = 100; // Linux USER_HZ

/** CPU seconds (user + system) the process has used so far. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S;
}

/** Still this test's pikactl (not a reused pid)? */
function ownPikactl(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(BIN);
  } catch {
    return false;
  }
}

/**
 * Under a pseudo-terminal that reports 0×0 (what `script` gives a session without a
 * controlling terminal), ora computes an endless number of lines to clear and busy-loops:
 * 100 % CPU, megabytes of cursor codes, signals never handled. No spinner is shown there.
 */
describe.runIf(hasScript)('status --wait under a 0x0 terminal (script)', () => {
  it('draws no spinner: little output, little CPU, and SIGTERM ends it', async () => {
    let sb = await startTestSandbox();
    const env = adminEnv(sb, { KEY });
    const init = await runBin(['init', '--key-from', 'env:KEY', '--confirm-saved'], { env });
    expect(init.code, init.stderr).toBe(0);
    sb = await sb.restart(); // locked: `--for unlocked` waits

    const inner = `stty cols 0 rows 0; echo "PID=$$"; exec '${process.execPath}' '${BIN}' status --wait 30s --for unlocked`;
    const child = spawn('script', ['-qfec', inner, '/dev/null'], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', TERM: 'xterm-256color', HOME: tempDir(), PIKA_SERVER: sb.url },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let bytes = 0;
    let head = '';
    child.stdout.on('data', (d: Buffer) => {
      bytes += d.length;
      if (head.length < 4096) head += d.toString('latin1');
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    let pid = 0;
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    try {
      const deadline = Date.now() + 10_000;
      while (!/PID=\d+/.test(head) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      pid = Number(/PID=(\d+)/.exec(head)?.[1]);
      expect(pid).toBeGreaterThan(0);
      const started = Date.now();
      await new Promise((r) => setTimeout(r, 2_500));
      const cpu = cpuSeconds(pid);
      const wall = (Date.now() - started) / 1000;
      process.kill(pid, 'SIGTERM');
      const termAt = Date.now();
      const code = await exited;
      const endedIn = Date.now() - termAt;
      expect(bytes, `output under 0x0: ${bytes} bytes`).toBeLessThan(16 * 1024);
      expect(cpu / wall, `CPU ${cpu}s in ${wall}s`).toBeLessThan(0.6);
      expect(endedIn).toBeLessThan(2_000);
      expect(code).toBe(130);
    } finally {
      clearTimeout(killer);
      child.kill('SIGKILL');
      // A busy-looping pikactl outlives script (it never handles the SIGHUP): end it too.
      if (pid > 0 && ownPikactl(pid)) process.kill(pid, 'SIGKILL');
    }
  });
});
