import { describe, expect, it } from 'vitest';
import { runCli } from '../support/context.js';
import { startTestProxy } from '../support/connect-proxy.js';
import { startTestSandbox } from '../support/sandbox.js';
import { bypassed, proxyFor, resolveProxy } from '../../src/transport/proxy-config.js';

const u = (s: string) => new URL(s);

describe('NO_PROXY CIDR entries (as curl 7.86+ reads them)', () => {
  it('an IPv4 host in a block, or the block given as the address itself, is direct', () => {
    expect(bypassed(['10.0.0.0/8'], u('https://10.1.2.3:8443'))).toBe(true);
    expect(bypassed(['10.0.0.0/8'], u('https://11.1.2.3:8443'))).toBe(false);
    expect(bypassed(['192.168.4.0/22'], u('https://192.168.7.255'))).toBe(true);
    expect(bypassed(['192.168.4.0/22'], u('https://192.168.8.0'))).toBe(false);
    expect(bypassed(['10.1.2.3/32'], u('https://10.1.2.3'))).toBe(true);
    expect(bypassed(['10.1.2.3/32'], u('https://10.1.2.4'))).toBe(false);
    expect(bypassed(['0.0.0.0/0'], u('https://203.0.113.9'))).toBe(true);
    expect(bypassed(['10.1.2.3'], u('https://10.1.2.3'))).toBe(true);
    expect(bypassed(['10.1.2.3:8443'], u('https://10.1.2.3:8443'))).toBe(true);
    expect(bypassed(['10.1.2.3:8443'], u('https://10.1.2.3'))).toBe(false);
  });

  it('an IPv6 host in a block, bracketed or not; the address in any spelling', () => {
    expect(bypassed(['::1/128'], u('https://[::1]:8443'))).toBe(true);
    expect(bypassed(['fd00::/8'], u('https://[fd12:3456::7]'))).toBe(true);
    expect(bypassed(['[fd00::]/8'], u('https://[fd12:3456::7]'))).toBe(true);
    expect(bypassed(['fd00::/8'], u('https://[fe80::1]'))).toBe(false);
    expect(bypassed(['2001:db8:0:0::/64'], u('https://[2001:DB8::ABCD]'))).toBe(true);
    expect(bypassed(['2001:db8::/64'], u('https://[2001:db8:0:1::1]'))).toBe(false);
    expect(bypassed(['2001:0db8:0000::0001'], u('https://[2001:db8::1]'))).toBe(true);
  });

  it('no suffix match, no other family, no bad prefix, no CIDR for names', () => {
    expect(bypassed(['2.3'], u('https://10.1.2.3'))).toBe(false); // a suffix of the text, not a domain
    expect(bypassed(['.1.2.3'], u('https://10.1.2.3'))).toBe(false);
    expect(bypassed(['10.0.0.0/8'], u('https://[::ffff:10.1.2.3]'))).toBe(false); // curl: families apart
    expect(bypassed(['::/0'], u('https://10.1.2.3'))).toBe(false);
    expect(bypassed(['10.0.0.0/33'], u('https://10.1.2.3'))).toBe(false);
    expect(bypassed(['10.0.0.0/x'], u('https://10.1.2.3'))).toBe(false);
    expect(bypassed(['fd00::/129'], u('https://[fd00::1]'))).toBe(false);
    expect(bypassed(['10.0.0.0/8'], u('https://pika.internal'))).toBe(false); // names are not resolved
    expect(bypassed(['10.0.0.0/8', 'internal'], u('https://pika.internal'))).toBe(true);
  });

  it('through resolveProxy and proxyFor, read from the environment with other entries', () => {
    const env = { HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: 'corp.example, 10.0.0.0/8,FD00::/8' };
    const settings = resolveProxy(env, undefined, undefined);
    expect(proxyFor(settings, u('https://10.9.8.7:8443'))).toBeUndefined();
    expect(proxyFor(settings, u('https://[fd00::5]:8443'))).toBeUndefined();
    expect(proxyFor(settings, u('https://172.16.0.1:8443'))?.from).toBe('HTTPS_PROXY');
    expect(proxyFor(settings, u('https://pika.corp.example'))).toBeUndefined();
  });

  it('end to end: a matching block goes direct, another block still goes through the proxy', async () => {
    // Two IP-literal spellings of this host that are not loopback to proxyFor (so proxied by
    // default) yet reach the sandbox on 127.0.0.1 when dialled directly: 0.0.0.0, and the
    // IPv4-mapped ::ffff:127.0.0.1. No packet leaves the machine either way.
    const sb = await startTestSandbox();
    const proxy = await startTestProxy({ hosts: { '0.0.0.0': sb.port, '::ffff:7f00:1': sb.port } });
    const cases = [
      { url: `http://0.0.0.0:${sb.port}`, direct: '0.0.0.0/8', other: '10.0.0.0/8' },
      { url: `http://[::ffff:127.0.0.1]:${sb.port}`, direct: '::ffff:127.0.0.0/104', other: 'fd00::/8' },
    ];
    for (const c of cases) {
      const args = ['status', '--json', '--allow-http', '--server', c.url];
      const before = proxy.log.length;
      const viaProxy = await runCli(args, { env: { http_proxy: proxy.url, NO_PROXY: `pika.example,${c.other}` } });
      expect(viaProxy.code, viaProxy.stderr).toBe(0);
      expect(viaProxy.json()).toMatchObject({ state: 'off' });
      const proxied = proxy.log.length;
      expect(proxied, c.url).toBeGreaterThan(before);

      const direct = await runCli(args, { env: { http_proxy: proxy.url, NO_PROXY: `pika.example,${c.direct}` } });
      expect(direct.code, direct.stderr).toBe(0);
      expect(direct.json()).toMatchObject({ state: 'off' });
      expect(proxy.log.length, `${c.url} with NO_PROXY ${c.direct}`).toBe(proxied);
    }
  });
});
