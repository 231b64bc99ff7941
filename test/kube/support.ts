import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { startKubeSandbox, type KubeSandbox, type KubeSandboxOptions } from '../../src/sandbox/kube/index.js';
import { adminEnv, FAST_RATE_LIMIT, storedUsers, TEST_ADMIN } from '../support/sandbox.js';

export interface TestKube extends KubeSandbox {
  kubeconfigFile: string;
  dir: string;
}

/** k1's Kubernetes stand-in (HTTPS API, own CA, bearer token) over n sandbox pods; cleaned up after the test. */
export async function startTestKube(pods = 3, opts: Partial<KubeSandboxOptions> = {}): Promise<TestKube> {
  const dir = mkdtempSync(join(tmpdir(), 'pikactl-kube-test-'));
  const k = await startKubeSandbox({
    pods,
    dataDir: join(dir, 'data'),
    rateLimit: { ...FAST_RATE_LIMIT },
    pendingMs: 50,
    ...opts,
    // A data dir of the caller's keeps what it stores; a fresh one gets the users stored cheaply.
    users: opts.dataDir
      ? (opts.users ?? [{ ...TEST_ADMIN }])
      : storedUsers(join(dir, 'data'), opts.users ?? [{ ...TEST_ADMIN }]),
  });
  const kubeconfigFile = join(dir, 'kubeconfig');
  writeFileSync(kubeconfigFile, k.kubeconfig, { mode: 0o600 });
  onTestFinished(async () => {
    await k.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return { ...k, kubeconfigFile, dir };
}

/** CI-style login and the kubeconfig, as env for runCli/runBin. */
export function kubeEnv(k: TestKube, extra: Record<string, string> = {}): Record<string, string> {
  return adminEnv(null, { KUBECONFIG: k.kubeconfigFile, ...extra });
}
