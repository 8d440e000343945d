import type { ReactElement } from "react";
import { Box, Text } from "ink";
import { lineText } from "./log-lines.js";
import type { LogLine, LogLineKind } from "./log-lines.js";

export interface LogPaneProps {
  title: string;
  /** Every line of the step's log as drawn (the pane shows `height` of them from `start`). */
  lines: readonly LogLine[];
  start: number;
  width: number;
  /** Lines for log text, inside the border and below the title. */
  height: number;
  following: boolean;
  /** Lines dropped from memory before the first one kept. */
  dropped?: number;
  search?: { query: string; line: number; matches: number; editing: boolean };
}

/**
 * A log line as one row of the pane: tabs expanded (a terminal would move them to the
 * next stop, which Ink does not count), other control characters but ESC dropped.
 */
export function displayLine(line: string): string {
  let out = "";
  for (const ch of line) {
    if (ch === "\t") out += " ".repeat(8 - (out.length % 8));
    else if (ch === "\u001B" || ch >= " ") out += ch;
  }
  return out;
}

/** The colour GitHub's log viewer gives a line of each kind. */
function styleOf(kind: LogLineKind): { color?: string; bold?: boolean; dimColor?: boolean } {
  switch (kind) {
    case "error":
      return { color: "red" };
    case "warning":
      return { color: "yellow" };
    case "notice":
      return { color: "blue" };
    case "debug":
      return { color: "magenta", dimColor: true };
    case "command":
      return { color: "cyan" };
    case "group":
      return { bold: true };
    case "plain":
      return {};
  }
}

/** One log line with every occurrence of the query shown inverted. */
function Highlighted({ line: logLine, query, current }: { line: LogLine; query: string; current: boolean }): ReactElement {
  const line = displayLine(lineText(logLine));
  const style = styleOf(logLine.kind);
  if (query === "") return <Text wrap="truncate-end" {...style}>{line === "" ? " " : line}</Text>;
  const parts: ReactElement[] = [];
  const lower = line.toLowerCase();
  const q = query.toLowerCase();
  let at = 0;
  for (let i = lower.indexOf(q); i >= 0; i = lower.indexOf(q, i + q.length)) {
    parts.push(<Text key={`t${i}`}>{line.slice(at, i)}</Text>);
    parts.push(
      <Text key={`m${i}`} inverse {...(current ? { color: "yellow" } : {})}>
        {line.slice(i, i + q.length)}
      </Text>,
    );
    at = i + q.length;
  }
  parts.push(<Text key="rest">{line.slice(at)}</Text>);
  return <Text wrap="truncate-end" {...style}>{parts}</Text>;
}

/** The selected step's log: scrollable, searchable, following the tail while it runs. */
export function LogPane({ title, lines, start, width, height, following, dropped = 0, search }: LogPaneProps): ReactElement {
  const shown = lines.slice(start, start + height);
  const position = lines.length === 0 ? "no output yet" : `${start + 1}-${start + shown.length} of ${lines.length + dropped}${following ? ", following" : ""}`;
  const searchText = search ? `  /${search.query}${search.editing ? "▏" : ""} ${search.matches} match${search.matches === 1 ? "" : "es"}` : "";
  return (
    <Box flexDirection="column" width={width} height={height + 3} borderStyle="single" borderDimColor>
      <Text wrap="truncate-end">
        <Text bold>{title}</Text>
        <Text dimColor>{`  (${position})`}</Text>
        {searchText ? <Text color="cyan">{searchText}</Text> : null}
      </Text>
      {shown.map((line, i) => (
        <Highlighted key={start + i} line={line} query={search?.query ?? ""} current={search?.line === start + i} />
      ))}
    </Box>
  );
}
