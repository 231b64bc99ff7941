import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir, testContext, type TestContextOptions } from '../support/context.js';

const PIN = 'AB'.repeat(32);

function env(): { opts: TestContextOptions; file: string; dir: string } {
  const xdg = tempDir('pikactl-xdg-');
  return {
    opts: { env: { XDG_CONFIG_HOME: xdg } },
    file: join(xdg, 'pikactl', 'config.json'),
    dir: join(xdg, 'pikactl'),
  };
}

describe('pikactl context', () => {
  it('add / list / use / show / remove round-trip through the config file', async () => {
    const { opts, file, dir } = env();
    // The subcommand's --server is the global flag, given after the subcommand: it must land in the context.
    let r = await runCli(
      [
        'context',
        'add',
        'prod',
        '--server',
        'https://pika-0:8080',
        '--server',
        'pika-1:8080',
        '--pin',
        PIN.toLowerCase().replace(/(..)(?!$)/g, '$1:'),
        '--user',
        'admin',
        '--key-from',
        'keychain',
        '--timeout',
        '45s',
      ],
      opts,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Added context prod (2 servers)');
    expect(r.stdout).toContain('Current context is now prod'); // the first context becomes current
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    expect(saved).toEqual({
      version: 1,
      current_context: 'prod',
      contexts: {
        prod: {
          servers: ['https://pika-0:8080', 'https://pika-1:8080'],
          pin: PIN,
          user: 'admin',
          key_from: 'keychain',
          timeout: '45s',
        },
      },
    });
    if (process.platform !== 'win32') {
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(dir).mode & 0o777).toBe(0o700);
    }
    expect(readdirSync(dir)).toEqual(['config.json']); // atomic write left no temp file

    r = await runCli(['context', 'add', 'staging', '-s', 'https://staging:8080'], opts);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('Current context');

    r = await runCli(['context', 'list'], opts);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^\*\s+prod\s+https:\/\/pika-0:8080,https:\/\/pika-1:8080\s+pin ABABABAB…\s+admin\s+keychain$/m,
    );
    expect(r.stdout).toMatch(/^\s+staging\s+https:\/\/staging:8080\s+system CAs\s+-\s+-$/m);

    r = await runCli(['context', 'use', 'staging'], opts);
    expect(r.code).toBe(0);
    r = await runCli(['--json', 'context', 'list'], opts);
    expect(r.json()).toMatchObject({
      current_context: 'staging',
      contexts: [
        { name: 'prod', current: false },
        { name: 'staging', current: true },
      ],
    });

    r = await runCli(['context', 'show', 'prod', '--json'], opts);
    expect(r.json()).toMatchObject({
      name: 'prod',
      servers: ['https://pika-0:8080', 'https://pika-1:8080'],
      pin: PIN,
      key_from: 'keychain',
      insecure: false,
    });
    r = await runCli(['context', 'show'], opts);
    expect(r.stdout).toMatch(/^Context:\s+staging \(current\)$/m);

    r = await runCli(['context', 'remove', 'staging', '--yes'], opts);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('no current context');
    expect(JSON.parse(readFileSync(file, 'utf8'))).not.toHaveProperty('current_context');
    expect(Object.keys(JSON.parse(readFileSync(file, 'utf8')).contexts)).toEqual(['prod']);
  });

  it('-k warns of skipped TLS checks (and names trust) only for a context with an https:// server', async () => {
    const { opts } = env();
    let r = await runCli(['context', 'add', 'plain', '--server', 'http://pika-0:8080', '--allow-http', '-k'], opts);
    expect(r.code, r.stderr).toBe(0);
    // trust refuses an http:// server ("no certificate to trust"): a hint to run it would fail as printed
    expect(r.stderr).not.toMatch(/TLS|trust/);
    r = await runCli(['context', 'add', 'tls', '--server', 'https://pika-0:8080', '-k'], opts);
    expect(r.stderr).toContain('Warning: context tls skips TLS verification. Pin the certificate instead');
    const mixed = ['--server', 'http://pika-1:8080', '--server', 'https://pika-2:8080', '--allow-http', '-k'];
    r = await runCli(['context', 'add', 'mixed', ...mixed], opts);
    expect(r.stderr).toContain('Warning: context mixed skips TLS verification');
  });

  it('add over an existing name needs --force; --use switches the current context', async () => {
    const { opts, file } = env();
    await runCli(['context', 'add', 'a', '--server', 'https://a:8080'], opts);
    await runCli(['context', 'add', 'b', '--server', 'https://b:8080'], opts);
    let r = await runCli(['context', 'add', 'a', '--server', 'https://other:8080'], opts);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('already exists');
    expect(r.stderr).toContain('--force');
    r = await runCli(['context', 'add', 'a', '--server', 'https://other:8080', '--force', '--use'], opts);
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({
      current_context: 'a',
      contexts: { a: { servers: ['https://other:8080'] } },
    });
  });

  it('add refuses bad input before writing anything', async () => {
    const { opts, file } = env();
    for (const argv of [
      ['context', 'add', 'x'], // no server
      ['context', 'add', 'x', '--server', 'ftp://x'],
      ['context', 'add', 'x', '--server', 'https://x', '--pin', 'abc'],
      ['context', 'add', 'x', '--server', 'https://x', '--key-from', 'hunter2'],
      ['context', 'add', 'x', '--server', 'https://x', '--cacert', '/nonexistent/ca.pem'],
      ['context', 'add', '-bad name', '--server', 'https://x'],
    ]) {
      const r = await runCli(argv, opts);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr).not.toContain('hunter2');
    }
    expect(existsSync(file)).toBe(false);
  });

  it('stores --cacert as an absolute path and env vars are never saved', async () => {
    const { opts, file } = env();
    const ctx = testContext({ env: { ...opts.env, PIKA_SERVER: 'https://from-env:8080', PIKA_USER: 'envuser' } });
    writeFileSync(join(ctx.cwd, 'ca.pem'), 'x');
    let r = await runCli(['context', 'add', 'x', '--cacert', 'ca.pem'], ctx);
    expect(r.code).toBe(2); // PIKA_SERVER does not count as --server here
    const ctx2 = testContext({ env: { ...opts.env, PIKA_USER: 'envuser' }, home: ctx.homedir });
    r = await runCli(['context', 'add', 'x', '--server', 'https://x', '--cacert', 'ca.pem'], ctx2);
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8')).contexts.x).toEqual({
      servers: ['https://x'],
      cacert: join(ctx.cwd, 'ca.pem'),
    });
  });

  it('unknown context names list the known ones', async () => {
    const { opts } = env();
    await runCli(['context', 'add', 'prod', '--server', 'https://a:8080'], opts);
    for (const argv of [
      ['context', 'use', 'nope'],
      ['context', 'show', 'nope'],
      ['context', 'remove', 'nope', '--yes'],
    ]) {
      const r = await runCli(argv, opts);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('no context named "nope"');
      expect(r.stderr).toContain('Known contexts: prod');
    }
  });

  it('remove asks on a terminal (default No) and needs --yes without one', async () => {
    const { opts, file } = env();
    await runCli(['context', 'add', 'prod', '--server', 'https://a:8080'], opts);
    let r = await runCli(['context', 'remove', 'prod'], opts);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--yes');
    r = await runCli(['context', 'remove', 'prod'], {
      ...opts,
      tty: true,
      answers: [{ match: /Remove context prod/, answer: false }],
    });
    expect(r.code).toBe(130);
    expect(JSON.parse(readFileSync(file, 'utf8')).contexts).toHaveProperty('prod');
    r = await runCli(['context', 'remove', 'prod'], {
      ...opts,
      tty: true,
      answers: [{ match: /Remove context prod/, answer: true }],
    });
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8')).contexts).toEqual({});
  });

  it('a corrupted config file is an error naming file:line:column and is left unchanged', async () => {
    const { opts, file, dir } = env();
    await runCli(['context', 'add', 'prod', '--server', 'https://a:8080'], opts);
    const broken = '{\n  "version": 1,\n  "contexts": {\n    "prod": { "servers": ["https://a:8080"] },\n  }\n}\n';
    writeFileSync(file, broken, { mode: 0o600 });
    for (const argv of [
      ['context', 'list'],
      ['context', 'add', 'x', '--server', 'https://x'],
      ['context', 'use', 'prod'],
      ['status'],
    ]) {
      const r = await runCli(argv, opts);
      expect(r.code, argv.join(' ')).toBe(1);
      expect(r.stderr).toContain(`${file}:5:3: malformed JSON`);
      expect(r.stderr).not.toMatch(/\bat .*\.ts:\d+/); // no stack trace
    }
    expect(readFileSync(file, 'utf8')).toBe(broken);
    expect(readdirSync(dir)).toEqual(['config.json']);
    const r = await runCli(['--json', 'context', 'list'], opts);
    expect(r.json()).toMatchObject({ ok: false, exit_code: 1, error: { file, line: 5, column: 3 } });
  });

  it('schema violations name the file and the path', async () => {
    const { opts, file } = env();
    await runCli(['context', 'add', 'prod', '--server', 'https://a:8080'], opts);
    const cases: Array<[unknown, string]> = [
      [{ version: 1, contexts: { prod: { servers: ['https://a', 'ftp://b'] } } }, 'contexts.prod.servers[1]'],
      [{ version: 1, contexts: { prod: { servers: ['https://a'], pinn: 'x' } } }, 'contexts.prod.pinn: unknown key'],
      [{ version: 1, contexts: { prod: { servers: 'https://a' } } }, 'contexts.prod.servers'],
      [
        { version: 1, contexts: { prod: { servers: ['https://a'], insecure: 'no' } } },
        'contexts.prod.insecure: expected true or false',
      ],
      [
        { version: 1, contexts: { prod: { servers: ['https://a'], key_from: 'my passphrase' } } },
        'contexts.prod.key_from: not a secret source',
      ],
      [{ version: 1, contexts: { prod: { servers: ['https://a'], timeout: 'soon' } } }, 'contexts.prod.timeout'],
      [{ version: 1, contexts: { prod: { servers: ['https://a'], pin: 'AB' } } }, 'contexts.prod.pin'],
      [{ version: 2, contexts: {} }, 'version: unsupported version 2'],
      [{ version: 1, contexts: {}, extra: true }, '(top level): key number 3 is not a known key'],
    ];
    for (const [doc, expected] of cases) {
      const text = JSON.stringify(doc);
      writeFileSync(file, text, { mode: 0o600 });
      const r = await runCli(['context', 'list'], opts);
      expect(r.code, expected).toBe(1);
      expect(r.stderr).toContain(`${file}: ${expected}`);
      expect(r.stderr).not.toContain('my passphrase');
      expect(readFileSync(file, 'utf8')).toBe(text);
    }
  });

  it('rewrites a group-readable config file with mode 0600 and says so', async () => {
    if (process.platform === 'win32') return;
    const { opts, file } = env();
    await runCli(['context', 'add', 'prod', '--server', 'https://a:8080'], opts);
    const { chmodSync } = await import('node:fs');
    chmodSync(file, 0o644);
    const r = await runCli(['context', 'use', 'prod'], opts);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('readable by group/others (mode 0644)');
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});
