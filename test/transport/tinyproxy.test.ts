import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeLeafCert } from './certs.js';
import { runCli } from '../support/context.js';
import { startTestSandbox } from '../support/sandbox.js';
import { startTestProxy } from '../support/connect-proxy.js';
import { startTinyproxy, tinyproxyPath } from '../support/tinyproxy.js';

const HOST = 'pika.proxy-only.test';

/**
 * A real proxy in the path: pikactl → tinyproxy → the test proxy (tinyproxy's Upstream,
 * the only one that resolves the made-up name) → the sandbox. Skipped only outside CI
 * when tinyproxy is not installed; .ci/run installs it.
 */
describe.skipIf(!tinyproxyPath() && process.env.CI !== 'true')('through a real tinyproxy', () => {
  it('HTTPS_PROXY=tinyproxy: CONNECT with --cacert and --pin end to end; a pin mismatch and a refused port are exit 7', async () => {
    const cert = await makeLeafCert('tinyproxy', `DNS:${HOST},DNS:localhost,IP:127.0.0.1`);
    const sb = await startTestSandbox({ tls: { certFile: cert.certFile, keyFile: cert.keyFile } });
    const inner = await startTestProxy({ hosts: { [HOST]: sb.port } });
    const tp = await startTinyproxy({ connectPorts: [sb.port], upstream: `127.0.0.1:${inner.port}` });
    const url = `https://${HOST}:${sb.port}`;
    const env = { HTTPS_PROXY: tp.url };

    const ok = await runCli(
      ['status', '--json', '--server', url, '--cacert', cert.certFile, '--pin', cert.fingerprint],
      { env },
    );
    expect(ok.code).toBe(0);
    expect(ok.json()).toMatchObject({ server: url, state: 'off' });
    expect(inner.log.some((e) => e.method === 'CONNECT' && e.target === `${HOST}:${sb.port}`)).toBe(true);
    expect(readFileSync(tp.logFile, 'utf8')).toContain(HOST);

    const mismatch = await runCli(['status', '--server', url, '--pin', 'CD'.repeat(32)], { env });
    expect(mismatch.code).toBe(7);
    expect(mismatch.stdout + mismatch.stderr).toContain(cert.fingerprint);

    // tinyproxy tunnels only to its ConnectPort list: it answers 403, and pikactl names it.
    const refused = await runCli(['status', '--server', `https://${HOST}:${sb.port + 1}`, '--cacert', cert.certFile], {
      env,
    });
    expect(refused.code).toBe(7);
    expect(refused.stdout + refused.stderr).toContain(`the proxy ${tp.url} (from HTTPS_PROXY) answered 403`);
  });
});
