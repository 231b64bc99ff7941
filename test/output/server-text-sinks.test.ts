import { describe, expect, it } from 'vitest';
import { renderCert } from '../../src/output/contexts.js';
import { describe as describeCert } from '../../src/config/tls-probe.js';
import { plainStyle } from '../../src/io/types.js';
import { emptyObservation } from '../../src/recovery/model.js';
import { plans } from '../../src/recovery/text.js';
import { assertNoSecret } from '../../src/playbooks/journal.js';
import { observationLines, renderDiagnosis } from '../../src/recovery/render.js';
import { humanSink, jsonLinesSink } from '../../src/output/playbook-events.js';
import { Secret } from '../../src/secrets/secret.js';
import { makeSelfSigned } from '../../src/sandbox/certs.js';
import { TestIO } from '../support/context.js';
import { INJECTION, TERMINAL_UNSAFE } from '../support/hostile.js';

describe('certificate fields come from the server', () => {
  it('trust shows a SAN with ESC and non-ASCII bytes escaped (from a real openssl certificate)', async () => {
    const sans = ['DNS:ev\x1b]2;pwned\x07il.example', 'DNS:\u202ertl.example'];
    const pem = (await makeSelfSigned({ subject: '/CN=hostile', sans, days: 2 })).certPem;
    const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    const cert = describeCert(der, Date.now(), `unable to verify \x1b[32mOK`);
    expect(cert.dnsNames[0]).toContain('\x1b'); // parsed back to the raw byte: the renderer must escape it
    const text = renderCert('https://127.0.0.1:1', cert);
    expect(text).not.toMatch(TERMINAL_UNSAFE);
    expect(text).toContain('ev\\x1b]2;pwned\\x07il.example');
    // IA5String: node reads the UTF-8 bytes of U+202E as latin1, so a C1 byte (0x80) arrives; it is escaped.
    expect(text).toContain('\\x80');
    expect(text).toContain('unable to verify \\x1b[32mOK');
  });
});

describe('playbook output', () => {
  const step = { event: 'step', id: 's', index: 1, total: 2, title: 'unlock', severity: 'normal' } as const;

  it('a failed step whose reason quotes the server is escaped for people', () => {
    const io = new TestIO();
    const sink = humanSink(io);
    sink({ ...step, state: 'failed', reason: `server said ${INJECTION}` });
    sink({ ...step, state: 'planned', check: 'blocked', reason: `\x9b2J blocked` });
    expect(io.stderrText).not.toMatch(TERMINAL_UNSAFE);
    expect(io.stderrText).toContain('server said \\x1b]2;pwned');
  });

  it('--json lines carry no raw C1 or bidi character, and no secret of the run', () => {
    const io = new TestIO();
    jsonLinesSink(io)({ ...step, state: 'failed', reason: `\x9b2J\u202e then ${'x'.repeat(10_000)}` });
    const line = io.stdoutText;
    expect(line).not.toMatch(TERMINAL_UNSAFE);
    const parsed = JSON.parse(line);
    expect(parsed.reason.startsWith('\x9b2J\u202e then')).toBe(true); // same value once parsed
    expect(parsed.reason.length).toBe(4097);
  });

  it('recover-rotation diagnosis shows what the server said, escaped', () => {
    const obs = emptyObservation({ old: true, new: true });
    obs.status = { kind: 'server_error', status: 500, message: INJECTION };
    obs.settings = { kind: 'unreadable', status: 500, message: '\x1b[2J' };
    const lines = observationLines(obs)
      .map(([, v]) => v)
      .join('\n');
    expect(lines).not.toMatch(TERMINAL_UNSAFE);
    const text = renderDiagnosis(plans.unreachable(`no answer ${INJECTION}`), obs, plainStyle, { server: 'https://x' });
    expect(text).not.toMatch(TERMINAL_UNSAFE);
  });
});

describe('the journal guard knows the forms the redactor knows', () => {
  it('refuses a key JSON-escaped, re-spaced or URL-encoded', () => {
    const key = new Secret('a "quoted" key\\x', 'test');
    for (const note of [
      JSON.stringify('a "quoted" key\\x'),
      'a "quoted"\n key\\x',
      encodeURIComponent('a "quoted" key\\x'),
    ]) {
      expect(() => assertNoSecret({ note }, [key])).toThrow(/refusing to record text that contains a secret/);
    }
    expect(() => assertNoSecret({ note: 'a quoted note' }, [key])).not.toThrow();
  });
});
