import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/context.js';
import { NGINX, proxyTo, startNginx } from '../support/nginx.js';
import { adminClient, SandboxClient, startTestSandbox, TEST_ADMIN } from '../support/sandbox.js';
import { runBin } from '../support/spawn.js';

/**
 * The README's "Scripted restarts (CI)" recipe, unchanged, through the real binary, with
 * Pika behind nginx (https terminated there, --cacert for its CA, a base path) and the
 * backend restarted while `unlock --wait 5m` runs: nginx answers 502 meanwhile.
 */
const KEY = 'ci-recipe-key-copper-heron-3';

describe.skipIf(!NGINX && !process.env.CI)("the README's CI recipe behind nginx", () => {
  it('unlock --key-from env:PIKA_KEY --wait 5m exits 0 through a restart, then status --wait --for unlocked exits 0', async () => {
    let sb = await startTestSandbox({ basePath: '/pika' });
    const admin = await adminClient(sb);
    expect((await admin.call('POST', '/api/v1/key/initialize', { json: { key: KEY } })).status).toBe(200);
    const nginx = await startNginx([{ path: '/pika/', body: proxyTo(sb.port) }]);
    const env = {
      PIKA_SERVER: `${nginx.origin}/pika`,
      PIKA_CACERT: nginx.caFile,
      PIKA_USER: TEST_ADMIN.username,
      PIKA_PASSWORD_FROM: 'env:PIKA_BOT_PASSWORD',
      PIKA_BOT_PASSWORD: TEST_ADMIN.password,
      PIKA_KEY: KEY,
      HOME: tempDir('pikactl-ci-home-'),
    };
    // "kubectl rollout restart": the old pod goes away, the new one comes up locked a little later.
    await sb.stop();
    const unlock = runBin(['unlock', '--key-from', 'env:PIKA_KEY', '--wait', '5m'], { env, timeoutMs: 60_000 });
    // The new pod comes up once nginx has answered the waiting unlock with a 502 (its error log says so).
    const refused = () => nginx.errorLog().includes('Connection refused');
    for (let i = 0; i < 750 && !refused(); i++) await new Promise((r) => setTimeout(r, 20));
    expect(refused(), 'nginx answered the waiting unlock with a 502').toBe(true);
    sb = await sb.restart({ port: sb.port });
    const r = await unlock;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/recover-rotation|HTTP 50\d/);
    expect((await new SandboxClient(sb.url).call('GET', '/api/v1/key/status')).json()).toEqual({
      initialized: true,
      unlocked: true,
    });
    const s = await runBin(['status', '--wait', '2m', '--for', 'unlocked', '--json'], { env });
    expect(s.code, s.stderr).toBe(0);
    expect(JSON.parse(s.stdout)).toMatchObject({ state: 'unlocked' });
  }, 90_000);
});
