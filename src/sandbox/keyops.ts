import { b64, deriveKey, hasVerifierMagic, open, OpenError, seal, verifierPlaintext } from './crypto.js';
import type { AnswerFault, FaultBox, FaultName } from './faults.js';
import { fail, type ApiError } from './http.js';
import type { KeyManager } from './keymgr.js';
import {
  openSecrets,
  readSettings,
  sealedRow,
  sealSecrets,
  SettingsCorruptError,
  type SettingsDb,
  type SettingsView,
} from './settings.js';
import type { SampleSecrets, SettingsRow } from './store.js';

/**
 * Key lifecycle, in upstream's order (service/keyops.go@7be79c91). Every operation
 * except lock reads the settings first, so a key/data mismatch surfaces as a 500
 * there. Operations run one at a time.
 */
export class KeyOps {
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly db: SettingsDb,
    private readonly mgr: KeyManager,
    private readonly faults: FaultBox,
    private readonly log: (line: string) => void,
  ) {}

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Wrapper Get through the live key; a sealed-payload failure becomes 500 "<ctx>: settings: …". */
  read(ctx: string | null): SettingsView {
    try {
      return readSettings(this.db, this.mgr.liveKey());
    } catch (err) {
      if (err instanceof SettingsCorruptError) {
        this.log(`settings: sealed payload could not be decrypted (${err.message})`);
        throw fail.internal(ctx ? `${ctx}: ${err.message}` : err.message);
      }
      throw err;
    }
  }

  status(): { initialized: boolean; unlocked: boolean } {
    const { row } = this.read('read settings');
    const initialized = Boolean(row.encryption_verifier);
    if (initialized) this.mgr.markInitialized();
    return { initialized, unlocked: this.mgr.unlocked };
  }

  /** Resolves to how the answer must be sent once the initialization is applied (init-delay, init-garble). */
  initialize(passphrase: string): Promise<AnswerFault> {
    return this.serial(async () => {
      if (!passphrase) throw fail.badRequest('key is required');
      const { row, secrets } = this.read('read settings');
      if (row.encryption_verifier) throw fail.conflict('server is already initialized');
      const key = deriveKey(passphrase);
      // One write: the verifier plus the plaintext-at-rest secrets re-sealed under the new key.
      const next = sealedRow({ ...row, encryption_verifier: b64.encode(seal(key, verifierPlaintext())) }, secrets, key);
      await this.db.write(next).catch((err: Error) => {
        throw fail.internal(`persist verifier: ${err.message}`);
      });
      this.mgr.unlock(key);
      this.mgr.markInitialized();
      this.log('key: initialized and unlocked');
      return this.answerFault('init');
    });
  }

  unlock(passphrase: string): Promise<void> {
    return this.serial(async () => {
      if (!passphrase) throw fail.badRequest('key is required');
      const { row } = this.read('read settings');
      if (!row.encryption_verifier) {
        throw fail.badRequest('server is not initialized; call /api/v1/key/initialize first');
      }
      const key = deriveKey(passphrase);
      checkVerifier(key, row.encryption_verifier, 'invalid server key');
      this.mgr.unlock(key);
      this.mgr.markInitialized();
      this.log('key: unlocked');
    });
  }

  /** A backup restore's settings row, written as is (rows only: the live key and the initialized flag stay). */
  restoreSettings(row: SettingsRow): Promise<void> {
    return this.serial(() => this.db.write(row));
  }

  /** The row on disk, for an export (ciphertext as stored, no decryption). */
  rawSettings(): SettingsRow {
    return this.db.raw();
  }

  /** Reads nothing: works even when the settings no longer decrypt. */
  lock(): void {
    this.mgr.lock();
    this.log('key: locked');
  }

  /** Resolves to how the answer must be sent once the rotation is applied (rotate-drop, -delay, -garble). */
  rotate(currentKey: string, newKey: string): Promise<AnswerFault> {
    return this.serial(async () => {
      if (!currentKey || !newKey) throw fail.badRequest('old and new keys are required');
      if (currentKey === newKey) {
        if (this.db.raw().runbook_recovery) return this.repairRunbook(currentKey);
        throw fail.badRequest('new key must differ from old key');
      }
      const raw = this.read('read settings').row;
      if (!raw.encryption_verifier) throw fail.badRequest('server is not initialized');
      const oldKey = deriveKey(currentKey);
      const plain = checkVerifier(oldKey, raw.encryption_verifier, 'invalid old key');
      const { row, secrets } = this.read('read settings for rewrap');
      const next = deriveKey(newKey);
      const rotated: SettingsRow = { ...row, encryption_verifier: b64.encode(seal(next, plain)) };
      this.mgr.unlock(next); // the swap: from here on memory holds the new key
      return this.commitRotation(rotated, secrets, next, raw);
    });
  }

  /**
   * The ONE settings write of a rotation (verifier + secrets), where the faults hit.
   * `before` is the row as it was on disk when the rotation started.
   */
  private async commitRotation(
    row: SettingsRow,
    secrets: SampleSecrets | null,
    key: Uint8Array,
    before: SettingsRow,
  ): Promise<AnswerFault> {
    const rewrapFailed = (cause: string): ApiError => fail.internal(`rewrap secrets failed: ${cause}`);
    if (this.takeFault('rotate-write')) {
      throw rewrapFailed('settings: write settings row: injected failure (sandbox fault rotate-write)');
    }
    if (this.takeFault('rotate-runbook')) {
      // Verifier on the new key, secrets blob still sealed under the old one.
      const half: SettingsRow = { ...row, sensitive_payload: before.sensitive_payload };
      if (secrets) half.runbook_recovery = { pending_payload: sealSecrets(key, secrets) };
      delete half.plain_secrets;
      await this.db.write(half).catch((err: Error) => {
        throw rewrapFailed(err.message);
      });
      throw rewrapFailed('settings: write sealed payload: injected failure (sandbox fault rotate-runbook)');
    }
    const full = sealedRow(row, secrets, key);
    delete full.runbook_recovery;
    await this.db.write(full).catch((err: Error) => {
      throw rewrapFailed(err.message);
    });
    this.log('key: rotated');
    if (this.takeFault('rotate-drop')) return 'drop';
    return this.answerFault('rotate');
  }

  /** The answer fault armed for an applied change, if any ("fault: rotate-delay fired" in the log marks the change as applied). */
  private answerFault(op: 'rotate' | 'init'): AnswerFault {
    if (this.takeFault(`${op}-delay`)) return 'delay';
    if (this.takeFault(`${op}-garble`)) return 'garble';
    return 'answer';
  }

  /** How long a *-delay fault holds an answer back. */
  get faultDelayMs(): number {
    return this.faults.delayMs;
  }

  /**
   * Only after the rotate-runbook fault: current_key == new_key == the new key
   * re-seals the secrets under it, as the runbook promises. Upstream code answers
   * 400 "new key must differ" instead, which is what the sandbox does otherwise.
   */
  private async repairRunbook(passphrase: string): Promise<AnswerFault> {
    const raw = this.db.raw();
    if (!raw.encryption_verifier) throw fail.badRequest('server is not initialized');
    const key = deriveKey(passphrase);
    const plain = checkVerifier(key, raw.encryption_verifier, 'invalid old key');
    let secrets: SampleSecrets | null = null;
    for (const sealed of [raw.sensitive_payload, raw.runbook_recovery?.pending_payload]) {
      if (!sealed || secrets) continue;
      try {
        secrets = openSecrets(key, sealed);
      } catch {
        // try the next copy
      }
    }
    if (!secrets && raw.sensitive_payload) {
      throw fail.internal(
        'read settings for rewrap: settings: sealed payload corrupt or unreadable: no copy opens under this key',
      );
    }
    this.mgr.unlock(key);
    this.log('key: runbook repair rotation');
    return this.commitRotation({ ...raw, encryption_verifier: b64.encode(seal(key, plain)) }, secrets, key, raw);
  }

  private takeFault(name: FaultName): boolean {
    const hit = this.faults.take(name);
    if (hit) this.log(`fault: ${name} fired`);
    return hit;
  }
}

/** Opens the verifier; 403 "<ctx>: forbidden" on AEAD failure, "verifier format mismatch" on a bad prefix. */
function checkVerifier(key: Uint8Array, verifierB64: string, ctx: string): Uint8Array {
  let plain: Uint8Array;
  try {
    plain = open(key, b64.decode(verifierB64));
  } catch (err) {
    if (err instanceof OpenError) throw fail.forbidden(ctx);
    throw err;
  }
  if (!hasVerifierMagic(plain)) throw fail.forbidden('verifier format mismatch');
  return plain;
}
