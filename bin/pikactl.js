#!/usr/bin/env node
// Thin shim: check Node, hand argv to run(), set the exit code. Nothing below this calls process.exit.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  process.stderr.write(`pikactl needs Node.js >= 20.19 (this is ${process.versions.node}).\n`);
  process.exitCode = 1;
} else {
  const { run } = await import('../dist/cli.js');
  const { systemContext } = await import('../dist/context.js');
  process.exitCode = await run(process.argv.slice(2), systemContext());
}
