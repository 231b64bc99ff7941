import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBin } from '../support/spawn.js';
import { adminClient, adminEnv, startTestSandbox, type TestSandbox } from '../support/sandbox.js';
import { tempDir } from '../support/context.js';
import { handoverStartArgs } from '../support/handover.js';

/**
 * The real binary, interrupted (SIGINT/SIGTERM) while a state change is in flight: the
 * signal is sent only once the sandbox has applied the change and is holding its answer
 * back (rotate-delay / init-delay log "fault: … fired" at that moment). After sending,
 * an interrupt is "may have been applied" (exit 8); before, a clean cancel (130).
 */

const KEY = 'interrupt-key-amber-falcon-1';
const NEW_KEY = 'interrupt-new-key-slate-owl-2';

function env(url: string, extra: Record<string, string> = {}): Record<string, string> {
  return adminEnv({ url }, { KEY, NEW_KEY, ...extra });
}

/** A sandbox whose `fault` fires on the next change; `armed.child` gets `sig` at that moment. */
async function sandboxThatSignals(fault: 'rotate-delay' | 'init-delay', sig: NodeJS.Signals, init: boolean) {
  const armed: { child?: ChildProcess; fired: boolean } = { fired: false };
  const sb = await startTestSandbox({
    logger: (line) => {
      if (line.includes(`fault: ${fault} fired`) && armed.child) {
        armed.fired = true;
        armed.child.kill(sig);
      }
    },
  });
  if (init) {
    const r = await runBin(['init', '--key-from', 'env:KEY', '--confirm-saved'], {
      env: { ...env(sb.url), HOME: sb.dataDir },
    });
    expect(r.code, r.stderr).toBe(0);
  }
  sb.armFault(fault);
  return { sb, armed };
}

async function verifierAccepts(sb: TestSandbox, key: string): Promise<boolean> {
  return (await (await adminClient(sb)).call('POST', '/api/v1/key/unlock', { json: { key } })).status === 200;
}

const rotate = ['rotate', '--current-key-from', 'env:KEY', '--new-key-from', 'env:NEW_KEY', '--confirm-saved'];

describe('an interrupt while a state change is in flight (real binary)', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)(
    '%s during rotate, after the server rotated: exit 8 naming recover-rotation --server URL',
    async (sig) => {
      const { sb, armed } = await sandboxThatSignals('rotate-delay', sig, true);
      const r = await runBin(rotate, { env: { ...env(sb.url), HOME: sb.dataDir }, onSpawn: (c) => (armed.child = c) });
      expect(armed.fired).toBe(true);
      expect(r.code, r.stderr).toBe(8);
      expect(r.stderr).toContain(`interrupted by ${sig} after the request was sent`);
      expect(r.stderr).toContain(`pikactl recover-rotation --server ${sb.url}`);
      expect(r.stderr).not.toMatch(/Error: cancelled/);
      expect(await verifierAccepts(sb, NEW_KEY)).toBe(true);
    },
  );

  it('SIGINT during init, after the server initialized: exit 8 naming pikactl status --server URL', async () => {
    const { sb, armed } = await sandboxThatSignals('init-delay', 'SIGINT', false);
    const r = await runBin(['init', '--key-from', 'env:KEY', '--confirm-saved'], {
      env: { ...env(sb.url), HOME: sb.dataDir },
      onSpawn: (c) => (armed.child = c),
    });
    expect(armed.fired).toBe(true);
    expect(r.code, r.stderr).toBe(8);
    expect(r.stderr).toContain(`pikactl status --server ${sb.url}`);
    expect(await verifierAccepts(sb, KEY)).toBe(true);
  });

  it('SIGTERM during handover start, after the server rotated: exit 8, and the record says the rotation may be half done', async () => {
    const { sb, armed } = await sandboxThatSignals('rotate-delay', 'SIGTERM', true);
    const home = tempDir('pikactl-interrupt-handover-');
    const r = await runBin(handoverStartArgs(), {
      cwd: home,
      env: { ...env(sb.url), HOME: home },
      onSpawn: (c) => (armed.child = c),
    });
    expect(r.code, r.stderr).toBe(8);
    expect(r.stderr).toContain(`pikactl recover-rotation --server ${sb.url}`);
    expect(JSON.parse(readFileSync(join(home, 'h.json'), 'utf8')).rotation_may_be_half_done.why).toMatch(
      /interrupted by SIGTERM/,
    );
  });

  it('SIGINT before anything was sent (rotate still reading the state of a server that never answers): exit 130', async () => {
    const sockets: Socket[] = [];
    const hang = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(hang.address() as AddressInfo).port}`;
    try {
      const r = await runBin(rotate, {
        env: env(url),
        onSpawn: (child) => hang.once('connection', () => setTimeout(() => child.kill('SIGINT'), 100)),
      });
      expect(r.code, r.stderr).toBe(130);
      expect(r.stderr).not.toMatch(/recover-rotation|may have been applied/);
    } finally {
      for (const s of sockets) s.destroy();
      hang.close();
    }
  });
});
