import { describe, expect, it } from 'vitest';
import { runCli } from '../support/context.js';
import { startTestKube, kubeEnv, type TestKube } from './support.js';
import { keyStatus } from '../fleet/support.js';

const NEW = 'a-brand-new-server-key-42';
const KUBE = ['--kube', 'sts/pika', '-n', 'pika'];
const ROTATE = [
  'rotate',
  ...KUBE,
  '--current-key-from',
  'kube:secret/pika-encryption/password',
  '--new-key-from',
  'env:NEWKEY',
  '--confirm-saved',
];

const secretData = (k: TestKube) =>
  Object.fromEntries(
    Object.entries(k.world.secret!.data).map(([key, v]) => [key, Buffer.from(v, 'base64').toString('utf8')]),
  );

/** Does this key unlock pod i? (An unlock with the right key on an unlocked node is a 200 and changes nothing.) */
async function podTakes(k: TestKube, i: number, key: string): Promise<boolean> {
  const st = await keyStatus(k.podUrl(i));
  if (!st.unlocked) return false;
  const r = await runCli(['unlock', '--server', k.podUrl(i), '--key-from', 'env:K', '--json'], {
    env: { ...kubeEnv(k), K: key },
  });
  return r.code === 0;
}

describe('the boot-password Secret follows the key; roll restarts the pods on it', () => {
  it('rotate --kube-secret, then roll: every pod unlocked on the new key, the Secret holding it', async () => {
    const k = await startTestKube(3);
    const old = k.world.bootPassword()!;
    const env = kubeEnv(k, { NEWKEY: NEW });
    const r = await runCli([...ROTATE, '--kube-secret', 'pika-encryption/password'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(secretData(k)).toEqual({ password: NEW, 'password.previous': old });
    const roll = await runCli(['roll', ...KUBE, '--wait', '30s', '--json'], { env });
    expect(roll.code, roll.stderr).toBe(0);
    const lines = roll.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event?: string; pod?: string; rolled?: string[] });
    expect(lines.filter((e) => e.event === 'unlocked').map((e) => e.pod)).toEqual([
      'pod/pika-2',
      'pod/pika-1',
      'pod/pika-0',
    ]);
    expect(lines.at(-1)).toMatchObject({ ok: true, rolled: ['pod/pika-2', 'pod/pika-1', 'pod/pika-0'] });
    for (const i of [0, 1, 2]) expect(await podTakes(k, i, NEW)).toBe(true);
    // Every pod was really replaced (the controller gives a new pod a new uid).
    const prune = await runCli(['kube', 'secret', 'prune', '--kube-secret', 'pika-encryption/password', '-n', 'pika'], {
      env,
    });
    expect(prune.code, prune.stderr).toBe(0);
    expect(secretData(k)).toEqual({ password: NEW });
  }, 60_000);

  it('a rotation interrupted between the send and the promote loses no key', async () => {
    const k = await startTestKube(3);
    const old = k.world.bootPassword()!;
    k.world.cluster.node(0).armFault('rotate-drop'); // applied, then the connection drops: maybe done
    const env = kubeEnv(k, { NEWKEY: NEW });
    const r = await runCli([...ROTATE, '--kube-secret', 'pika-encryption/password'], { env });
    expect(r.code).toBe(8);
    expect(r.stderr).toMatch(/password\.pending/);
    // The server may hold either key: both are in the Secret.
    expect(secretData(k)).toEqual({ password: old, 'password.pending': NEW });
    // The next rotation and a roll refuse to go on over the unfinished one.
    const again = await runCli([...ROTATE, '--kube-secret', 'pika-encryption/password'], { env });
    expect(again.code).toBe(8);
    expect(again.stderr).toMatch(/did not finish/);
    const roll = await runCli(['roll', ...KUBE], { env });
    expect(roll.code).toBe(8);
    expect(secretData(k)).toEqual({ password: old, 'password.pending': NEW });
  }, 60_000);

  it('a concurrent change of the Secret (resourceVersion) is reported, never overwritten', async () => {
    // The answer is held back 1 s: the edit below lands within ~50 ms of the staged key showing up.
    const k = await startTestKube(3, { faultDelayMs: 1000 });
    const old = k.world.bootPassword()!;
    k.world.cluster.node(0).armFault('rotate-delay');
    const env = kubeEnv(k, { NEWKEY: NEW });
    const running = runCli([...ROTATE, '--kube-secret', 'pika-encryption/password'], { env });
    // Once the new key is staged (and the rotation's answer held back), someone else edits the Secret.
    for (let i = 0; i < 200 && secretData(k)['password.pending'] === undefined; i++)
      await new Promise((r) => setTimeout(r, 25));
    expect(secretData(k)['password.pending']).toBe(NEW);
    const { openKubeApi } = await import('../../src/kube/api.js');
    const api = await openKubeApi({ env: { KUBECONFIG: k.kubeconfigFile }, cwd: k.dir, homedir: k.dir }, {});
    const s = await api.readSecret('pika', 'pika-encryption');
    await api.patchSecret('pika', 'pika-encryption', s.resourceVersion, { note: 'someone else' });
    const r = await running;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/409 Conflict/);
    expect(r.stderr).toMatch(/overwrote nothing/);
    expect(secretData(k)).toEqual({ password: old, 'password.pending': NEW, note: 'someone else' });
  }, 60_000);

  it('rotate without --kube-secret warns and names the Secret; roll then stops at the first pod that does not come back', async () => {
    const k = await startTestKube(3);
    const env = kubeEnv(k, { NEWKEY: NEW });
    const r = await runCli(ROTATE, { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/secret\/pika-encryption key password; without --kube-secret pika-encryption\/password/);
    const uids = k.world.pods.map((p) => p.uid);
    // The replacement boots on the old password and stays locked: no wait would see it unlocked.
    const roll = await runCli(['roll', ...KUBE, '--wait', '2s'], { env });
    expect(roll.code).not.toBe(0);
    expect(roll.stderr).toMatch(/roll stopped at pod\/pika-2/);
    expect(roll.stderr).toMatch(/Not restarted: pod\/pika-1, pod\/pika-0/);
    // Only the first pod was touched.
    expect(k.world.pods.map((p) => p.uid === uids[p.index])).toEqual([true, true, false]);
  }, 60_000);

  it('roll --one in direct mode restarts one pod (the handover check) and leaves the rest', async () => {
    const k = await startTestKube(3);
    const uids = k.world.pods.map((p) => p.uid);
    const r = await runCli(['roll', ...KUBE, '--one', '--kube-connect', 'direct', '--wait', '30s'], {
      env: kubeEnv(k),
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Rolled 1 of 3 pod\(s\)/);
    expect(k.world.pods.map((p) => p.uid === uids[p.index])).toEqual([true, true, false]);
    expect((await keyStatus(k.podUrl(2))).unlocked).toBe(true);
  }, 60_000);

  it('roll stops at a pod that comes back Running but stays locked', async () => {
    const k = await startTestKube(3);
    // The pods lose their boot password (someone edited the StatefulSet): a restarted follower stays locked.
    delete k.world.workload.bootSecret;
    const roll = await runCli(['roll', ...KUBE, '--wait', '2s', '--json'], { env: kubeEnv(k) });
    expect(roll.code).toBe(3);
    const last = JSON.parse(roll.stdout.trim().split('\n').at(-1)!) as {
      error: { message: string; stopped_at: string; rolled: string[] };
    };
    expect(last.error).toMatchObject({ stopped_at: 'pod/pika-2', rolled: [] });
    expect(last.error.message).toMatch(/Running but still locked/);
  }, 60_000);
});
