import { describe, expect, it } from 'vitest';
import { ApiError, type ApiErrorKind, type PikaClient } from '../../src/api/types.js';
import { parseServerUrl } from '../../src/api/url.js';
import { emptyObservation, type KeyRole } from '../../src/recovery/decision.js';
import { plans } from '../../src/recovery/text.js';
import { recoverySteps, type RecoveryState } from '../../src/recovery/steps.js';
import { Secret } from '../../src/secrets/secret.js';

/** The server as the steps see it: memory key, verifier key, sealed-blob key (shared/pika-api.md §7). */
type K = KeyRole | null;
class Model {
  readonly calls: string[] = [];
  constructor(
    public mem: K,
    public verifier: KeyRole,
    public blob: KeyRole,
  ) {}
  readonly server = parseServerUrl('http://127.0.0.1:1');
  private err(kind: ApiErrorKind, status: number, msg: string) {
    return new ApiError(msg, { kind, method: 'X', path: '/x', status, serverMessage: msg });
  }
  private get broken() {
    return this.mem !== null && this.mem !== this.blob;
  }
  async keyStatus() {
    this.calls.push('status');
    if (this.broken) throw this.err('server_error', 500, 'read settings: sealed payload corrupt');
    return { initialized: true, unlocked: this.mem !== null };
  }
  async settings() {
    this.calls.push('settings');
    if (this.mem === null) throw this.err('locked', 503, 'locked');
    if (this.broken) throw this.err('server_error', 500, 'sealed payload corrupt');
    return {};
  }
  async unlock(key: Secret) {
    const k = key.reveal() as KeyRole;
    this.calls.push(`unlock ${k}`);
    if (this.broken) throw this.err('server_error', 500, 'read settings');
    if (this.verifier !== k) throw this.err('wrong_key', 403, 'invalid server key: forbidden');
    this.mem = k;
  }
  async lock() {
    this.calls.push('lock');
    this.mem = null;
  }
  async rotate(from: Secret, to: Secret) {
    this.calls.push(`rotate ${from.reveal()}->${to.reveal()}`);
    if (from.reveal() === to.reveal())
      throw this.err('bad_request', 400, 'new key must differ from old key: bad request');
    this.verifier = this.blob = this.mem = to.reveal() as KeyRole;
  }
}

function ctx(m: Model, held = { old: true, new: true }): RecoveryState {
  const keys = Object.fromEntries(
    (['old', 'new'] as const).filter((k) => held[k]).map((k) => [k, new Secret(k, 'test')]),
  );
  return { client: m as unknown as PikaClient, keys, held, obs: emptyObservation(held), outcome: new Map() };
}

const revert = (c: RecoveryState) => recoverySteps(plans.revertToOld(c.obs), { offerRotation: true });

describe('recovery steps: checks read only status and settings', () => {
  it('revert_to_old on the upstream half-state: lock to do, unlock blocked "lock first", no key sent by any check', async () => {
    const m = new Model('new', 'old', 'old');
    const c = ctx(m);
    const checks = [];
    for (const s of revert(c)) checks.push([s.id, await s.check(c)]);
    expect(checks[0]).toEqual(['lock', 'pending']);
    expect(checks[1][1]).toMatchObject({ blocked: expect.stringContaining('lock first') });
    expect(m.calls.some((x) => x.startsWith('unlock') || x.startsWith('rotate') || x === 'lock')).toBe(false);
  });

  it('lock is done when the server is locked or already healthy (a resumed run)', async () => {
    for (const m of [new Model(null, 'old', 'old'), new Model('old', 'old', 'old')]) {
      const c = ctx(m);
      expect(await revert(c)[0].check(c)).toBe('done');
    }
  });

  it('the whole revert runs: lock, unlock old, settings open, re-rotation; results are folded into the observation', async () => {
    const m = new Model('new', 'old', 'old');
    const c = ctx(m);
    for (const s of revert(c)) {
      expect(await s.check(c)).toBe('pending');
      await s.run(c);
      expect(await s.verify(c)).toBe(true);
    }
    expect(m).toMatchObject({ mem: 'new', verifier: 'new', blob: 'new' });
    expect(c.obs.keys).toEqual({ new: { kind: 'accepted' }, old: { kind: 'wrong_key' } });
  });

  it('a refused key is a replan, not a failure, and is recorded so it is never sent again', async () => {
    const m = new Model(null, 'new', 'old');
    const c = ctx(m);
    const unlockOld = revert(c)[1];
    expect(await unlockOld.check(c)).toBe('pending');
    await unlockOld.run(c);
    expect(await unlockOld.verify(c)).toEqual({ replan: expect.stringContaining('refused the old key') });
    expect(c.obs.keys.old).toEqual({ kind: 'wrong_key' });
    expect(await unlockOld.check(c)).toMatchObject({ blocked: expect.stringContaining('already refused') });
  });

  it("the runbook's retry refused with 400 becomes a capability the decision reads", async () => {
    const m = new Model('new', 'new', 'old');
    const c = ctx(m);
    const [retry] = recoverySteps(plans.runbookRetry(), { offerRotation: true });
    expect(await retry.check(c)).toBe('pending');
    await retry.run(c);
    expect(await retry.verify(c)).toEqual({ replan: expect.stringContaining('must differ') });
    expect(c.obs.capabilities.identicalRotate).toBe('refused');
  });

  it('without the new key the optional re-rotation is not part of the plan; a missing key blocks its step', async () => {
    const c = ctx(new Model('old', 'old', 'old'), { old: true, new: false });
    expect(recoverySteps(plans.stillOnOld(), { offerRotation: false }).map((s) => s.id)).toEqual(['check-settings']);
    const [, rotate] = recoverySteps(plans.stillOnOld(), { offerRotation: true });
    expect(await rotate.check(c)).toMatchObject({ blocked: 'the new key was not supplied' });
  });

  it('plans pikactl does not carry out have no steps', () => {
    const o = emptyObservation({ old: true, new: true });
    for (const p of [
      plans.restore('no_key_works', o),
      plans.nothingToDo(),
      plans.unknownKey(o),
      plans.rateLimited(1000),
    ]) {
      expect(recoverySteps(p, { offerRotation: true })).toEqual([]);
    }
  });
});
