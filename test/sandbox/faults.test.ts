import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { b64, deriveKey, open } from '../../src/sandbox/crypto.js';
import { adminClient, SandboxClient, startTestSandbox, type TestSandbox } from '../support/sandbox.js';

const OLD = 'old-key-before-rotation';
const NEW = 'new-key-after-rotation';
const CORRUPT = 'settings: sealed payload corrupt or unreadable: chacha20poly1305: message authentication failed';

/** Which key opens a sealed base64 field of the on-disk row. */
function sealedUnder(sb: TestSandbox, field: 'encryption_verifier' | 'sensitive_payload'): string | undefined {
  const row = JSON.parse(readFileSync(join(sb.dataDir, 'settings.json'), 'utf8'));
  for (const k of [OLD, NEW]) {
    try {
      open(deriveKey(k), b64.decode(row[field]));
      return k;
    } catch {
      // not this one
    }
  }
  return undefined;
}

function diskRow(sb: TestSandbox): Record<string, unknown> {
  return JSON.parse(readFileSync(join(sb.dataDir, 'settings.json'), 'utf8'));
}

async function initialized(opts: Parameters<typeof startTestSandbox>[0] = {}) {
  const sb = await startTestSandbox(opts);
  const admin = await adminClient(sb);
  expect((await admin.call('POST', '/api/v1/key/initialize', { json: { key: OLD } })).status).toBe(200);
  return { sb, admin, anon: new SandboxClient(sb.url) };
}

describe('fault rotate-write (upstream half-state)', () => {
  it('500 after the swap; reads 500; lock works; the OLD key unlocks; rotating again succeeds', async () => {
    const { sb, admin, anon } = await initialized();
    sb.armFault('rotate-write');
    const r = await admin.call('POST', '/api/v1/key/rotate', {
      json: { current_key: OLD, new_key: NEW },
      headers: { 'x-request-id': 'rid-rotate-1' },
    });
    expect(r.status).toBe(500);
    expect(r.json().message).toMatch(/^rewrap secrets failed: /);
    expect(r.json().request_id).toBe('rid-rotate-1');
    expect(r.headers.get('x-request-id')).toBe('rid-rotate-1');
    expect(sb.armedFaults()).toEqual([]); // one-shot

    // Disk kept the OLD verifier and OLD-key secrets.
    expect(sealedUnder(sb, 'encryption_verifier')).toBe(OLD);
    expect(sealedUnder(sb, 'sensitive_payload')).toBe(OLD);

    // Memory holds the NEW key: everything that reads the settings first answers 500.
    const status = await anon.call('GET', '/api/v1/key/status');
    expect(status.status).toBe(500);
    expect(status.json()).toEqual({
      message: `read settings: ${CORRUPT}`,
      request_id: status.headers.get('x-request-id'),
    });
    const settings = await admin.call('GET', '/api/v1/settings');
    expect(settings.status).toBe(500);
    expect(settings.json().message).toBe(CORRUPT);
    for (const [path, body] of [
      ['/api/v1/key/unlock', { key: NEW }],
      ['/api/v1/key/unlock', { key: OLD }],
      ['/api/v1/key/rotate', { current_key: NEW, new_key: 'third' }],
      ['/api/v1/key/rotate', { current_key: OLD, new_key: NEW }],
      ['/api/v1/key/initialize', { key: NEW }],
    ] as const) {
      const x = await admin.call('POST', path, { json: body });
      expect(x.status, `${path} ${JSON.stringify(body)}`).toBe(500);
      expect(x.json().message).toBe(`read settings: ${CORRUPT}`);
      expect(typeof x.json().request_id).toBe('string');
    }
    // Identical keys are rejected before anything is read.
    expect((await admin.call('POST', '/api/v1/key/rotate', { json: { current_key: NEW, new_key: NEW } })).status).toBe(
      400,
    );

    // Recovery the code allows: lock, unlock with the OLD key, rotate again.
    expect((await admin.call('POST', '/api/v1/key/lock')).status).toBe(200);
    expect((await anon.call('GET', '/api/v1/key/status')).json()).toEqual({ initialized: true, unlocked: false });
    expect((await admin.call('POST', '/api/v1/key/unlock', { json: { key: NEW } })).status).toBe(403);
    expect((await admin.call('POST', '/api/v1/key/unlock', { json: { key: OLD } })).status).toBe(200);
    expect((await admin.call('GET', '/api/v1/settings')).status).toBe(200);
    expect((await admin.call('POST', '/api/v1/key/rotate', { json: { current_key: OLD, new_key: NEW } })).status).toBe(
      200,
    );
    expect(sealedUnder(sb, 'encryption_verifier')).toBe(NEW);
    expect(sealedUnder(sb, 'sensitive_payload')).toBe(NEW);

    const sb2 = await sb.restart();
    const admin2 = await adminClient(sb2);
    expect((await admin2.call('POST', '/api/v1/key/unlock', { json: { key: NEW } })).status).toBe(200);
  });

  it('a restart after the fault comes back locked and the OLD key unlocks', async () => {
    const { sb, admin } = await initialized({ faults: ['rotate-write'] });
    expect((await admin.call('POST', '/api/v1/key/rotate', { json: { current_key: OLD, new_key: NEW } })).status).toBe(
      500,
    );
    const sb2 = await sb.restart({ faults: [] });
    const admin2 = await adminClient(sb2);
    expect((await admin2.call('POST', '/api/v1/key/unlock', { json: { key: OLD } })).status).toBe(200);
    expect((await admin2.call('GET', '/api/v1/key/status')).json()).toEqual({ initialized: true, unlocked: true });
  });
});

