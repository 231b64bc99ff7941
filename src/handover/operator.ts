import { execFile } from 'node:child_process';
import type { Deps, Env } from '../deps.js';
import { usageError } from '../errors.js';

/**
 * Who is doing a handover step, for the record, when --operator is not given: the
 * login name from the environment (USER, LOGNAME, USERNAME on Windows), else the
 * name git knows (`git config user.name`, one bounded child process), else "unknown".
 * A name, never a secret; from the injected environment, never process.env.
 */

const GIT_TIMEOUT_MS = 1500;

function usable(name: string | undefined): string | undefined {
  const t = name?.trim();
  // eslint-disable-next-line no-control-regex
  return t && t.length <= 100 && !/[\u0000-\u001f\u007f]/.test(t) ? t : undefined;
}

/**
 * What `git config` needs to find the user's config: the search path, the home folder
 * (USERPROFILE, HOMEDRIVE/HOMEPATH, SYSTEMROOT on Windows), XDG_CONFIG_HOME, the repository
 * git is pointed at (GIT_DIR, GIT_WORK_TREE) and git's own GIT_CONFIG_* (GIT_CONFIG_GLOBAL,
 * GIT_CONFIG_NOSYSTEM, GIT_CONFIG_COUNT/KEY_n/VALUE_n...).
 * Nothing else: PIKA_SESSION, or a key or password an `env:` source names, never reaches git.
 */
const GIT_ENV =
  /^(PATH|HOME|XDG_CONFIG_HOME|GIT_DIR|GIT_WORK_TREE|GIT_CONFIG(_[A-Z0-9_]+)?|USERPROFILE|HOMEDRIVE|HOMEPATH|SYSTEMROOT)$/i;

export function gitEnv(env: Env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && GIT_ENV.test(k)) out[k] = v;
  return out;
}

function gitUserName(ctx: Pick<Deps, 'env' | 'cwd'>): Promise<string | undefined> {
  return new Promise((resolve) => {
    try {
      const child = execFile(
        'git',
        ['config', '--get', 'user.name'],
        {
          cwd: ctx.cwd,
          env: gitEnv(ctx.env),
          timeout: GIT_TIMEOUT_MS,
          killSignal: 'SIGKILL',
          maxBuffer: 4096,
          windowsHide: true,
        },
        (err, stdout) => resolve(err ? undefined : usable(String(stdout))),
      );
      child.stdin?.end();
    } catch {
      resolve(undefined); // no git, or it cannot be started: not worth an error
    }
  });
}

export async function defaultOperator(ctx: Pick<Deps, 'env' | 'cwd'>): Promise<string> {
  return (
    usable(ctx.env.USER) ?? usable(ctx.env.LOGNAME) ?? usable(ctx.env.USERNAME) ?? (await gitUserName(ctx)) ?? 'unknown'
  );
}

/** The operator of this step: --operator as given, else the default; a name on one line. */
export async function operatorName(ctx: Pick<Deps, 'env' | 'cwd'>, given?: string): Promise<string> {
  const name = (given ?? (await defaultOperator(ctx))).trim();
  if (name === '' || name.length > 100 || /[\r\n]/.test(name))
    throw usageError('--operator must be a name on one line (at most 100 characters)');
  return name;
}
