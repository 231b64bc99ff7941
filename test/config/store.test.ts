import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emptyConfig } from '../../src/config/schema.js';
import { configPath, loadConfig, saveConfig } from '../../src/config/store.js';
import { CliError } from '../../src/errors.js';
import { tempDir, testContext } from '../support/context.js';

function ctxWithXdg() {
  const xdg = tempDir('pikactl-xdg-');
  return testContext({ env: { XDG_CONFIG_HOME: xdg } });
}

describe('config store', () => {
  it('honours XDG_CONFIG_HOME, else ~/.config', () => {
    const ctx = testContext({ env: { XDG_CONFIG_HOME: '/x/y' } });
    expect(configPath(ctx)).toBe(join('/x/y', 'pikactl', 'config.json'));
    const home = testContext();
    expect(configPath(home)).toBe(join(home.homedir, '.config', 'pikactl', 'config.json'));
  });

  it('a missing file is an empty config; save + load round-trips', async () => {
    const ctx = ctxWithXdg();
    const first = await loadConfig(ctx);
    expect(first.exists).toBe(false);
    expect(Object.keys(first.config.contexts)).toEqual([]);
    const config = emptyConfig();
    config.contexts.prod = { servers: ['https://a:8080'], key_from: 'keychain', insecure: false };
    config.current_context = 'prod';
    const path = await saveConfig(ctx, config);
    expect(path).toBe(configPath(ctx));
    if (process.platform !== 'win32') expect(statSync(path).mode & 0o777).toBe(0o600);
    const again = await loadConfig(ctx);
    expect(again.exists).toBe(true);
    expect(again.config.current_context).toBe('prod');
    expect(again.config.contexts.prod).toEqual({ servers: ['https://a:8080'], key_from: 'keychain', insecure: false });
  });

  it('reads a file with a byte order mark; an empty file is malformed at 1:1', async () => {
    const ctx = ctxWithXdg();
    mkdirSync(join(ctx.env.XDG_CONFIG_HOME!, 'pikactl'), { recursive: true });
    writeFileSync(configPath(ctx), '\ufeff{"version":1,"contexts":{}}');
    expect((await loadConfig(ctx)).exists).toBe(true);
    writeFileSync(configPath(ctx), '');
    const err = await loadConfig(ctx).catch((e) => e);
    expect(err).toBeInstanceOf(CliError);
    expect(err.message).toContain(`${configPath(ctx)}:1:1:`);
  });

  it('a failed write leaves the old state and no temp file behind', async () => {
    const ctx = ctxWithXdg();
    const dir = join(ctx.env.XDG_CONFIG_HOME!, 'pikactl');
    // config.json as a non-empty directory: the final rename fails after the temp file was written.
    mkdirSync(join(dir, 'config.json', 'blocker'), { recursive: true });
    const config = emptyConfig();
    config.contexts.prod = { servers: ['https://a:8080'] };
    const err = await saveConfig(ctx, config).catch((e) => e);
    expect(err).toBeInstanceOf(CliError);
    expect(err.exitCode).toBe(1);
    expect(err.message).toContain('cannot write config file');
    expect(readdirSync(dir)).toEqual(['config.json']);
  });

  it('refuses to write a config that would not load back', async () => {
    const ctx = ctxWithXdg();
    const config = emptyConfig();
    config.contexts.prod = { servers: [] };
    await expect(saveConfig(ctx, config)).rejects.toThrow(/contexts\.prod\.servers/);
    expect(() => readFileSync(configPath(ctx))).toThrow();
  });
});