describe("fault rotate-runbook (the runbook's half-state)", () => {
  it('verifier on the new key, blob on the old; the identical-key rotate repairs it, across a restart', async () => {
    const { sb, admin, anon } = await initialized();
    sb.armFault('rotate-runbook');
    const r = await admin.call('POST', '/api/v1/key/rotate', { json: { current_key: OLD, new_key: NEW } });
    expect(r.status).toBe(500);
    expect(r.json().message).toMatch(/^rewrap secrets failed: /);
    expect(sealedUnder(sb, 'encryption_verifier')).toBe(NEW);
    expect(sealedUnder(sb, 'sensitive_payload')).toBe(OLD);
    expect(diskRow(sb).runbook_recovery).toBeDefined();

    // Unlocked under the new key, the blob does not open: status and settings 500.
    expect((await anon.call('GET', '/api/v1/key/status')).status).toBe(500);
    expect((await admin.call('GET', '/api/v1/settings')).json().message).toBe(CORRUPT);

    // Restart: locked (status fine while locked), only the NEW key passes the verifier.
    const sb2 = await sb.restart();
    const anon2 = new SandboxClient(sb2.url);
    const admin2 = await adminClient(sb2);
    expect((await anon2.call('GET', '/api/v1/key/status')).json()).toEqual({ initialized: true, unlocked: false });
    expect((await admin2.call('POST', '/api/v1/key/unlock', { json: { key: OLD } })).status).toBe(403);
    expect((await admin2.call('POST', '/api/v1/key/unlock', { json: { key: NEW } })).status).toBe(200);
    expect((await anon2.call('GET', '/api/v1/key/status')).status).toBe(500);
    // A normal rotation cannot read the settings.
    expect(
      (await admin2.call('POST', '/api/v1/key/rotate', { json: { current_key: NEW, new_key: 'third' } })).status,
    ).toBe(500);
    // Wrong key in the repair form: 403, nothing changes.
    expect((await admin2.call('POST', '/api/v1/key/rotate', { json: { current_key: OLD, new_key: OLD } })).status).toBe(
      403,
    );

    const fix = await admin2.call('POST', '/api/v1/key/rotate', { json: { current_key: NEW, new_key: NEW } });
    expect(fix.status).toBe(200);
    expect(fix.json()).toEqual({ message: 'server key rotated' });
    expect((await anon2.call('GET', '/api/v1/key/status')).json()).toEqual({ initialized: true, unlocked: true });
    const settings = await admin2.call('GET', '/api/v1/settings');
    expect(settings.status).toBe(200);
    expect(settings.json().mounts[0].password_set).toBe(true);
    expect(sealedUnder(sb2, 'sensitive_payload')).toBe(NEW);
    expect(diskRow(sb2).runbook_recovery).toBeUndefined();
    // Repaired: identical keys are refused again, as upstream does.
    expect((await admin2.call('POST', '/api/v1/key/rotate', { json: { current_key: NEW, new_key: NEW } })).status).toBe(
      400,
    );
  });
});

describe('fault rotate-drop', () => {
  it('the client sees a socket error; the server has rotated', async () => {
    const { sb, admin, anon } = await initialized();
    sb.armFault('rotate-drop');
    const err = await admin.call('POST', '/api/v1/key/rotate', { json: { current_key: OLD, new_key: NEW } }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err).toBeInstanceOf(TypeError); // fetch failed
    expect((await anon.call('GET', '/api/v1/key/status')).json()).toEqual({ initialized: true, unlocked: true });
    expect((await admin.call('GET', '/api/v1/settings')).status).toBe(200);
    expect((await admin.call('POST', '/api/v1/key/lock')).status).toBe(200);
    expect((await admin.call('POST', '/api/v1/key/unlock', { json: { key: OLD } })).status).toBe(403);
    expect((await admin.call('POST', '/api/v1/key/unlock', { json: { key: NEW } })).status).toBe(200);
  });

  it('rejects unknown fault names', async () => {
    const sb = await startTestSandbox();
    expect(() => sb.armFault('nope' as never)).toThrow(/unknown sandbox fault "nope"/);
    await expect(startTestSandbox({ faults: ['bogus'] })).rejects.toThrow(/unknown sandbox fault/);
  });
});
