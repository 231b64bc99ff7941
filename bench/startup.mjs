#!/usr/bin/env node
// Start-up benchmark (`npm run bench`; not part of `npm test`): how much slower and
// bigger pikactl is than its floor. For --version and --help the floor is bare `node -e 0`;
// for `status` it is bench/bare-get.mjs, a bare script making the same requests with the
// same library (undici). Peak memory is compared with `node -e 0` throughout.
//
// Every round runs each case once, in a shuffled order, so background load hits all
// of them alike (this machine is shared); we report medians. Peak RSS comes from
// separate runs under /usr/bin/time (GNU time, %M), so timing runs carry no wrapper;
// without GNU time a --import hook reports process.resourceUsage().maxRSS instead.
//
// Usage: node bench/startup.mjs [--runs N] [--json]   (env PIKACTL_BENCH_KEEP_CA_CERTS=1: see below)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const bin = process.env.PIKACTL_BENCH_BIN ?? join(root, 'bin', 'pikactl.js');
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 30;
const asJson = args.includes('--json');
const node = process.execPath;

if (!existsSync(join(root, 'dist', 'cli.js'))) {
  console.error('bench: dist/ is missing; run `npm run build` first.');
  process.exit(1);
}

/** A throwaway HOME/XDG so a developer's contexts and keychain never enter the measurement. */
const home = mkdtempSync(join(tmpdir(), 'pikactl-bench-'));
const env = {
  ...process.env,
  HOME: home,
  XDG_CONFIG_HOME: join(home, '.config'),
  XDG_STATE_HOME: join(home, '.state'),
  NO_COLOR: '1',
};
for (const k of Object.keys(env)) if (/^PIKA/.test(k)) delete env[k];
// NODE_EXTRA_CA_CERTS (set on the machine this was written on: the system CA bundle) is read by
// Node 20 at every start, before any script: ~35 ms more for each case, the floor included,
// which shrinks every ratio. Left out unless asked for (PIKACTL_BENCH_KEEP_CA_CERTS=1).
const keepCaCerts = process.env.PIKACTL_BENCH_KEEP_CA_CERTS === '1';
const droppedCaCerts = !keepCaCerts && env.NODE_EXTRA_CA_CERTS !== undefined;
if (droppedCaCerts) delete env.NODE_EXTRA_CA_CERTS;
const caNote = droppedCaCerts
  ? 'NODE_EXTRA_CA_CERTS left out of every case: Node reads it at each start (~35 ms here, the same for every case), which shrinks every ratio; PIKACTL_BENCH_KEEP_CA_CERTS=1 keeps it'
  : env.NODE_EXTRA_CA_CERTS === undefined
    ? 'NODE_EXTRA_CA_CERTS is not set'
    : 'NODE_EXTRA_CA_CERTS kept (PIKACTL_BENCH_KEEP_CA_CERTS=1): each case pays for reading it, which shrinks every ratio';

const gnuTime = ['/usr/bin/time', '/usr/local/bin/time'].find(
  (p) => existsSync(p) && spawnSync(p, ['-f', '%M', 'true']).status === 0,
);
const rssMethod = gnuTime ? `${gnuTime} -f %M` : 'process.resourceUsage().maxRSS via --import hook';

