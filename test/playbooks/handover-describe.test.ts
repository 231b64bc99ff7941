import { describe, expect, it } from 'vitest';
import { parseServerUrl } from '../../src/api/url.js';
import { describeRecord } from '../../src/handover/check.js';
import { newRecord } from '../../src/handover/record.js';

/**
 * The record is a file that travelled between people: its free text (operator, start
 * time) reaches the incoming operator's terminal, so it is rendered like server text.
 */
describe('describeRecord', () => {
  const server = parseServerUrl('https://pika.example.test');

  it('shows reordering and invisible characters in the operator escaped (a "Trojan source" name)', () => {
    const r = newRecord(server.id, 'alice\u202e\u200bevil', '2026-01-01T00:00:00Z');
    const text = describeRecord(r, server, undefined);
    expect(text).not.toMatch(/[\u202e\u200b]/u);
    expect(text).toContain('alice\\u202e\\u200bevil');
  });

  it('shows control characters escaped and caps a long start time', () => {
    const r = newRecord(server.id, 'bob\x1b]0;owned\x07', `x${'9'.repeat(5000)}`);
    const text = describeRecord(r, server, undefined);
    expect(text).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
    expect(text).toContain('bob\\x1b]0;owned\\x07');
    expect(text.length).toBeLessThan(1000);
  });
});
