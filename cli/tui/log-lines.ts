// A step's log as GitHub's log viewer shows it: `##[group]` lines become a fold with the
// group's name (closed unless opened), `##[endgroup]` disappears, and `##[error]`,
// `##[warning]`, `##[notice]` and `##[debug]` lines lose their marker and take its colour.

export type LogLineKind = "plain" | "group" | "error" | "warning" | "notice" | "debug" | "command";

export interface LogLine {
  text: string;
  kind: LogLineKind;
  /** For a group's head: how many lines it holds, and whether they are shown. */
  group?: { lines: number; open: boolean };
}

const MARKER = /^##\[(group|endgroup|error|warning|notice|debug|command)\](.*)$/;

interface Group {
  head: LogLine;
  body: LogLine[];
}

/** The lines to draw, with every group open or closed as `openGroups` says. */
export function formatLog(lines: readonly string[], openGroups: boolean): LogLine[] {
  const out: LogLine[] = [];
  let group: Group | undefined;
  const closeGroup = (): void => {
    if (!group) return;
    group.head.group = { lines: group.body.length, open: openGroups };
    out.push(group.head);
    if (openGroups) out.push(...group.body);
    group = undefined;
  };
  for (const raw of lines) {
    const m = MARKER.exec(raw);
    const kind = (m?.[1] ?? "plain") as LogLineKind | "endgroup";
    const text = m ? (m[2] ?? "") : raw;
    if (kind === "group") {
      // GitHub does not nest groups: a new one ends the one before.
      closeGroup();
      group = { head: { text, kind: "group" }, body: [] };
    } else if (kind === "endgroup") {
      closeGroup();
    } else if (group) {
      group.body.push({ text, kind });
    } else {
      out.push({ text, kind });
    }
  }
  closeGroup();
  return out;
}

/** Whether a log has any fold to open or close. */
export const hasGroups = (lines: readonly string[]): boolean => lines.some((l) => l.startsWith("##[group]"));

/** What a line reads as on the screen (the text search looks at). */
export function lineText(line: LogLine): string {
  if (line.kind !== "group") return line.text;
  const n = line.group?.lines ?? 0;
  return `${line.group?.open ? "▾" : "▸"} ${line.text}${line.group?.open ? "" : `  (${n} line${n === 1 ? "" : "s"})`}`;
}
