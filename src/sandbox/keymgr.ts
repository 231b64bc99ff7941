/**
 * The in-memory key manager (upstream keymgr.Manager): `unlocked` means this process
 * holds a key; `initialized` is a cached flag the lock gate reads, set at boot when a
 * verifier exists and refreshed by key/status, initialize and unlock. Per process,
 * never persisted: a restart is always locked.
 */
export class KeyManager {
  private key: Uint8Array | null = null;
  private initializedFlag = false;

  get unlocked(): boolean {
    return this.key !== null;
  }

  get initialized(): boolean {
    return this.initializedFlag;
  }

  /** The live key, or null when locked. */
  liveKey(): Uint8Array | null {
    return this.key;
  }

  /** Installs `key` as the live key (also the rotation's swap). */
  unlock(key: Uint8Array): void {
    const previous = this.key;
    this.key = key;
    if (previous && previous !== key) previous.fill(0);
  }

  lock(): void {
    this.key?.fill(0);
    this.key = null;
  }

  markInitialized(): void {
    this.initializedFlag = true;
  }

  /** True when the lock gate must answer 503. */
  gating(): boolean {
    return this.initializedFlag && this.key === null;
  }
}
