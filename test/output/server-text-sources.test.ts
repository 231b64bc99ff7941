import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * No code path writes a server field into text for people except through the one
 * renderer (src/output/server-text.ts). A grep, not a type: a branded ServerText type
 * would have to reach through ApiError, ServerInfo, CertInfo and every command
 * at once. The grep looks for the fields the server chooses freely, interpolated into
 * a template string or written directly, on a line that does not call serverText().
 *
 * ApiError.serverMessage is not listed: it is rendered where it is made
 * (cleanServerText in src/api/classify.ts goes through serverText), so every message
 * built from it is already safe. Full values reach --json only through writeJson /
 * jsonText (src/output/json.ts), which redacts and caps every string.
 */

const SRC = fileURLToPath(new URL('../../src', import.meta.url));

/** Where server fields are parsed or defined, not shown; and the sandbox, which is the server. */
const SKIP = [
  'sandbox/',
  'output/server-text.ts',
  'output/json.ts',
  'secrets/redact.ts',
  'api/classify.ts',
  'api/types.ts',
  'config/tls-probe.ts',
];

/** Lines that match but show no server text, each with the reason. */
const ALLOWED: Array<[file: string, snippet: string, why: string]> = [
  ['fleet/ops.ts', 'followerReason(op, leaderAddr)', 'followerReason renders the address through serverText'],
  ['handover/record.ts', 'r.version', "a handover record's own format version, from a local file"],
  ['output/runbook.ts', 'r.name', "the built-in runbooks' names"],
];

const FIELD =
  /\b(?:requestId|request_id|location|leaderAddr|leader_addr|verifyError|subject|issuer|dnsNames|ipAddresses|(?:info|me|r|report)\.(?:name|version|user))\b/;
const INTERPOLATED = /\$\{([^}]*)\}/g;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const isComment = (line: string) => /^\s*(\/\/|\*|\/\*)/.test(line);

/** `file:line: text` for every line of src/ (SKIP left out) that `hit` picks; `rel` is the file under src/. */
function linesWhere(hit: (line: string, rel: string) => boolean, root = SRC): string[] {
  return files(root)
    .map((f) => relative(root, f))
    .filter((rel) => !SKIP.some((s) => rel.startsWith(s)))
    .flatMap((rel) =>
      readFileSync(join(root, rel), 'utf8')
        .split('\n')
        .flatMap((line, i) => (hit(line, rel) ? [`${rel}:${i + 1}: ${line.trim()}`] : [])),
    );
}

function unsafeLines(): string[] {
  return linesWhere((line, rel) => {
    if (isComment(line) || line.includes('serverText(')) return false;
    const interpolated = [...line.matchAll(INTERPOLATED)].some((m) => FIELD.test(m[1]));
    const written = /\.write\(/.test(line) && FIELD.test(line);
    if (ALLOWED.some(([f, snippet]) => rel === f && line.includes(snippet))) return false;
    return interpolated || written;
  });
}

/** A server field passed on as a bare call argument (`row('Subject', c.subject)`), which the two checks above do not see. */
const ARGUMENT =
  /(?:(?<!\b(?:if|while)\s?)\(|,|\[)\s*(?:\w+\.)*(?:requestId|request_id|location|leaderAddr|leader_addr|verifyError|subject|issuer|dnsNames|ipAddresses|(?:info|me|r|report)\.(?:name|version|user))\s*[,)\]]/;

/** Lines with a server field as a bare argument, where the callee is not a renderer of its own. */
function bareArguments(): string[] {
  return linesWhere(
    (line, rel) =>
      !isComment(line) &&
      !line.includes('serverText(') &&
      ARGUMENT.test(line) &&
      !ARGUMENT_ALLOWED.some(([file, snippet]) => rel === file && line.includes(snippet)),
  );
}

const ARGUMENT_ALLOWED: Array<[file: string, snippet: string, why: string]> = [
  ...ALLOWED,
  ['output/contexts.ts', 'names(c.', 'names() renders the list through serverText'],
];

/** JSON for stdout goes through jsonText/writeJson (redacted, capped, no raw C1), never a bare JSON.stringify. */
function bareJsonWrites(): string[] {
  return linesWhere((line) => /\.write\(/.test(line) && line.includes('JSON.stringify('));
}

describe('server fields reach people only through serverText()', () => {
  it('no line of src/ interpolates or writes a server field without it', () => {
    expect(unsafeLines()).toEqual([]);
  });

  it('no line of src/ hands a server field to another function as a bare argument', () => {
    expect(bareArguments()).toEqual([]);
  });

  it('no line of src/ writes JSON.stringify output directly', () => {
    expect(bareJsonWrites()).toEqual([]);
  });
});
