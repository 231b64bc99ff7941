import { describe, expect, it } from 'vitest';
import { jsonText } from '../../src/output/json.js';
import { serverText } from '../../src/output/server-text.js';

/**
 * --json output is read on terminals too: the characters serverText() shows escaped
 * (invisible, reordering) are written as \u escapes there, and parse back unchanged.
 */
describe('jsonText escapes what serverText escapes', () => {
  const hidden = ['\u202e', '\u200b', '\ufff9', '\ufffb', '\u{e0041}', '\u{e007f}'];
  it.each(hidden.map((c) => [c.codePointAt(0)!.toString(16), c]))('U+%s', (_name, c) => {
    expect(serverText(`a${c}b`)).not.toContain(c);
    const text = jsonText({ name: `a${c}b` });
    expect(text).not.toContain(c);
    expect(JSON.parse(text)).toEqual({ name: `a${c}b` });
  });
});
