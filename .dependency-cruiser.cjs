/**
 * The import graph pikactl keeps (src/README.md draws the layers). `npm run lint:imports`
 * fails on any edge below; `npm test` runs it before vitest, so CI does too.
 * test/ship/import-graph.test.ts proves each family of rule fires on a fixture.
 *
 * Layers, top to bottom (an arrow may only point down):
 *   entry      cli.ts, program.ts, commands/index.ts
 *   commands   commands/*.ts: one file per command (a command's sub-files: commands/NAME-*.ts)
 *   shared     commands/shared/, commands/app.ts, commands/summaries.ts; fleet/ (fan-out over an invocation)
 *   features   recovery/, handover/, playbooks/, runbooks/, auth/, ops/, backup/, kube/
 *   base       config/, secrets/, keychain/
 *   wire       api/, transport/
 *   leaves     output/, io/, util/, errors.ts, outcome.ts, deps.ts, globals.ts, version.ts
 * The sandbox (sandbox/) is the server side: it may use leaves, never the client layers.
 */
const FEATURES = '^src/(recovery|handover|playbooks|runbooks|auth|ops|backup|kube)/';
// The Secret type and the redactor are leaves (everything carries secrets); the rest of secrets/ is base.
const BASE = '^src/(config|keychain)/|^src/secrets/(?!(secret|redact)\\.ts$)';
const WIRE = '^src/(api|transport)/';
const LEAVES =
  '^src/(output|io|util)/|^src/secrets/(secret|redact)\\.ts$|^src/(errors|outcome|deps|globals|version|usage-errors)\\.ts$';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'A cycle means two modules are one idea, or a layer points up. Type-only imports vanish at run time and do not count.',
      from: { path: '^src/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'sandbox-not-client',
      severity: 'error',
      comment: 'The sandbox is the server: nothing from the CLI side but the leaves (errors, output, secrets/secret).',
      from: { path: '^src/sandbox/' },
      to: {
        path: '^src/(commands|fleet|recovery|handover|playbooks|runbooks|auth|ops|config|keychain|api|transport|cli|program)',
      },
    },
    {
      name: 'commands-only-from-above',
      severity: 'error',
      comment:
        'Only the entry, the command tree readers (completion, fleet over an invocation) and commands import commands/.',
      from: { path: '^src/', pathNot: '^src/(commands|cli\\.ts|program\\.ts|root-help\\.ts|completion|fleet)' },
      to: { path: '^src/commands/' },
    },
    {
      name: 'lower-layers-not-commands',
      severity: 'error',
      comment: 'transport, api, secrets, keychain, output and io never reach up into commands/.',
      from: { path: '^src/(transport|api|secrets|keychain|output|io)/' },
      to: { path: '^src/commands/' },
    },
    {
      name: 'api-not-features',
      severity: 'error',
      comment: 'The API layer is a typed library: it knows no command, playbook or feature.',
      from: { path: '^src/api/' },
      to: { path: '^src/(commands|playbooks|recovery|handover|fleet|runbooks|auth|ops|keychain|config)/' },
    },
    {
      name: 'command-imports-command',
      severity: 'error',
      comment:
        'A command imports no other command: what two commands need goes to commands/shared/. ' +
        'A sub-file (NAME-X.ts) may read its own command NAME.ts (types only: see the next rule).',
      // $1: the file's name; $2: the command a sub-file NAME-X.ts belongs to (NAME).
      from: { path: '^src/commands/(([^/]+)-[^/-]+|[^/]+)\\.ts$', pathNot: '^src/commands/index\\.ts$' },
      to: {
        path: '^src/commands/[^/]+\\.ts$',
        pathNot: ['^src/commands/(app|summaries)\\.ts$', '^src/commands/$1-[^/]+\\.ts$', '^src/commands/$2\\.ts$'],
      },
    },
    {
      name: 'sub-file-imports-command-types-only',
      severity: 'error',
      comment:
        'A sub-file imports its command for types only (its options type): the command loads the sub-file lazily.',
      from: { path: '^src/commands/([^/]+)-[^/-]+\\.ts$' },
      to: { path: '^src/commands/$1\\.ts$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'shared-not-commands',
      severity: 'error',
      comment: 'Helpers of commands serve commands; they import none.',
      from: { path: '^src/(commands/shared|fleet)/' },
      to: { path: '^src/commands/[^/]+\\.ts$', pathNot: '^src/commands/(app|summaries)\\.ts$' },
    },
    {
      name: 'features-not-up',
      severity: 'error',
      comment: 'Features (recovery, handover, playbooks…) know nothing of commands, the invocation or the fleet.',
      from: { path: FEATURES },
      to: { path: '^src/(commands|fleet|completion)/|^src/(cli|program)\\.ts$' },
    },
    {
      name: 'base-not-up',
      severity: 'error',
      comment: 'config, secrets and keychain sit under the features.',
      from: { path: BASE },
      to: { path: `${FEATURES}|^src/(commands|fleet|completion)/|^src/(cli|program)\\.ts$` },
    },
    {
      name: 'wire-not-up',
      severity: 'error',
      comment:
        'api and transport sit under config/secrets/keychain: a hint names a server through output/target-flags.ts.',
      from: { path: WIRE },
      to: { path: `${BASE}|${FEATURES}|^src/(commands|fleet|completion|sandbox)/|^src/(cli|program)\\.ts$` },
    },
    {
      name: 'leaves-not-up',
      severity: 'error',
      comment: 'output, io and util are leaves: types from the domain only (type-only imports are allowed).',
      from: { path: LEAVES },
      to: {
        path: `^src/(commands|fleet|completion|sandbox)/|^src/(cli|program)\\.ts$`,
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'terminal-libraries-in-io',
      severity: 'error',
      comment: 'chalk, ora and @inquirer are loaded by src/io/ only (design principle 2).',
      from: { path: '^src/', pathNot: '^src/io/' },
      to: { path: '(^|/)node_modules/(chalk|ora|@inquirer)/' },
    },
    {
      name: 'process-module-in-deps',
      severity: 'error',
      comment: 'The process module is imported by src/deps.ts only (the global is for the linter to watch).',
      from: { path: '^src/', pathNot: '^src/deps\\.ts$' },
      to: { path: '^(node:)?process$', dependencyTypes: ['core'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
      extensions: ['.ts', '.js'],
    },
    exclude: { path: '^(dist|node_modules)/' },
  },
};
