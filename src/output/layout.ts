/**
 * The one key/value layout and the one word wrap of pikactl's human output (the one table
 * is table.ts). Plain text in, lines out: colour, if any, is applied by the caller to values.
 */

export interface KeyValueOptions {
  /** Put before every line, e.g. two spaces under a heading. */
  indent?: string;
  /** Column where values start (after "Key:"); default: the longest key + 2. */
  width?: number;
}

/** Aligned "Key: value" lines; a row whose value is undefined is left out, an empty key continues the row above. */
export function keyValues(
  rows: ReadonlyArray<readonly [string, string | undefined]>,
  opts: KeyValueOptions = {},
): string[] {
  const present = rows.filter((r): r is readonly [string, string] => r[1] !== undefined);
  const width = opts.width ?? Math.max(0, ...present.map(([k]) => k.length)) + 2;
  return present.map(([k, v]) => `${opts.indent ?? ''}${(k ? `${k}:` : '').padEnd(width)}${v}`);
}

/**
 * Greedy word wrap to `width` columns, prefixes included: `first` starts the first line,
 * `rest` (default: as wide as nothing) each further one. A word longer than a line stands alone.
 */
export function wrapText(text: string, width: number, first = '', rest = ''): string[] {
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const w of text.split(/\s+/).filter(Boolean)) {
    if (!empty && line.length + 1 + w.length > width) {
      lines.push(line);
      line = rest + w;
    } else {
      line += (empty ? '' : ' ') + w;
    }
    empty = false;
  }
  lines.push(line);
  return lines;
}
