import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, onTestFinished } from 'vitest';
import { startKubeSandbox, type KubeSandbox, type KubeSandboxOptions } from '../../src/sandbox/kube/index.js';
import { assertOwnProcess } from './own-process.js';
import { FAST_RATE_LIMIT, storedUsers, TEST_ADMIN } from './sandbox.js';

/**
 * The Kubernetes API stand-in (`pikactl sandbox --kube N`) for tests: a temp data dir,
 * the test admin, fast rate limits, its kubeconfig written to a file, and cleanup
 * (stopped, data removed) at the end of the test, or of the file when called in beforeAll.
 */
export interface TestKube extends KubeSandbox {
  dataDir: string;
  kubeconfigFile: string;
}

const outside: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const fn of outside.splice(0).reverse()) await fn();
});

export async function startTestKube(opts: Partial<KubeSandboxOptions> = {}): Promise<TestKube> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pikactl-kube-test-'));
  const k = await startKubeSandbox({
    pods: 3,
    pendingMs: 100,
    ...opts,
    users: storedUsers(dataDir, opts.users ?? [{ ...TEST_ADMIN }]),
    dataDir,
    rateLimit: FAST_RATE_LIMIT,
  });
  const kubeconfigFile = join(dataDir, 'kubeconfig');
  writeFileSync(kubeconfigFile, k.kubeconfig, { mode: 0o600 });
  const clean = async () => {
    await k.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    onTestFinished(clean);
  } catch {
    assertOwnProcess('startTestKube');
    outside.push(clean);
  }
  return Object.assign(k, { dataDir, kubeconfigFile });
}

export const KUBECTL = process.env.KUBECTL ?? 'kubectl';

/** Runs the real kubectl against the stand-in; never throws on a non-zero exit. */
export function kubectl(
  k: TestKube,
  args: string[],
  timeoutMs = 15_000,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      KUBECTL,
      args,
      {
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: k.dataDir, KUBECONFIG: k.kubeconfigFile },
        timeout: timeoutMs,
      },
      (err, stdout, stderr) =>
        resolve({
          code: err ? (typeof err.code === 'number' ? err.code : 1) : 0,
          stdout: String(stdout),
          stderr: String(stderr),
        }),
    );
  });
}

/** Polls `fn` until it returns a value (not undefined), at most `ms`. */
export async function eventually<T>(fn: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`not reached within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
