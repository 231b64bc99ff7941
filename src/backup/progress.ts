import type { IO } from '../io/types.js';

/**
 * A byte-count progress bar on stderr, only when stderr is a terminal (no bar in logs or
 * pipes, and never with --json). Redrawn at most every 100 ms; the total is shown when known.
 */
export interface Progress {
  add(bytes: number): void;
  /** Known once the header arrived (export) or from the file size (restore). */
  setTotal(total: number): void;
  done(): void;
}

export function humanBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${v.toFixed(1)} ${units[i]}`;
}

export function progressBar(io: IO, label: string, opts: { enabled: boolean; now?: () => number }): Progress {
  if (!opts.enabled || !io.stderrIsTTY) return { add() {}, setTotal() {}, done() {} };
  const now = opts.now ?? Date.now;
  let seen = 0;
  let total: number | undefined;
  let last = 0;
  const width = 24;
  const draw = () => {
    const shown = total ? Math.min(seen, total) : seen;
    const bar = total
      ? `[${'#'.repeat(Math.round((shown / total) * width)).padEnd(width, '.')}] ${Math.floor((shown / total) * 100)}% `
      : '';
    io.stderr.write(`\r\x1b[2K${label} ${bar}${humanBytes(shown)}${total ? ` / ${humanBytes(total)}` : ''}`);
  };
  return {
    add(bytes) {
      seen += bytes;
      const t = now();
      if (t - last >= 100) {
        last = t;
        draw();
      }
    },
    setTotal(t) {
      total = t;
    },
    done() {
      draw();
      io.stderr.write('\n');
    },
  };
}
