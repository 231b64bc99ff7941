import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseServerUrl } from '../../src/api/url.js';
import { CliError } from '../../src/errors.js';
import { SourceReader } from '../../src/secrets/reader.js';
import { testContext, type TestContextOptions } from '../support/context.js';

// Small shell scripts stand in for `op read …` / `pass show …`.
const SECRET = 'pm-secret-Zq81-unique';

function setup(opts: TestContextOptions & { timeoutMs?: number } = {}) {
  const ctx = testContext({ ...opts, env: { PATH: process.env.PATH, ...(opts.env ?? {}) } });
  const reader = new SourceReader(ctx, {
    server: parseServerUrl('https://pika.example'),
    commandTimeoutMs: opts.timeoutMs,
  });
  const script = (name: string, body: string) => {
    const p = join(ctx.cwd, name);
    writeFileSync(p, `#!/bin/sh\n${body}\n`, { mode: 0o700 });
    return p;
  };
  return { ctx, reader, script };
}

async function failure(p: Promise<unknown>): Promise<CliError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(CliError);
    const e = err as CliError;
    expect(JSON.stringify({ m: e.message, h: e.hint, d: e.details })).not.toContain(SECRET);
    return e;
  }
  throw new Error('expected a CliError');
}

/** Dead: no such process, or a zombie waiting for an init that reaps slowly (as in some VMs). */
function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    return /^Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8').match(/^State:\s+(\S)/m)?.[1] ?? '');
  } catch {
    return true;
  }
}

const req = (spec: string) => ({ spec, flag: '--key-from', label: 'server key' });

describe.runIf(process.platform !== 'win32')('cmd:COMMAND', () => {
  it('uses stdout minus one trailing newline, and passes stderr through', async () => {
    const { ctx, reader, script } = setup();
    script('pm', `echo "pm: unlocking vault" >&2\nprintf '%s\\n' '${SECRET}'`);
    const s = await reader.read(req('cmd:./pm read op://ops/pika/key'));
    expect(s.reveal()).toBe(SECRET);
    expect(s.source).toBe('cmd:./pm');
    expect(ctx.io.stderrText).toContain('pm: unlocking vault');
    expect(ctx.io.stderrText).not.toContain(SECRET);
  });

  it('trims only one newline and keeps inner whitespace', async () => {
    const { reader } = setup();
    expect((await reader.read(req(`cmd:printf ' a b \\n\\n'`))).reveal()).toBe(' a b \n');
    expect((await reader.read(req(`cmd:printf 'x\\r\\n'`))).reveal()).toBe('x');
  });

  it('runs shell syntax (pipes) in the context working directory', async () => {
    const { ctx, reader } = setup();
    writeFileSync(join(ctx.cwd, 'vault.txt'), `junk\n${SECRET}\n`);
    expect((await reader.read(req('cmd:tail -n 1 vault.txt | cat'))).reveal()).toBe(SECRET);
  });

  it('a non-zero exit fails with the exit code, not the output', async () => {
    const { reader, script } = setup();
    script('pm', `printf '%s' '${SECRET}'\necho "vault locked" >&2\nexit 3`);
    const e = await failure(reader.read(req('cmd:./pm show pika')));
    expect(e.exitCode).toBe(1);
    expect(e.message).toMatch(/exited with code 3/);
    expect(e.message).toContain('./pm');
  });

  it('empty output is an error', async () => {
    const { reader } = setup();
    expect((await failure(reader.read(req('cmd:true')))).message).toMatch(/printed nothing/);
  });

  it('without a TTY the command gets no stdin (a command waiting for input fails instead of hanging)', async () => {
    const { reader } = setup({ stdin: `${SECRET}\n` });
    expect((await failure(reader.read(req('cmd:cat')))).message).toMatch(/printed nothing/);
  });

  it('a command that does not finish is killed after the timeout, with its whole pipeline', async () => {
    const { ctx, reader } = setup({ timeoutMs: 400 });
    const pidFile = join(ctx.cwd, 'sleep.pid');
    const started = Date.now();
    const e = await failure(reader.read(req(`cmd:sleep 30 & echo $! > ${pidFile}; wait`)));
    expect(Date.now() - started).toBeLessThan(5000);
    expect(e.exitCode).toBe(1);
    expect(e.message).toMatch(/did not finish within 400ms/);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await new Promise((r) => setTimeout(r, 300));
    expect(isGone(pid)).toBe(true);
  });

  it('is cancelled by the context signal (Ctrl-C / SIGTERM)', async () => {
    const { ctx, reader } = setup();
    const ac = new AbortController();
    ctx.signal = ac.signal;
    setTimeout(() => ac.abort(), 200);
    const e = await failure(reader.read(req('cmd:sleep 30')));
    expect(e.exitCode).toBe(130);
  });

  it('refuses more than 64 KiB of output', async () => {
    const { reader } = setup();
    expect((await failure(reader.read(req('cmd:head -c 70000 /dev/zero | tr "\\0" x')))).message).toMatch(
      /more than 64 KiB/,
    );
  });

  it('a missing program is a clear failure', async () => {
    const { reader } = setup();
    expect((await failure(reader.read(req('cmd:pikactl-no-such-password-manager read x')))).message).toMatch(
      /exited with code 127/,
    );
  });

  it('never hands a secret to the child: not in its argv, not in its environment', async () => {
    const ENV_SECRET = 'env-secret-Lk29-unique';
    const COOKIE = 'session-cookie-Mm02-unique';
    const { ctx, reader, script } = setup({ env: { PIKA_KEY: ENV_SECRET, PIKA_SESSION: COOKIE, PM_PROFILE: 'ops' } });
    // A secret read earlier through env: must not leak into the later cmd: child.
    expect((await reader.read({ spec: 'env:PIKA_KEY', flag: '--password-from', label: 'password' })).reveal()).toBe(
      ENV_SECRET,
    );
    const dump = join(ctx.cwd, 'dump');
    script(
      'pm',
      `{ tr '\\0' ' ' < /proc/$$/cmdline; echo; tr '\\0' ' ' < /proc/$PPID/cmdline; echo; env; } > ${dump}\nprintf '%s\\n' '${SECRET}'`,
    );
    expect((await reader.read(req('cmd:./pm read ops/pika'))).reveal()).toBe(SECRET);
    const seen = readFileSync(dump, 'utf8');
    expect(seen).toContain('./pm read ops/pika'); // the dump did capture argv
    expect(seen).toContain('PM_PROFILE=ops'); // and the environment
    expect(seen).not.toContain(ENV_SECRET);
    expect(seen).not.toContain(COOKIE);
    expect(seen).not.toContain('PIKA_KEY=');
    expect(existsSync(dump)).toBe(true);
  });
});

