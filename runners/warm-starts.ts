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
 * Containers started ahead of their jobs: only into slots free now on their engine, so
 * that a warm container never makes a running job wait, and no more containers are alive
 * on an engine than its slots allow beyond those waiting to run.
 */
export class WarmStarts<E> {
  private readonly alive = new Map<E, number>();
  constructor(private readonly freeOn: (engine: E) => number) {}
  take(engine: E): boolean {
    const n = this.alive.get(engine) ?? 0;
    if (n >= this.freeOn(engine)) return false;
    this.alive.set(engine, n + 1);
    return true;
  }
  give(engine: E): void {
    this.alive.set(engine, (this.alive.get(engine) ?? 1) - 1);
  }
}
