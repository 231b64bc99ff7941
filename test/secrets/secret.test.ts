import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Secret } from '../../src/secrets/secret.js';

describe('Secret', () => {
  const s = new Secret('hunter2-correct-horse', 'env:TEST');
  it('never shows its value by accident', () => {
    expect(String(s)).toBe('[redacted]');
    expect(`${s}`).toBe('[redacted]');
    expect(JSON.stringify({ s })).toBe('{"s":"[redacted]"}');
    expect(inspect(s)).not.toContain('hunter2');
    expect(inspect({ nested: [s] }, { depth: 5 })).not.toContain('hunter2');
    expect(inspect(s)).toBe('Secret([redacted] from env:TEST)'); // its own inspect text, source included
    expect(Object.keys(s)).toEqual(['source']);
  });
  it('reveals on request', () => {
    expect(s.reveal()).toBe('hunter2-correct-horse');
    expect(s.equals(new Secret('hunter2-correct-horse', 'prompt'))).toBe(true);
  });
});
