import type { Deps } from '../deps.js';
import type { GlobalOptions } from '../globals.js';
import type { PodInvocation } from './leader.js';
import { CliError } from '../errors.js';
import { certainlyNotApplied } from '../keychain/staging.js';
import type { Secret } from '../secrets/secret.js';
import { parseSecretRef, type KubeOptions } from '../config/kube-ref.js';
import { KubeSecretStaging } from './secret-staging.js';
import type { KubeApi } from './types.js';

type App = { ctx: Deps };

/**
 * `--kube-secret NAME/KEY` for rotate, init and handover start: opens the staging (and
 * refuses an unfinished one) before any key is asked; without the flag, warns when the
 * pods boot from a password Secret that would be left holding the old key.
 */

/** The Kubernetes API of this invocation: the --kube one, else one from the kube flags (kubeconfig, context). */
export async function kubeApiFor(app: App, g: Pick<GlobalOptions, 'kube'>, inv: PodInvocation): Promise<KubeApi> {
  if (inv.kube) return inv.kube.api;
  const { openKubeApi } = await import('./api.js');
  const o: Pick<KubeOptions, 'kubeconfig' | 'kubeContext'> = {
    ...(g.kube.kubeconfig ? { kubeconfig: g.kube.kubeconfig } : {}),
    ...(g.kube.kubeContext ? { kubeContext: g.kube.kubeContext } : {}),
  };
  return openKubeApi(app.ctx, o);
}

export async function openKubeSecret(
  app: App,
  g: Pick<GlobalOptions, 'kube'>,
  inv: PodInvocation,
  flag: string | undefined,
): Promise<KubeSecretStaging | undefined> {
  const boot = bootSecrets(inv);
  if (flag === undefined) {
    for (const b of boot) {
      app.ctx.io.stderr.write(
        app.ctx.io.style.yellow(
          `Warning: the pods boot with PIKA_ENCRYPTION_PASSWORD from secret/${b.name} key ${b.key}; without --kube-secret ${b.name}/${b.key} ` +
            `it keeps the OLD key and every restarted pod comes up locked.\n`,
        ),
      );
    }
    return undefined;
  }
  const ref = parseSecretRef(flag);
  const api = await kubeApiFor(app, g, inv);
  const namespace = g.kube.namespace ?? inv.kube?.namespace ?? api.defaultNamespace;
  if (boot.length > 0 && !boot.some((b) => b.name === ref.name && b.key === ref.key)) {
    const b = boot[0];
    app.ctx.io.stderr.write(
      app.ctx.io.style.yellow(
        `Warning: the pods boot from secret/${b.name} key ${b.key}, not from ${ref.name}/${ref.key}.\n`,
      ),
    );
  }
  const staging = new KubeSecretStaging(api, namespace, ref);
  await staging.checkNoUnfinished();
  return staging;
}

/** The distinct boot-password Secrets the selected pods name in their spec. */
export function bootSecrets(inv: PodInvocation): Array<{ name: string; key: string }> {
  if (!inv.kube) return [];
  const seen = new Map<string, { name: string; key: string }>();
  for (const p of [...inv.kube.targets.map((t) => t.pod), ...inv.kube.idle]) {
    if (p.bootSecret) seen.set(`${p.bootSecret.name}/${p.bootSecret.key}`, p.bootSecret);
  }
  return [...seen.values()];
}

/**
 * Runs the send-and-verify (`run`, which may itself stage in the keychain) between the
 * Secret's stage and promote. A refusal drops KEY.pending; an unknown outcome keeps it
 * and says so in the error (exit 8 stays exit 8).
 */
export async function withKubeSecret(
  app: App,
  staging: KubeSecretStaging | undefined,
  next: Secret,
  run: () => Promise<void>,
): Promise<{ previous: boolean } | undefined> {
  if (!staging) {
    await run();
    return undefined;
  }
  await staging.stage(next);
  app.ctx.io.stderr.write(
    `Saved the new key to ${staging.label.replace(` key ${staging.ref.key}`, ` key ${staging.pendingKey}`)} before sending it.\n`,
  );
  try {
    await run();
  } catch (err) {
    if (certainlyNotApplied(err)) {
      await staging.discard();
      throw err;
    }
    if (err instanceof CliError) {
      const note = `The new key stays in ${staging.label.replace(` key ${staging.ref.key}`, ` key ${staging.pendingKey}`)}; do not delete it until the server's key is known.`;
      throw new CliError(err.message, {
        code: err.code,
        hint: err.hint ? `${err.hint}\n${note}` : note,
        cause: err.cause ?? err,
        details: { ...(err.details ?? {}), kube_pending: staging.pendingKey },
      });
    }
    throw err;
  }
  return staging.promote(next);
}

/** The summary lines after the Secret followed the key. */
export function kubeSecretText(staging: KubeSecretStaging, r: { previous: boolean }): string {
  let text = `The boot password ${staging.label} holds the new key; restart the pods with: pikactl roll\n`;
  if (r.previous)
    text += `The old key is kept as "${staging.previousKey}" until: pikactl kube secret prune --kube-secret ${staging.ref.name}/${staging.ref.key}\n`;
  return text;
}
