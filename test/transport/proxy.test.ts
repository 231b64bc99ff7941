import { describe, expect, it } from 'vitest';
import { makeLeafCert } from './certs.js';
import { runCli, tempDir } from '../support/context.js';
import { freePort } from '../support/ports.js';
import { startTestSandbox } from '../support/sandbox.js';
import { startTestProxy } from '../support/connect-proxy.js';
import { bypassed, proxyFor, resolveProxy } from '../../src/transport/proxy-config.js';

/** A name only the test proxy resolves: reaching it proves the request went through the proxy. */
const HOST = 'pika.proxy-only.test';
const SAN = `DNS:${HOST},DNS:localhost,IP:127.0.0.1`;

/** An HTTPS sandbox whose certificate names HOST, so --cacert checks the name through the tunnel. */
async function httpsSandbox() {
  const cert = await makeLeafCert('proxied', SAN);
  const sb = await startTestSandbox({ tls: { certFile: cert.certFile, keyFile: cert.keyFile } });
  return { sb, cert, url: `https://${HOST}:${sb.port}` };
}

/** A loopback port nothing listens on (bound, then closed). */
const deadPort = freePort;

const out = (r: { stdout: string; stderr: string }) => r.stdout + r.stderr;
const connects = (log: { method: string; target: string }[]) =>
  log.filter((e) => e.method === 'CONNECT').map((e) => e.target);

