import { describe, expect, it, vi } from 'vitest';

/** Fresh copies of the modules: a run that owns the process leaves its redactor set for good. */
async function fresh() {
  vi.resetModules();
  const redact = await import('../../src/secrets/redact.js');
  const { Secret } = await import('../../src/secrets/secret.js');
  const { serverText } = await import('../../src/output/server-text.js');
  return { ...redact, Secret, serverText };
}

describe('withRedactor: the run that owns the process (bin/pikactl.js)', () => {
  it('redacts its secrets in every later continuation, none of them inside an async scope', async () => {
    const { Redactor, withRedactor, Secret, serverText } = await fresh();
    await withRedactor(
      new Redactor(),
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        new Secret('owned-secret-value', 'test');
      },
      { ownsProcess: true },
    );
    // A timer set outside the run: an AsyncLocalStorage scope would not reach it.
    const later = await new Promise<string>((resolve) =>
      setImmediate(() => resolve(serverText('x owned-secret-value y'))),
    );
    expect(later).toBe('x [redacted] y');
  });

  it('refuses a second run that claims the process, rather than mixing their secrets', async () => {
    const { Redactor, withRedactor } = await fresh();
    withRedactor(new Redactor(), () => undefined, { ownsProcess: true });
    expect(() => withRedactor(new Redactor(), () => undefined, { ownsProcess: true })).toThrow(/second run/);
  });

  it('other runs keep their own scope', async () => {
    const { Redactor, withRedactor, Secret, serverText } = await fresh();
    await withRedactor(new Redactor(), async () => new Secret('scoped-secret-value', 'test'));
    expect(serverText('scoped-secret-value')).toBe('scoped-secret-value');
  });
});
