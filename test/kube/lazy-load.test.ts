import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runBin } from '../support/spawn.js';

/**
 * @kubernetes/client-node is big: it loads only when a --kube target or a kube: source
 * is used. A module hook in the real binary's process reports every resolve of it.
 */
describe('the Kubernetes client loads only for Kubernetes targets', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pikactl-lazy-'));
  writeFileSync(
    join(dir, 'hooks.mjs'),
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the hook's own source, a template literal inside it
    // Said once: the package resolves thousands of files, and that many lines can fill the stderr
    // pipe (a write on a full pipe from the hooks thread fails with EAGAIN and fails the import).
    "import { writeSync } from 'node:fs';\nlet said = false;\nexport async function resolve(s, c, next) { const r = await next(s, c); if (!said && r.url.includes('@kubernetes/client-node')) { said = true; writeSync(2, `K8S-LOADED ${r.url}\\n`); } return r; }\n",
  );
  writeFileSync(
    join(dir, 'register.mjs'),
    "import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n",
  );
  const env = { NODE_OPTIONS: `--import ${pathToFileURL(join(dir, 'register.mjs')).href}` };

  it('not for --version, --help or a --server status', async () => {
    for (const args of [
      ['--version'],
      ['rotate', '--help'],
      ['status', '--server', 'http://127.0.0.1:1', '--timeout', '1s'],
    ]) {
      const r = await runBin(args, { env });
      expect(r.stderr, args.join(' ')).not.toContain('K8S-LOADED');
    }
  });

  it('but for --kube (the hook sees it, so the check above can fail)', async () => {
    const r = await runBin(['status', '--kube', 'sts/pika', '--kubeconfig', join(dir, 'none')], { env });
    expect(r.stderr).toContain('K8S-LOADED');
    expect(r.code, r.stderr.slice(-2000)).toBe(2);
    expect(r.stderr.match(/K8S-LOADED/g)).toHaveLength(1);
  });
});
