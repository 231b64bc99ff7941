import { createHash } from 'node:crypto';
import { appendFileSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPlaybook } from '../../src/playbooks/engine.js';
import {
  assertNoSecret,
  createJournal,
  findUnfinishedJournal,
  journalDir,
  readJournal,
  reopenJournal,
  serverSlug,
  type JournalEntry,
} from '../../src/playbooks/journal.js';
import type { Step } from '../../src/playbooks/types.js';
import { Secret } from '../../src/secrets/secret.js';
import { tempDir, testContext } from '../support/context.js';
import { FakeConfirmer, SERVER } from './fixtures.js';

const PASSPHRASE = 'correct-horse-battery-staple-7781';
const SHA_HEX = createHash('sha256').update(PASSPHRASE).digest('hex');

describe('journal: no secret, by construction', () => {
  it('refuses a Secret instance in any field', async () => {
    const ctx = testContext();
    const j = await createJournal(ctx, { playbook: 'recover-rotation', server: SERVER.id });
    const secret = new Secret(PASSPHRASE, 'test');
    await expect(j.append({ step: 'x', state: 'done', note: secret as unknown as string })).rejects.toThrow(
      /refusing to record a secret/,
    );
    await expect(j.append({ step: secret as unknown as string, state: 'done' })).rejects.toThrow(
      /refusing to record a secret/,
    );
    expect(() => assertNoSecret({ note: secret })).toThrow(/refusing to record a secret \(field "note"\)/);
  });

  it('refuses anything that is not a plain string', () => {
    expect(() => assertNoSecret({ note: { key: 'x' } })).toThrow(/must be a plain string/);
    expect(() => assertNoSecret({ note: 42 })).toThrow(/must be a plain string/);
  });

  it('refuses text containing a guarded secret or its SHA-256 (the Pika key itself)', async () => {
    const ctx = testContext();
    const guard = [new Secret(PASSPHRASE, 'test')];
    const j = await createJournal(ctx, { playbook: 'recover-rotation', server: SERVER.id, guard });
    await expect(j.append({ step: 'x', state: 'failed', note: `server said ${PASSPHRASE}` })).rejects.toThrow(
      /contains a secret or its hash/,
    );
    await expect(j.append({ step: 'x', state: 'failed', note: `key ${SHA_HEX.toUpperCase()}` })).rejects.toThrow(
      /contains a secret or its hash/,
    );
    const b64 = createHash('sha256').update(PASSPHRASE).digest('base64');
    expect(() => assertNoSecret({ note: b64 }, guard)).toThrow();
    await j.append({ step: 'x', state: 'done', note: 'fine' });
    expect(readFileSync(j.path, 'utf8')).not.toContain(PASSPHRASE);
  });

  it('an engine run with a secret in play leaves neither the passphrase nor its sha256 in the file', async () => {
    const ctx = testContext();
    const key = new Secret(PASSPHRASE, 'file:/tmp/key');
    const journal = await createJournal(ctx, { playbook: 'recover-rotation', server: SERVER.id, guard: [key] });
    // A step whose error message echoes the key (a careless server or library): the note is withheld, the line kept.
    const leaky: Step<{ key: Secret }> = {
      id: 'unlock-new',
      title: 'unlock with the new key',
      explain: 'installs the new key',
      severity: 'normal',
      check: async () => 'pending',
      run: async (c) => {
        throw new Error(`rejected key ${c.key.reveal()} (sha ${SHA_HEX})`);
      },
      verify: async () => true,
    };
    await expect(
      runPlaybook(
        {
          name: 'recover-rotation',
          title: 'Recover',
          server: SERVER,
          steps: [leaky],
          state: { key },
          resumeCommand: 'pikactl recover-rotation',
        },
        { confirmer: new FakeConfirmer(), events: () => {}, journal, yes: true, planOnly: false },
      ),
    ).rejects.toThrow();
    const text = readFileSync(journal.path, 'utf8');
    expect(text).not.toContain(PASSPHRASE);
    expect(text.toLowerCase()).not.toContain(SHA_HEX);
    expect((await readJournal(journal.path)).at(-1)).toMatchObject({
      step: 'unlock-new',
      state: 'failed',
      note: '[note withheld: it matched a secret]',
    });
  });

  it('records have exactly the documented fields', async () => {
    const ctx = testContext();
    const j = await createJournal(ctx, {
      playbook: 'handover',
      server: SERVER.id,
      now: () => Date.UTC(2025, 0, 2, 3, 4, 5),
    });
    await j.append({ step: 'rotate', state: 'done' } satisfies JournalEntry);
    const [rec] = await readJournal(j.path);
    expect(rec).toEqual({
      ts: '2025-01-02T03:04:05.000Z',
      playbook: 'handover',
      server: SERVER.id,
      step: 'rotate',
      state: 'done',
      note: '',
    });
    expect(j.path).toMatch(/\/journals\/handover-pika\.example-8443-base-20250102T030405Z-[0-9a-f]{6}\.jsonl$/);
  });

  it('rejects unknown states and bad playbook names', async () => {
    const ctx = testContext();
    await expect(createJournal(ctx, { playbook: '../etc', server: SERVER.id })).rejects.toThrow(/bad playbook name/);
    const j = await createJournal(ctx, { playbook: 'handover', server: SERVER.id });
    await expect(j.append({ step: 'x', state: 'exploded' as never })).rejects.toThrow(/unknown state/);
  });
});

