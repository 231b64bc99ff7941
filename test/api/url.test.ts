import { describe, expect, it } from 'vitest';
import { parseServerUrl } from '../../src/api/url.js';
import type { CliError } from '../../src/errors.js';
import { runCli } from '../support/context.js';

function refusal(text: string): CliError {
  try {
    parseServerUrl(text);
  } catch (err) {
    return err as CliError;
  }
  throw new Error(`${text} was accepted`);
}

describe('server URLs with an IPv6 address', () => {
  it('an address without brackets gets the bracketed URL to use, port kept', () => {
    expect(refusal('http://::1:8080').message).toContain('put IPv6 addresses in brackets: http://[::1]:8080');
    expect(refusal('https://2001:db8::1:8443/pika').hint).toBe('Use https://[2001:db8::1]:8443/pika');
    expect(refusal('http://fe80:0:0:0:0:0:0:1').message).toContain('http://[fe80:0:0:0:0:0:0:1]');
    expect(refusal('::1').message).toContain('https://[::1]');
    expect(refusal('::1').code).toBe('usage');
  });

  it('bracketed addresses and host names still parse; other junk keeps the generic message', () => {
    expect(parseServerUrl('http://[::1]:8080').id).toBe('http://[::1]:8080');
    expect(parseServerUrl('http://[::1]:8080').isLoopback).toBe(true);
    expect(parseServerUrl('https://pika.example:8443').id).toBe('https://pika.example:8443');
    expect(refusal('http://a:b:c').message).not.toContain('brackets');
  });

  it('through the command line: exit 2 with the hint', async () => {
    const r = await runCli(['status', '--server', 'http://::1:8080']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('put IPv6 addresses in brackets: http://[::1]:8080');
  });
});
