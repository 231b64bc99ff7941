import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { runBin, type BinResult } from '../support/spawn.js';
import { startTestKube, kubeEnv } from './support.js';

/**
 * kube: secrets are secrets: the Secret's values (and their base64, the form the API
 * carries them in) appear in no output of the real binary, --debug and errors included.
 */
describe('kube: secret canary', () => {
  it('values read from a Kubernetes Secret never reach stdout or stderr', async () => {
    const canary = `kube-canary-${randomBytes(8).toString('hex')}`;
    const next = `kube-canary-new-${randomBytes(8).toString('hex')}`;
    const k = await startTestKube(2, { bootPassword: canary });
    const env = kubeEnv(k, { NEWKEY: next });
    const kube = ['--kube', 'sts/pika', '-n', 'pika', '--debug'];
    const runs: BinResult[] = [];
    const run = async (args: string[]) => {
      const r = await runBin(args, { env, timeoutMs: 30_000 });
      runs.push(r);
      return r;
    };
    // A wrong source key, a rotate that succeeds (current key from kube:), one refused (same key twice), a roll.
    const nope = await run([
      'rotate',
      ...kube,
      '--current-key-from',
      'kube:secret/pika-encryption/nope',
      '--new-key-from',
      'env:NEWKEY',
      '--confirm-saved',
    ]);
    expect(nope.code).toBe(2);
    expect(nope.stderr).toMatch(/has no key "nope"/);
    const rot = await run([
      'rotate',
      ...kube,
      '--json',
      '--kube-secret',
      'pika-encryption/password',
      '--current-key-from',
      'kube:secret/pika-encryption/password',
      '--new-key-from',
      'env:NEWKEY',
      '--confirm-saved',
    ]);
    expect(rot.code, rot.stderr).toBe(0);
    const same = await run([
      'rotate',
      ...kube,
      '--current-key-from',
      'kube:pika/secret/pika-encryption/password',
      '--new-key-from',
      'kube:secret/pika-encryption/password',
      '--confirm-saved',
    ]);
    expect(same.code).toBe(2);
    expect((await run(['roll', ...kube, '--json', '--wait', '30s'])).code).toBe(0);
    // The old key, now wrong: the server refuses it (exit 5), and the error shows no value.
    await k.world.cluster.restartNode(1);
    const old = await run([
      'unlock',
      '--kube',
      'pod/pika-1',
      '-n',
      'pika',
      '--debug',
      '--json',
      '--key-from',
      'kube:secret/pika-encryption/password.previous',
    ]);
    expect(old.code, old.stdout).not.toBe(0);
    const forms = [canary, next, Buffer.from(canary).toString('base64'), Buffer.from(next).toString('base64')];
    for (const r of runs) for (const f of forms) expect(r.stdout + r.stderr).not.toContain(f);
  }, 120_000);
});
