// The floor for `pikactl status --json` (bench/startup.mjs): a bare Node script making the same
// requests with the same library, undici's public API, and printing the answer. Like pikactl
// (src/transport/undici-parts.ts) it keeps V8 on its baseline WebAssembly tier: without that,
// every undici script idles ~150 ms at exit, and the comparison would flatter pikactl. Both set
// the flag once undici is loaded (here: imports run first), so built-ins keep their code cache.
// Usage: node bench/bare-get.mjs URL
import { setFlagsFromString } from 'node:v8';
import { request } from 'undici';

setFlagsFromString('--liftoff-only');
const base = process.argv[2];
// pikactl status asks key/status, then info (name, version), one after the other.
const status = await (await request(`${base}/api/v1/key/status`)).body.json();
const info = await (await request(`${base}/api/v1/info`)).body.json();
process.stdout.write(`${JSON.stringify({ ok: true, server: base, ...status, version: info.version }, null, 2)}\n`);
