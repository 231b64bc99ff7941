import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Helpers of the canary tests: where a secret could leak on this machine. */

/** Every file below dir (skipping nothing: sandbox data, HOME, XDG dirs, cwd). */
export function allFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p, { throwIfNoEntry: false });
    if (st?.isDirectory()) out.push(...allFiles(p));
    else if (st?.isFile()) out.push(p);
  }
  return out;
}

/** Scans every process's argv (/proc/PID/cmdline) every 5 ms while a command runs. */
export function argvWatcher(needles: string[]): { stop(): string[] } {
  const hits = new Set<string>();
  const scan = () => {
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'latin1');
        for (const n of needles) if (cmdline.includes(n)) hits.add(`${pid}: ${cmdline.replace(/\0/g, ' ')}`);
      } catch {
        /* the process ended */
      }
    }
  };
  const timer = setInterval(scan, 5);
  return {
    stop() {
      clearInterval(timer);
      scan();
      return [...hits];
    },
  };
}