describe('journal: location and lookup', () => {
  it('honours XDG_STATE_HOME', async () => {
    const state = tempDir('pikactl-state-');
    const ctx = testContext({ env: { XDG_STATE_HOME: state } });
    expect(journalDir(ctx)).toBe(join(state, 'pikactl', 'journals'));
    const j = await createJournal(ctx, { playbook: 'handover', server: SERVER.id });
    await j.append({ step: '-', state: 'begin' });
    expect(readdirSync(join(state, 'pikactl', 'journals'))).toHaveLength(1);
  });

  it('slugs are filename-safe', () => {
    expect(serverSlug('https://Pika.Example:8443/a/b')).toBe('pika.example-8443-a-b');
    expect(serverSlug('http://[::1]:8080')).toBe('1-8080');
  });

  it('finds the newest unfinished run of this playbook on this server only', async () => {
    const ctx = testContext();
    let t = Date.UTC(2025, 0, 1);
    const mk = async (server: string, playbook = 'recover-rotation') => {
      t += 60_000;
      const now = t;
      return createJournal(ctx, { playbook, server, now: () => now });
    };
    expect(await findUnfinishedJournal(ctx, 'recover-rotation', SERVER.id)).toBeNull();

    const old = await mk(SERVER.id);
    await old.append({ step: '-', state: 'begin' });
    await old.append({ step: 'lock', state: 'failed' });
    const other = await mk('https://pika.example:8443/base-2'); // slug starts with ours
    await other.append({ step: '-', state: 'begin' });
    const handover = await mk(SERVER.id, 'handover');
    await handover.append({ step: '-', state: 'begin' });
    expect(await findUnfinishedJournal(ctx, 'recover-rotation', SERVER.id)).toMatchObject({
      id: old.id,
      last: { step: 'lock', state: 'failed' },
    });

    const newer = await mk(SERVER.id);
    await newer.append({ step: '-', state: 'begin' });
    await newer.append({ step: 'unlock', state: 'started' });
    appendFileSync(newer.path, '{"ts":"2025-'); // torn line from a crash
    expect(await findUnfinishedJournal(ctx, 'recover-rotation', SERVER.id)).toMatchObject({
      id: newer.id,
      last: { step: 'unlock', state: 'started' },
    });

    // The resumed run's first line starts on a fresh line, so the torn one cannot swallow it.
    const resumed = await reopenJournal(ctx, (await findUnfinishedJournal(ctx, 'recover-rotation', SERVER.id))!, {
      playbook: 'recover-rotation',
      server: SERVER.id,
    });
    await resumed.append({ step: '-', state: 'finished' });
    expect((await readJournal(newer.path)).map((r) => r.state)).toEqual(['begin', 'started', 'finished']);
    expect(await findUnfinishedJournal(ctx, 'recover-rotation', SERVER.id)).toBeNull();
  });
});
