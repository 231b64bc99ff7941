import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

/**
 * src/transport/undici-parts.ts loads undici's own files (lib/...), not its public index,
 * to save start-up time. Those paths are undici's internal layout, which may change in any
 * release: this test names what broke when it does, instead of a "Cannot find module" deep
 * inside a command. It reads the paths from undici-parts.ts itself, so a new internal path
 * added there without a check here fails too.
 */
const require = createRequire(import.meta.url);
const FIX = "undici's internal layout changed: update src/transport/undici-parts.ts";
const partsSource = readFileSync(new URL('../../src/transport/undici-parts.ts', import.meta.url), 'utf8');
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  dependencies: Record<string, string>;
};

type Kind = 'dispatcher class' | 'function';
/** Each internal path pikactl loads, and what pikactl uses it as. */
const EXPECTED: Record<string, Kind> = {
  'undici/lib/dispatcher/agent.js': 'dispatcher class',
  'undici/lib/dispatcher/pool.js': 'dispatcher class',
  'undici/lib/dispatcher/proxy-agent.js': 'dispatcher class',
  'undici/lib/core/connect.js': 'function',
  'undici/lib/api/api-request.js': 'function',
  'undici/lib/api/api-connect.js': 'function',
};

/** What a path exports, or the reason it cannot be loaded, in words. */
function load(path: string): unknown {
  try {
    return require(path) as unknown;
  } catch (err) {
    throw new Error(`${FIX}: ${path} cannot be loaded (${(err as Error).message.split('\n')[0]})`);
  }
}

describe("undici's internal files used by src/transport/undici-parts.ts", () => {
  it('are exactly the ones checked here', () => {
    const used = [...partsSource.matchAll(/require\('(undici\/[^']+)'\)/g)].map((m) => m[1]).sort();
    expect(used, `undici-parts.ts loads internal paths this test does not check: add them to EXPECTED`).toEqual(
      Object.keys(EXPECTED).sort(),
    );
  });

  it('are loaded from the exact version package.json pins (no range: any upgrade is a reviewed change)', () => {
    const pinned = pkg.dependencies.undici;
    expect(pinned, 'package.json must pin undici to one exact version').toMatch(/^\d+\.\d+\.\d+$/);
    const installed = (require('undici/package.json') as { version: string }).version;
    expect(installed, `installed undici ${installed} is not the pinned ${pinned}: run npm ci`).toBe(pinned);
  });

  for (const [path, kind] of Object.entries(EXPECTED)) {
    it(`${path} still exports the ${kind} pikactl uses`, () => {
      const exported = load(path);
      expect(typeof exported, `${FIX}: ${path} no longer exports a ${kind}`).toBe('function');
      if (kind === 'dispatcher class') {
        // What agent.ts, proxy-tunnel.ts and the API client call on the dispatchers they build.
        const proto = (exported as { prototype?: Record<string, unknown> }).prototype ?? {};
        for (const method of ['dispatch', 'close', 'destroy']) {
          expect(typeof proto[method], `${FIX}: ${path} no longer has ${method}()`).toBe('function');
        }
      }
    });
  }

  it('the parts work together: a connector from lib/core/connect.js builds an Agent from lib/dispatcher/agent.js', async () => {
    const Agent = load('undici/lib/dispatcher/agent.js') as new (opts: object) => { close(): Promise<void> };
    const buildConnector = load('undici/lib/core/connect.js') as (opts: object) => unknown;
    const connect = buildConnector({ timeout: 1000 });
    expect(typeof connect, `${FIX}: buildConnector() no longer returns a connect function`).toBe('function');
    const agent = new Agent({ connect });
    await agent.close();
  });
});
