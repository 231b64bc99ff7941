import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../../src');
const MAP = 'src/README.md';

/**
 * src/README.md is the map a newcomer finds files by, so it must name every file under
 * src/. The rule, as the map is written: a file `src/D/F` is named when the map holds the
 * code span `D/F` anywhere (outside the drawn layers), or when the bullet of its folder,
 * the one that starts with `- \`D/\``, holds `F` (a command may drop the `.ts`: `status`).
 * Top-level files are named by their bare name anywhere. And the other way round: a span
 * ending in .ts or .md (bare, or a path into src/) names a file that exists, so a rename
 * cannot leave a stale entry.
 */
interface Bullet {
  folder?: string; // "kube/" for the bullet that starts with `kube/`
  spans: Set<string>;
  head: string; // its first words, for messages
}

function parseMap(text: string): { spans: Set<string>; bullets: Bullet[]; outside: Set<string> } {
  const prose = text.replace(/```[\s\S]*?```/g, ''); // the drawn layers are a picture, not the map
  const spansOf = (s: string) => new Set([...s.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]));
  const bullets: Bullet[] = [];
  const rest: string[] = [];
  for (const block of prose.split(/\n(?=- )/)) {
    const lines = block.split('\n');
    // A bullet is its first line and the indented lines after it; anything else is the rest.
    const end = block.startsWith('- ') ? lines.findIndex((l, i) => i > 0 && !l.startsWith('  ')) : 0;
    const body = end === -1 ? lines : lines.slice(0, end);
    rest.push(...(end === -1 ? [] : lines.slice(end)));
    if (body.length === 0) continue;
    const folder = /^- `([^`]+\/)`/.exec(body[0])?.[1];
    bullets.push({ folder, spans: spansOf(body.join('\n')), head: body[0].slice(2).replace(/`/g, '').slice(0, 40) });
  }
  return { spans: spansOf(prose), bullets, outside: spansOf(rest.join('\n')) };
}

/** Every problem of the map against these files (paths relative to src/, `/`-separated). */
function mapProblems(text: string, files: readonly string[]): string[] {
  const { spans, bullets, outside } = parseMap(text);
  const problems: string[] = [];
  for (const file of files) {
    if (file === 'README.md' || spans.has(file)) continue;
    const dir = posix.dirname(file) === '.' ? '' : `${posix.dirname(file)}/`;
    const name = posix.basename(file);
    const inFolder = (b: Bullet) => dir !== '' && b.folder === dir;
    const names = (b: Bullet) => b.spans.has(name) || (name.endsWith('.ts') && b.spans.has(name.slice(0, -3)));
    if (bullets.some((b) => inFolder(b) && names(b))) continue;
    const own = bullets.find(inFolder);
    if (own) {
      problems.push(
        `src/${file} is not in ${MAP}: name it as \`${name}\` (with a few words on what it holds) in the ` +
          `\`${dir}\` bullet under "Where each behaviour lives" ("${own.head}…"), or as \`${file}\` anywhere.`,
      );
      continue;
    }
    // No bullet of its own (a top-level file, a new folder): point at the bullet naming its siblings.
    const siblings = files.filter((f) => f !== file && f.startsWith(dir) && !f.slice(dir.length).includes('/'));
    const near = bullets.find((b) => siblings.some((f) => b.spans.has(f)));
    problems.push(
      near && dir === ''
        ? `src/${file} is not in ${MAP}: name it as \`${file}\` (with a few words on what it holds) in the ` +
            `bullet of the top-level files under "Where each behaviour lives" ("${near.head}…").`
        : `src/${file} is not in ${MAP}: there is no \`${dir}\` bullet; add one under "Where each behaviour ` +
            `lives": "- \`${dir}\`: \`${name}\` (what it holds)", or name it as \`${file}\` anywhere.`,
    );
  }
  // Stale entries: a file name the map holds that is no file (renamed or deleted).
  const exists = new Set(files);
  const folders = new Set(files.filter((f) => f.includes('/')).map((f) => f.slice(0, f.indexOf('/'))));
  // A bare name, or a path into src/ (`test/…` and `support/…` name test files, not map entries).
  const isFileName = (s: string) => /^[\w./-]+\.(ts|md)$/.test(s) && (!s.includes('/') || folders.has(s.split('/')[0]));
  for (const b of bullets) {
    for (const s of b.spans) {
      if (!isFileName(s) || exists.has(s) || (b.folder && exists.has(b.folder + s))) continue;
      const where = b.folder ? `the \`${b.folder}\` bullet` : `the bullet "${b.head}…"`;
      problems.push(`${MAP} names \`${s}\` in ${where}, but there is no src/${b.folder ?? ''}${s} (renamed or gone?).`);
    }
  }
  for (const s of outside) {
    if (isFileName(s) && !exists.has(s))
      problems.push(`${MAP} names \`${s}\`, but there is no src/${s} (renamed or gone?).`);
  }
  return problems;
}

function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(dir).flatMap((n) =>
    statSync(join(dir, n)).isDirectory() ? filesUnder(join(dir, n), `${prefix}${n}/`) : [`${prefix}${n}`],
  );
}

const map = readFileSync(join(SRC, 'README.md'), 'utf8');
const files = filesUnder(SRC).sort();

describe(`${MAP} names every file under src/`, () => {
  it('the map and the tree agree', () => {
    expect(files.length).toBeGreaterThan(100); // the walk found the tree
    expect(existsSync(join(SRC, 'kube', 'open.ts'))).toBe(true);
    expect(mapProblems(map, files)).toEqual([]);
  });

  /** The message with the quoted bullet head (it changes as the map is edited) left open. */
  const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const message = (before: string, after: string) => new RegExp(`^${literal(before)}\\("[^"]+…"\\)${literal(after)}$`);

  it('a file added without an entry is named, with the bullet to add it to', () => {
    const added = (file: string) => mapProblems(map, [...files, file]);
    expect(added('kube/probe.ts')).toEqual([
      expect.stringMatching(
        message(
          `src/kube/probe.ts is not in ${MAP}: name it as \`probe.ts\` (with a few words on what it holds) in the ` +
            '`kube/` bullet under "Where each behaviour lives" ',
          ', or as `kube/probe.ts` anywhere.',
        ),
      ),
    ]);
    expect(added('banner.ts')).toEqual([
      expect.stringMatching(
        message(
          `src/banner.ts is not in ${MAP}: name it as \`banner.ts\` (with a few words on what it holds) in the ` +
            'bullet of the top-level files under "Where each behaviour lives" ',
          '.',
        ),
      ),
    ]);
    expect(added('metrics/counter.ts')).toEqual([
      `src/metrics/counter.ts is not in ${MAP}: there is no \`metrics/\` bullet; add one under "Where each ` +
        'behaviour lives": "- `metrics/`: `counter.ts` (what it holds)", or name it as `metrics/counter.ts` anywhere.',
    ]);
  });

  it('a name counts only in its own folder’s bullet, and a renamed file leaves a stale entry', () => {
    // The keychain/ bullet names `open.ts` too; it does not stand for kube/open.ts.
    const renamed = map.replace('`open.ts` (`openKubeTargets`', '`pods.ts` (`openKubeTargets`');
    expect(mapProblems(renamed, files)).toEqual([
      expect.stringMatching(/^src\/kube\/open\.ts is not in src\/README\.md: name it as `open\.ts` .* `kube\/` bullet/),
      `${MAP} names \`pods.ts\` in the \`kube/\` bullet, but there is no src/kube/pods.ts (renamed or gone?).`,
    ]);
  });
});
