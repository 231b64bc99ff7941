import { describe, expect, it } from 'vitest';
import { firstErrorOffset, lineColumn, locateJsonError } from '../../src/config/json-position.js';

function parseError(text: string): unknown {
  try {
    JSON.parse(text);
  } catch (e) {
    return e;
  }
  throw new Error(`valid JSON: ${text}`);
}

describe('locateJsonError', () => {
  it('turns V8 positions into line:column', () => {
    const text = '{\n  "a": 1,\n  "b": [1,\n 2 3]\n}';
    const loc = locateJsonError(text, parseError(text));
    expect(loc).toMatchObject({ line: 4, column: 4 });
    expect(loc.reason).toBe("Expected ',' or ']' after array element");
  });

  it('finds the position itself when V8 gives none, without echoing the file', () => {
    const text = '{\n  "contexts": {\n    "a": }\n}';
    const loc = locateJsonError(text, parseError(text));
    expect(loc).toMatchObject({ line: 3, column: 10 });
    expect(loc.reason).toBe("Unexpected token '}'");
    const empty = locateJsonError('', parseError(''));
    expect(empty).toMatchObject({ line: 1, column: 1 });
    const cut = '{\n  "version": 1,\n';
    expect(locateJsonError(cut, parseError(cut))).toMatchObject({ line: 3, column: 1 });
  });

  it('the fallback scanner agrees with V8 wherever V8 reports a position', () => {
    const samples = [
      '{"a":1,}',
      '{"a" 1}',
      '{"a":1',
      '[1,2]]',
      '{"a":1} x',
      '[1 2]',
      '{"a":tru}',
      '{"a":"\\x"}',
      '{"a":"b\u0001"}',
      '{"a":-}',
      '{"a":01}',
      '{"a":1.}',
      '{"a":1e}',
      '{"a":-x}',
      '{"a":"\\u12x4"}',
      '{"a":"abc',
      '[1,]',
      '{,}',
      '{"a":[{"b":nul}]}',
      '  \n  {"x": [true, false, null, 1.5e3, "s"] }}',
    ];
    for (const s of samples) {
      const msg = (parseError(s) as Error).message;
      const m = /at position (\d+)/.exec(msg);
      if (m) expect(firstErrorOffset(s), `${s} → ${msg}`).toBe(Number(m[1]));
    }
  });

  it('lineColumn counts from 1', () => {
    expect(lineColumn('ab\ncd', 0)).toEqual({ line: 1, column: 1 });
    expect(lineColumn('ab\ncd', 4)).toEqual({ line: 2, column: 2 });
  });
});
