import { describe, expect, it } from 'vitest';
import { chooseTrustTarget, nameForHost } from '../../src/config/trust-target.js';
import type { ConfigFile } from '../../src/config/schema.js';
import { CliError } from '../../src/errors.js';

/** Where `pikactl trust` puts the pin, decided from the config alone (no server is asked). */

const config = (): ConfigFile => ({
  version: 1,
  current_context: 'prod',
  contexts: {
    prod: { servers: ['https://pika-0:8080', 'https://pika-1:8080'], pin: 'AA'.repeat(32), timeout: '5s' },
    mirror: { servers: ['https://pika-1:8080'], cacert: 'ca/mirror.pem', proxy: 'http://127.0.0.1:3128' },
  },
});
const flags = (o: { servers?: string[]; context?: string; cacert?: string } = {}) => ({ servers: [], ...o });
const choose = (g: ReturnType<typeof flags>, c = config()) =>
  chooseTrustTarget(c, '/home/op/.config/pikactl/config.json', g, '/work');

function usage(fn: () => unknown): CliError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).exitCode).toBe(2);
    return err as CliError;
  }
  throw new Error('expected a usage error');
}

describe('chooseTrustTarget', () => {
  it('no flags: the current context, all of its servers, with its pin and timeout', () => {
    const t = choose(flags());
    expect(t).toMatchObject({ name: 'prod', created: false, pin: 'AA'.repeat(32), timeout: '5s' });
    expect(t.servers.map((s) => s.id)).toEqual(['https://pika-0:8080', 'https://pika-1:8080']);
  });

  it('a server one context lists: that context, its cacert resolved beside the config file, its proxy', () => {
    const t = choose(flags({ servers: ['https://pika-0:8080'] }));
    expect(t.name).toBe('prod');
    // pika-1 is in prod and mirror: two holders are a question only the operator answers.
    expect(usage(() => choose(flags({ servers: ['https://pika-1:8080'] }))).message).toBe(
      'several contexts list https://pika-1:8080: prod, mirror',
    );
    const m = choose(flags({ context: 'mirror' }));
    expect(m).toMatchObject({ cacert: '/home/op/.config/pikactl/ca/mirror.pem', proxy: 'http://127.0.0.1:3128' });
    expect(m.pin).toBeUndefined();
    // --cacert on the command line wins, relative to the working directory.
    expect(choose(flags({ context: 'mirror', cacert: 'my.pem' })).cacert).toBe('/work/my.pem');
  });

  it('--context NAME with a server it does not list is refused; an unknown NAME with a server is created', () => {
    expect(usage(() => choose(flags({ context: 'mirror', servers: ['https://pika-0:8080'] }))).message).toBe(
      'https://pika-0:8080 is not a server of context mirror',
    );
    const t = choose(flags({ context: 'staging', servers: ['https://stage:8080'] }));
    expect(t).toMatchObject({ name: 'staging', created: true });
    expect(t.pin).toBeUndefined();
  });

  it('a new server gets a context named after its host, unless that name is taken', () => {
    expect(choose(flags({ servers: ['https://pika.example:8443'] }))).toMatchObject({
      name: 'pika.example',
      created: true,
    });
    const c = config();
    c.contexts['pika.example'] = { servers: ['https://pika.example:9999'] };
    expect(usage(() => choose(flags({ servers: ['https://pika.example:8443'] }), c)).message).toBe(
      'a context named pika.example already exists for other servers',
    );
  });

  it('plain http has no certificate: refused before anything is fetched', () => {
    expect(usage(() => choose(flags({ servers: ['http://127.0.0.1:8080'] }))).message).toBe(
      'http://127.0.0.1:8080 uses plain http: there is no certificate to trust',
    );
  });
});

describe('nameForHost', () => {
  it('keeps a host name; an IPv6 literal becomes host-...', () => {
    expect(nameForHost('pika.example.com')).toBe('pika.example.com');
    expect(nameForHost('[::1]')).toBe('host-::1');
  });
});
