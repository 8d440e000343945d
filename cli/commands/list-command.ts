import { cellDisplayName, describeCell, expandMatrix, findExpressions, interpolate } from "../../workflows/index.js";
import type { Job, Value, ValueMap, Workflow } from "../../workflows/index.js";
import { formatProblem } from "../../common/index.js";
import type { Problem } from "../../common/index.js";

export interface ListedCell {
  name: string;
  matrix: ValueMap | null;
}

export interface ListedJob {
  id: string;
  name: string;
  needs: string[];
  runsOn: Value | null;
  /** The cells; null when the matrix is computed at run time. */
  cells: ListedCell[] | null;
  runtimeMatrix?: string;
  error?: string;
  uses?: string;
}

export interface ListedWorkflow {
  file: string;
  name: string;
  events: string[];
  jobs: ListedJob[];
}

function listJob(job: Job): ListedJob {
  const nameHasExpr = job.name !== undefined && findExpressions(job.name).length > 0;
  const listed: ListedJob = { id: job.id, name: job.name ?? job.id, needs: job.needs, runsOn: job.runsOn ?? null, cells: null };
  if (job.uses !== undefined) listed.uses = job.uses;
  const m = job.strategy?.matrix;
  const displayName = (cell: ValueMap | null): string => {
    let base = job.name ?? job.id;
    if (nameHasExpr) {
      try {
        base = interpolate(base, { contexts: { matrix: cell ?? {} } });
      } catch {
        // a name that needs run-time contexts is shown as written
      }
    }
    return cellDisplayName(base, cell, nameHasExpr);
  };
  if (m === undefined) listed.cells = [{ name: displayName(null), matrix: null }];
  else if (typeof m === "string" || Object.values(m).some((v) => typeof v === "string" && findExpressions(v).length > 0)) {
    listed.runtimeMatrix = typeof m === "string" ? m : JSON.stringify(m);
  } else {
    try {
      listed.cells = expandMatrix(m).map((cell) => ({ name: displayName(cell), matrix: cell }));
    } catch (e) {
      listed.error = e instanceof Error ? e.message : String(e);
    }
  }
  return listed;
}

export function listWorkflows(workflows: readonly Workflow[]): ListedWorkflow[] {
  return workflows.map((w) => ({ file: w.file, name: w.name, events: Object.keys(w.on.events), jobs: w.jobs.map(listJob) }));
}

export function printList(listed: ListedWorkflow[], problems: readonly Problem[], out: NodeJS.WritableStream): void {
  for (const w of listed) {
    out.write(`${w.file}  "${w.name}"  on: ${w.events.join(", ")}\n`);
    for (const j of w.jobs) {
      const needs = j.needs.length ? `  needs: ${j.needs.join(", ")}` : "";
      out.write(`  ${j.id}${j.uses ? `  uses: ${j.uses}` : ""}${needs}\n`);
      if (j.runtimeMatrix) out.write(`    matrix computed at run time: ${j.runtimeMatrix}\n`);
      else if (j.error) out.write(`    matrix error: ${j.error}\n`);
      else if (j.cells && (j.cells.length > 1 || j.cells[0]?.matrix)) {
        for (const c of j.cells) out.write(`    ${c.name}${c.matrix ? `   [${describeCell(c.matrix)}]` : ""}\n`);
      }
    }
  }
  for (const p of problems) out.write(`broken: ${formatProblem(p)}\n`);
}
