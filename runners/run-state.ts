// One pure reducer turns the event stream into the run's state. Every consumer (plain
// reporter, TUI, run record, diff) reads this rather than re-deriving it.
import { assertNever } from "../common/index.js";
import type { Value } from "../workflows/index.js";
import type { AnnotationEvent, JobResult, ReplayEvent, RunResult, StepAttempt, StepResult } from "./events.js";

export type Status = "pending" | "running" | StepResult;
export type JobStatus = "pending" | "running" | JobResult;

export interface StepState {
  index: number;
  name: string;
  status: Status;
  outcome?: StepResult;
  durationMs?: number;
  pausedMs?: number;
  /** Each attempt, when the step was retried (`r`). */
  attempts?: StepAttempt[];
  startedAt?: string;
  /** Number of output lines; the lines themselves live in the run record and log stores. */
  lineCount: number;
}

export interface JobState {
  jobKey: string;
  job: string;
  workflow: string;
  name: string;
  matrix: Record<string, Value> | null;
  image?: string;
  status: JobStatus;
  steps: StepState[];
  outputs: Record<string, string>;
  annotations: Omit<AnnotationEvent, "type" | "jobKey">[];
  startedAt?: string;
  durationMs?: number;
  /** Time the job's steps spent paused (not in durationMs). */
  pausedMs?: number;
  reason?: string;
  /** The macOS or Windows runs-on label of a job that was not replayed. */
  runner?: string;
  /** What the job's steps wrote to GITHUB_STEP_SUMMARY (Markdown), once the job ended. */
  summary?: string;
  /** Why the job ran smaller than its runner size (`--runner-size`): the host has less. */
  degraded?: string;
}

export interface RunState {
  runId?: string;
  event?: string;
  sha?: string;
  ref?: string;
  /** The workflow files the run replays. */
  workflows: string[];
  startedAt?: string;
  completedAt?: string;
  status: "pending" | "running" | RunResult;
  exitCode?: number;
  durationMs?: number;
  /** Jobs in the order they first appeared. */
  jobs: JobState[];
  error?: { message: string; hint?: string };
  notices: string[];
}

export const initialRunState: RunState = { status: "pending", workflows: [], jobs: [], notices: [] };

function updateJob(state: RunState, jobKey: string, f: (job: JobState) => JobState): RunState {
  return { ...state, jobs: state.jobs.map((j) => (j.jobKey === jobKey ? f(j) : j)) };
}

function updateStep(job: JobState, index: number, f: (s: StepState) => StepState): JobState {
  const steps = [...job.steps];
  const existing = steps.find((s) => s.index === index);
  const base: StepState = existing ?? { index, name: `step ${index + 1}`, status: "pending", lineCount: 0 };
  const next = f(base);
  if (existing) steps[steps.indexOf(existing)] = next;
  else steps.push(next);
  return { ...job, steps };
}

export function reduceRunState(state: RunState, event: ReplayEvent): RunState {
  switch (event.type) {
    case "run.started":
      return { ...state, runId: event.runId, event: event.event, sha: event.sha, ref: event.ref, workflows: event.workflows, startedAt: event.at, status: "running" };
    case "job.started": {
      const job: JobState = {
        jobKey: event.jobKey,
        job: event.job,
        workflow: event.workflow,
        name: event.name,
        matrix: event.matrix,
        image: event.image,
        status: "running",
        steps: [],
        outputs: {},
        annotations: [],
        startedAt: event.at,
      };
      return { ...state, jobs: [...state.jobs.filter((j) => j.jobKey !== event.jobKey), job] };
    }
    case "step.started":
      return updateJob(state, event.jobKey, (j) =>
        updateStep(j, event.step, (s) => ({ ...s, name: event.name, status: "running", startedAt: event.at })),
      );
    case "step.output":
      return updateJob(state, event.jobKey, (j) => updateStep(j, event.step, (s) => ({ ...s, lineCount: s.lineCount + 1 })));
    case "step.annotation": {
      const { type: _t, jobKey: _k, ...annotation } = event;
      return updateJob(state, event.jobKey, (j) => ({ ...j, annotations: [...j.annotations, annotation] }));
    }
    case "step.completed":
      return updateJob(state, event.jobKey, (j) =>
        updateStep(j, event.step, (s) => ({
          ...s,
          name: event.name,
          status: event.result,
          outcome: event.outcome,
          durationMs: event.durationMs,
          ...(event.pausedMs === undefined ? {} : { pausedMs: event.pausedMs }),
          ...(event.attempts === undefined ? {} : { attempts: event.attempts }),
        })),
      );
    case "job.completed": {
      const done = (j: JobState): JobState => {
        const next: JobState = { ...j, status: event.result, outputs: event.outputs, durationMs: event.durationMs, name: event.name };
        if (event.pausedMs !== undefined) next.pausedMs = event.pausedMs;
        if (event.reason !== undefined) next.reason = event.reason;
        if (event.runner !== undefined) next.runner = event.runner;
        return next;
      };
      if (state.jobs.some((j) => j.jobKey === event.jobKey)) return updateJob(state, event.jobKey, done);
      // A job that never started (skipped by its condition or its needs).
      const job: JobState = {
        jobKey: event.jobKey,
        job: event.job,
        workflow: event.workflow,
        name: event.name,
        matrix: event.matrix,
        status: "pending",
        steps: [],
        outputs: {},
        annotations: [],
      };
      return { ...state, jobs: [...state.jobs, done(job)] };
    }
    case "job.summary":
      return updateJob(state, event.jobKey, (j) => ({ ...j, summary: event.markdown }));
    case "run.completed":
      return { ...state, status: event.result, exitCode: event.exitCode, durationMs: event.durationMs, completedAt: event.at };
    case "error": {
      const error: RunState["error"] = { message: event.message };
      if (event.hint !== undefined) error.hint = event.hint;
      return { ...state, error };
    }
    case "notice": {
      const next = { ...state, notices: [...state.notices, event.message] };
      const degraded = event.runnerSize?.degraded;
      return degraded && event.jobKey ? updateJob(next, event.jobKey, (j) => ({ ...j, degraded })) : next;
    }
    default:
      return assertNever(event, "event");
  }
}
