import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { runCli } from '../support/context.js';
import { startTestSandbox } from '../support/sandbox.js';

/** http:// against an HTTPS port: the answer names https://, not "connection dropped … Retry". */

/** A plain TCP server that reads the request and closes without a byte: a real drop, not TLS. */
async function dropper(): Promise<string> {
  const server: Server = createServer((s) => s.once('data', () => s.destroy()));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  onTestFinished(() => new Promise<void>((r) => server.close(() => r())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('plain http to an https port', () => {
  it('status and unlock name the https:// URL (exit 7), and nothing is called maybe-applied', async () => {
    const sb = await startTestSandbox({ tls: { selfSigned: true } });
    const http = sb.url.replace(/^https:/, 'http:');
    const status = await runCli(['status', '--server', http]);
    expect(status.code).toBe(7);
    expect(status.stderr + status.stdout).toContain(`answers with TLS, not plain HTTP: use ${sb.url}`);
    const unlock = await runCli(['unlock', '--server', http, '--key-from', 'env:K'], {
      env: { K: 'some-key-for-the-test' },
    });
    expect(unlock.code).toBe(7);
    expect(unlock.stderr).toContain(`Use --server ${sb.url}`);
    expect(unlock.stderr).not.toMatch(/Retry/);
  });

  it('a plain-http server that really drops the connection is still a dropped connection', async () => {
    const url = await dropper();
    const r = await runCli(['status', '--server', url]);
    expect(r.code).toBe(7);
    expect(r.stderr + r.stdout).toContain('dropped');
    expect(r.stderr + r.stdout).not.toContain('https://');
  });
});
