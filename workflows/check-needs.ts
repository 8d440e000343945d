import type { Problem } from "../common/index.js";
import type { ValueMap } from "./model.js";
import type { YamlSource } from "./yaml-source.js";

function needsOf(job: ValueMap | null | undefined): string[] {
  if (!job || typeof job !== "object" || Array.isArray(job)) return [];
  const n = job["needs"];
  if (n === undefined || n === null) return [];
  return (Array.isArray(n) ? n : [n]).map(String);
}

/** `needs` naming an unknown job, and cycles among needs. */
export function checkNeeds(source: YamlSource, jobs: Record<string, ValueMap>): Problem[] {
  const problems: Problem[] = [];
  const ids = Object.keys(jobs);
  for (const [id, job] of Object.entries(jobs)) {
    const needs = needsOf(job);
    needs.forEach((need, i) => {
      if (!(need in jobs)) {
        const path = Array.isArray(job["needs"]) ? ["jobs", id, "needs", i] : ["jobs", id, "needs"];
        problems.push(source.problem(path, `job '${id}' needs '${need}', which is not a job in this workflow (jobs: ${ids.join(", ")})`));
      }
      if (need === id) problems.push(source.problem(["jobs", id, "needs"], `job '${id}' needs itself`));
    });
  }
  // Depth-first search for cycles; each cycle is reported once, at its first job.
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const reported = new Set<string>();
  const visit = (id: string): void => {
    state.set(id, "visiting");
    stack.push(id);
    for (const need of needsOf(jobs[id] ?? {})) {
      if (!(need in jobs) || need === id) continue;
      const s = state.get(need);
      if (s === "visiting") {
        const cycle = stack.slice(stack.indexOf(need));
        const key = [...cycle].sort().join(",");
        if (!reported.has(key)) {
          reported.add(key);
          problems.push(source.problem(["jobs", need, "needs"], `jobs form a cycle through needs: ${[...cycle, need].join(" -> ")}`));
        }
      } else if (s === undefined) visit(need);
    }
    stack.pop();
    state.set(id, "done");
  };
  for (const id of ids) if (!state.has(id)) visit(id);
  // GitHub's rule, whatever the needs name: a run must have a job to start with.
  const first = ids[0];
  if (first !== undefined && ids.every((id) => needsOf(jobs[id]).length > 0)) {
    problems.push(source.problem(["jobs", first], "the workflow must contain at least one job with no dependencies (every job needs another)", "key"));
  }
  return problems;
}
