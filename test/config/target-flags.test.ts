import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createApp, type RegisterCommand } from '../../src/commands/app.js';
import { resolveConnection } from '../../src/config/resolve.js';
import { shellArg, targetFlags } from '../../src/config/target-flags.js';
import { buildProgram } from '../../src/program.js';
import { tempDir, testContext } from '../support/context.js';

const PIN = 'AB'.repeat(32);
const CONFIG = {
  version: 1,
  current_context: 'prod',
  contexts: {
    prod: { servers: ['https://p0:8080', 'https://p1:8080'], pin: PIN },
    solo: { servers: ['https://solo:8080'], pin: PIN },
  },
};

/** Parses argv with the real global flags, resolves the connection, returns targetFlags for each server. */
async function flagsFor(argv: string[], env: Record<string, string> = {}): Promise<string[]> {
  const xdg = tempDir('pikactl-xdg-');
  mkdirSync(join(xdg, 'pikactl'), { recursive: true });
  writeFileSync(join(xdg, 'pikactl', 'config.json'), JSON.stringify(CONFIG), { mode: 0o600 });
  const ctx = { ...testContext({ env: { XDG_CONFIG_HOME: xdg, ...env } }), cwd: '/work/place' };
  const app = createApp(ctx, { exitCode: 0 });
  let out: string[] = [];
  const probe: RegisterCommand = (program, a) => {
    a.action(program.command('probe'), async (_o, g) => {
      const conn = await resolveConnection(ctx, g);
      out = conn.servers.map((s) => targetFlags(s));
    });
  };
  const program = await buildProgram(ctx, app, { commands: [probe] });
  program.exitOverride();
  await program.parseAsync(['probe', ...argv], { from: 'user' });
  return out;
}

describe('targetFlags: the target flags the user gave, for hints', () => {
  it('--server plus the trust flags typed, --cacert made absolute, values quoted for the shell', async () => {
    expect(
      await flagsFor([
        '--server',
        'https://a:1',
        '--cacert',
        'my certs/ca.pem',
        '-k',
        '--allow-http',
        '--proxy',
        'http://px:3128',
      ]),
    ).toEqual(["--server https://a:1 --cacert '/work/place/my certs/ca.pem' -k --allow-http --proxy http://px:3128"]);
    expect(await flagsFor(['-s', 'https://a:1', '--pin', PIN.toLowerCase().replace(/(..)(?!$)/g, '$1:')])).toEqual([
      `--server https://a:1 --pin ${PIN}`,
    ]);
    // From env vars only: the same shell has them, the hint stays short.
    expect(await flagsFor([], { PIKA_SERVER: 'https://a:1', PIKA_CACERT: 'x.pem' })).toEqual(['--server https://a:1']);
    expect(await flagsFor(['--server', 'https://[::1]:8080'])).toEqual(["--server 'https://[::1]:8080'"]);
  });

  it('a context: --context NAME, with --server for one replica of several', async () => {
    expect(await flagsFor([])).toEqual([
      '--context prod --server https://p0:8080',
      '--context prod --server https://p1:8080',
    ]);
    expect(await flagsFor(['--context', 'solo'])).toEqual(['--context solo']);
    expect(await flagsFor(['--context', 'solo', '--pin', PIN])).toEqual([`--context solo --pin ${PIN}`]);
    // Trust that followed the URL: the URL as typed runs the same way again.
    expect(await flagsFor(['--server', 'https://p1:8080'])).toEqual(['--server https://p1:8080']);
  });

  it('a server this invocation never resolved gets a plain --server', () => {
    expect(targetFlags('https://never-seen:1')).toBe('--server https://never-seen:1');
    expect(shellArg("it's")).toBe(`'it'\\''s'`);
  });
});
