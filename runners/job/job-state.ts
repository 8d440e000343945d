import type { JobEnvState, StepRecord } from "../step-types.js";

/** What the status functions (`success()`, `failure()`, `cancelled()`) and `job.status` answer for. */
export interface JobStatus {
  failed: boolean;
  cancelled: boolean;
}

export function newJobState(): JobEnvState {
  return { env: {}, path: [], steps: {}, state: {}, summary: [] };
}

/**
 * The record of the step with id `id` in the `steps` context, started on first use (its
 * result stays `success` until the step completes): where every output lands.
 */
export function stepRecord(state: JobEnvState, id: string): StepRecord {
  return (state.steps[id] ??= { id, outcome: "success", conclusion: "success", outputs: {} });
}
