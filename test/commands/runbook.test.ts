import { describe, expect, it } from 'vitest';
import { runCli } from '../support/context.js';
import { RUNBOOKS } from '../../src/runbooks/index.js';
import { wrap } from '../../src/output/runbook.js';

const NAMES = [
  'first-start',
  'unlock-after-restart',
  'status',
  'rotation',
  'partial-rotation-recovery',
  'manual-lock',
  'lost-key-no-backup',
  'lost-key-with-backup',
  'operator-handover',
];

/** The command names the rest of pikactl provides (or will); a runbook must not invent others. */
const KNOWN_COMMANDS =
  /^pikactl (status|init|unlock|lock|rotate|recover-rotation|handover (start|accept|finish)|keychain set|login|sandbox|backup (export|inspect|restore)|recover-from-backup)\b/;

describe('pikactl runbook list', () => {
  it('lists every documented scenario', async () => {
    const r = await runCli(['runbook', 'list']);
    expect(r.code).toBe(0);
    for (const n of NAMES) expect(r.stdout).toMatch(new RegExp(`^  ${n} `, 'm'));
    expect(r.stderr).toBe('');
  });

  it('is the default subcommand', async () => {
    const r = await runCli(['runbook']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('partial-rotation-recovery');
  });

  it('--json gives names, titles and summaries', async () => {
    const r = await runCli(['runbook', 'list', '--json']);
    expect(r.code).toBe(0);
    const doc = r.json();
    expect(doc.ok).toBe(true);
    expect(doc.runbooks.map((x: { name: string }) => x.name)).toEqual(NAMES);
    for (const x of doc.runbooks) expect(Object.keys(x).sort()).toEqual(['name', 'summary', 'title']);
  });
});

describe('pikactl runbook show', () => {
  it('renders a runbook (snapshot)', async () => {
    const r = await runCli(['runbook', 'show', 'partial-rotation-recovery']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatchSnapshot();
  });

  it.each(NAMES)('%s ends with pikactl commands that exist', async (name) => {
    const r = await runCli(['runbook', 'show', name]);
    expect(r.code).toBe(0);
    const tail = r.stdout.slice(r.stdout.indexOf('With pikactl'));
    const cmds = [...tail.matchAll(/^\s+\$ (.*)$/gm)].map((m) => m[1]);
    expect(cmds.length).toBeGreaterThan(0);
    for (const c of cmds) expect(c).toMatch(KNOWN_COMMANDS);
    for (const line of r.stdout.split('\n'))
      if (!line.includes('$ pikactl')) expect(line.length).toBeLessThanOrEqual(78);
  });

  it('says where the upstream guide and the code disagree', async () => {
    const text = (await Promise.all(NAMES.map((n) => runCli(['runbook', 'show', n])))).map((r) => r.stdout).join('\n');
    // shared/pika-api.md §14, each said plainly somewhere.
    expect(text).toMatch(/never gives a token settings\.manage/);
    expect(text).toMatch(/\/login\/pass\/<strategy>/);
    expect(text).toMatch(/only key\/status and key\/unlock pass the lock gate/);
    expect(text).toMatch(/rejected with 400 by the current code/);
    expect(text).toMatch(/going back to the OLD key/);
    expect(text).toMatch(/redirects \(307\)/);
    expect(text).toMatch(/forwarded to the leader/);
  });

  it('--json gives the whole runbook', async () => {
    const r = await runCli(['runbook', 'show', 'rotation', '--json']);
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({
      ok: true,
      runbook: { name: 'rotation', steps: expect.any(Array), commands: expect.any(Array) },
    });
  });

  it('an unknown name is a usage error listing the names (exit 2)', async () => {
    const r = await runCli(['runbook', 'show', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no runbook named "nope"');
    expect(r.stderr).toContain(`Known runbooks: ${NAMES.join(', ')}.`);
  });

  it('an unknown name with --json is one JSON error document', async () => {
    const r = await runCli(['--json', 'runbook', 'show', 'nope']);
    expect(r.code).toBe(2);
    expect(r.json()).toMatchObject({
      ok: false,
      exit_code: 2,
      error: { code: 'usage', hint: expect.stringContaining('first-start') },
    });
  });
});

describe('runbook content', () => {
  it("does not copy the upstream guide's sentences", () => {
    // A few distinctive upstream sentences; our text must not contain them.
    const upstream = [
      'Save it in your password manager BEFORE clicking Enable',
      'there is no recovery path',
      'The verifier accepts the new key, and the re-write step runs again',
      'Any secret slot that decrypts as garbage was lost in the half-rotation',
      'Encrypted columns are unrecoverable',
      "Outgoing operator's password manager entry for the old key can be deleted",
    ];
    const all = JSON.stringify(RUNBOOKS).toLowerCase();
    for (const s of upstream) expect(all).not.toContain(s.toLowerCase());
  });

  it('wrap keeps words whole and lines within the width', () => {
    const out = wrap('aaa bbb ccc ddd', '> ', '  ', 9);
    expect(out).toBe('> aaa bbb\n  ccc ddd');
  });
});
