import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseServerUrl } from '../../src/api/url.js';
import { keychainAccount } from '../../src/keychain/accounts.js';
import { MemoryKeychain, runCli, tempDir, testContext, type TestContextOptions } from '../support/context.js';
import { adminEnv, startTestSandbox, TEST_ADMIN, type TestSandbox } from '../support/sandbox.js';
import { handoverStartArgs } from '../support/handover.js';

const KEY = 'correct-horse-battery-staple-1';
const NEW_KEY = 'tr0ub4dor-and-3-more-words-2';
const BOB = { username: 'bob', password: 'bob-password-for-tests', superadmin: true };

/** Alice, the outgoing operator: her own HOME, her own keychain holding the live key. */
function alice(sb: TestSandbox, kc: MemoryKeychain, home: string): TestContextOptions {
  return {
    home,
    keychain: kc,
    env: adminEnv(sb, { NEW_KEY, USER: 'alice' }),
  };
}
/** Bob, the incoming operator: another HOME and keychain, no server configured (the record names it). */
function bob(kc: MemoryKeychain, home: string, extra: Record<string, string> = {}): TestContextOptions {
  return {
    home,
    keychain: kc,
    env: {
      PIKA_USER: BOB.username,
      PIKA_PASSWORD_FROM: 'env:PW',
      PW: BOB.password,
      NEW_KEY,
      KEY,
      USER: 'bob',
      ...extra,
    },
  };
}

async function initialized(faults: string[] = []): Promise<TestSandbox> {
  const sb = await startTestSandbox({ users: [{ ...TEST_ADMIN }, BOB], faults });
  const r = await runCli(['init', '--key-from', 'env:KEY', '--confirm-saved'], {
    env: adminEnv(sb, { KEY }),
  });
  expect(r.code, r.stderr).toBe(0);
  return sb;
}

function expectNoSecret(text: string): void {
  for (const s of [KEY, NEW_KEY, TEST_ADMIN.password, BOB.password]) {
    const d = createHash('sha256').update(s).digest();
    for (const form of [s, d.toString('hex'), d.toString('base64')]) expect(text).not.toContain(form);
  }
}

const records = (dir: string) => readdirSync(dir).filter((n) => /^handover-.*\.json$/.test(n));
const load = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

