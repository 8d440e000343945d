import type { ReactElement } from "react";
import { Box, Text } from "ink";
import { durationText, fitColumns, statusStyle } from "./status-style.js";
import type { TreeRow } from "./tree-model.js";
import { visibleRows } from "./tree-model.js";

export interface JobTreeProps {
  rows: readonly TreeRow[];
  width: number;
  /** Lines for rows, inside the border. */
  height: number;
}

function Row({ row, width }: { row: TreeRow; width: number }): ReactElement {
  if (row.kind === "workflow") {
    return (
      <Text bold wrap="truncate-end">
        {fitColumns(row.text, "", width)}
      </Text>
    );
  }
  const style = statusStyle(row.status);
  const isStep = row.kind === "step";
  const marks = isStep ? (row.breakpoint ? "●" : " ") : "";
  const label = isStep ? `${row.name}${row.failedPause ? " (paused)" : ""}` : `${row.name}${row.stepping ? " [stepping]" : ""}`;
  const indent = isStep ? "   " : " ";
  const before = `${indent}${marks}`;
  const text = fitColumns(label, durationText(row.durationMs), Math.max(1, width - before.length - 2));
  return (
    <Text inverse={row.selected} wrap="truncate-end">
      <Text color="red">{before}</Text>
      <Text {...(style.color ? { color: style.color } : {})} dimColor={style.dim ?? false}>
        {style.icon}
      </Text>
      <Text dimColor={row.status === "planned"}> {text}</Text>
    </Text>
  );
}

/** Workflows, their jobs and matrix cells, and the steps of running and selected jobs. */
export function JobTree({ rows, width, height }: JobTreeProps): ReactElement {
  const shown = visibleRows(rows, height);
  const inner = Math.max(1, width - 2);
  return (
    <Box flexDirection="column" width={width} height={height + 2} borderStyle="single" borderDimColor>
      {shown.map((row) => (
        <Row key={row.key} row={row} width={inner} />
      ))}
    </Box>
  );
}
