import { AmbiguousJobError, UnknownJobError, UnknownMatrixError } from "../common/index.js";
import { expandMatrix, selectCells } from "./matrix.js";
import type { MatrixSelector } from "./matrix.js";
import type { Job, Workflow } from "./model.js";
import { triggeredBy } from "./triggers.js";

export interface PlannedWorkflow {
  workflow: Workflow;
  /** The jobs to run, in an order where every job comes after what it needs. */
  jobs: Job[];
  /** Cell selectors for the job the user named (`--matrix`), by job id. */
  selectors: Record<string, MatrixSelector[]>;
  /**
   * The workflow each `uses:` job calls, by the caller's job id. Filled in by
   * resolveCalledWorkflows before the run; a plan without it runs no call.
   */
  calls?: Record<string, PlannedCall>;
}

/** One call of a reusable workflow (`jobs.<id>.uses`), with the jobs it runs. */
export interface PlannedCall {
  /** The `uses:` value as written. */
  uses: string;
  /** The called workflow: all its jobs in `needs` order, and its own calls. */
  called: PlannedWorkflow;
  /** 2 for a workflow the top-level workflow calls, 3 for one that calls, … */
  level: number;
}

export interface Plan {
  event: string;
  workflows: PlannedWorkflow[];
  /** Workflows the event does not trigger, with the reason (for `run`). */
  notTriggered: { workflow: string; reason: string }[];
}

/** Jobs in `needs` order (stable: source order where free). */
export function orderJobs(jobs: readonly Job[]): Job[] {
  const byId = new Map(jobs.map((j) => [j.id, j]));
  const done = new Set<string>();
  const out: Job[] = [];
  const visit = (j: Job, seen: Set<string>): void => {
    if (done.has(j.id) || seen.has(j.id)) return;
    seen.add(j.id);
    for (const n of j.needs) {
      const dep = byId.get(n);
      if (dep) visit(dep, seen);
    }
    done.add(j.id);
    out.push(j);
  };
  for (const j of jobs) visit(j, new Set());
  return out;
}

/** The job and everything it needs, transitively. */
export function withNeeds(workflow: Workflow, jobId: string): Job[] {
  const byId = new Map(workflow.jobs.map((j) => [j.id, j]));
  const want = new Set<string>();
  const add = (id: string): void => {
    if (want.has(id)) return;
    want.add(id);
    for (const n of byId.get(id)?.needs ?? []) add(n);
  };
  add(jobId);
  return orderJobs(workflow.jobs.filter((j) => want.has(j.id)));
}

/** `replay job X`: job X and every job it needs, in the one workflow that has it. */
export function planJob(workflows: readonly Workflow[], jobId: string, event: string, selectors: MatrixSelector[] = []): Plan {
  const having = workflows.filter((w) => w.jobs.some((j) => j.id === jobId));
  if (having.length === 0) {
    const known = workflows.flatMap((w) => w.jobs.map((j) => `${j.id} (${w.file})`));
    throw new UnknownJobError(`no job '${jobId}' in the workflows that loaded`, {
      hint: known.length ? `jobs there are: ${known.join(", ")}` : "no workflow loaded; run `replay validate` to see why",
    });
  }
  if (having.length > 1) {
    throw new AmbiguousJobError(`job '${jobId}' is in ${having.length} workflows: ${having.map((w) => w.file).join(", ")}`, {
      hint: `pick one with --workflow, e.g. --workflow ${having[0]?.file}`,
    });
  }
  const workflow = having[0] as Workflow;
  const target = workflow.jobs.find((j) => j.id === jobId) as Job;
  if (selectors.length) {
    const m = target.strategy?.matrix;
    if (m === undefined) {
      throw new UnknownMatrixError(`job '${jobId}' has no matrix, so --matrix ${selectors.map((s) => `${s.key}=${s.value}`).join(" ")} matches nothing`, {
        hint: "leave out --matrix for a job without a matrix",
      });
    }
    // A matrix known now is checked now; one computed from needs is checked when it is.
    if (typeof m !== "string") selectCells(expandMatrix(m), selectors);
  }
  return { event, workflows: [{ workflow, jobs: withNeeds(workflow, jobId), selectors: selectors.length ? { [jobId]: selectors } : {} }], notTriggered: [] };
}

/** `replay run --event E`: every workflow the event triggers, all their jobs. */
export function planEvent(
  workflows: readonly Workflow[],
  event: string,
  at: { ref?: string; changedFiles?: string[] } = {},
): Plan {
  const plan: Plan = { event, workflows: [], notTriggered: [] };
  for (const workflow of workflows) {
    const t = triggeredBy(workflow.on, { event, ...at });
    if (t.triggered) plan.workflows.push({ workflow, jobs: orderJobs(workflow.jobs), selectors: {} });
    else plan.notTriggered.push({ workflow: workflow.file, reason: t.reason });
  }
  return plan;
}
