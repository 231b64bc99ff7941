#!/usr/bin/env node
// `npm run demo`: pikactl's main job, end to end, against the embedded sandbox.
// Starts a sandbox, turns encryption on, restarts the server (it comes back locked,
// like Pika after every restart), then runs the scripted-restart recipe:
// wait for the server, unlock, verify. Every step is the real binary.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../bin/pikactl.js', import.meta.url));
const data = mkdtempSync(join(tmpdir(), 'pikactl-demo-'));
// Demo-only values, handed over in environment variables: never on a command line.
const env = {
  ...process.env,
  DEMO_ADMIN_PASSWORD: 'demo-admin-password',
  DEMO_KEY: 'demo-only-key-use-a-real-passphrase',
  PIKA_USER: 'admin',
  PIKA_PASSWORD_FROM: 'env:DEMO_ADMIN_PASSWORD',
};

function startSandbox(port) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [bin, 'sandbox', '--quiet', '--json', '--port', String(port), '--data', data],
      {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => (err += d)); // shown only if it fails to start
    child.stdout.on('data', (d) => {
      out += d;
      try {
        const info = JSON.parse(out);
        resolve({ child, url: info.url, port: Number(new URL(info.url).port) });
      } catch {
        /* wait for the whole document */
      }
    });
    child.on('exit', (code) => reject(new Error(`sandbox exited early (${code}):\n${err}`)));
  });
}

function stop(child) {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.on('exit', resolve);
    child.kill('SIGTERM');
  });
}

const dim = process.stdout.isTTY && !process.env.NO_COLOR ? (s) => `\x1b[2m${s}\x1b[0m` : (s) => s;

function pikactl(args, note) {
  process.stdout.write(`\n${dim(`# ${note}`)}\n$ pikactl ${args.join(' ')}\n`);
  const r = spawnSync(process.execPath, [bin, ...args], { env, stdio: 'inherit' });
  process.stdout.write(`${dim(`(exit ${r.status})`)}\n`);
  return r.status;
}

let sandbox = await startSandbox(0);
env.PIKA_SERVER = sandbox.url;
try {
  process.stdout.write(`Sandbox running at ${sandbox.url} (data in ${data})\n`);
  pikactl(['status'], 'a fresh Pika: encryption is off');
  pikactl(
    ['init', '--key-from', 'env:DEMO_KEY', '--confirm-saved'],
    'turn encryption on (the key comes from an env var, never argv)',
  );
  await stop(sandbox.child);
  process.stdout.write(`\n${dim('# ... the server restarts ...')}\n`);
  sandbox = await startSandbox(sandbox.port);
  pikactl(['status'], 'after every restart Pika is locked (exit 3)');
  const code = pikactl(
    ['unlock', '--key-from', 'env:DEMO_KEY', '--wait', '30s'],
    'the scripted-restart recipe: wait, unlock, verify',
  );
  pikactl(['status', '--json'], 'serving again');
  process.exitCode = code;
} finally {
  await stop(sandbox.child);
  rmSync(data, { recursive: true, force: true });
}
