import { describe, expect, it } from 'vitest';
import { runCli } from '../support/context.js';
import { adminEnv, startTestSandbox } from '../support/sandbox.js';

const KEY = 'https-key-copper-lantern-31';

/**
 * The lifecycle over HTTPS against a Pika-style self-signed leaf (made with openssl by the
 * sandbox, as Pika makes its own): trusted by --cacert, by --pin, refused without either.
 */
describe('commands over HTTPS', () => {
  it('init, lock, unlock with --cacert; status with --pin; no trust is exit 7 naming the fix', async () => {
    const sb = await startTestSandbox({ tls: { selfSigned: true } });
    expect(sb.url.startsWith('https://127.0.0.1:')).toBe(true);
    const env = adminEnv(sb, { KEY });

    const untrusted = await runCli(['status'], { env });
    expect(untrusted.code).toBe(7);
    expect(untrusted.stderr + untrusted.stdout).toMatch(/--cacert|trust|--pin/);

    const withCa = { env: { ...env, PIKA_CACERT: sb.certFile! } };
    expect((await runCli(['init', '--key-from', 'env:KEY', '--confirm-saved'], withCa)).code).toBe(0);
    expect((await runCli(['lock', '--yes'], withCa)).code).toBe(0);
    const unlocked = await runCli(['unlock', '--key-from', 'env:KEY', '--json'], withCa);
    expect(unlocked.code).toBe(0);
    expect(unlocked.json()).toMatchObject({ after: 'unlocked' });

    const pinned = await runCli(
      ['status', '--json', '--pin', sb.fingerprint!.replace(/(..)(?!$)/g, '$1:').toLowerCase()],
      { env },
    );
    expect(pinned.code).toBe(0);
    expect(pinned.json()).toMatchObject({ state: 'unlocked' });

    const wrongPin = await runCli(['status', '--pin', 'AB'.repeat(32)], { env });
    expect(wrongPin.code).toBe(7);
    expect(wrongPin.stderr + wrongPin.stdout).toContain(sb.fingerprint!);
  });

  it('--insecure works but warns loudly on stderr', async () => {
    const sb = await startTestSandbox({ tls: { selfSigned: true } });
    const r = await runCli(['status', '--insecure', '--json'], { env: { PIKA_SERVER: sb.url } });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/insecure|verification/i);
    expect(r.json().state).toBe('off');
  });

  it('-k says nothing about TLS for an http:// server (none to skip), and warns for each https:// one', async () => {
    const plain = await startTestSandbox();
    const onlyHttp = await runCli(['status', '-k', '--json', '--server', plain.url]);
    expect(onlyHttp.code).toBe(0);
    expect(onlyHttp.stderr).toBe('');
    const fromEnv = await runCli(['status', '--server', plain.url], { env: { PIKA_INSECURE: '1' } });
    expect(fromEnv.code).toBe(0);
    expect(fromEnv.stderr).toBe('');

    const tls = await startTestSandbox({ tls: { selfSigned: true } });
    const mixed = await runCli(['status', '-k', '--json', '--server', tls.url, '--server', plain.url]);
    expect(mixed.code, mixed.stderr).toBe(0);
    expect(mixed.stderr.match(/TLS certificate verification is DISABLED for (\S+) /g)).toEqual([
      `TLS certificate verification is DISABLED for ${tls.url} `,
    ]);
    expect(mixed.stderr).not.toContain(plain.url);
  });
});
