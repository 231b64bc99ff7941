import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, testContext } from '../support/context.js';
import { KUBECTL } from '../support/kube.js';
import { execFile } from 'node:child_process';

/** `pikactl sandbox --kube N` as a command: flags, the kubeconfig it prints or writes, a clean stop. */
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'pikactl-kube-cmd-'));
  dirs.push(d);
  return d;
}

async function launch(args: string[]) {
  const ac = new AbortController();
  const ctx = {
    ...testContext({ env: { SBX_PW: 'pw-for-kube-command', BOOT_PW: 'boot-pw-for-kube-command' } }),
    signal: ac.signal,
  };
  let finished = false;
  const running = runCli(['sandbox', '--port', '0', '--quiet', '--password-from', 'env:SBX_PW', ...args], ctx).then(
    (r) => {
      finished = true;
      return r;
    },
  );
  const deadline = Date.now() + 15_000;
  while (!finished && !ctx.io.stdoutText.includes('\n') && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 20));
  return {
    ctx,
    stop: () => {
      ac.abort();
      return running;
    },
  };
}

/** The real kubectl, asynchronously: the stand-in runs in this process. */
const kubectl = (kubeconfig: string, args: string[]) =>
  new Promise<string>((resolve, reject) =>
    execFile(
      KUBECTL,
      args,
      {
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', KUBECONFIG: kubeconfig, HOME: tmpdir() },
        encoding: 'utf8',
        timeout: 15_000,
      },
      (err, out, errText) => (err ? reject(new Error(`kubectl ${args.join(' ')}: ${errText}`)) : resolve(out)),
    ),
  );

describe('pikactl sandbox --kube', () => {
  it('prints a kubeconfig kubectl can use, writes it 0600 to the data dir, and stops everything on abort', async () => {
    const data = tmp();
    const s = await launch(['--kube', '2', '--data', data]);
    const printed = s.ctx.io.stdoutText;
    expect(printed).toMatch(/^apiVersion: v1\nkind: Config\n/);
    const file = join(data, 'kubeconfig');
    expect(readFileSync(file, 'utf8')).toBe(printed);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(s.ctx.io.stderrText).toContain('pod/pika-1');
    expect(s.ctx.io.stderrText + printed).not.toContain('pw-for-kube-command');
    const pods = JSON.parse(await kubectl(file, ['get', 'pods', '-o', 'json'])); // the context's namespace is pika
    expect(pods.items.map((p: any) => `${p.metadata.namespace}/${p.metadata.name}`)).toEqual([
      'pika/pika-0',
      'pika/pika-1',
    ]);
    const podUrl = `http://${pods.items[1].status.podIP}:8080`;
    expect((await fetch(`${podUrl}/healthz`)).status).toBe(200);
    const server = /server: (\S+)/.exec(printed)![1];
    const r = await s.stop();
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('stopped');
    await expect(fetch(`${podUrl}/healthz`)).rejects.toThrow();
    await expect(kubectl(file, ['get', 'pods', '--request-timeout', '3s'])).rejects.toThrow();
    expect(server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it('--json with --kubeconfig-out and --kube-namespace: the file, not the text; pods and the boot Secret named', async () => {
    const data = tmp();
    const out = join(tmp(), 'kc.yaml');
    const s = await launch([
      '--json',
      '--kube',
      '1',
      '--kube-namespace',
      'rehearsal',
      '--kubeconfig-out',
      out,
      '--data',
      data,
    ]);
    const info = JSON.parse(s.ctx.io.stdoutText);
    expect(info.kube).toMatchObject({
      namespace: 'rehearsal',
      statefulset: 'pika',
      kubeconfig_file: out,
      boot_secret: 'pika-encryption/password',
    });
    expect(info.kube.pods).toHaveLength(1);
    expect(s.ctx.io.stdoutText).not.toContain('certificate-authority-data');
    const sts = JSON.parse(await kubectl(out, ['get', 'sts', 'pika', '-n', 'rehearsal', '-o', 'json']));
    expect(sts.metadata.namespace).toBe('rehearsal');
    expect((await s.stop()).code).toBe(0);
  });

  it('a restart on the same --data with the same --kube-secret-from comes back unlocked; the kubeconfig is replaced', async () => {
    const data = tmp();
    const status = async (kc: string) => {
      const pods = JSON.parse(await kubectl(kc, ['get', 'pods', '-o', 'json']));
      return Promise.all(
        pods.items.map(
          async (p: any) => (await (await fetch(`http://${p.status.podIP}:8080/api/v1/key/status`)).json()).unlocked,
        ),
      );
    };
    const first = await launch(['--kube', '2', '--kube-secret-from', 'env:BOOT_PW', '--data', data]);
    const file = join(data, 'kubeconfig');
    const secret = JSON.parse(await kubectl(file, ['get', 'secret', 'pika-encryption', '-o', 'json']));
    expect(Buffer.from(secret.data.password, 'base64').toString()).toBe('boot-pw-for-kube-command');
    expect(first.ctx.io.stdoutText + first.ctx.io.stderrText).not.toContain('boot-pw-for-kube-command');
    expect(await status(file)).toEqual([true, true]);
    const before = readFileSync(file, 'utf8');
    expect((await first.stop()).code).toBe(0);
    const again = await launch(['--kube', '2', '--kube-secret-from', 'env:BOOT_PW', '--data', data]);
    expect(readFileSync(file, 'utf8')).not.toBe(before); // new token, new CA
    expect(await status(file)).toEqual([true, true]);
    expect((await again.stop()).code).toBe(0);
  });

  it('refuses --kube with --cluster or TLS flags, and a bad count, as usage errors', async () => {
    for (const args of [
      ['--kube', '2', '--cluster', '2'],
      ['--kube', '0'],
      ['--kube', '2', '--tls-self-signed'],
      ['--kubeconfig-out', 'x.yaml'],
      ['--kube-secret-from', 'env:X'],
    ]) {
      const r = await runCli(['sandbox', ...args], testContext());
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--kube/);
    }
  });
});
