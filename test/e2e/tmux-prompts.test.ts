import { describe, expect, it } from 'vitest';
import { runBin } from '../support/spawn.js';
import { adminEnv, startTestSandbox, type TestSandbox } from '../support/sandbox.js';
import { halfRotatedSandbox } from '../support/half-rotation.js';
import { fileLoginEnv, hasTmux, tmuxPikactl } from '../support/tmux.js';

const KEY = 'ctrl-d-at-the-prompt-violet-harbor-42';

/** A sandbox whose log tells how many sessions were opened and ended. */
async function countingSandbox(): Promise<{ sb: TestSandbox; logins: () => number; logouts: () => number }> {
  const lines: string[] = [];
  const sb = await startTestSandbox({ logger: (l) => lines.push(l) });
  return {
    sb,
    logins: () => lines.filter((l) => /^login: admin signed in/.test(l)).length,
    logouts: () => lines.filter((l) => /^POST \/logout -> 2\d\d/.test(l)).length,
  };
}

async function initialize(sb: TestSandbox): Promise<void> {
  const r = await runBin(['init', '--key-from', 'env:KEY', '--confirm-saved'], {
    env: adminEnv(sb, { KEY }),
  });
  expect(r.code, r.stderr).toBe(0);
}

type Pane = ReturnType<typeof tmuxPikactl>;

/**
 * `unlock` in tmux against an initialized sandbox restarted locked, waiting at its key
 * prompt; `loggedOut()` checks that the run logged in once and logged that session out.
 */
async function atUnlockKeyPrompt(): Promise<{ t: Pane; loggedOut: () => void }> {
  const { sb: first, logins, logouts } = await countingSandbox();
  await initialize(first);
  const sb = await first.restart();
  const before = { in: logins(), out: logouts() };
  const t = tmuxPikactl(['unlock'], fileLoginEnv(sb));
  await t.waitFor(/Server key/i);
  const loggedOut = () => {
    expect(logins() - before.in).toBe(1);
    expect(logouts() - before.out).toBe(1);
  };
  return { t, loggedOut };
}

/** Ctrl-D at the prompt on screen: a cancel (exit 130, said so); the pane at the end. */
async function ctrlD(t: Pane): Promise<string> {
  t.keys('C-d');
  const pane = await t.waitFor(/EXIT=\d+/);
  expect(pane).toContain('EXIT=130');
  expect(pane).toContain('cancelled at the prompt');
  return pane;
}

/**
 * `secret` pasted at the prompt on screen: wiped and named (`named`), the prompt asked again
 * (`again`), then `answer` typed there. The pane at the end, which never shows the secret.
 */
async function pasteThenAnswer(t: Pane, secret: string, named: RegExp, again: RegExp, answer: string): Promise<string> {
  t.keys(secret, true);
  t.keys('Enter');
  const asked = await t.waitFor(named);
  expect(asked).not.toContain(secret);
  await t.waitFor(again);
  t.keys(answer, true);
  t.keys('Enter');
  const pane = await t.waitFor(/EXIT=\d+/);
  expect(pane).not.toContain(secret);
  return pane;
}

/**
 * Ctrl-D at a prompt is a cancel: exit 130 and "cancelled at the prompt", never exit 0 having
 * done nothing; whatever the invocation logged in is logged out on the server.
 */
describe.runIf(hasTmux)('Ctrl-D (end of input) at every prompt, in a real terminal', () => {
  it('at the unlock key prompt: exit 130, and the inline login is logged out', async () => {
    const { t, loggedOut } = await atUnlockKeyPrompt();
    await ctrlD(t);
    loggedOut();
  });

  it('at the login password prompt: exit 130', async () => {
    const { sb: first } = await countingSandbox();
    await initialize(first);
    const sb = await first.restart();
    const t = tmuxPikactl(['unlock', '--key-from', 'env:KEY'], { PIKA_SERVER: sb.url, PIKA_USER: 'admin', KEY });
    await t.waitFor(/password for admin/i);
    await ctrlD(t);
  });

  it('at the y/N of lock: exit 130, the server stays unlocked', async () => {
    const { sb, logins, logouts } = await countingSandbox();
    await initialize(sb);
    const t = tmuxPikactl(['lock'], fileLoginEnv(sb));
    await t.waitFor(/Lock .*\?/);
    await ctrlD(t);
    expect(logouts()).toBe(logins());
    const status = await runBin(['status', '--json'], { env: { PIKA_SERVER: sb.url } });
    expect(JSON.parse(status.stdout)).toMatchObject({ state: 'unlocked' });
  });

  it('at Type "saved" of init: exit 130, nothing initialized, the login logged out', async () => {
    const { sb, logins, logouts } = await countingSandbox();
    const t = tmuxPikactl(['init', '--key-from', 'env:KEY'], { ...fileLoginEnv(sb), KEY });
    await t.waitFor(/Type "saved"/);
    await ctrlD(t);
    expect(logins()).toBe(1);
    expect(logouts()).toBe(1);
    const status = await runBin(['status', '--json'], { env: { PIKA_SERVER: sb.url } });
    expect(JSON.parse(status.stdout)).toMatchObject({ state: 'off' });
  });
});