const sandbox = await startSandbox();
try {
  // `vs`: the row a case's time is compared with (its floor).
  const cases = [
    { name: 'node -e 0', argv: ['-e', '0'], aim: null, vs: 0 },
    { name: 'pikactl --version', argv: [bin, '--version'], aim: 1.25, vs: 0 },
    { name: 'pikactl --help', argv: [bin, '--help'], aim: 1.25, vs: 0 },
    { name: 'bare undici GETs', argv: [join(root, 'bench', 'bare-get.mjs'), sandbox.url], aim: null, vs: 0 },
    { name: 'pikactl status --json', argv: [bin, 'status', '--json', '--server', sandbox.url], aim: 1.1, vs: 3 },
  ];
  for (const c of cases) {
    const r = spawnSync(node, c.argv, { env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${c.name} exited ${r.status}: ${r.stderr}`);
  }
  const times = cases.map(() => []);
  for (let round = 0; round < runs + 2; round++) {
    for (const i of shuffle(cases.map((_, i) => i))) {
      const t0 = process.hrtime.bigint();
      spawnSync(node, cases[i].argv, { env, stdio: 'ignore' });
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (round >= 2) times[i].push(ms); // two warm-up rounds fill the page cache
    }
  }
  const rssRuns = Math.max(5, Math.round(runs / 4));
  const rss = cases.map(() => []);
  for (let round = 0; round < rssRuns; round++) for (const [i, c] of cases.entries()) rss[i].push(peakRssKb(c.argv));

  const rows = cases.map((c, i) => ({
    name: c.name,
    median_ms: median(times[i]),
    p90_ms: quantile(times[i], 0.9),
    rss_kb: median(rss[i]),
    aim: c.aim,
  }));
  rows.forEach((r, i) => {
    r.vs = rows[cases[i].vs].name;
    r.time_ratio = r.median_ms / rows[cases[i].vs].median_ms;
    r.rss_ratio = r.rss_kb / rows[0].rss_kb;
  });
  if (asJson) {
    console.log(
      JSON.stringify(
        { node: process.version, runs, rss_method: rssMethod, node_extra_ca_certs: !droppedCaCerts, rows },
        null,
        2,
      ),
    );
  } else {
    console.log(
      `pikactl start-up vs bare node ${process.version}: ${runs} interleaved runs each, medians; peak RSS: median of ${rssRuns} (${rssMethod})`,
    );
    console.log(`${caNote}.\n`);
    console.log(
      `${'command'.padEnd(24)}${'median'.padStart(9)}${'p90'.padStart(9)}${'ratio'.padStart(8)}${'aim'.padStart(7)}  ${'vs'.padEnd(18)}${'peak RSS'.padStart(9)}${'ratio'.padStart(8)}${'aim'.padStart(7)}`,
    );
    for (const r of rows) {
      const t = r.aim === null ? '' : `${r.time_ratio <= r.aim ? ' ' : '!'}${r.aim.toFixed(2)}`;
      const m = r.aim === null ? '' : `${r.rss_ratio <= 1.5 ? ' ' : '!'}1.50`;
      console.log(
        `${r.name.padEnd(24)}${ms(r.median_ms).padStart(9)}${ms(r.p90_ms).padStart(9)}${`${r.time_ratio.toFixed(2)}x`.padStart(8)}${t.padStart(7)}  ${r.vs.padEnd(18)}` +
          `${`${(r.rss_kb / 1024).toFixed(1)} MB`.padStart(9)}${`${r.rss_ratio.toFixed(2)}x`.padStart(8)}${m.padStart(7)}`,
      );
    }
    console.log(
      '\n! marks a figure outside its aim (time: --help/--version 1.25x node, status 1.1x the bare GETs; memory 1.5x node).',
    );
  }
} finally {
  sandbox.stop();
  rmSync(home, { recursive: true, force: true });
}

/** The rehearsal server as a child process; its URL is the "url" of the JSON it prints once listening. */
function startSandbox() {
  return new Promise((resolve, reject) => {
    const child = spawn(node, [bin, 'sandbox', '--port', '0', '--json', '--quiet'], {
      env,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let out = '';
    const timer = setTimeout(() => fail(new Error('sandbox did not start within 15 s')), 15_000);
    const fail = (err) => {
      clearTimeout(timer);
      child.kill();
      reject(err);
    };
    child.on('exit', (code) => fail(new Error(`sandbox exited early (${code})`)));
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      out += chunk;
      try {
        const { url } = JSON.parse(out);
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve({ url, stop: () => child.kill() });
      } catch {
        // not a whole document yet
      }
    });
  });
}

function peakRssKb(argv) {
  const out = join(home, 'rss.txt');
  if (gnuTime) {
    spawnSync(gnuTime, ['-f', '%M', '-o', out, node, ...argv], { env, stdio: 'ignore' });
  } else {
    const hook = `data:text/javascript,import{writeFileSync}from'node:fs';process.on('exit',()=>writeFileSync(${JSON.stringify(out)},String(process.resourceUsage().maxRSS)))`;
    spawnSync(node, ['--import', hook, ...argv], { env, stdio: 'ignore' });
  }
  return Number(readFileSync(out, 'utf8').trim().split('\n').pop());
}

function median(xs) {
  return quantile(xs, 0.5);
}
function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}
function ms(x) {
  return `${x.toFixed(1)} ms`;
}
function shuffle(xs) {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
}
