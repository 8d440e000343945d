// meta.json of a recorded replay: what a diff needs at a glance (commit, timings, the
// toolchains each job saw) without reading every event. It is derived from the run's
// state, the one fold of the event stream (runners/run-state.ts), and adds only what
// that fold leaves out: the toolchain versions and cache hits the steps' output shows.
import { initialRunState, reduceRunState } from "../runners/index.js";
import type { JobResult, JobState, ReplayEvent, RunState, StepResult, StepState } from "../runners/index.js";
import { ToolchainScanner, mergeToolchains } from "./toolchain-scanner.js";
import type { Toolchains } from "./toolchain-scanner.js";

export interface StepMeta extends Pick<StepState, "index" | "name" | "outcome" | "startedAt" | "durationMs"> {
  result?: StepResult;
}

export interface JobMeta extends Pick<JobState, "jobKey" | "job" | "workflow" | "name" | "matrix" | "image" | "reason" | "startedAt" | "durationMs"> {
  result?: JobResult;
  steps: StepMeta[];
  toolchains: Toolchains;
  cacheHits: string[];
}

export interface RunMeta extends Pick<RunState, "runId" | "event" | "sha" | "ref" | "workflows" | "startedAt" | "completedAt" | "durationMs" | "exitCode"> {
  version: 1;
  result?: JobResult;
  jobs: JobMeta[];
  /** Every job's toolchains together. */
  toolchains: Toolchains;
}

/** A status that is a result: the step or job is over. */
function ended<S extends string>(status: S | "pending" | "running"): S | undefined {
  return status === "pending" || status === "running" ? undefined : (status as S);
}

/** Keeps only the fields that are set (meta.json has no `"x": undefined`). */
function defined<T extends object>(o: { [K in keyof T]: T[K] | undefined }): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** Builds a RunMeta from the event stream, as the events arrive. */
export class RunMetaBuilder {
  private state: RunState = initialRunState;
  private readonly scanners = new Map<string, ToolchainScanner>();

  private scanner(jobKey: string): ToolchainScanner {
    let s = this.scanners.get(jobKey);
    if (!s) {
      s = new ToolchainScanner();
      this.scanners.set(jobKey, s);
    }
    return s;
  }

  onEvent(event: ReplayEvent): void {
    this.state = reduceRunState(this.state, event);
    // A job started again (a replayed key) scans afresh.
    if (event.type === "job.started") this.scanners.delete(event.jobKey);
    else if (event.type === "step.started") this.scanner(event.jobKey).beginStep(event.name);
    else if (event.type === "step.output") this.scanner(event.jobKey).scan(event.line);
  }

  build(): RunMeta {
    const s = this.state;
    const jobs = s.jobs.map((j): JobMeta => {
      const scanner = this.scanners.get(j.jobKey);
      const toolchains = { ...(scanner?.toolchains ?? {}) };
      // The image is the replay's runner image: CI's is read off its "Runner Image" group.
      if (j.image) toolchains["runner-image"] = [j.image];
      const steps = [...j.steps]
        .sort((a, b) => a.index - b.index)
        .map((st) => defined<StepMeta>({ index: st.index, name: st.name, result: ended(st.status), outcome: st.outcome, startedAt: st.startedAt, durationMs: st.durationMs }));
      const { jobKey, job, workflow, name, matrix, image, reason, startedAt, durationMs } = j;
      return { ...defined<Omit<JobMeta, "steps" | "toolchains" | "cacheHits">>({ jobKey, job, workflow, name, matrix, image, result: ended(j.status), reason, startedAt, durationMs }), steps, toolchains, cacheHits: [...(scanner?.cacheHits ?? [])] };
    });
    const { runId, event, sha, ref, workflows, startedAt, completedAt, durationMs, exitCode } = s;
    return {
      version: 1,
      ...defined<Omit<RunMeta, "version" | "workflows" | "toolchains" | "jobs">>({ runId, event, sha, ref, startedAt, completedAt, durationMs, result: ended(s.status), exitCode }),
      workflows,
      toolchains: mergeToolchains(jobs.map((j) => j.toolchains)),
      jobs,
    };
  }
}

/** The meta of a recorded event stream. */
export function runMetaOf(events: readonly ReplayEvent[]): RunMeta {
  const b = new RunMetaBuilder();
  for (const e of events) b.onEvent(e);
  return b.build();
}
