#!/usr/bin/env node
// Fleet benchmark (`npm run bench:fleet`; not part of `npm test`): wall time of
// `pikactl unlock` over 1 and over 20 locked sandboxes, as an operator runs it (the
// built binary, a fresh process each time). The aim: 20 nodes well under 2x one node,
// i.e. the nodes are handled concurrently and the passphrase/login work is not repeated
// needlessly.
//
// The sandboxes run in this process (from dist/), each with its own data dir, and are
// re-locked between runs by a restart (no login needed for that). `status` over the same
// nodes is measured too: it needs no login, so the difference shows what the per-node
// inline login costs. The sandbox's request log gives the server-side time spent in
// login (scrypt) per run: here all 20 "servers" share this machine's cores, which a real
// fleet does not.
//
// Usage: node bench/fleet.mjs [--runs N] [--nodes N] [--json]
import { spawn } from 'node:child_process';
import { randomBytes, scryptSync } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const bin = join(root, 'bin', 'pikactl.js');
const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) || dflt : dflt);
const runs = opt('--runs', 7);
const big = opt('--nodes', 20);
const asJson = args.includes('--json');

if (!existsSync(join(root, 'dist', 'sandbox', 'index.js'))) {
  console.error('bench: dist/ is missing; run `npm run build` first.');
  process.exit(1);
}
const { startSandbox } = await import(join(root, 'dist', 'sandbox', 'index.js'));

const KEY = 'bench-fleet-key-correct-horse';
const PW = 'bench-admin-password';
const home = mkdtempSync(join(tmpdir(), 'pikactl-bench-fleet-'));
const env = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: home,
  XDG_CONFIG_HOME: join(home, '.config'),
  NO_COLOR: '1',
};
Object.assign(env, { PIKA_USER: 'admin', PIKA_PASSWORD_FROM: 'env:BENCH_PW', BENCH_PW: PW, BENCH_KEY: KEY });

/** Server-side login time (ms) from the sandboxes' request log, reset per run. */
let loginMs = 0;
const logger = (line) => {
  const m = /^POST \/login\/pass\/\S+ -> \d+ \((\d+) ms\)/.exec(line);
  if (m) loginMs += Number(m[1]);
};

