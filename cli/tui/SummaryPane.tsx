import type { ReactElement } from "react";
import { Box, Text } from "ink";
import type { MdLine } from "./markdown.js";

export interface SummaryPaneProps {
  title: string;
  /** The summary, already rendered to the pane's width. */
  lines: readonly MdLine[];
  /** Lines of summary at most (below the title). */
  height: number;
}

/** The job's GITHUB_STEP_SUMMARY, rendered from Markdown. */
export function SummaryPane({ title, lines, height }: SummaryPaneProps): ReactElement | null {
  if (lines.length === 0) return null;
  const shown = lines.length > height ? lines.slice(0, Math.max(0, height - 1)) : lines;
  const more = lines.length - shown.length;
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate-end">{title}</Text>
      {shown.map((line, i) => (
        <Text key={i} wrap="truncate-end">
          {line.length === 0
            ? " "
            : line.map((s, j) => (
                <Text key={j} bold={s.bold ?? false} italic={s.italic ?? false} underline={s.underline ?? false} dimColor={s.dim ?? false} {...(s.code ? { color: "cyan" } : {})}>
                  {s.text}
                </Text>
              ))}
        </Text>
      ))}
      {more > 0 ? <Text dimColor>{`… ${more} more lines in the run record`}</Text> : null}
    </Box>
  );
}
