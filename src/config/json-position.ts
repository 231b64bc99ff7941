/**
 * Where a JSON document is broken, as line:column, so a malformed config file can
 * be reported like a compiler error ("config.json:4:7") instead of a stack trace.
 *
 * V8 puts "at position N" in most JSON.parse messages, but not all of them
 * (Node 20: "Unexpected token '}', "…" is not valid JSON", "Unexpected end of JSON
 * input"). For those a tiny scanner finds the offset of the first error itself.
 */

export interface JsonErrorLocation {
  /** 0-based UTF-16 offset into the text. */
  offset: number;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  /** V8's reason without its echo of the file's content. */
  reason: string;
}

export function locateJsonError(text: string, err: unknown): JsonErrorLocation {
  const message = err instanceof Error ? err.message : String(err);
  const m = /at position (\d+)/.exec(message);
  const offset = m ? Math.min(Number(m[1]), text.length) : firstErrorOffset(text);
  return { offset, ...lineColumn(text, offset), reason: cleanReason(message) };
}

export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/**
 * V8's reason with every echo of the text removed: the file may hold a passphrase
 * pasted in by mistake, and an error message must not print any of it (not even
 * the one character of "Unexpected token 'x'"). The position says where to look.
 */
function cleanReason(message: string): string {
  return (
    message
      // Node 20: `Unexpected token 'h', "hunter2-Se"... is not valid JSON` — drop both echoes.
      // JSON's own punctuation may be named; any other character is not.
      .replace(/^Unexpected token '([{}[\]:,])'.*$/s, "Unexpected token '$1'")
      .replace(/^Unexpected token (?!'[{}[\]:,]'$).*$/s, 'Unexpected character')
      .replace(/^(?:\.\.\.)?".*" is not valid JSON$/s, 'invalid JSON')
      .replace(/, (?:\.\.\.)?".*" is not valid JSON$/s, '')
      .replace(/ in JSON at position \d+.*$/s, '')
      .replace(/ at position \d+.*$/s, '')
      .trim() || 'invalid JSON'
  );
}

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

class Stop {
  constructor(readonly at: number) {}
}

/** Offset of the first syntax error in text, following RFC 8259 (text.length for a premature end). */
export function firstErrorOffset(text: string): number {
  const n = text.length;
  let i = 0;
  const ws = () => {
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const expect = (ch: string) => {
    if (text[i] !== ch) throw new Stop(i);
    i++;
  };
  const str = () => {
    expect('"');
    while (i < n) {
      const c = text[i];
      if (c === '"') return void i++;
      if (c === '\\') {
        const e = text[i + 1];
        if (e === 'u') {
          for (let k = i + 2; k < i + 6; k++) if (!/[0-9a-fA-F]/.test(text[k] ?? '')) throw new Stop(Math.min(k, n));
          i += 6;
          continue;
        }
        if (e === undefined) throw new Stop(n);
        if (!'"\\/bfnrt'.includes(e)) throw new Stop(i + 1);
        i += 2;
        continue;
      }
      if (c < ' ') throw new Stop(i);
      i++;
    }
    throw new Stop(n);
  };
  const value = (): void => {
    ws();
    if (i >= n) throw new Stop(n);
    const c = text[i];
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      ws();
      if (text[i] === close) return void i++;
      for (;;) {
        if (c === '{') {
          ws();
          str();
          ws();
          expect(':');
        }
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        return void expect(close);
      }
    }
    if (c === '"') return void str();
    for (const lit of ['true', 'false', 'null']) {
      if (c === lit[0]) {
        for (let k = 0; k < lit.length; k++, i++) if (text[i] !== lit[k]) throw new Stop(Math.min(i, n));
        return;
      }
    }
    // Numbers digit by digit, so the error lands where V8 puts it ("1." → after the dot).
    const digits = (required: boolean) => {
      if (required && !isDigit(text[i])) throw new Stop(i);
      while (isDigit(text[i])) i++;
    };
    if (text[i] === '-') i++;
    if (text[i] === '0') i++;
    else digits(true);
    if (text[i] === '.') {
      i++;
      digits(true);
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      digits(true);
    }
  };
  try {
    value();
    ws();
    return Math.min(i, n);
  } catch (e) {
    if (e instanceof Stop) return e.at;
    throw e;
  }
}
