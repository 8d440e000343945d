import { findExpressions } from "../workflows/index.js";
import type { Job } from "../workflows/index.js";

/** Whether a job's container can start before its needs are done: nothing of it depends on them. */
export function canWarm(job: Job): boolean {
  return (
    job.uses === undefined &&
    job.container === undefined &&
    Object.keys(job.services ?? {}).length === 0 &&
    job.strategy?.matrix === undefined &&
    job.environment === undefined &&
    findExpressions(JSON.stringify(job.runsOn ?? "")).length === 0
  );
}

/**
 * Containers started ahead of their jobs: only into slots free now, so that a warm
 * container never makes a running job wait, and no more containers are alive than
 * --parallel allows beyond those waiting to run.
 */
export class WarmStarts {
  private alive = 0;
  constructor(private readonly slots: { readonly free: number }) {}
  take(): boolean {
    if (this.alive >= this.slots.free) return false;
    this.alive++;
    return true;
  }
  give(): void {
    this.alive--;
  }
}
