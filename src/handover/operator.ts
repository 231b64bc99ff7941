import { execFile } from 'node:child_process';
import type { Deps } from '../deps.js';

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

function gitUserName(ctx: Pick<Deps, 'env' | 'cwd'>): Promise<string | undefined> {
  return new Promise((resolve) => {
    try {
      const child = execFile(
        'git',
        ['config', '--get', 'user.name'],
        {
          cwd: ctx.cwd,
          env: ctx.env as NodeJS.ProcessEnv,
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
