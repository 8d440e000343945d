// meta.json of a recorded replay: what a diff needs at a glance (commit, timings, the
// toolchains each job saw) without reading every event.
import { assertNever } from "../common/index.js";
import type { JobResult, ReplayEvent, StepResult } from "../runners/index.js";
import type { Value } from "../workflows/index.js";
import { ToolchainScanner, mergeToolchains } from "./toolchain-scanner.js";
import type { Toolchains } from "./toolchain-scanner.js";

export interface StepMeta {
  index: number;
  name: string;
  result?: StepResult;
  outcome?: StepResult;
  startedAt?: string;
  durationMs?: number;
}

export interface JobMeta {
  jobKey: string;
  job: string;
  workflow: string;
  name: string;
  matrix: Record<string, Value> | null;
  image?: string;
  result?: JobResult;
  reason?: string;
  startedAt?: string;
  durationMs?: number;
  steps: StepMeta[];
  toolchains: Toolchains;
  cacheHits: string[];
}

export interface RunMeta {
  version: 1;
  runId?: string;
  event?: string;
  sha?: string;
  ref?: string;
  workflows: string[];
  startedAt?: string;
  completedAt?: string;
  durationMs?: number;
  result?: JobResult;
  exitCode?: number;
  jobs: JobMeta[];
  /** Every job's toolchains together. */
  toolchains: Toolchains;
}

/** Builds a RunMeta from the event stream, as the events arrive. */
export class RunMetaBuilder {
  private readonly meta: RunMeta = { version: 1, workflows: [], jobs: [], toolchains: {} };
  private readonly scanners = new Map<string, ToolchainScanner>();

  private job(jobKey: string): JobMeta | undefined {
    return this.meta.jobs.find((j) => j.jobKey === jobKey);
  }

  private scanner(jobKey: string): ToolchainScanner {
    let s = this.scanners.get(jobKey);
    if (!s) {
      s = new ToolchainScanner();
      this.scanners.set(jobKey, s);
    }
    return s;
  }

  onEvent(event: ReplayEvent): void {
    switch (event.type) {
      case "run.started":
        Object.assign(this.meta, { runId: event.runId, event: event.event, sha: event.sha, ref: event.ref, workflows: event.workflows, startedAt: event.at });
        return;
      case "job.started": {
        this.meta.jobs = this.meta.jobs.filter((j) => j.jobKey !== event.jobKey);
        const job: JobMeta = {
          jobKey: event.jobKey,
          job: event.job,
          workflow: event.workflow,
          name: event.name,
          matrix: event.matrix,
          image: event.image,
          startedAt: event.at,
          steps: [],
          toolchains: {},
          cacheHits: [],
        };
        this.meta.jobs.push(job);
        return;
      }
      case "step.started": {
        const job = this.job(event.jobKey);
        if (!job) return;
        job.steps = [...job.steps.filter((s) => s.index !== event.step), { index: event.step, name: event.name, startedAt: event.at }];
        this.scanner(event.jobKey).beginStep(event.name);
        return;
      }
      case "step.output":
        this.scanner(event.jobKey).scan(event.line);
        return;
      case "step.completed": {
        const step = this.job(event.jobKey)?.steps.find((s) => s.index === event.step);
        if (step) Object.assign(step, { name: event.name, result: event.result, outcome: event.outcome, durationMs: event.durationMs });
        return;
      }
      case "job.completed": {
        let job = this.job(event.jobKey);
        if (!job) {
          // A job that never started: skipped by its condition or its needs.
          job = { jobKey: event.jobKey, job: event.job, workflow: event.workflow, name: event.name, matrix: event.matrix, steps: [], toolchains: {}, cacheHits: [] };
          this.meta.jobs.push(job);
        }
        Object.assign(job, { name: event.name, result: event.result, durationMs: event.durationMs });
        if (event.reason !== undefined) job.reason = event.reason;
        return;
      }
      case "run.completed":
        Object.assign(this.meta, { result: event.result, exitCode: event.exitCode, durationMs: event.durationMs, completedAt: event.at });
        return;
      case "step.annotation":
      case "job.summary":
      case "error":
      case "notice":
        return;
      default:
        assertNever(event, "event");
    }
  }

  build(): RunMeta {
    const jobs = this.meta.jobs.map((j) => {
      const s = this.scanners.get(j.jobKey);
      const toolchains = { ...(s?.toolchains ?? {}) };
      // The image is the replay's runner image: CI's is read off its "Runner Image" group.
      if (j.image) toolchains["runner-image"] = [j.image];
      return { ...j, steps: [...j.steps].sort((a, b) => a.index - b.index), toolchains, cacheHits: [...(s?.cacheHits ?? [])] };
    });
    const { version, jobs: _jobs, toolchains: _t, ...rest } = this.meta;
    return { version, ...rest, toolchains: mergeToolchains(jobs.map((j) => j.toolchains)), jobs };
  }
}

/** The meta of a recorded event stream (for records written before meta.json existed). */
export function runMetaOf(events: readonly ReplayEvent[]): RunMeta {
  const b = new RunMetaBuilder();
  for (const e of events) b.onEvent(e);
  return b.build();
}