describe.runIf(process.platform === 'linux')('cmd:COMMAND on a real terminal', () => {
  it('gives the command the terminal (stdin and stderr) so a password manager can prompt', async () => {
    const { transpileForChild } = await import('../support/transpile.js');
    const { execFile } = await import('node:child_process');
    const { rmSync } = await import('node:fs');
    const child = transpileForChild('src/secrets/reader.ts', 'src/deps.ts');
    try {
      const script = join(child.dir, 'tty-child.mjs');
      writeFileSync(
        script,
        `import { systemDeps } from ${JSON.stringify(child.path('src/deps.ts'))};
         import { SourceReader } from ${JSON.stringify(child.path('src/secrets/reader.ts'))};
         const ctx = systemDeps();
         const r = new SourceReader(ctx);
         const s = await r.read({ spec: "cmd:[ -t 0 ] && [ -t 2 ] && echo '${SECRET}'", flag: '--key-from', label: 'server key' });
         console.log('stdin-tty=' + process.stdin.isTTY + ' result=' + (s.reveal() === '${SECRET}'));
         process.exit(0);`,
      );
      // `script` runs the child on a fresh pseudo-terminal.
      const out = await new Promise<string>((resolve, reject) =>
        execFile(
          'script',
          ['-qec', `${process.execPath} ${script}`, '/dev/null'],
          { timeout: 20_000, env: { PATH: process.env.PATH, HOME: child.dir, TERM: 'dumb' } },
          (err, stdout) => (err ? reject(err) : resolve(stdout)),
        ),
      );
      expect(out).toContain('stdin-tty=true result=true');
    } finally {
      rmSync(child.dir, { recursive: true, force: true });
    }
  });
});