describe('HTTP(S) proxies (HTTPS_PROXY, HTTP_PROXY, NO_PROXY, --proxy, context proxy)', () => {
  it('HTTPS_PROXY: a CONNECT tunnel to a name only the proxy resolves, with --cacert and --pin checked end to end', async () => {
    const { sb, cert, url } = await httpsSandbox();
    const proxy = await startTestProxy({ hosts: { [HOST]: sb.port } });
    const env = { HTTPS_PROXY: proxy.url };
    const ok = await runCli(
      ['status', '--json', '--server', url, '--cacert', cert.certFile, '--pin', cert.fingerprint],
      { env },
    );
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.json()).toMatchObject({ server: url, state: 'off' });
    expect(connects(proxy.log)).toContain(`${HOST}:${sb.port}`);

    // The pin is checked on the server's certificate inside the tunnel, not on the proxy.
    const wrong = await runCli(['status', '--server', url, '--pin', 'AB'.repeat(32)], { env });
    expect(wrong.code).toBe(7);
    expect(out(wrong)).toMatch(/pin mismatch|TLS check failed/i);
    expect(out(wrong)).toContain(cert.fingerprint);

    // --cacert without a pin: the chain and the host name are verified through the tunnel too.
    const other = await makeLeafCert('other', SAN);
    const untrusted = await runCli(['status', '--server', url, '--cacert', other.certFile], { env });
    expect(untrusted.code).toBe(7);
    expect(out(untrusted)).toMatch(/TLS/);
  });

  it('HTTP_PROXY carries http:// (absolute-form, as curl does) with --allow-http', async () => {
    const sb = await startTestSandbox();
    const proxy = await startTestProxy({ hosts: { [HOST]: sb.port } });
    const url = `http://${HOST}:${sb.port}`;
    const r = await runCli(['status', '--json', '--allow-http', '--server', url], { env: { http_proxy: proxy.url } });
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ state: 'off' });
    expect(proxy.log.some((e) => e.method === 'GET' && e.target === `${url}/api/v1/key/status`)).toBe(true);
  });

  it('NO_PROXY (name, suffix, host:port, *) and loopback go direct; the proxy sees none of them', async () => {
    const { sb, cert, url } = await httpsSandbox();
    const proxy = await startTestProxy({ hosts: { [HOST]: sb.port } });
    const args = ['status', '--json', '--server', url, '--cacert', cert.certFile];
    expect((await runCli(args, { env: { HTTPS_PROXY: proxy.url } })).code).toBe(0);
    const through = proxy.log.length;
    expect(through).toBeGreaterThan(0);
    for (const np of [HOST, '.proxy-only.test', `proxy-only.test:${sb.port}`, '*']) {
      const direct = await runCli(args, { env: { HTTPS_PROXY: proxy.url, NO_PROXY: np } });
      // Direct, the made-up name does not resolve: proof that the proxy was bypassed.
      expect(direct.code, np).toBe(7);
      expect(direct.stdout + direct.stderr, np).not.toMatch(/proxy \(|through the proxy/i);
    }
    expect(proxy.log.length).toBe(through);
    // A NO_PROXY entry for another port does not bypass.
    expect((await runCli(args, { env: { HTTPS_PROXY: proxy.url, NO_PROXY: `${HOST}:1` } })).code).toBe(0);
    const withPort = proxy.log.length;
    expect(withPort).toBeGreaterThan(through);
    // Loopback never goes through a proxy, even one that is set for everything.
    const loop = await runCli(
      ['status', '--json', '--server', `https://127.0.0.1:${sb.port}`, '--cacert', cert.certFile, '--proxy', proxy.url],
      {
        env: { HTTPS_PROXY: proxy.url },
      },
    );
    expect(loop.code).toBe(0);
    expect(proxy.log.map((e) => e.target).filter((t) => t.includes('127.0.0.1'))).toEqual([]);
    expect(proxy.log.length).toBe(withPort);
  });

  it('a dead proxy, a 407 and a 502 on CONNECT are exit 7 naming the proxy', async () => {
    const { sb, cert, url } = await httpsSandbox();
    const port = await deadPort();
    const dead = await runCli(['status', '--server', url, '--cacert', cert.certFile], {
      env: { HTTPS_PROXY: `http://127.0.0.1:${port}` },
    });
    expect(dead.code).toBe(7);
    expect(out(dead)).toContain(`proxy http://127.0.0.1:${port} (from HTTPS_PROXY)`);
    expect(out(dead)).toContain('ECONNREFUSED');

    const auth = `Basic ${Buffer.from('ops:proxy-pw').toString('base64')}`;
    const locked = await startTestProxy({ hosts: { [HOST]: sb.port }, requireAuth: auth });
    const denied = await runCli(['status', '--server', url, '--cacert', cert.certFile], {
      env: { HTTPS_PROXY: locked.url },
    });
    expect(denied.code).toBe(7);
    expect(out(denied)).toContain(`proxy ${locked.url} (from HTTPS_PROXY) wants credentials (407`);
    const withCreds = locked.url.replace('http://', 'http://ops:proxy-pw@');
    const allowed = await runCli(['status', '--json', '--server', url, '--cacert', cert.certFile], {
      env: { HTTPS_PROXY: withCreds },
    });
    expect(allowed.code).toBe(0);
    expect(locked.log.at(-1)?.proxyAuthorization).toBe(auth);
    expect(allowed.stdout + allowed.stderr).not.toContain('proxy-pw');

    const unknown = await runCli(
      ['status', '--server', `https://elsewhere.proxy-only.test:${sb.port}`, '--cacert', cert.certFile],
      { env: { HTTPS_PROXY: locked.url.replace('http://', 'http://ops:proxy-pw@') } },
    );
    expect(unknown.code).toBe(7);
    expect(out(unknown)).toContain(`proxy ${locked.url} (from HTTPS_PROXY) answered 502`);
    expect(out(unknown)).not.toContain('proxy-pw');
  });

  it('--proxy and a context\'s proxy field; --proxy "" turns proxies off; credentials on argv are refused', async () => {
    const { sb, cert, url } = await httpsSandbox();
    const proxy = await startTestProxy({ hosts: { [HOST]: sb.port } });
    const flag = await runCli(['status', '--json', '--server', url, '--cacert', cert.certFile, '--proxy', proxy.url]);
    expect(flag.code).toBe(0);
    let seen = connects(proxy.log).length;
    expect(seen).toBeGreaterThan(0);

    const off = await runCli(['status', '--server', url, '--cacert', cert.certFile, '--proxy', ''], {
      env: { HTTPS_PROXY: proxy.url },
    });
    expect(off.code).toBe(7);
    expect(connects(proxy.log)).toHaveLength(seen);

    const creds = await runCli(['status', '--server', url, '--proxy', 'http://u:p@127.0.0.1:1']);
    expect(creds.code).toBe(2);
    expect(out(creds)).not.toContain('u:p');

    const xdg = tempDir('pikactl-xdg-');
    const env = { XDG_CONFIG_HOME: xdg };
    const added = await runCli(
      ['context', 'add', 'corp', '--server', url, '--cacert', cert.certFile, '--proxy', proxy.url, '--use'],
      { env },
    );
    expect(added.code).toBe(0);
    const viaContext = await runCli(['status', '--json'], { env });
    expect(viaContext.code).toBe(0);
    expect(connects(proxy.log).length).toBeGreaterThan(seen);
    seen = connects(proxy.log).length;
    // The context's proxy (and CA) also follow its URL when the server is named with --server.
    expect((await runCli(['status', '--json', '--server', url], { env })).code).toBe(0);
    expect(connects(proxy.log).length).toBeGreaterThan(seen);
    const shown = await runCli(['context', 'show', 'corp', '--json'], { env });
    expect(shown.json()).toMatchObject({ proxy: proxy.url });
  });
});

