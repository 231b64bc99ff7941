import { describe, expect, it } from 'vitest';
import { runCli } from '../support/context.js';
import { startTestKube, kubeEnv } from './support.js';

interface Row {
  server: string;
  state: string;
  pod?: { phase: string; ready: boolean; namespace: string };
  error?: string;
}

const rowsOf = (stdout: string) => (JSON.parse(stdout) as { nodes: Row[] }).nodes;

describe('--kube targets: one row per pod, each with its own state', () => {
  for (const mode of ['forward', 'direct'] as const) {
    it(`status --kube sts/pika -n pika (${mode}) shows three pods, one of them locked`, async () => {
      const log: string[] = [];
      const k = await startTestKube(3, { logger: (line) => log.push(line) });
      // pika-1 restarts without its boot password: it alone is locked (a follower's own key/status).
      await k.world.cluster.restartNode(1);
      const r = await runCli(['status', '--kube', 'sts/pika', '-n', 'pika', '--kube-connect', mode, '--json'], {
        env: kubeEnv(k),
      });
      const rows = rowsOf(r.stdout);
      expect(rows.map((x) => [x.server, x.state, x.pod?.phase, x.pod?.ready])).toEqual([
        ['pod/pika-0', 'unlocked', 'Running', true],
        ['pod/pika-1', 'locked', 'Running', true],
        ['pod/pika-2', 'unlocked', 'Running', true],
      ]);
      expect(r.code).toBe(8); // some fine, some not
      const table = await runCli(['status', '--kube', 'sts/pika', '-n', 'pika', '--kube-connect', mode], {
        env: kubeEnv(k),
      });
      expect(table.stdout).toMatch(/^NODE\s+ENCRYPTION\s+PHASE\s+READY/);
      expect(table.stdout).toMatch(/pod\/pika-1\s+locked\s+Running/);
      // forward: every pod through the API server's portforward; direct: none.
      const forwarded = new Set(log.filter((l) => l.includes('portforward: pika-')).map((l) => /pika-\d/.exec(l)![0]));
      expect([...forwarded].sort()).toEqual(mode === 'forward' ? ['pika-0', 'pika-1', 'pika-2'] : []);
    }, 30_000);
  }

  it('the shared-127.0.0.1 layout (a containerPort per pod) works in both modes', async () => {
    const k = await startTestKube(2, { sharedLoopback: true });
    for (const mode of ['forward', 'direct']) {
      const r = await runCli(['status', '--kube', 'sts/pika', '--kube-connect', mode, '--json'], { env: kubeEnv(k) });
      expect(r.code, r.stdout).toBe(0);
      expect(rowsOf(r.stdout).map((x) => x.state)).toEqual(['unlocked', 'unlocked']);
    }
  }, 30_000);

  it('a pod that is not Running is a row with Kubernetes state, and gets no request', async () => {
    const k = await startTestKube(3);
    k.world.pods[2].phase = 'Pending';
    k.world.pods[2].ready = false;
    const r = await runCli(['status', '--kube', 'statefulset/pika', '--json'], { env: kubeEnv(k) });
    const rows = rowsOf(r.stdout);
    expect(rows).toHaveLength(3);
    const pending = rows.find((x) => x.server === 'pod/pika-2')!;
    expect(pending.pod).toMatchObject({ phase: 'Pending', ready: false });
    expect(pending.error).toMatch(/Pending, not Running: no request sent/);
    expect(r.code).toBe(8);
  }, 30_000);

  it('pod/, svc/ and deploy/ refs; a missing workload is a usage error', async () => {
    const k = await startTestKube(2);
    const one = await runCli(['status', '--kube', 'po/pika-1', '--json'], { env: kubeEnv(k) });
    expect(JSON.parse(one.stdout)).toMatchObject({
      server: 'pod/pika-1',
      state: 'unlocked',
      pod: { phase: 'Running', ready: true },
    });
    expect(one.code).toBe(0);
    const human = await runCli(['status', '--kube', 'po/pika-1'], { env: kubeEnv(k) });
    expect(human.stdout).toMatch(/Server:\s+pod\/pika-1/);
    expect(human.stdout).toMatch(/Pod:\s+Running, ready \(namespace pika\)/);
    const svc = await runCli(['status', '--kube', 'svc/pika', '--json'], { env: kubeEnv(k) });
    expect(rowsOf(svc.stdout).map((x) => x.server)).toEqual(['pod/pika-0', 'pod/pika-1']);
    const deploy = await runCli(['status', '--kube', 'deploy/pika', '-n', 'pika', '--json'], { env: kubeEnv(k) });
    expect(rowsOf(deploy.stdout).map((x) => x.server)).toEqual(['pod/pika-0', 'pod/pika-1']);
    const missing = await runCli(['status', '--kube', 'sts/nope', '-n', 'pika'], { env: kubeEnv(k) });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no statefulset\/nope in namespace pika/);
  }, 30_000);

  it('a bad ref or connect mode is a usage error before any API call', async () => {
    const r = await runCli(['status', '--kube', 'pods'], { env: { KUBECONFIG: '/nonexistent' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--kube takes statefulset\/NAME/);
    const c = await runCli(['status', '--kube', 'sts/pika', '--kube-connect', 'tunnel'], {
      env: { KUBECONFIG: '/nonexistent' },
    });
    expect(c.code).toBe(2);
  });
});

describe('leader and followers, and the fix for a follower that stays locked', () => {
  it('status marks leader/followers with a login; unlock explains the stuck follower by its boot Secret', async () => {
    const k = await startTestKube(3);
    await k.world.cluster.restartNode(1); // back without its boot password: locked
    const st = await runCli(['status', '--kube', 'sts/pika', '--json'], { env: kubeEnv(k) });
    const roles = rowsOf(st.stdout).map((x) => [x.server, (x.pod as { role?: string }).role]);
    expect(roles).toEqual([
      ['pod/pika-0', 'leader'],
      ['pod/pika-1', 'follower'],
      ['pod/pika-2', 'follower'],
    ]);
    const r = await runCli(['unlock', '--kube', 'sts/pika', '--key-from', 'kube:secret/pika-encryption/password'], {
      env: kubeEnv(k),
    });
    expect(r.code).toBe(8);
    expect(r.stdout).toMatch(/pod\/pika-1\s+locked\s+forwarded\s+locked/);
    expect(r.stderr).toMatch(
      /pod\/pika-1: This pod unlocks only at boot, with PIKA_ENCRYPTION_PASSWORD from secret\/pika-encryption key password/,
    );
    expect(r.stderr).toMatch(/pikactl roll --kube pod\/pika-1 -n pika --one/);
  }, 30_000);
});

describe('a context can hold the Kubernetes target', () => {
  it('context add prod --kube sts/pika -n pika, then status --context prod', async () => {
    const k = await startTestKube(2);
    const env: Record<string, string> = { ...kubeEnv(k), XDG_CONFIG_HOME: k.dir };
    const add = await runCli(
      [
        'context',
        'add',
        'prod',
        '--kube',
        'sts/pika',
        '-n',
        'pika',
        '--kubeconfig',
        k.kubeconfigFile,
        '--kube-connect',
        'direct',
        '--use',
      ],
      { env },
    );
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toMatch(/the pods of statefulset\/pika in namespace pika/);
    const { KUBECONFIG: _, ...noKubeconfig } = env;
    const r = await runCli(['status', '--json'], { env: noKubeconfig });
    expect(r.code, r.stderr).toBe(0);
    expect(rowsOf(r.stdout).map((x) => x.server)).toEqual(['pod/pika-0', 'pod/pika-1']);
    const both = await runCli(['context', 'add', 'bad', '--kube', 'sts/pika', '--server', 'https://x'], { env });
    expect(both.code).toBe(2);
  }, 30_000);
});