describe.runIf(hasTmux)('signals at a hidden prompt, in a real terminal', () => {
  it.each(['SIGTERM', 'SIGHUP', 'SIGINT'] as const)(
    '%s at the key prompt: exit 130 within 2 s, echo back on, logged out',
    async (sig) => {
      const { t, loggedOut } = await atUnlockKeyPrompt();
      const sent = Date.now();
      process.kill(t.pikactlPid(), sig);
      const pane = await t.waitFor(/STTY=\[[^\]]*\]/, 5_000);
      expect(Date.now() - sent).toBeLessThan(2_500);
      expect(pane).toContain('EXIT=130');
      const stty = /STTY=\[([^\]]*)\]/.exec(pane)![1].split(' ');
      expect(stty).toEqual(expect.arrayContaining(['echo', 'icanon', 'isig']));
      loggedOut();
    },
  );
});

describe.runIf(hasTmux)('a key pasted at Type "saved", in a real terminal', () => {
  it('is wiped off the screen, named, and the word is asked again', async () => {
    const { sb } = await countingSandbox();
    const t = tmuxPikactl(['init', '--key-from', 'env:KEY'], { ...fileLoginEnv(sb), KEY });
    await t.waitFor(/Type "saved"/);
    const pane = await pasteThenAnswer(t, KEY, /That was a key/, /tries left.*\n(.*\n)*.*Type "saved"/, 'saved');
    expect(pane).toContain('EXIT=0');
  });
});

describe.runIf(hasTmux)('a key pasted at a severe playbook step, in a real terminal', () => {
  it('is wiped off the screen, named, and the host name asked again; no then stops (exit 130)', async () => {
    const NEW_KEY = 'pasted-at-the-host-prompt-amber-fjord-17';
    const { sb } = await halfRotatedSandbox({ KEY, NEW_KEY });
    const t = tmuxPikactl(['recover-rotation', '--old-key-from', 'env:KEY', '--new-key-from', 'env:NEW_KEY'], {
      ...fileLoginEnv(sb),
      KEY,
      NEW_KEY,
    });
    await t.waitFor(/Severe step\. Type the server host name/);
    const again = /tries left; no stops\).*\n(.*\n)*.*Severe step\. Type the server host name/;
    const pane = await pasteThenAnswer(t, NEW_KEY, /That was a key, not the host name/, again, 'no');
    expect(pane).toContain('EXIT=130');
  });
});

describe.runIf(hasTmux)('a key pasted at the y/N of lock, in a real terminal', () => {
  it('starting with y, it is a No: exit 130, the server stays unlocked, the key not on the screen', async () => {
    const PASTED = 'yellow-kestrel-pasted-at-the-lock-prompt-58';
    const { sb } = await countingSandbox();
    await initialize(sb);
    const t = tmuxPikactl(['lock'], fileLoginEnv(sb));
    await t.waitFor(/Lock .*\?/);
    t.keys(PASTED, true);
    t.keys('Enter');
    const pane = await t.waitFor(/EXIT=\d+/);
    expect(pane).toContain('EXIT=130');
    expect(pane).toContain('Answered No');
    expect(pane).not.toContain(PASTED);
    const status = await runBin(['status', '--json'], { env: { PIKA_SERVER: sb.url } });
    expect(JSON.parse(status.stdout)).toMatchObject({ state: 'unlocked' });
  });
});
