#!/usr/bin/env node
// Restore memory benchmark (printed by `npm run bench`; not a timed test): pikactl's peak
// RSS while `backup restore` streams a ~300 MB backup into a sandbox, against the file
// size. The file lives in the OS temp dir and is deleted afterwards. The sandbox runs in
// this process (its own memory is not measured: like Pika it buffers the whole body);
// pikactl runs as a child, its peak RSS read by GNU time (%M) or, without it, from
// /proc/<pid>/status VmHWM polled every 20 ms.
//
// Usage: node bench/restore-memory.mjs [--mb N] [--json]
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const bin = join(root, 'bin', 'pikactl.js');
const args = process.argv.slice(2);
const mb = Number(args[args.indexOf('--mb') + 1]) || 300;
const asJson = args.includes('--json');
if (!existsSync(join(root, 'dist', 'cli.js'))) {
  console.error('bench: dist/ is missing; run `npm run build` first.');
  process.exit(1);
}
const { startSandbox } = await import(join(root, 'dist', 'sandbox', 'index.js'));
const { buildHeader, HEADER_SIZE } = await import(join(root, 'dist', 'backup', 'format.js'));

const work = mkdtempSync(join(tmpdir(), 'pikactl-bench-restore-'));
const user = { username: 'admin', password: 'bench-admin-password' };
const gnuTime = ['/usr/bin/time', '/usr/local/bin/time'].find((p) => existsSync(p));
const servers = [];
try {
  const source = await startSandbox({ dataDir: join(work, 'source'), users: [user] });
  const target = await startSandbox({ dataDir: join(work, 'target'), users: [user], backupBodyBytes: 0 });
  servers.push(source, target);

  // A real export of the source, then the same state dump padded to the wanted size.
  const login = await fetch(`${source.url}/login/pass/local`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(user),
  });
  const cookie = login.headers.getSetCookie()[0].split(';')[0];
  const small = Buffer.from(await (await fetch(`${source.url}/api/v1/backup`, { headers: { cookie } })).arrayBuffer());
  const dump = small.subarray(HEADER_SIZE).toString('utf8');
  const prefix = Buffer.from('{"padding":"');
  const suffix = Buffer.from(`",${dump.slice(1)}`);
  const fill = mb * 1024 * 1024 - prefix.length - suffix.length;
  const file = join(work, 'big.pikabw');
  const out = createWriteStream(file, { mode: 0o600 });
  const write = (b) => new Promise((res) => (out.write(b) ? res() : out.once('drain', res)));
  await write(buildHeader({ encrypted: false, payloadSize: prefix.length + fill + suffix.length, dbVersion: 1n }));
  await write(prefix);
  const chunk = Buffer.alloc(1024 * 1024, 'a');
  for (let left = fill; left > 0; left -= chunk.length)
    await write(left >= chunk.length ? chunk : chunk.subarray(0, left));
  await write(suffix);
  await new Promise((res) => out.end(res));
  const size = statSync(file).size;

  const env = {
    PATH: process.env.PATH,
    HOME: work,
    NO_COLOR: '1',
    PIKA_USER: user.username,
    PIKA_PASSWORD_FROM: 'env:PW',
    PW: user.password,
    PIKA_ALLOW_HTTP: '1',
  };
  const measure = (argv) =>
    new Promise((resolve, reject) => {
      const timeFile = join(work, 'time.txt');
      const cmd = gnuTime
        ? [gnuTime, ['-o', timeFile, '-f', '%M', process.execPath, bin, ...argv]]
        : [process.execPath, [bin, ...argv]];
      const child = spawn(cmd[0], cmd[1], { env, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      let hwm = 0;
      child.stderr.on('data', (d) => (stderr += d));
      const poll = gnuTime
        ? undefined
        : setInterval(() => {
            const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8').toString() ?? '');
            if (m) hwm = Math.max(hwm, Number(m[1]));
          }, 20);
      child.on('error', reject);
      child.on('close', (code) => {
        if (poll) clearInterval(poll);
        if (code !== 0) return reject(new Error(`pikactl ${argv.join(' ')} exited ${code}: ${stderr}`));
        const kb = gnuTime ? Number(readFileSync(timeFile, 'utf8').trim().split('\n').pop()) : hwm;
        resolve(kb * 1024);
      });
    });
  const baseline = await measure(['status', '--server', target.url]);
  const started = Date.now();
  const restore = await measure(['backup', 'restore', file, '--yes', '--server', target.url]);
  const seconds = (Date.now() - started) / 1000;
  const inspect = await measure(['backup', 'inspect', file]);
  const MiB = (n) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
  const result = {
    file_bytes: size,
    restore_peak_rss_bytes: restore,
    inspect_peak_rss_bytes: inspect,
    status_peak_rss_bytes: baseline,
    restore_ratio: restore / size,
    restore_seconds: seconds,
    method: gnuTime ? `${gnuTime} -f %M` : '/proc/<pid>/status VmHWM (polled)',
  };
  if (asJson) console.log(JSON.stringify(result));
  else {
    console.log(`\nbackup restore memory (${result.method})`);
    console.log(`  backup file             ${MiB(size)}`);
    console.log(`  pikactl status          ${MiB(baseline)} peak RSS (baseline)`);
    console.log(`  pikactl backup inspect  ${MiB(inspect)} peak RSS`);
    console.log(
      `  pikactl backup restore  ${MiB(restore)} peak RSS = ${(restore / size).toFixed(2)}x the file (aim: under 2x), ${seconds.toFixed(1)} s`,
    );
  }
} finally {
  for (const s of servers) await s.stop();
  rmSync(work, { recursive: true, force: true });
}
