/**
 * A plain-text table that fits a terminal: columns two spaces apart; when the rows are
 * wider than `width`, the columns marked `shrink` give up space (in their `order`,
 * down to their minimum) and their cells are cut with "…". Without a width (a pipe, a file)
 * nothing is cut: logs keep every word.
 */

export interface Column {
  header: string;
  /** May be narrowed to fit, down to `min` characters (default: the header's length). */
  shrink?: boolean;
  min?: number;
  /** Which shrinkable column gives up space first (lower first; default: the last column first). */
  order?: number;
}

const GAP = 2;

export function cut(text: string, width: number): string {
  if (text.length <= width) return text;
  return width <= 1 ? '…'.slice(0, width) : `${text.slice(0, width - 1)}…`;
}

/** Column widths for the rows, narrowed to fit `width` when given. */
export function fitWidths(columns: readonly Column[], rows: readonly string[][], width?: number): number[] {
  const widths = columns.map((c, i) => Math.max(c.header.length, ...rows.map((r) => (r[i] ?? '').length)));
  if (width === undefined || width <= 0) return widths;
  let over = widths.reduce((a, b) => a + b, 0) + GAP * (columns.length - 1) - width;
  const byOrder = columns
    .map((c, i) => ({ c, i }))
    .filter(({ c }) => c.shrink)
    .sort((a, b) => (a.c.order ?? -a.i) - (b.c.order ?? -b.i));
  for (const { c, i } of byOrder) {
    if (over <= 0) break;
    const floor = Math.max(c.min ?? c.header.length, c.header.length);
    const give = Math.min(over, Math.max(0, widths[i] - floor));
    widths[i] -= give;
    over -= give;
  }
  return widths;
}

/** Colours a body cell after its width is measured (row and column from 0; the header is never painted). */
export type PaintCell = (text: string, row: number, column: number) => string;

/**
 * The table's lines (header first); `cutCells` reports which [row, column] lost text.
 * The one table helper of pikactl: status, lock/unlock rows, context list and keychain list.
 */
export function renderTable(
  columns: readonly Column[],
  rows: readonly string[][],
  width?: number,
  paint?: PaintCell,
): { lines: string[]; cutCells: Array<[number, number]> } {
  const widths = fitWidths(columns, rows, width);
  const cutCells: Array<[number, number]> = [];
  const line = (cells: readonly string[], r: number) =>
    cells
      .map((c, i) => {
        const shown = cut(c, widths[i]);
        if (shown !== c && r >= 0) cutCells.push([r, i]);
        const painted = paint && r >= 0 ? paint(shown, r, i) : shown;
        return i === cells.length - 1 ? painted : painted + ' '.repeat(Math.max(0, widths[i] - shown.length));
      })
      .join(' '.repeat(GAP))
      .trimEnd();
  return {
    lines: [
      line(
        columns.map((c) => c.header),
        -1,
      ),
      ...rows.map((r, i) => line(r, i)),
    ],
    cutCells,
  };
}
