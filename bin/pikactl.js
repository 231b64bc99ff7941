#!/usr/bin/env node
// Thin shim: check Node, hand argv to run(), set the exit code. Nothing below this calls process.exit.
const argv = process.argv.slice(2);
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  process.stderr.write(`pikactl needs Node.js >= 20.19 (this is ${process.versions.node}).\n`);
  process.exitCode = 1;
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
  // Both at once: each import is a round of file reads, and start-up is mostly module loading.
  const [{ run }, { systemDeps }] = await Promise.all([import('../dist/cli.js'), import('../dist/deps.js')]);
  // The one run of this process: its secrets are redacted process-wide (dist/secrets/redact.js).
  process.exitCode = await run(argv, systemDeps(), { ownsProcess: true });
}