describe('handover across two HOMEs with a restart in between', () => {
  it('start (outgoing) → accept (incoming, waits for the restart) → finish (outgoing), refusing every step out of order', async () => {
    const sb = await initialized();
    const homeA = tempDir('pikactl-alice-');
    const homeB = tempDir('pikactl-bob-');
    const kcA = new MemoryKeychain();
    const kcB = new MemoryKeychain();
    const server = parseServerUrl(sb.url);
    kcA.entries.set(keychainAccount('server-key', server), KEY);

    // Outgoing: the current key comes from her keychain, the new one from her password manager (env here).
    const start = await runCli(
      handoverStartArgs({ currentKeyFrom: null, record: null, saveToKeychain: true }),
      alice(sb, kcA, homeA),
    );
    expect(start.code, start.stderr).toBe(0);
    expect(start.stdout).toContain('pikactl handover accept --record');
    const [name] = records(homeA);
    expect(name).toMatch(/^handover-127\.0\.0\.1-\d{4}-\d{2}-\d{2}\.json$/);
    const fileA = join(homeA, name);
    expect(existsSync(fileA.replace(/\.json$/, '.md'))).toBe(true);
    expect(load(fileA)).toMatchObject({
      kind: 'pikactl-handover',
      server: server.id,
      state: 'started',
      outgoing: { operator: 'alice' },
    });
    expect(kcA.entries.get(keychainAccount('server-key', server))).toBe(NEW_KEY);
    expect(kcA.entries.get(keychainAccount('server-key-previous', server))).toBe(KEY);
    expect(kcA.entries.has(keychainAccount('server-key-pending', server))).toBe(false);

    // Out of order: a second start on the same record, and finish before accept.
    const again = await runCli(handoverStartArgs({ currentKeyFrom: null, record: null }), alice(sb, kcA, homeA));
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already exists');
    const early = await runCli(['handover', 'finish', '--record', name, '--yes'], alice(sb, kcA, homeA));
    expect(early.code).toBe(2);
    expect(early.stderr).toMatch(/not accepted this handover yet[\s\S]*pikactl handover accept --record/);

    // The record travels to Bob's machine; the key travels separately (NEW_KEY in his env).
    const fileB = join(homeB, name);
    copyFileSync(fileA, fileB);
    const pending = runCli(
      [
        'handover',
        'accept',
        '--record',
        name,
        '--server',
        sb.url,
        '--key-from',
        'env:NEW_KEY',
        '--wait',
        '20s',
        '--save-to-keychain',
      ],
      bob(kcB, homeB),
    );
    await new Promise((r) => setTimeout(r, 400));
    const sb2 = await sb.restart({ port: sb.port }); // the restart cycle Bob waits for
    const accept = await pending;
    expect(accept.code, accept.stderr).toBe(0);
    expect(accept.stdout).toContain('pikactl handover finish --record');
    expect(load(fileB)).toMatchObject({ state: 'accepted', incoming: { operator: 'bob' } });
    expect(load(fileB).steps.find((s: { id: string }) => s.id === 'restart-seen').note).toBe(
      'the server came back locked',
    );
    expect(load(fileB).steps.map((s: { id: string }) => s.id)).toEqual(
      expect.arrayContaining(['restart-seen', 'unlocked', 'settings-readable', 'keychain-saved']),
    );
    expect(kcB.entries.get(keychainAccount('server-key', server))).toBe(NEW_KEY);
    expect((await runCli(['status', '--json'], { env: { PIKA_SERVER: sb2.url } })).json().state).toBe('unlocked');

    // Accepting twice is refused.
    const twice = await runCli(['handover', 'accept', '--record', name, '--no-wait-restart'], bob(kcB, homeB));
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('pikactl handover finish');

    // Back to Alice: finish retires her old key.
    copyFileSync(fileB, fileA);
    const finish = await runCli(['handover', 'finish', '--record', name, '--yes'], alice(sb2, kcA, homeA));
    expect(finish.code, finish.stderr).toBe(0);
    expect(finish.stdout).toContain('password manager');
    expect(kcA.entries.has(keychainAccount('server-key-previous', server))).toBe(false);
    const closed = load(fileA);
    expect(closed.state).toBe('finished');
    const md = readFileSync(fileA.replace(/\.json$/, '.md'), 'utf8');
    expect(md).not.toContain('- [ ]');
    expect(md).toContain('**Next:** Nothing: the handover is complete.');
    for (const text of [
      readFileSync(fileA, 'utf8'),
      md,
      readFileSync(fileB, 'utf8'),
      start.stdout,
      accept.stdout,
      finish.stdout,
    ])
      expectNoSecret(text);

    const late = await runCli(['handover', 'finish', '--record', name, '--yes'], alice(sb2, kcA, homeA));
    expect(late.code).toBe(2);
    expect(late.stderr).toContain('already closed');
  });
});

