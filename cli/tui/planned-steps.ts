import { defaultStepName } from "../../runners/index.js";
import type { Plan } from "../../workflows/index.js";

/** The steps a job will run, known from the plan before the job reaches them. */
export interface PlannedJob {
  workflow: string;
  job: string;
  steps: { index: number; name: string }[];
}

export type PlannedSteps = ReadonlyMap<string, PlannedJob>;

export const plannedKey = (workflowFile: string, jobId: string): string => `${workflowFile}\0${jobId}`;

/**
 * The step list of every job the plan runs, with the index the engine will give each
 * step: a job with a `container:` or services first gets "Initialize containers". Names
 * with expressions show as written until the step starts and the engine names it.
 */
export function plannedSteps(plan: Plan): PlannedSteps {
  const out = new Map<string, PlannedJob>();
  for (const pw of plan.workflows) {
    for (const job of pw.jobs) {
      if (job.uses !== undefined) continue;
      const offset = job.container !== undefined || Object.keys(job.services ?? {}).length > 0 ? 1 : 0;
      out.set(plannedKey(pw.workflow.file, job.id), {
        workflow: pw.workflow.file,
        job: job.id,
        steps: job.steps.map((s, i) => ({ index: offset + i, name: s.name ?? defaultStepName(s) })),
      });
    }
  }
  return out;
}