const nodes = [];
try {
  for (let i = 0; i < big; i++) {
    const dataDir = join(home, `node-${i}`);
    const sb = await startSandbox({ dataDir, port: 0, users: [{ username: 'admin', password: PW }], logger });
    await initialize(sb.url);
    nodes.push({ dataDir, handle: sb });
  }

  // Every round runs each case once, in a shuffled order, so background load (a shared
  // machine) hits all of them alike; medians are reported.
  //  - as shipped: each login costs one scrypt (N=16384) on "its" server, and all the
  //    servers share this machine's CPUs;
  //  - "cheap login hash": the stored hash cheapened to N=1024, approximating servers on
  //    their own hardware, where 20 logins do not queue on two cores. What is left is
  //    pikactl's own fan-out.
  const cases = [
    { name: 'unlock', n: 1, hash: 'normal' },
    { name: 'unlock', n: big, hash: 'normal' },
    { name: 'status', n: 1, hash: 'normal' },
    { name: 'status', n: big, hash: 'normal' },
    { name: 'unlock', n: 1, hash: 'cheap' },
    { name: 'unlock', n: big, hash: 'cheap' },
  ].map((c) => ({ ...c, ms: [], loginMs: [] }));
  const hashes = {
    normal: nodes.map((n) => readFileSync(join(n.dataDir, 'users.json'), 'utf8')),
    cheap: nodes.map(() => cheapUsersJson()),
  };
  for (let round = 0; round < runs + 1; round++) {
    for (const c of shuffle(cases)) {
      nodes.forEach((n, i) => {
        writeFileSync(join(n.dataDir, 'users.json'), hashes[c.hash][i], { mode: 0o600 });
      });
      await relockAll(); // the restart also re-reads users.json
      loginMs = 0;
      const t = await pikactl(c.name, c.n);
      if (round > 0) {
        c.ms.push(t); // round 0 warms the page cache
        c.loginMs.push(loginMs);
      }
    }
  }
  const med = (r) => median(r.ms);
  const [u1, uN, s1, sN, c1, cN] = cases;

  const summary = {
    runs,
    cpus: cpus().length,
    nodes: big,
    unlock_1_ms: med(u1),
    unlock_n_ms: med(uN),
    unlock_ratio: med(uN) / med(u1),
    status_1_ms: med(s1),
    status_n_ms: med(sN),
    status_ratio: med(sN) / med(s1),
    server_login_ms_1: median(u1.loginMs),
    server_login_ms_n_summed: median(uN.loginMs),
    cheap_login_unlock_1_ms: med(c1),
    cheap_login_unlock_n_ms: med(cN),
    cheap_login_unlock_ratio: med(cN) / med(c1),
  };
  if (asJson) {
    console.log(JSON.stringify(summary, null, 2));
  } else {
    console.log(
      `pikactl fleet benchmark: median of ${runs} runs, ${cpus().length} CPUs, ${big} sandboxes in this process, pikactl as a child process\n`,
    );
    const show = (label, r) =>
      console.log(`  ${label.padEnd(34)} ${ms(med(r)).padStart(8)}   (runs: ${r.ms.map(ms).join(', ')})`);
    show('unlock x1', u1);
    show(`unlock x${big}`, uN);
    show('status x1', s1);
    show(`status x${big}`, sN);
    show('unlock x1, cheap login hash', c1);
    show(`unlock x${big}, cheap login hash`, cN);
    console.log(`\n  unlock ${big} / unlock 1 = ${summary.unlock_ratio.toFixed(2)}x   (aim: well under 2x)`);
    console.log(
      `  status ${big} / status 1 = ${summary.status_ratio.toFixed(2)}x   (no login at all: the fan-out alone)`,
    );
    console.log(
      `  cheap-hash unlock ${big} / 1 = ${summary.cheap_login_unlock_ratio.toFixed(2)}x   (logins no longer queue on shared CPUs)`,
    );
    console.log(
      `  server-side login time: ${ms(summary.server_login_ms_1)} for 1 node; ${ms(summary.server_login_ms_n_summed)} summed over ${big} nodes ` +
        `(one inline login per node, scrypt on the server; here ${big} servers share ${cpus().length} CPUs)`,
    );
  }
} finally {
  await Promise.all(nodes.map((n) => n.handle.stop()));
  rmSync(home, { recursive: true, force: true });
}

async function initialize(url) {
  const login = await fetch(`${url}/login/pass/local`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: PW }),
  });
  const cookie = login.headers
    .getSetCookie()
    .find((c) => c.startsWith('pika_session='))
    ?.split(';')[0];
  const r = await fetch(`${url}/api/v1/key/initialize`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie },
    body: JSON.stringify({ key: KEY }),
  });
  if (r.status !== 200) throw new Error(`initialize ${url}: ${r.status} ${await r.text()}`);
}

/** A restart is how a replica gets locked in real life; same port, users kept from the data dir. */
async function relockAll() {
  for (const n of nodes) {
    const port = n.handle.port;
    await n.handle.stop();
    n.handle = await startSandbox({ dataDir: n.dataDir, port, users: [], logger });
  }
}

/** users.json for the admin with a scrypt N=1024 hash (the sandbox verifies with the parameters stored in the hash). */
function cheapUsersJson() {
  const salt = randomBytes(16);
  const hash = scryptSync(PW, salt, 32, { N: 1024, r: 8, p: 1 });
  const password_hash = `scrypt$1024$8$1$${salt.toString('base64')}$${hash.toString('base64')}`;
  return JSON.stringify({
    version: 1,
    users: [{ username: 'admin', password_hash, superadmin: true, permissions: ['settings.manage'] }],
  });
}

function pikactl(command, n) {
  const servers = nodes.slice(0, n).flatMap((x) => ['--server', x.handle.url]);
  const argv =
    command === 'unlock'
      ? ['unlock', ...servers, '--key-from', 'env:BENCH_KEY', '--json']
      : ['status', ...servers, '--json'];
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, [bin, ...argv], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const elapsed = Number(process.hrtime.bigint() - t0) / 1e6;
      const want = command === 'unlock' ? 0 : 3; // status right after a restart: every node locked
      if (code !== want)
        return reject(new Error(`pikactl ${command} x${n} exited ${code} (wanted ${want}): ${err || out}`));
      resolve(elapsed);
    });
  });
}

function shuffle(xs) {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}
function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
function ms(x) {
  return `${Math.round(x)} ms`;
}
