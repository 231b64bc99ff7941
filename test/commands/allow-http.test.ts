import { describe, expect, it } from 'vitest';
import { runCli } from '../support/context.js';
import { startTestSandbox } from '../support/sandbox.js';

/**
 * --allow-http lets a key cross the network in clear text: like --insecure, it is never
 * silent. The client believes it talks to http://pika.example:8080; an injected fetch
 * carries the requests to a sandbox on loopback (no packet leaves the machine).
 */

const REMOTE = 'http://pika.example:8080';

async function remoteSandbox() {
  const sb = await startTestSandbox();
  const fetchVia: typeof fetch = (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    return fetch(url.replace(REMOTE, sb.url), init);
  };
  return { sb, fetchVia };
}

describe('--allow-http', () => {
  it('warns on stderr for a non-loopback http:// server, and the command still runs', async () => {
    const { fetchVia } = await remoteSandbox();
    const r = await runCli(['status', '--server', REMOTE, '--allow-http', '--json'], { fetch: fetchVia });
    expect(r.code, r.stderr).toBe(0); // a fresh sandbox: encryption off, serving
    expect(r.json().server).toBe(REMOTE);
    expect(r.stderr).toContain(`WARNING: plain http:// to ${REMOTE} (--allow-http)`);
    expect(r.stderr).toContain('UNENCRYPTED');
    // From the environment or a context, the same.
    const env = await runCli(['status', '--server', REMOTE], { fetch: fetchVia, env: { PIKA_ALLOW_HTTP: '1' } });
    expect(env.stderr).toContain(`WARNING: plain http:// to ${REMOTE}`);
  });

  it('with -k too: the plain-http warning, and no word about TLS (there is none)', async () => {
    const { fetchVia } = await remoteSandbox();
    const r = await runCli(['status', '--server', REMOTE, '--allow-http', '-k'], { fetch: fetchVia });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`WARNING: plain http:// to ${REMOTE} (--allow-http)`);
    expect(r.stderr).not.toMatch(/verification|--insecure/); // its own text names a TLS-terminating gateway
  });

  it('says nothing for loopback (the sandbox, an SSH tunnel)', async () => {
    const { sb } = await remoteSandbox();
    const r = await runCli(['status', '--server', sb.url, '--allow-http']);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain('WARNING');
  });
});
