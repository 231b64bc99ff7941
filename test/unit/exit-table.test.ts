import { describe, expect, it } from 'vitest';
import { CliError, EXIT_BY_CODE, EXIT_CODE_DOCS, type ErrorCode } from '../../src/errors.js';

describe('the exit-code table', () => {
  it('derives every CliError exit code from its error code (nothing is paired by hand)', () => {
    for (const [code, exit] of Object.entries(EXIT_BY_CODE)) {
      expect(new CliError('x', { code: code as ErrorCode }).exitCode, code).toBe(exit);
    }
  });
  it('maps only to documented exit codes', () => {
    const documented = new Set(EXIT_CODE_DOCS.map((d) => d.code));
    for (const [code, exit] of Object.entries(EXIT_BY_CODE))
      expect(documented.has(exit), `${code} -> ${exit}`).toBe(true);
  });
  it('says a gateway answer is unreachable (7), a maybe-applied change is 8 and a declined confirmation 130', () => {
    expect(EXIT_BY_CODE.gateway).toBe(7);
    expect(EXIT_BY_CODE.maybe_done).toBe(8);
    expect(EXIT_BY_CODE.tls).toBe(7);
    expect(EXIT_BY_CODE.declined).toBe(130);
  });
});
