import { formatProblem, runProcess } from "../../common/index.js";
import type { Problem } from "../../common/index.js";
import { loadWorkflows, localCallProblems, sortProblems } from "../../workflows/index.js";

export interface ValidateResult {
  files: string[];
  /** How many files have no problem. */
  valid: number;
  /** Every problem of every file, by file, line and column. */
  problems: Problem[];
}

/**
 * The folder whose `.github/workflows` is checked: the repository's top, or the folder
 * itself where it is no git repository. Validating needs no commit: there is nothing to
 * replay yet, but there is something to check.
 */
async function workflowRoot(dir: string): Promise<string> {
  const top = await runProcess("git", ["rev-parse", "--show-toplevel"], { cwd: dir });
  return top.exitCode === 0 && top.stdout.trim() ? top.stdout.trim() : dir;
}

/** Every problem of every workflow file, and of its calls of this repository's reusable workflows. */
export async function validateWorkflows(dir: string, workflowPath: string | undefined): Promise<ValidateResult> {
  const root = await workflowRoot(dir);
  const loaded = await loadWorkflows(root, workflowPath);
  // A call's problems are the caller's (its line), or the called file's when it does not load.
  const all = [...loaded.problems, ...(await localCallProblems(loaded.workflows, root))];
  const problems = sortProblems([...new Map(all.map((p) => [formatProblem(p), p])).values()]);
  const broken = new Set(problems.map((p) => p.file).filter((f) => loaded.files.includes(f)));
  return { files: loaded.files, valid: loaded.files.length - broken.size, problems };
}
