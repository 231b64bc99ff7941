import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliError, ExitCode } from '../../src/errors.js';
import {
  addStep,
  defaultRecordPath,
  markdownPath,
  newRecord,
  readRecord,
  writeRecord,
  type HandoverRecord,
} from '../../src/handover/record.js';
import { renderChecklist } from '../../src/handover/render.js';
import { Secret } from '../../src/secrets/secret.js';

const T = (min: number) => new Date(Date.UTC(2025, 2, 1, 9, min)).toISOString();
const SERVER = 'https://pika.example:8443/base';

function started(): HandoverRecord {
  const r = newRecord(SERVER, 'alice', T(0));
  addStep(r, 'server-checked', 'alice', T(1), 'unlocked, settings open');
  addStep(r, 'rotated', 'alice', T(2), 'verified: status unlocked, settings open, the verifier accepts the new key');
  addStep(r, 'key-saved', 'alice', T(2), 'confirmed saved in the password manager');
  return r;
}

function finished(): HandoverRecord {
  const r = started();
  addStep(r, 'restart-seen', 'bob', T(30), 'the server came back locked');
  addStep(r, 'unlocked', 'bob', T(31), 'the server accepted the key received from the outgoing operator');
  addStep(r, 'settings-readable', 'bob', T(31), 'the sealed settings open');
  Object.assign(r, { state: 'accepted', incoming: { operator: 'bob' }, accepted_at: T(32) });
  addStep(r, 'accept-confirmed', 'alice', T(50), 'accepted by bob on 2025-03-01 (unlock and settings check recorded)');
  addStep(r, 'old-key-retired', 'alice', T(50), `deleted server-key-previous:${SERVER}`);
  addStep(r, 'password-manager-reminded', 'alice', T(50), 'reminder shown');
  addStep(r, 'closed', 'alice', T(51), 'handover complete');
  return Object.assign(r, { state: 'finished', finished_at: T(51) });
}

describe('handover checklist', () => {
  it('renders a started handover (snapshot, fixed times)', () => {
    expect(renderChecklist(started(), '/x/handover-pika.example-2025-03-01.json')).toMatchSnapshot();
  });
  it('renders a finished handover (snapshot, fixed times)', () => {
    const md = renderChecklist(finished(), '/x/handover-pika.example-2025-03-01.json');
    expect(md).toMatchSnapshot();
    expect(md).not.toContain('- [ ]');
  });
});

describe('handover record files', () => {
  const dir = () => mkdtempSync(join(tmpdir(), 'pikactl-record-'));

  it('names the file after the host and the UTC date, the checklist beside it', () => {
    expect(defaultRecordPath('/w', 'Pika.Example', Date.UTC(2025, 2, 1, 23, 59))).toBe(
      '/w/handover-pika.example-2025-03-01.json',
    );
    expect(markdownPath('/w/h.json')).toBe('/w/h.md');
    expect(markdownPath('/w/h')).toBe('/w/h.md');
  });

  it('writes JSON and Markdown atomically (no temp files left) and reads them back', async () => {
    const d = dir();
    const path = join(d, 'h.json');
    await writeRecord(path, started(), [new Secret('some-key-value-1', 'test')]);
    expect(readdirSync(d).sort()).toEqual(['h.json', 'h.md']);
    expect(await readRecord(path)).toEqual(started());
    expect(readFileSync(join(d, 'h.md'), 'utf8')).toBe(renderChecklist(started(), path));
  });

  it('refuses to write a record that contains a guarded secret or its SHA-256', async () => {
    const d = dir();
    const key = new Secret('the-secret-passphrase', 'test');
    const r = started();
    r.outgoing.operator = 'alice the-secret-passphrase';
    await expect(writeRecord(join(d, 'h.json'), r, [key])).rejects.toThrow(/refusing/);
    const hashed = started();
    hashed.steps[0].note = (await import('node:crypto'))
      .createHash('sha256')
      .update('the-secret-passphrase')
      .digest('hex');
    await expect(writeRecord(join(d, 'h.json'), hashed, [key])).rejects.toThrow(/refusing/);
    expect(readdirSync(d)).toEqual([]);
  });

  it('a missing, foreign or damaged file is a usage error (exit 2)', async () => {
    const d = dir();
    for (const [name, text] of [
      ['a.json', undefined],
      ['b.json', '{"kind":"other"}'],
      ['c.json', 'not json'],
      ['d.json', '{"kind":"pikactl-handover","version":2}'],
    ] as const) {
      if (text !== undefined) writeFileSync(join(d, name), text);
      const err = await readRecord(join(d, name)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CliError);
      expect((err as CliError).exitCode).toBe(ExitCode.USAGE);
    }
  });
});