describe('handover: refusals and failures', () => {
  it('accept with the wrong key exits 5 and leaves the record as it was', async () => {
    const sb = await initialized();
    const home = tempDir('pikactl-alice-');
    const s = await runCli(handoverStartArgs({}, '--json'), {
      ...alice(sb, new MemoryKeychain(), home),
      env: { ...alice(sb, new MemoryKeychain(), home).env, KEY },
    });
    expect(s.code, s.stderr).toBe(0);
    expect(s.json()).toMatchObject({
      ok: true,
      state: 'started',
      record: join(home, 'h.json'),
      checklist: join(home, 'h.md'),
    });
    const before = readFileSync(join(home, 'h.json'), 'utf8');
    const homeB = tempDir('pikactl-bob-');
    copyFileSync(join(home, 'h.json'), join(homeB, 'h.json'));
    const r = await runCli(
      ['handover', 'accept', '--record', 'h.json', '--server', sb.url, '--key-from', 'env:KEY', '--no-wait-restart'],
      bob(new MemoryKeychain(), homeB),
    );
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('Do not retire anything');
    expect(readFileSync(join(homeB, 'h.json'), 'utf8')).toBe(before);
    // --no-wait-restart on a server that is up: the right key re-verifies (idempotent unlock).
    const ok = await runCli(
      [
        'handover',
        'accept',
        '--record',
        'h.json',
        '--server',
        sb.url,
        '--key-from',
        'env:NEW_KEY',
        '--no-wait-restart',
      ],
      bob(new MemoryKeychain(), homeB),
    );
    expect(ok.code, ok.stderr).toBe(0);
    expect(load(join(homeB, 'h.json')).steps.find((x: { id: string }) => x.id === 'restart-seen').note).toContain(
      '--no-wait-restart',
    );
  });

  it("accept refuses a --server other than the record's, and a file that is not a record", async () => {
    const sb = await initialized();
    const home = tempDir('pikactl-bob-');
    writeFileSync(
      join(home, 'h.json'),
      JSON.stringify({
        kind: 'pikactl-handover',
        version: 1,
        server: sb.url,
        state: 'started',
        outgoing: { operator: 'a' },
        started_at: new Date().toISOString(),
        steps: [],
      }),
    );
    const other = await runCli(
      ['handover', 'accept', '--record', 'h.json', '--server', 'http://127.0.0.1:9', '--no-wait-restart'],
      bob(new MemoryKeychain(), home),
    );
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('the record is for');
    writeFileSync(join(home, 'x.json'), '{"hello": 1}');
    const foreign = await runCli(['handover', 'accept', '--record', 'x.json'], bob(new MemoryKeychain(), home));
    expect(foreign.code).toBe(2);
    expect(foreign.stderr).toContain('not a pikactl handover record');
  });

  it('start on a locked server exits 3 and writes no record', async () => {
    const sb = await initialized();
    const sb2 = await sb.restart({ port: sb.port });
    const home = tempDir('pikactl-alice-');
    const r = await runCli(
      handoverStartArgs({ currentKeyFrom: null, record: null }),
      alice(sb2, new MemoryKeychain(), home),
    );
    expect(r.code).toBe(3);
    expect(records(home)).toEqual([]);
  });

  it('a rotation that fails half way exits 8, writes a record marked "may be half done", and leaves the new key pending for recover-rotation', async () => {
    const sb = await initialized(['rotate-write']);
    const home = tempDir('pikactl-alice-');
    const kc = new MemoryKeychain();
    const server = parseServerUrl(sb.url);
    kc.entries.set(keychainAccount('server-key', server), KEY);
    const r = await runCli(
      handoverStartArgs({ currentKeyFrom: null, record: null, saveToKeychain: true }),
      alice(sb, kc, home),
    );
    expect(r.code).toBe(8);
    expect(r.stderr).toContain('pikactl recover-rotation');
    const [name] = records(home);
    expect(load(join(home, name))).toMatchObject({
      state: 'started',
      rotation_may_be_half_done: { why: expect.stringContaining('HTTP 500') },
    });
    expect(kc.entries.get(keychainAccount('server-key-pending', server))).toBe(NEW_KEY);
    // recover-rotation finds both keys in the keychain by itself.
    const rec = await runCli(['recover-rotation', '--yes'], alice(sb, kc, home));
    expect(rec.code, rec.stderr).toBe(0);
  });

  it('without a terminal, start needs --confirm-saved (exit 2) and rotates nothing', async () => {
    const sb = await initialized();
    const home = tempDir('pikactl-alice-');
    const ctx = testContext({
      ...alice(sb, new MemoryKeychain(), home),
      env: { ...alice(sb, new MemoryKeychain(), home).env, KEY },
    });
    const r = await runCli(handoverStartArgs({ confirmSaved: false, record: null }), ctx);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--confirm-saved');
    expect(records(home)).toEqual([]);
  });

  it('start refuses, before rotating, a record location it cannot write or a foreign file already there', async () => {
    const sb = await initialized();
    const home = tempDir('pikactl-alice-');
    const env = { ...alice(sb, new MemoryKeychain(), home).env, KEY };
    const unwritable = await runCli(handoverStartArgs({ record: join(home, 'no-such-folder', 'handover.json') }), {
      home,
      env,
    });
    expect(unwritable.code).toBe(2);
    expect(unwritable.stderr).toContain('Nothing was changed');
    const foreign = join(home, 'notes.json');
    writeFileSync(foreign, 'my own notes, not a record\n');
    const clash = await runCli(handoverStartArgs({ record: foreign }), { home, env });
    expect(clash.code).not.toBe(0);
    expect(readFileSync(foreign, 'utf8')).toBe('my own notes, not a record\n');
    // Neither attempt rotated: the old key still unlocks after a restart.
    const sb2 = await sb.restart();
    const unlock = await runCli(['unlock', '--key-from', 'env:KEY'], { env: { ...env, PIKA_SERVER: sb2.url } });
    expect(unlock.code, unlock.stderr).toBe(0);
  });
});
