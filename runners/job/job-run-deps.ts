import type { Job, Step, Value, ValueMap, Workflow } from "../../workflows/index.js";
import type { ActionServices } from "../actions/action-services.js";
import type { BuiltinRegistry } from "../builtin-actions.js";
import type { NeedsContext, RunIdentity } from "../contexts.js";
import type { DockerApiForJobs } from "../docker-proxy/index.js";
import type { EventInput, JobResult } from "../events.js";
import type { ContainerRuntime } from "../job-container.js";
import type { Masker } from "../masker.js";
import type { RepoInfo } from "../repo-info.js";
import type { RunnerSizing } from "../runner-size.js";
import type { WorkingTreeSync } from "../working-tree-sync.js";

// The job's contracts with the engine: what it is given, what it answers.

/** Where a paused step could be poked at: the job's container, as the step would run. */
export interface ShellTarget {
  containerId: string;
  user: string;
  workdir: string;
  env: Record<string, string>;
}

export interface StepPoint {
  jobKey: string;
  step: number;
  name: string;
  shell: ShellTarget;
}

/** Decides, for an interactive replay, whether a step runs, is skipped, or is retried. */
export interface StepControl {
  beforeStep(point: StepPoint): Promise<"run" | "skip">;
  /** After a failed step (before continue-on-error applies). */
  afterFailure(point: StepPoint): Promise<"retry" | "continue">;
}

export interface JobRunDeps {
  runtime: ContainerRuntime;
  emit: (e: EventInput) => void;
  masker: Masker;
  builtins: BuiltinRegistry;
  /** This run's folder on the host; each job gets a subfolder bound into its container. */
  hostRunDir: string;
  workspaceTar: string;
  /**
   * Has workspaceTar written, the first time it is called (each job's container calls it
   * once created, and may start before it resolves); rejects if it cannot be written.
   */
  workspaceReady?: () => Promise<void>;
  /** Whether the snapshot's history is at depth 1, as actions/checkout's default clone (SnapshotOptions.depthOne). */
  workspaceDepthOne?: boolean;
  labels: Record<string, string>;
  keepFailed: boolean;
  run: RunIdentity;
  repo: RepoInfo;
  eventName: string;
  payload: ValueMap;
  secrets: Record<string, string>;
  vars: Record<string, string>;
  inputs: Record<string, Value>;
  baseBranch?: string;
  hashFiles: (patterns: string[]) => Promise<string>;
  imageEnv: (image: string) => Promise<Record<string, string>>;
  /** The user steps run as: `runner` in replay's images, else the image's own user (as GitHub's container jobs). */
  imageUser: (image: string) => Promise<string>;
  artifactsDir: string;
  /**
   * Takes a job's clean-up (removing its containers, network and runner folder) off the
   * path to the next job: the engine awaits every one before the run ends. Without it a
   * job cleans up before it completes.
   */
  deferCleanup?: (cleanup: Promise<void>) => void;
  /**
   * Takes the removal of a job's stopped container off the clean-up (the engine removes
   * it): what holds the job's slot until the container is gone, while the run itself
   * need not wait for it. Without it a clean-up waits for the removal.
   */
  deferRemoval?: (gone: Promise<void>) => void;
  /**
   * Variables the runner gives node and container actions only (never `run:` steps):
   * ACTIONS_RUNTIME_URL, ACTIONS_RUNTIME_TOKEN, ACTIONS_CACHE_URL, ACTIONS_RESULTS_URL, …
   * Set by the run's cache and artifact services.
   */
  actionRuntimeEnv?: Record<string, string>;
  /** Where remote actions come from and how Docker actions run (without it, only built-in and local node or composite actions run). */
  actions?: ActionServices;
  /** `--pull`: pull service and container images even when present. */
  pull?: boolean;
  /** ACTIONS_ID_TOKEN_REQUEST_* for jobs granted `id-token: write`: an endpoint that refuses. */
  oidcEnv?: Record<string, string>;
  /** Stepping and breakpoints (the TUI): asked before each step and after a failure. */
  control?: StepControl;
  /** Host edits made while a step waited for the user go into the workspace before it runs (not with --no-sync or --from HEAD). */
  workingTreeSync?: WorkingTreeSync;
  /**
   * In a called (reusable) workflow: the top-level workflow, whose `github.workflow` and
   * `github.workflow_ref` its jobs see. Its secrets and inputs are this object's too.
   */
  githubWorkflow?: { name: string; file: string };
  /** Docker for the job's own steps: a scoped Docker API per job, at DOCKER_HOST. */
  dockerApi?: DockerApiForJobs;
  /** `--runner-size public|private`: GitHub's CPU and memory sizes as container limits. */
  runnerSizing?: RunnerSizing;
  /** The engine the job runs on, when the replay spreads over several (`--engine`): job.started names it. */
  engineName?: string;
}

export interface CellToRun {
  workflow: Workflow;
  job: Job;
  jobKey: string;
  name: string;
  matrix: ValueMap | null;
  strategy: ValueMap;
  needs: NeedsContext;
  image: string;
  /** Aborted when the run is cancelled or fail-fast cancels this cell. */
  signal: AbortSignal;
}

export interface CellOutcome {
  result: JobResult;
  outputs: Record<string, string>;
}

/** One step as the job runs it: a `run:`/`uses:` step, or an action's post step. */
export interface PlannedStep {
  index: number;
  step: Step;
  phase: "pre" | "main" | "post";
  /** For a pre or post step: the index of its main step, whose state it shares. */
  mainIndex?: number;
  /** For a post step: its condition (`post-if`), default `always()`. */
  postIf?: string;
  displayName?: string;
}

/**
 * A job's container started before the jobs it needs are done (the engine's warm start):
 * only for a job whose container does not depend on them (see canWarm in engine.ts).
 */
export interface WarmJob {
  readonly jobKey: string;
  readonly image: string;
  /** Removes what was started, for a job that does not run after all. */
  discard(): Promise<void>;
}
