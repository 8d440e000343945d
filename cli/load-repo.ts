import { formatProblem } from "../common/index.js";
import { loadWorkflows, type LoadedWorkflows } from "../workflows/index.js";
import { readRepoInfo, type RepoInfo } from "../runners/index.js";

export interface LoadedRepo {
  repo: RepoInfo;
  loaded: LoadedWorkflows;
}

/** `repoInfo`: the repository's git questions, when the caller asked them already (program.ts). */
export async function loadRepo(dir: string, workflowPath: string | undefined, repoInfo?: Promise<RepoInfo>): Promise<LoadedRepo> {
  const repo = await (repoInfo ?? readRepoInfo(dir));
  const loaded = await loadWorkflows(repo.dir, workflowPath);
  return { repo, loaded };
}

/** Broken files are reported and never stop the others from replaying. */
export function warnProblems(loaded: LoadedWorkflows, err: NodeJS.WritableStream = process.stderr): void {
  if (loaded.problems.length === 0) return;
  const files = new Set(loaded.problems.map((p) => p.file));
  err.write(`warning: ${files.size} workflow file(s) did not load and are left out:\n`);
  for (const p of loaded.problems) err.write(`  ${formatProblem(p)}\n`);
}
