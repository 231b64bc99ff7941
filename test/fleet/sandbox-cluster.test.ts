import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { runCli, testContext } from '../support/context.js';
import { adminClient, KEY, keyStatus, lockedCluster, SandboxClient, sleep, startTestCluster } from './support.js';

/** The simulated cluster itself (src/sandbox/cluster.ts), over real HTTP on 127.0.0.1. */
describe('sandbox cluster', () => {
  it('forwards POSTs to the leader: an unlock sent to a follower unlocks the leader only', async () => {
    const cluster = await lockedCluster(3);
    const [leader, f1, f2] = [0, 1, 2].map((i) => cluster.node(i));
    // A login on a follower is forwarded too, and the replicated session works everywhere.
    const c = await adminClient(f1);
    const r = await c.call('POST', '/api/v1/key/unlock', { json: { key: KEY } });
    expect(r.status).toBe(200);
    expect(r.json()).toEqual({ message: 'server unlocked' });
    expect(await keyStatus(leader.url)).toEqual({ initialized: true, unlocked: true });
    expect(await keyStatus(f1.url)).toEqual({ initialized: true, unlocked: false });
    expect(await keyStatus(f2.url)).toEqual({ initialized: true, unlocked: false });
    // The follower's own gate still answers 503 on gated GETs (served locally).
    const gated = await c.call('GET', '/api/v1/settings');
    expect(gated.status).toBe(503);
    expect(gated.headers.get('x-pika-locked')).toBe('true');
    // Same cookie on the leader: sessions are replicated.
    const onLeader = new SandboxClient(leader.url);
    onLeader.cookie = c.cookie;
    expect((await onLeader.call('GET', '/api/v1/settings')).status).toBe(200);
  });

  it('reports cluster mode per node, gated while locked', async () => {
    const cluster = await lockedCluster(2);
    const leader = cluster.node(0);
    const follower = cluster.node(1);
    const c = await adminClient(leader);
    expect((await c.call('GET', '/api/v1/cluster/status')).status).toBe(503);
    await c.call('POST', '/api/v1/key/unlock', { json: { key: KEY } });
    const s = (await c.call('GET', '/api/v1/cluster/status')).json();
    expect(s).toMatchObject({
      enabled: true,
      role: 'leader',
      is_leader: true,
      leader_healthy: true,
      expected_replicas: 2,
      has_quorum: true,
    });
    expect(s.leader_addr).toBe(`127.0.0.1:${leader.port}`);
    expect(s.nodes).toHaveLength(2);
    // The follower, unlocked at boot (encryption.password), sees itself as a follower.
    await cluster.restartNode(1, { bootKey: KEY });
    const fc = new SandboxClient(follower.url);
    fc.cookie = c.cookie;
    const fs = (await fc.call('GET', '/api/v1/cluster/status')).json();
    expect(fs).toMatchObject({
      enabled: true,
      role: 'follower',
      is_leader: false,
      leader_addr: `127.0.0.1:${leader.port}`,
    });
  });

  it('answers plain-text 503 when the leader is down, and serves GETs locally', async () => {
    const cluster = await lockedCluster(2);
    const follower = cluster.node(1);
    await cluster.stopNode(0);
    const login = await fetch(`${follower.url}/login/pass/local`, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(login.status).toBe(503);
    expect(login.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await login.text()).toBe('cluster: no leader available, retry shortly\n');
    expect(await keyStatus(follower.url)).toEqual({ initialized: true, unlocked: false });
    // A client must not claim to be a forwarding peer.
    await cluster.startNode(0);
    const spoofed = await fetch(`${follower.url}/api/v1/key/unlock`, {
      method: 'POST',
      body: '{}',
      headers: { 'x-pika-cluster-forwarded': '1' },
    });
    expect(spoofed.status).toBe(503);
    expect(await spoofed.text()).toBe('cluster: forwarded request reached non-leader\n');
  });

  it('a follower starts gating after initialize only once it reads key/status (upstream quirk)', async () => {
    const cluster = await startTestCluster({ nodes: 2 });
    const c = await adminClient(cluster.node(0));
    expect((await c.call('POST', '/api/v1/key/initialize', { json: { key: KEY } })).status).toBe(200);
    const fc = new SandboxClient(cluster.node(1).url);
    fc.cookie = c.cookie;
    expect((await fc.call('GET', '/api/v1/settings')).status).toBe(200); // not gating yet
    expect(await keyStatus(cluster.node(1).url)).toEqual({ initialized: true, unlocked: false });
    expect((await fc.call('GET', '/api/v1/settings')).status).toBe(503); // now it does
  });

  it('a wrong boot key fails the node start, like a failed boot', async () => {
    const cluster = await lockedCluster(2);
    await cluster.stopNode(1);
    await expect(cluster.startNode(1, { bootKey: 'wrong' })).rejects.toThrow(/invalid server key/);
    expect(cluster.isRunning(1)).toBe(false);
  });

  it('pikactl sandbox --cluster 3 --json: every node listed, leader first, and writes forwarded', async () => {
    const data = mkdtempSync(join(tmpdir(), 'pikactl-sbx-cluster-'));
    onTestFinished(() => rmSync(data, { recursive: true, force: true }));
    const ac = new AbortController();
    const ctx = { ...testContext({ env: { PW: 'cluster-admin-pw' } }), signal: ac.signal };
    const running = runCli(
      ['sandbox', '--cluster', '3', '--port', '0', '--quiet', '--json', '--data', data, '--password-from', 'env:PW'],
      ctx,
    );
    for (let i = 0; i < 250 && !ctx.io.stdoutText.includes('\n'); i++) await sleep(20);
    const info = JSON.parse(ctx.io.stdoutText);
    expect(info.cluster.map((n: any) => n.role)).toEqual(['leader', 'follower', 'follower']);
    expect(info.url).toBe(info.cluster[0].url);
    const follower = new SandboxClient(info.cluster[2].url);
    expect((await follower.login('admin', 'cluster-admin-pw')).status).toBe(200);
    expect((await follower.call('POST', '/api/v1/key/initialize', { json: { key: KEY } })).status).toBe(200);
    expect(await keyStatus(info.cluster[0].url)).toEqual({ initialized: true, unlocked: true });
    expect(await keyStatus(info.cluster[2].url)).toEqual({ initialized: true, unlocked: false });
    ac.abort();
    expect((await running).code).toBe(0);
    for (const n of info.cluster) await expect(fetch(`${n.url}/healthz`)).rejects.toThrow();
  });
});
