// The engine speaks only in these plain-data events. They are internal: `--json` and the
// run record print their public form (runners/public-events.ts, docs/events.md).
import type { Value } from "../workflows/index.js";

export type StepResult = "success" | "failure" | "skipped" | "cancelled";
/** A job's result: a step's, or "not-replayed" for a job replay cannot run here (a macOS or Windows runner, or a job that needs one). */
export type JobResult = StepResult | "not-replayed";
/** A run's result: not-replayed jobs leave it alone. */
export type RunResult = StepResult;

export interface RunStartedEvent {
  type: "run.started";
  at: string;
  runId: string;
  event: string;
  sha: string;
  ref: string;
  workflows: string[];
}

export interface JobStartedEvent {
  type: "job.started";
  at: string;
  jobKey: string;
  /** The job id; `caller/called` inside a called workflow. */
  job: string;
  workflow: string;
  /** The display name GitHub would show, e.g. `build (20)`. */
  name: string;
  matrix: Record<string, Value> | null;
  image: string;
  /** The engine the job runs on, when the replay spreads over several (`--engine`). */
  engine?: string;
}

export interface StepStartedEvent {
  type: "step.started";
  at: string;
  jobKey: string;
  step: number;
  name: string;
}

export interface StepOutputEvent {
  type: "step.output";
  at: string;
  jobKey: string;
  step: number;
  /** One line, masked. */
  line: string;
  stream?: "stdout" | "stderr";
}

export interface AnnotationEvent {
  type: "step.annotation";
  at: string;
  jobKey: string;
  step: number;
  level: "error" | "warning" | "notice";
  message: string;
  file?: string;
  line?: number;
  col?: number;
  title?: string;
}

export interface StepCompletedEvent {
  type: "step.completed";
  at: string;
  jobKey: string;
  step: number;
  name: string;
  /** The conclusion, after continue-on-error. */
  result: StepResult;
  /** The result before continue-on-error. */
  outcome: StepResult;
  /** The time the step ran, every attempt's together; time paused (stepping, a shell) left out. */
  durationMs: number;
  /** Time spent paused before the step or after a failed attempt; only when there was some. */
  pausedMs?: number;
  /** Attempts made with `r` (retry), oldest first; only when the step was retried. */
  attempts?: StepAttempt[];
}

export interface StepAttempt {
  /** 1 is the first run of the step. */
  attempt: number;
  outcome: StepResult;
  durationMs: number;
}

export interface JobCompletedEvent {
  type: "job.completed";
  at: string;
  jobKey: string;
  job: string;
  workflow: string;
  name: string;
  matrix: Record<string, Value> | null;
  result: JobResult;
  outputs: Record<string, string>;
  /** The time the job ran; time its steps spent paused is left out. */
  durationMs: number;
  /** Time its steps spent paused (stepping, breakpoints, a shell), when there was some. */
  pausedMs?: number;
  /** Why a job did not run or was cut short, when it did not simply run. */
  reason?: string;
  /** The runs-on label replay could not run (a "not-replayed" job's macOS or Windows runner). */
  runner?: string;
}

/** The Markdown the job's steps wrote to GITHUB_STEP_SUMMARY, emitted once at the job's end. */
export interface JobSummaryEvent {
  type: "job.summary";
  at: string;
  jobKey: string;
  markdown: string;
}

export interface RunCompletedEvent {
  type: "run.completed";
  at: string;
  runId: string;
  result: RunResult;
  exitCode: number;
  durationMs: number;
}

export interface ErrorEvent {
  type: "error";
  at: string;
  message: string;
  hint?: string;
  file?: string;
  line?: number;
  col?: number;
  /** The exit status the error ends the command with. */
  exitCode?: number;
}

/** Something worth telling the user that is not part of a step (image builds, warnings). */
export interface NoticeEvent {
  type: "notice";
  at: string;
  level: "info" | "warning";
  message: string;
  jobKey?: string;
  /** Set when the notice reports a cache restore or save (the run summary counts them). */
  cache?: CacheNotice;
  /** Set when the notice tells a job's runner size (`--runner-size public|private`). */
  runnerSize?: RunnerSizeNotice;
}

/**
 * The size GitHub gives the job's runs-on label (`cpus`, `memoryBytes`) and what its
 * container got; `degraded` says why it got less (the host has fewer CPUs or less memory).
 */
export interface RunnerSizeNotice {
  label: string;
  cpus: number;
  memoryBytes: number;
  appliedCpus: number;
  appliedMemoryBytes: number;
  degraded?: string;
}

/**
 * A cache restore (`hit`: the primary key itself, `partial`: a prefix or restore key,
 * `miss`) or save (`saved`, or `not-saved` when another job holds the key) of a step.
 */
export interface CacheNotice {
  action: "restore" | "save";
  result: "hit" | "partial" | "miss" | "saved" | "not-saved";
  key: string;
  step: number;
  matchedKey?: string;
  sizeBytes?: number;
}

export type ReplayEvent =
  | RunStartedEvent
  | JobStartedEvent
  | StepStartedEvent
  | StepOutputEvent
  | AnnotationEvent
  | StepCompletedEvent
  | JobCompletedEvent
  | JobSummaryEvent
  | RunCompletedEvent
  | ErrorEvent
  | NoticeEvent;

/** Events as the engine emits them, before the time is stamped. */
export type EventInput = ReplayEvent extends infer E ? (E extends ReplayEvent ? Omit<E, "at"> : never) : never;

/** A consumer of the event stream: reporters, the run record, the TUI. */
export interface Reporter {
  onEvent(event: ReplayEvent): void;
  close(): Promise<void>;
}
