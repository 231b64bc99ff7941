import { describe, expect, it } from 'vitest';
import { runCli, type ScriptedAnswer } from '../support/context.js';
import { adminEnv, startTestSandbox, type TestSandbox } from '../support/sandbox.js';

const KEY = 'confirmations-key-violet-harbor-42';

async function initialized(): Promise<TestSandbox> {
  const sb = await startTestSandbox();
  const r = await runCli(['init', '--key-from', 'env:KEY', '--confirm-saved'], {
    env: adminEnv(sb, { KEY }),
  });
  expect(r.code, r.stderr).toBe(0);
  return sb;
}

/** init on a terminal, key typed twice, then these answers at Type "saved". */
async function initAnswering(saved: string[]) {
  const sb = await startTestSandbox();
  const answers: ScriptedAnswer[] = [
    { match: /new server key:/i, answer: KEY },
    { match: /again/i, answer: KEY },
    ...saved.map((answer) => ({ match: /Type "saved"/, answer })),
  ];
  const r = await runCli(['init'], {
    tty: true,
    env: adminEnv(sb),
    answers,
  });
  const status = await runCli(['status', '--json'], { env: { PIKA_SERVER: sb.url } });
  return { r, state: status.json().state as string };
}

describe('a deliberate No is not an error', () => {
  it('No to lock: a plain line, exit 130 with code declined, nothing locked', async () => {
    const sb = await initialized();
    const env = adminEnv(sb);
    const r = await runCli(['lock'], { tty: true, env, answers: [{ match: /^Lock /, answer: false }] });
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('Answered No: did not lock the server.');
    expect(r.stderr).not.toContain('Error:');
    const json = await runCli(['lock', '--json'], { tty: true, env, answers: [{ match: /^Lock /, answer: false }] });
    expect(json.code).toBe(130);
    expect(json.json()).toMatchObject({ ok: false, error: { code: 'declined' } });
    const status = await runCli(['status', '--json'], { env: { PIKA_SERVER: sb.url } });
    expect(status.json().state).toBe('unlocked');
  });
});

describe('Type "saved"', () => {
  it('"yes" asks again instead of aborting; "saved" then applies the key', async () => {
    const { r, state } = await initAnswering(['yes', 'saved']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('That is not "saved". Type the word saved (2 tries left');
    expect(r.stderr).not.toContain('yes');
    expect(r.io.prompts.asked.filter((m) => m.startsWith('Type "saved"'))).toHaveLength(2);
    expect(state).toBe('unlocked');
  });

  it('a key pasted at the prompt is named as such (wiped from the screen), never repeated, and asked again', async () => {
    const { r, state } = await initAnswering([KEY, ' saved ']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('That was a key, not the word "saved": it has been cleared from the screen.');
    expect(r.stderr).not.toContain(KEY);
    expect(state).toBe('unlocked');
  });

  it('is asked a bounded number of times, then nothing is applied (exit 130, declined)', async () => {
    const { r, state } = await initAnswering(['y', 'yes', 'ok']);
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('Not confirmed after 3 answers: did not apply the new key.');
    expect(r.stderr).not.toContain('Error:');
    expect(r.io.prompts.remaining()).toBe(0);
    expect(state).toBe('off');
  });
});
