import type { SandboxCluster } from '../cluster.js';
import { EventEmitter } from 'node:events';
import { Rbac } from './rbac.js';
import { newUid, podJson, secretJson, type PodState, type SecretState, type Workload } from './objects.js';

/**
 * The stand-in's live state and its StatefulSet controller: pod i is sandbox node i of
 * a simulated Pika cluster. Deleting a pod stops its sandbox; the controller recreates
 * it at once (same name, new uid, Pending) and starts the sandbox again on the same
 * data, booting with the password the Secret holds at that moment (Pika's
 * PIKA_ENCRYPTION_PASSWORD from a secretKeyRef), then marks it Running and Ready.
 */
export interface WorldOptions {
  workload: Workload;
  secret?: SecretState;
  cluster: SandboxCluster;
  ips: string[];
  ports: number[];
  /** How long a replacement pod stays Pending before its sandbox starts (default 300 ms). */
  pendingMs?: number;
  log: (line: string) => void;
}

export type WatchEvent = {
  resource: 'pods' | 'secrets';
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: Record<string, unknown>;
};

export class KubeWorld {
  /** One 'change' per object change, for watches (?watch=true). */
  readonly events = new EventEmitter<{ change: [WatchEvent] }>();
  /** Everything is allowed until a test denies it. */
  readonly rbac = new Rbac();
  readonly workload: Workload;
  readonly stsUid: string;
  secret?: SecretState;
  readonly pods: PodState[];
  private rvCounter: number;
  /** The replacement being started, per pod index (a second delete waits for it). */
  private readonly restarts = new Map<number, Promise<void>>();
  /** Pods whose replacement stays Pending until release(i) (tests of pods not Running). */
  private readonly held = new Map<number, () => void>();
  private readonly cancelled = new Set<string>();
  private stopped = false;

  constructor(private readonly o: WorldOptions) {
    this.workload = o.workload;
    this.stsUid = o.workload.uid;
    this.secret = o.secret;
    this.rvCounter = Math.max(o.workload.rv, o.secret?.rv ?? 0);
    const now = new Date();
    this.pods = o.ips.map((ip, index) => ({
      index,
      uid: newUid(),
      phase: 'Running',
      ready: true,
      created: now,
      started: now,
      rv: this.bump(),
      ip,
      port: o.ports[index],
    }));
  }

  private podEvent(type: WatchEvent['type'], p: PodState): void {
    this.events.emit('change', { resource: 'pods', type, object: podJson(this.workload, this.stsUid, p) });
  }

  /** After a write to the Secret. */
  secretChanged(): void {
    if (this.secret)
      this.events.emit('change', {
        resource: 'secrets',
        type: 'MODIFIED',
        object: secretJson(this.workload, this.secret),
      });
  }

  get cluster(): SandboxCluster {
    return this.o.cluster;
  }

  bump(): number {
    return ++this.rvCounter;
  }

  get rv(): number {
    return this.rvCounter;
  }

  podByName(name: string): PodState | undefined {
    return this.pods.find((p) => `${this.workload.name}-${p.index}` === name);
  }

  /** The boot password as the pods would read it from the Secret now (undefined: none, or the key is missing). */
  bootPassword(): string | undefined {
    const ref = this.workload.bootSecret;
    if (!ref || !this.secret || this.secret.name !== ref.name) return undefined;
    const v = this.secret.data[ref.key];
    return v === undefined ? undefined : Buffer.from(v, 'base64').toString('utf8');
  }

  /** DELETE pod: returns the pod as it was being deleted; the replacement exists (Pending) when this resolves. */
  async deletePod(p: PodState): Promise<PodState> {
    // Deleting a Pending replacement: cancel its start (keeping any hold for the next one)
    // and let it settle, so one sandbox per pod runs.
    const inFlight = this.restarts.get(p.index);
    if (inFlight) {
      this.cancelled.add(p.uid);
      const held = this.held.has(p.index);
      this.release(p.index);
      await inFlight;
      if (held) this.hold(p.index);
    }
    const gone: PodState = { ...p, deleting: new Date(), rv: this.bump() };
    this.podEvent('MODIFIED', gone);
    await this.o.cluster.stopNode(p.index).catch(() => undefined);
    // Pika's leader lock passes to a live peer; the old leader comes back as a follower.
    const c = this.o.cluster;
    if (c.leader() === p.index) {
      const next = this.pods.find((q) => q.index !== p.index && c.isRunning(q.index));
      if (next) {
        c.setLeader(next.index);
        this.o.log(
          `kube: leader pod ${this.workload.name}-${p.index} deleted; ${this.workload.name}-${next.index} leads now`,
        );
      }
    }
    this.podEvent('DELETED', { ...gone, rv: this.bump() });
    // The controller's replacement, in place: same index and name, new uid.
    Object.assign(p, {
      uid: newUid(),
      phase: 'Pending',
      ready: false,
      created: new Date(),
      started: undefined,
      deleting: undefined,
      rv: this.bump(),
    });
    this.podEvent('ADDED', p);
    const restart = this.startPod(p);
    this.restarts.set(p.index, restart);
    void restart.finally(() => this.restarts.get(p.index) === restart && this.restarts.delete(p.index));
    return gone;
  }

  /** The next replacement of pod i stays Pending (no sandbox) until release(i). */
  hold(i: number): void {
    if (!this.held.has(i)) this.held.set(i, () => {});
  }

  release(i: number): void {
    const go = this.held.get(i);
    this.held.delete(i);
    go?.();
  }

  private async startPod(p: PodState): Promise<void> {
    const uid = p.uid;
    if (this.held.has(p.index)) await new Promise<void>((go) => this.held.set(p.index, go));
    await new Promise((r) => setTimeout(r, this.o.pendingMs ?? 300));
    if (this.stopped || p.uid !== uid || this.cancelled.delete(uid)) return;
    const bootKey = this.bootPassword();
    try {
      await this.o.cluster.startNode(p.index, bootKey === undefined ? {} : { bootKey, boot: 'pika' });
      if (this.stopped) return void (await this.o.cluster.stopNode(p.index));
      Object.assign(p, { phase: 'Running', ready: true, started: new Date(), rv: this.bump() });
      this.podEvent('MODIFIED', p);
      this.o.log(
        `kube: pod ${this.workload.name}-${p.index} Running (${bootKey === undefined ? 'no boot password' : "booted with the Secret's password"})`,
      );
    } catch (err) {
      Object.assign(p, { phase: 'Failed', ready: false, rv: this.bump() });
      this.podEvent('MODIFIED', p);
      this.o.log(`kube: pod ${this.workload.name}-${p.index} failed to start: ${(err as Error).message}`);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const i of [...this.held.keys()]) this.release(i);
    await Promise.allSettled([...this.restarts.values()]);
    await this.o.cluster.stop();
  }
}
