import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { diagnoseSecretService } from '../../src/keychain/diagnose-linux.js';
import { tempDir } from '../support/context.js';
import { BIN, runBin } from '../support/spawn.js';

/** `pikactl keychain test` on a headless Linux box names the exact piece that is missing. */

const linux = process.platform === 'linux';
const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const realBus = linux && has('dbus-run-session') && has('dbus-send') && has('gnome-keyring-daemon');

/** A unix socket that accepts connections and never says a word (a hung bus). */
async function silentSocket(): Promise<string> {
  const path = join(tempDir('pikactl-bus-'), 'bus');
  const open = new Set<import('node:net').Socket>();
  const server: Server = createServer((s) => {
    open.add(s);
    s.on('close', () => open.delete(s));
  });
  await new Promise<void>((r) => server.listen(path, r));
  onTestFinished(() => {
    for (const s of open) s.destroy();
    return new Promise<void>((r) => server.close(() => r()));
  });
  return path;
}

/** The real binary inside a private session bus with throwaway HOME and XDG dirs; `setup` runs first in the same shell. */
function inPrivateBus(setup: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const home = tempDir('pikactl-dbus-home-');
  const runtime = join(home, 'run');
  mkdirSync(runtime);
  chmodSync(runtime, 0o700);
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    XDG_RUNTIME_DIR: runtime,
    XDG_DATA_HOME: join(home, 'data'),
    XDG_CONFIG_HOME: join(home, 'config'),
    XDG_CACHE_HOME: join(home, 'cache'),
    NO_COLOR: '1',
  };
  return new Promise((resolve, reject) => {
    const child = spawn(
      'dbus-run-session',
      ['--', 'sh', '-c', `${setup}\nexec "${process.execPath}" "${BIN}" keychain test --json`],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe.runIf(linux)('keychain diagnosis: the bus', () => {
  it('no DBUS_SESSION_BUS_ADDRESS: says so, through the real binary (exit 1)', async () => {
    const r = await runBin(['keychain', 'test'], { env: { HOME: tempDir() } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'keychain test: the Secret Service keychain is not usable: no D-Bus session bus address (DBUS_SESSION_BUS_ADDRESS is not set)',
    );
    expect(r.stderr).toContain('dbus-run-session');
  });

  it('an address whose socket does not exist', async () => {
    const r = await runBin(['keychain', 'test', '--json'], {
      env: { HOME: tempDir(), DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/pikactl-test-bus' },
    });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).error).toMatchObject({
      message: expect.stringContaining(
        'the session bus at /nonexistent/pikactl-test-bus (DBUS_SESSION_BUS_ADDRESS) cannot be reached (ENOENT)',
      ),
    });
  });

  it('a socket that accepts but never answers, within the step bound', async () => {
    const path = await silentSocket();
    const t0 = Date.now();
    const err = await diagnoseSecretService({ DBUS_SESSION_BUS_ADDRESS: `unix:path=${path},guid=0123` });
    expect(Date.now() - t0).toBeLessThan(4500);
    expect(err?.message).toBe(
      `keychain test: the Secret Service keychain is not usable: the session bus at ${path} accepts connections but does not answer`,
    );
    expect(err?.details).toEqual({ missing: 'bus_not_answering' });
  });
});

describe.runIf(realBus)('keychain diagnosis: the Secret Service on a real private bus', () => {
  it('gnome-keyring without a login keyring: no default collection', async () => {
    const r = await inPrivateBus('');
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.error.message).toBe(
      'keychain test: the Secret Service keychain is not usable: the Secret Service has no default collection to store entries in',
    );
    expect(out.error.hint).toContain('gnome-keyring-daemon --unlock');
  });

  it('a locked login collection is named as locked', async () => {
    const r = await inPrivateBus(
      [
        `eval "$(printf '%s' 'pw-for-the-test-1' | gnome-keyring-daemon --unlock --components=secrets)"`,
        'sleep 0.3',
        'dbus-send --session --print-reply --dest=org.freedesktop.secrets /org/freedesktop/secrets org.freedesktop.Secret.Service.Lock array:objpath:/org/freedesktop/secrets/collection/login >/dev/null',
      ].join('\n'),
    );
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).error.message).toBe(
      'keychain test: the Secret Service keychain is not usable: the default collection "login" (/org/freedesktop/secrets/collection/login) is locked',
    );
  });

  it('an unlocked login collection passes (the diagnosis does not get in the way)', async () => {
    const r = await inPrivateBus(
      `eval "$(printf '%s' 'pw-for-the-test-2' | gnome-keyring-daemon --unlock --components=secrets)"\nsleep 0.3`,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, round_trip: true });
  });
});
