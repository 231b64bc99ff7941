import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, onTestFinished } from 'vitest';
import { tempDir } from './context.js';
import { freePort } from './ports.js';

/** Debian's tinyproxy, if installed (.ci/run installs it). */
export function tinyproxyPath(): string | undefined {
  const r = spawnSync('sh', ['-c', 'command -v tinyproxy'], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() !== '' ? r.stdout.trim() : undefined;
}

export interface Tinyproxy {
  url: string;
  port: number;
  /** tinyproxy's own log (LogLevel Info): every CONNECT it handled is named here. */
  logFile: string;
}

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect(port, '127.0.0.1', () => (s.destroy(), resolve(true)));
    s.on('error', () => resolve(false));
  });

/**
 * A real tinyproxy on a loopback port, with its own config: only 127.0.0.1 may use it,
 * CONNECT only to `connectPorts`, and every request forwarded to `upstream` (another
 * proxy: tinyproxy then never resolves the target name itself). Stopped (by its pid)
 * when the test ends.
 */
export async function startTinyproxy(opts: { connectPorts: number[]; upstream?: string }): Promise<Tinyproxy> {
  const bin = tinyproxyPath();
  if (!bin) throw new Error('tinyproxy is not installed (apt-get install tinyproxy; .ci/run does)');
  const dir = tempDir('pikactl-tinyproxy-');
  const port = await freePort();
  const logFile = join(dir, 'tinyproxy.log');
  const conf = [
    `Port ${port}`,
    'Listen 127.0.0.1',
    'Timeout 15',
    'Allow 127.0.0.1',
    'MaxClients 20',
    `LogFile "${logFile}"`,
    'LogLevel Info',
    ...opts.connectPorts.map((p) => `ConnectPort ${p}`),
    ...(opts.upstream ? [`Upstream http ${opts.upstream}`] : []),
  ].join('\n');
  writeFileSync(join(dir, 'tinyproxy.conf'), `${conf}\n`);
  const child = spawn(bin, ['-d', '-c', join(dir, 'tinyproxy.conf')], { stdio: 'ignore' });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      await Promise.race([gone, new Promise((r) => setTimeout(r, 2_000))]);
    }
  };
  try {
    onTestFinished(stop);
  } catch {
    afterAll(stop);
  }
  for (let i = 0; i < 100 && !(await accepts(port)); i++) {
    if (child.exitCode !== null) throw new Error(`tinyproxy exited with ${child.exitCode} (config in ${dir})`);
    await new Promise((r) => setTimeout(r, 50));
  }
  if (!(await accepts(port))) throw new Error('tinyproxy did not start listening within 5 s');
  return { url: `http://127.0.0.1:${port}`, port, logFile };
}
