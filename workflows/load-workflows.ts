import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { UsageError } from "../common/index.js";
import type { Problem } from "../common/index.js";
import type { Workflow } from "./model.js";
import { sortProblems } from "./check-workflow.js";
import { parseWorkflow } from "./parse-workflow.js";

export interface LoadedWorkflows {
  /** Workflows that loaded without a problem, in file name order. */
  workflows: Workflow[];
  /** Every problem of every file, by file, line and column. A broken file never stops the others. */
  problems: Problem[];
  /** Every file looked at, relative to the repository root. */
  files: string[];
}

const isWorkflowFile = (name: string): boolean => /\.ya?ml$/.test(name);

/**
 * Load `.github/workflows/*.y{a}ml`, or what `workflowPath` names: one file, or a
 * directory anywhere in the repository (all workflow files directly in it).
 */
export async function loadWorkflows(repoDir: string, workflowPath?: string): Promise<LoadedWorkflows> {
  const files = await findWorkflowFiles(repoDir, workflowPath);
  const result: LoadedWorkflows = { workflows: [], problems: [], files };
  const parsed = await Promise.all(
    // Bytes, not text: a file that is not UTF-8 is refused where it is not.
    files.map(async (file) => parseWorkflow(file, await readFile(path.join(repoDir, file)))),
  );
  for (const p of parsed) {
    if (p.workflow) result.workflows.push(p.workflow);
    result.problems.push(...p.problems);
  }
  result.problems = sortProblems(result.problems);
  return result;
}

async function findWorkflowFiles(repoDir: string, workflowPath?: string): Promise<string[]> {
  const target = path.resolve(repoDir, workflowPath ?? ".github/workflows");
  const rel = (p: string): string => path.relative(repoDir, p).split(path.sep).join("/");
  const info = await stat(target).catch(() => undefined);
  if (!info) {
    if (workflowPath === undefined) return [];
    throw new UsageError(`--workflow ${workflowPath}: no such file or directory`, "name a workflow file or a directory of workflow files");
  }
  if (info.isFile()) return [rel(target)];
  const entries = await readdir(target, { withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && isWorkflowFile(e.name))
    .map((e) => rel(path.join(target, e.name)))
    .sort();
}
