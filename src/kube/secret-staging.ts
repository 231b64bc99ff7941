import { CliError } from '../errors.js';
import { Secret } from '../secrets/secret.js';
import type { SecretRef } from '../config/kube-ref.js';
import { KubeConflict, type KubeApi } from './types.js';

/**
 * `--kube-secret NAME/KEY`: the pods' boot password (PIKA_ENCRYPTION_PASSWORD from a
 * secretKeyRef) follows the key, with src/keychain/staging.ts's discipline:
 *
 *   1. stage    KEY.pending := NEW                         before the key is sent
 *   2.          (the server applies NEW and pikactl verifies it)
 *   3. promote  KEY.previous := KEY, KEY := NEW, KEY.pending deleted   (ONE merge patch)
 *
 * A merge patch is applied atomically by the API server, so a crash leaves either
 * step 1's state (NEW in KEY.pending, the old key in KEY) or step 3's (NEW in KEY, the
 * old key in KEY.previous): no key the server may hold is ever only in memory.
 * Every write carries the resourceVersion read before it: if anyone changed the Secret
 * in between, the API server answers 409 and nothing is overwritten (KubeConflict).
 * KEY.previous stays until `handover finish` or `pikactl kube secret prune`.
 */
export class KubeSecretStaging {
  readonly pendingKey: string;
  readonly previousKey: string;
  private version: string | undefined;

  constructor(
    private readonly api: KubeApi,
    readonly namespace: string,
    readonly ref: SecretRef,
  ) {
    this.pendingKey = `${ref.key}.pending`;
    this.previousKey = `${ref.key}.previous`;
  }

  /** "secret/pika-encryption key password (namespace pika)" for messages. */
  get label(): string {
    return `secret/${this.ref.name} key ${this.ref.key} (namespace ${this.namespace})`;
  }

  /**
   * Reads the Secret (it must exist: pikactl patches, never creates) and refuses an
   * unfinished earlier staging: the server may hold KEY.pending. Call before any key is asked.
   */
  async checkNoUnfinished(): Promise<void> {
    const s = await this.api.readSecret(this.namespace, this.ref.name);
    this.version = s.resourceVersion;
    const pending = s.data[this.pendingKey];
    if (pending === undefined || pending === s.data[this.ref.key]) return;
    throw new CliError(`${this.label} holds "${this.pendingKey}" from an earlier rotate or init that did not finish`, {
      code: 'needs_recovery',
      hint:
        `The server may hold that key. Find out with \`pikactl recover-rotation … --new-key-from kube:${this.namespace}/secret/${this.ref.name}/${this.pendingKey}\`; ` +
        `once the server's key is known and in "${this.ref.key}", drop the entry: kubectl patch secret ${this.ref.name} -n ${this.namespace} --type json -p '[{"op":"remove","path":"/data/${this.pendingKey}"}]'`,
      details: { secret: this.ref.name, namespace: this.namespace, entry: this.pendingKey },
    });
  }

  /** Step 1: nothing is sent when this fails. */
  async stage(next: Secret): Promise<void> {
    await this.write(
      { [this.pendingKey]: next.reveal() },
      'writing the new key to it before sending it; nothing was sent',
    );
  }

  /** Step 3, after the server confirmed NEW and it was verified. Says whether an old key went to KEY.previous. */
  async promote(next: Secret): Promise<{ previous: boolean }> {
    const s = await this.api.readSecret(this.namespace, this.ref.name);
    if (s.resourceVersion !== this.version) throw this.conflict('promoting the new key after the server took it', true);
    const old = s.data[this.ref.key];
    const previous = old !== undefined && old !== next.reveal();
    await this.write(
      { ...(previous ? { [this.previousKey]: old } : {}), [this.ref.key]: next.reveal(), [this.pendingKey]: null },
      'promoting the new key after the server took it',
      true,
    );
    return { previous };
  }

  /** The server certainly did not take NEW: drop KEY.pending again. Best effort. */
  async discard(): Promise<void> {
    await this.write({ [this.pendingKey]: null }, 'dropping the unused pending key').catch(() => undefined);
  }

  private async write(data: Record<string, string | null>, doing: string, serverDone = false): Promise<void> {
    if (this.version === undefined) await this.checkNoUnfinished();
    try {
      this.version = await this.api.patchSecret(this.namespace, this.ref.name, this.version!, data);
    } catch (err) {
      if (err instanceof KubeConflict) throw this.conflict(doing, serverDone);
      throw err;
    }
  }

  private conflict(doing: string, serverDone: boolean): CliError {
    const look = `kubectl get secret ${this.ref.name} -n ${this.namespace} -o yaml`;
    return new CliError(
      `${this.label} was changed by someone else while ${doing} (409 Conflict on its resourceVersion); pikactl overwrote nothing`,
      {
        code: 'error',
        hint: serverDone
          ? `The server holds the NEW key and it is verified; the new key is still in "${this.pendingKey}". Look at the Secret (${look}), then copy "${this.pendingKey}" to "${this.ref.key}" yourself before any pod restarts.`
          : `Look at what changed (${look}) and run the command again.`,
        details: { conflict: true, secret: this.ref.name, namespace: this.namespace, server_done: serverDone },
      },
    );
  }
}

/** Reads one data key of a Secret as a Secret value (the kube: source, and roll's "previous key" check). */
export async function readSecretKey(
  api: KubeApi,
  namespace: string,
  name: string,
  key: string,
): Promise<Secret | undefined> {
  const s = await api.readSecret(namespace, name);
  const v = s.data[key];
  return v === undefined ? undefined : new Secret(v.replace(/\r?\n$/, ''), `kube:${namespace}/secret/${name}/${key}`);
}

/** `kube secret prune`: drops KEY.previous once every pod runs on the new key. Refuses while KEY.pending is unfinished. */
export async function prunePrevious(api: KubeApi, namespace: string, ref: SecretRef): Promise<boolean> {
  const staging = new KubeSecretStaging(api, namespace, ref);
  await staging.checkNoUnfinished();
  const s = await api.readSecret(namespace, ref.name);
  if (s.data[staging.previousKey] === undefined) return false;
  try {
    await api.patchSecret(namespace, ref.name, s.resourceVersion, {
      [staging.previousKey]: null,
      ...(s.data[staging.pendingKey] !== undefined ? { [staging.pendingKey]: null } : {}),
    });
  } catch (err) {
    if (err instanceof KubeConflict)
      throw new CliError(`${staging.label} changed while pruning it (409 Conflict); nothing was removed`, {
        code: 'error',
        hint: 'Run it again.',
        details: { conflict: true },
      });
    throw err;
  }
  return true;
}
