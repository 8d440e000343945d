import type { ReactElement } from "react";
import { Box, Text } from "ink";
import type { JobState } from "../../runners/index.js";

type Annotation = JobState["annotations"][number];

const LEVEL: Record<Annotation["level"], { icon: string; color: string }> = {
  error: { icon: "✗", color: "red" },
  warning: { icon: "!", color: "yellow" },
  notice: { icon: "i", color: "blue" },
};

/** `file:line:col` as editors take it, or where the annotation has none. */
export function annotationPlace(a: Annotation): string {
  if (a.file === undefined) return "(no file)";
  return `${a.file}${a.line === undefined ? "" : `:${a.line}`}${a.line !== undefined && a.col !== undefined ? `:${a.col}` : ""}`;
}

export interface AnnotationListProps {
  annotations: readonly Annotation[];
  /** Annotation lines at most; the rest are counted. */
  max: number;
}

/** The job's `::error file=…,line=…::` annotations, each with its file and line. */
export function AnnotationList({ annotations, max }: AnnotationListProps): ReactElement | null {
  if (annotations.length === 0) return null;
  const shown = annotations.length > max ? annotations.slice(0, Math.max(0, max - 1)) : annotations;
  const more = annotations.length - shown.length;
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate-end">{`Annotations (${annotations.length})`}</Text>
      {shown.map((a, i) => (
        <Text key={i} wrap="truncate-end">
          <Text color={LEVEL[a.level].color}>{` ${LEVEL[a.level].icon} ${a.level.padEnd(8)}`}</Text>
          <Text bold>{annotationPlace(a)}</Text>
          <Text>{`  ${a.title ? `${a.title}: ` : ""}${a.message.split("\n")[0] ?? ""}`}</Text>
        </Text>
      ))}
      {more > 0 ? <Text dimColor>{`   … ${more} more`}</Text> : null}
    </Box>
  );
}