describe('pikactl trust through a proxy', () => {
  it('reads the certificate through the CONNECT tunnel, pins it, and a dead proxy is exit 7 naming it', async () => {
    const { sb, cert, url } = await httpsSandbox();
    const proxy = await startTestProxy({ hosts: { [HOST]: sb.port } });
    const env = { HTTPS_PROXY: proxy.url, XDG_CONFIG_HOME: tempDir('pikactl-xdg-') };
    const r = await runCli(['trust', '--server', url, '--expect-fingerprint', cert.fingerprint], { env });
    expect(out(r)).not.toMatch(/Error/);
    expect(r.code).toBe(0);
    expect(connects(proxy.log)).toContain(`${HOST}:${sb.port}`);
    // The pin just stored follows the URL, through the same proxy.
    expect((await runCli(['status', '--json', '--server', url], { env })).code).toBe(0);

    const dead = await runCli(['trust', '--server', url, '--expect-fingerprint', cert.fingerprint], {
      env: { ...env, HTTPS_PROXY: `http://127.0.0.1:${await deadPort()}` },
    });
    expect(dead.code).toBe(7);
    expect(out(dead)).toMatch(/through the proxy http:\/\/127\.0\.0\.1:\d+ \(from HTTPS_PROXY\)/);
  });
});

describe('proxy selection rules (curl-compatible)', () => {
  const u = (s: string) => new URL(s);
  it('NO_PROXY matches names, suffixes, host:port and *; never a bare substring', () => {
    expect(bypassed(['example.com'], u('https://pika.example.com'))).toBe(true);
    expect(bypassed(['.example.com'], u('https://example.com'))).toBe(true);
    expect(bypassed(['example.com'], u('https://badexample.com'))).toBe(false);
    expect(bypassed(['pika.example.com:8443'], u('https://pika.example.com:8443'))).toBe(true);
    expect(bypassed(['pika.example.com:8443'], u('https://pika.example.com'))).toBe(false);
    expect(bypassed(['pika.example.com:443'], u('https://pika.example.com'))).toBe(true);
    expect(bypassed(['*'], u('https://anything'))).toBe(true);
    expect(bypassed(['[fd00::1]:8443'], u('https://[fd00::1]:8443'))).toBe(true);
  });
  it('loopback is direct; lower-case variables win; explicit proxies beat the environment', () => {
    const env = { HTTPS_PROXY: 'http://upper:1', https_proxy: 'lower:2', HTTP_PROXY: 'http://plain:3' };
    const s = resolveProxy(env, undefined, undefined)!;
    expect(proxyFor(s, u('https://pika.example'))?.shown).toBe('http://lower:2');
    expect(proxyFor(s, u('http://pika.example'))?.shown).toBe('http://plain:3');
    for (const host of ['localhost', '127.0.0.1', '127.1.2.3', '[::1]'])
      expect(proxyFor(s, u(`https://${host}:1`))).toBeUndefined();
    expect(
      proxyFor(resolveProxy({ ...env, PIKA_PROXY: 'http://pika:4' }, undefined, 'http://ctx:5'), u('https://x'))?.from,
    ).toBe('PIKA_PROXY');
    expect(proxyFor(resolveProxy(env, undefined, 'http://ctx:5'), u('https://x'))?.shown).toBe('http://ctx:5');
    expect(proxyFor(resolveProxy(env, 'http://flag:6', 'http://ctx:5'), u('http://x'))?.from).toBe('--proxy');
    expect(resolveProxy(env, '', undefined)).toBeUndefined();
    expect(() => resolveProxy({}, 'socks5://p:1', undefined)).toThrow(/unsupported proxy scheme/);
  });
});
