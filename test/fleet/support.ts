import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { startSandboxCluster, type SandboxCluster, type SandboxClusterOptions } from '../../src/sandbox/cluster.js';
import type { SandboxHandle } from '../../src/sandbox/index.js';
import {
  adminClient,
  adminEnv,
  FAST_RATE_LIMIT,
  SandboxClient,
  startTestSandbox,
  storedUsers,
  TEST_ADMIN,
  type TestSandbox,
} from '../support/sandbox.js';
import type { TestContextOptions } from '../support/context.js';

export const KEY = 'fleet-key-correct-horse-1';
export const OTHER_KEY = 'another-fleet-key-battery-2';

/** CI-style login (user + password from env) and the key in $KEY. */
export function fleetEnv(extra: Record<string, string> = {}): Record<string, string> {
  return adminEnv(null, { KEY, OTHER_KEY, ...extra });
}

export function ci(extra: Record<string, string> = {}): TestContextOptions {
  return { env: fleetEnv(extra) };
}

export function serverArgs(urls: string[]): string[] {
  return urls.flatMap((u) => ['--server', u]);
}

/** Initializes a sandbox with `key` over HTTP and locks it again (as after a restart). */
export async function initLocked(sb: SandboxHandle, key = KEY): Promise<void> {
  const c = await adminClient(sb);
  const init = await c.call('POST', '/api/v1/key/initialize', { json: { key } });
  if (init.status !== 200) throw new Error(`initialize failed: ${init.status} ${init.text}`);
  const lock = await c.call('POST', '/api/v1/key/lock');
  if (lock.status !== 200) throw new Error(`lock failed: ${lock.status} ${lock.text}`);
}

/** n independent sandboxes, initialized and locked; keys[i] overrides the key of node i. */
export async function lockedFleet(n: number, keys: Record<number, string> = {}): Promise<TestSandbox[]> {
  const fleet = await Promise.all(Array.from({ length: n }, () => startTestSandbox()));
  await Promise.all(fleet.map((sb, i) => initLocked(sb, keys[i] ?? KEY)));
  return fleet;
}

export async function keyStatus(url: string): Promise<{ initialized: boolean; unlocked: boolean }> {
  const r = await fetch(`${url}/api/v1/key/status`);
  return (await r.json()) as { initialized: boolean; unlocked: boolean };
}

export async function unlockDirect(sb: SandboxHandle, key = KEY): Promise<void> {
  const c = await adminClient(sb);
  const r = await c.call('POST', '/api/v1/key/unlock', { json: { key } });
  if (r.status !== 200) throw new Error(`unlock failed: ${r.status} ${r.text}`);
}

/** A simulated cluster on a temp data dir, stopped and removed when the test ends. */
export async function startTestCluster(
  opts: Partial<SandboxClusterOptions> & { nodes: number },
): Promise<SandboxCluster> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pikactl-cluster-test-'));
  const cluster = await startSandboxCluster({
    host: '127.0.0.1',
    ...opts,
    users: storedUsers(dataDir, opts.users ?? [{ ...TEST_ADMIN }]),
    dataDir,
    rateLimit: { ...FAST_RATE_LIMIT, ...(opts.rateLimit ?? {}) },
  });
  onTestFinished(async () => {
    await cluster.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return cluster;
}

/** A cluster initialized through its leader and restarted: every node comes back locked. */
export async function lockedCluster(nodes: number, opts: Partial<SandboxClusterOptions> = {}): Promise<SandboxCluster> {
  const cluster = await startTestCluster({ ...opts, nodes });
  const leader = cluster.node(cluster.leader());
  const c = await adminClient(leader);
  const init = await c.call('POST', '/api/v1/key/initialize', { json: { key: KEY } });
  if (init.status !== 200) throw new Error(`initialize failed: ${init.status} ${init.text}`);
  for (let i = 0; i < nodes; i++) await cluster.restartNode(i);
  return cluster;
}

export { adminClient, SandboxClient, TEST_ADMIN };

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
