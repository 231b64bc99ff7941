#!/usr/bin/env node
// Thin shim: check Node, hand argv to run(), set the exit code. Nothing below this calls process.exit.
// CommonJS (bin/package.json), not an ES module: starting Node's ES module loader alone costs
// more than pikactl's start-up aim (1.25x bare node; README "Performance"), so a bare
// --version or --help is answered here without it, and everything else import()s dist/.
'use strict';
const argv = process.argv.slice(2);
const [major, minor] = process.versions.node.split('.').map(Number);
const only = (...flags) => argv.length === 1 && flags.includes(argv[0]); // as src/cli.ts asks
if (major < 20 || (major === 20 && minor < 19)) {
  process.stderr.write(`pikactl needs Node.js >= 20.19 (this is ${process.versions.node}).\n`);
  process.exitCode = 1;
} else if (only('--version', '-V')) {
  const { readFileSync } = require('node:fs');
  const { join } = require('node:path');
  answer(`${JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')).version}\n`);
} else if (only('--help', '-h')) {
  // src/root-help.ts built as CommonJS (tsconfig.cjs.json): the text and width rule src/cli.ts uses.
  const { helpWidth, renderRootHelp } = require('../dist/cjs/root-help.js');
  // Only a terminal's width counts, and asking costs: node:tty loads node:net, and process.stdout
  // builds its stream (together half the rest of --help). A terminal is a character device other
  // than /dev/null (two stats, cheap): pipes, files and `> /dev/null` never ask.
  const { fstatSync, statSync } = require('node:fs');
  const out = fstatSync(1);
  const tty =
    out.isCharacterDevice() &&
    out.rdev !== statSync('/dev/null', { throwIfNoEntry: false })?.rdev &&
    require('node:tty').isatty(1);
  answer(renderRootHelp(helpWidth(tty ? process.stdout : undefined, tty)));
} else {
  // Last resort: a signal aborts the command (dist/deps.js), which closes any prompt and
  // unwinds within milliseconds. Should anything still hold the process 2 s later (a stuck
  // socket, a child), give the terminal its echo back and end it. Unref'd: never keeps it alive.
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      setTimeout(() => {
        if (process.stdin.isTTY && process.stdin.isRaw) process.stdin.setRawMode(false);
        process.exit(process.exitCode ?? 130); // the command's own code when it already ended
      }, 2000).unref();
    });
  }
  void main(); // a rejection ends the process as an uncaught error, as top-level await did
}

async function main() {
  // Both at once: each import is a round of file reads, and start-up is mostly module loading.
  const [{ run }, { systemDeps }] = await Promise.all([import('../dist/cli.js'), import('../dist/deps.js')]);
  // The one run of this process: its secrets are redacted process-wide (dist/secrets/redact.js).
  process.exitCode = await run(argv, systemDeps(), { ownsProcess: true });
}

/**
 * Prints `text` and ends as src/cli.ts's afterOutput does: a write error on stdout (ENOSPC,
 * EPIPE) is one line on stderr and exit 1, never a stack trace (test/e2e/output-errors.test.ts).
 * Written to fd 1 directly: building process.stdout would cost more than the rest of --version.
 */
function answer(text) {
  const { writeSync } = require('node:fs');
  const bytes = Buffer.from(text);
  let written = 0;
  try {
    while (written < bytes.length) written += writeSync(1, bytes, written);
  } catch (err) {
    // A non-blocking stdout that is full (set so by another process): the stream waits for it.
    if (err.code === 'EAGAIN') return streamed(bytes.subarray(written));
    return failed(err.code ?? 'EIO');
  }
  process.exitCode = 0;
}

function streamed(rest) {
  let code;
  process.stdout.on('error', (err) => (code ??= err.code ?? 'EIO'));
  process.stdout.write(rest);
  process.exitCode = 0;
  // Errors of writes already made are emitted on a later tick.
  setImmediate(() => code !== undefined && failed(code));
}

function failed(code) {
  process.stderr.on('error', () => {}); // stderr may be gone too: then the exit code says it
  process.stderr.write(`Error: cannot write to stdout (${code}); the output is incomplete.\n`);
  process.exitCode = 1;
}
