// How the terminal's lines and columns are shared between the panes. The live part of
// the screen must stay shorter than the terminal: Ink redraws a frame as tall as the
// terminal by clearing the whole screen, which would wipe the finished lines above it.

export interface LayoutInput {
  columns: number;
  rows: number;
  annotations: number;
  summaryLines: number;
}

export interface Layout {
  treeWidth: number;
  logWidth: number;
  /** Rows of the tree, inside its border. */
  treeHeight: number;
  /** Rows of log text, inside the border, below the title. */
  logHeight: number;
  /** Annotation lines shown (0: no pane). */
  annotationLines: number;
  /** Summary lines shown (0: no pane). */
  summaryLines: number;
  width: number;
}

const clamp = (n: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, n));

export function layout({ columns, rows, annotations, summaryLines }: LayoutInput): Layout {
  const width = Math.max(40, columns);
  // Narrow terminals give the log the room: at 80 columns the tree takes 26.
  const treeWidth = width < 100 ? clamp(Math.floor(width / 3), 16, 30) : clamp(Math.floor(width * 0.36), 30, 56);
  // One line kept free below the frame, one for the status line and one for the keys.
  let budget = Math.max(8, rows) - 3;
  const minMain = 7;
  const spare = Math.max(0, budget - minMain);
  const annotationBlock = annotations > 0 ? Math.min(annotations + 1, 6, spare) : 0;
  const summaryBlock = summaryLines > 0 ? Math.min(summaryLines + 1, Math.max(4, Math.floor(budget / 3)), spare - annotationBlock) : 0;
  budget -= annotationBlock + Math.max(0, summaryBlock);
  const main = Math.max(minMain - 2, budget);
  return {
    treeWidth,
    logWidth: width - treeWidth,
    treeHeight: main - 2,
    logHeight: main - 3,
    annotationLines: Math.max(0, annotationBlock - 1),
    summaryLines: Math.max(0, summaryBlock - 1),
    width,
  };
}
