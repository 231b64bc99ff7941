import { describe, expect, it } from 'vitest';
import { buildContextEntry, contextToShow } from '../../src/config/contexts.js';
import type { ConfigFile } from '../../src/config/schema.js';
import { CliError } from '../../src/errors.js';

/**
 * A context entry built from `context add`'s flags, alone (no config file): the cases the
 * command tests (test/commands/context.test.ts) do not reach.
 */

function usage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).exitCode).toBe(2);
    return (err as CliError).message;
  }
  throw new Error('expected a usage error');
}

describe('buildContextEntry', () => {
  it('one entry per server: URLs naming the same server are stored once, by their id', () => {
    const e = buildContextEntry(
      { server: ['https://pika-0:8080', 'https://PIKA-0:8080/', 'https://pika-1:8080'] },
      undefined,
      '/work',
    );
    expect(e.servers).toEqual(['https://pika-0:8080', 'https://pika-1:8080']);
  });

  it('stores what was given and nothing else; a blank --proxy is no proxy', () => {
    const e = buildContextEntry(
      {
        server: ['https://pika:8080'],
        user: 'admin',
        timeout: '45s',
        allowHttp: true,
        proxy: ' http://127.0.0.1:3128 ',
      },
      'keychain',
      '/work',
    );
    expect(e).toEqual({
      servers: ['https://pika:8080'],
      user: 'admin',
      timeout: '45s',
      allow_http: true,
      proxy: 'http://127.0.0.1:3128',
      key_from: 'keychain',
    });
    expect(buildContextEntry({ server: ['https://pika:8080'], proxy: '  ' }, undefined, '/work')).toEqual({
      servers: ['https://pika:8080'],
    });
  });

  it('--kube is the servers: its block is stored (kubeconfig absolute), and --server with it is refused', () => {
    const e = buildContextEntry(
      { kube: 'sts/pika', namespace: 'pika', kubeconfig: 'kube/config', kubePort: '8080' },
      undefined,
      '/work',
    );
    expect(e).toEqual({
      servers: [],
      kube: { ref: 'statefulset/pika', namespace: 'pika', kubeconfig: '/work/kube/config', port: '8080' },
    });
    expect(usage(() => buildContextEntry({ kube: 'sts/pika', server: ['https://x:1'] }, undefined, '/work'))).toBe(
      '--kube and --server name the servers twice',
    );
  });

  it('a zero --timeout is refused (it would fail every request)', () => {
    expect(usage(() => buildContextEntry({ server: ['https://x:1'], timeout: '0s' }, undefined, '/work'))).toBe(
      '--timeout must be greater than zero',
    );
  });
});

describe('contextToShow', () => {
  it('the name given, else the current context; neither is a usage error', () => {
    const config: ConfigFile = {
      version: 1,
      current_context: 'prod',
      contexts: { prod: { servers: ['https://a:1'] }, dev: { servers: [] } },
    };
    expect(contextToShow(config, 'dev')).toMatchObject({ name: 'dev', current: false });
    expect(contextToShow(config, undefined)).toMatchObject({ name: 'prod', current: true });
    expect(usage(() => contextToShow({ version: 1, contexts: {} }, undefined))).toBe(
      'no context named and no current context',
    );
  });
});
