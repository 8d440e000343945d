import type { EvalOptions, Step } from "../../workflows/index.js";
import type { ActionServices } from "../actions/action-services.js";
import type { RunIdentity, RunnerPaths } from "../contexts.js";
import type { EventInput, StepResult } from "../events.js";
import type { JobContainer } from "../job-container.js";
import type { RepoInfo } from "../repo-info.js";
import type { JobEnvState } from "../step-types.js";

// The contract runners/actions/ and runners/builtins/ program against: what an action
// step can read and do in its job, and nothing of how the job runs. It imports nothing
// that runs a job, so that they never import the job's lifecycle (no import loop).

/**
 * An action replay runs itself, offline and fast, with the original's inputs, outputs
 * and observable effect. `main` and `post` answer whether the step succeeded.
 */
export interface BuiltinAction {
  /** `owner/repo` (and `/path`), matched case-insensitively and for any ref. */
  readonly name: string;
  main(host: StepHost): Promise<boolean>;
  post?(host: StepHost): Promise<boolean>;
}

/** What of the run an action step reads (the job's JobRunDeps has all of it). */
export interface StepRunDeps {
  /** For a built-in's notices (a cache hit or miss). */
  readonly emit: (e: EventInput) => void;
  /** The built-in actions, for a composite action's `uses:` steps. */
  readonly builtins: { find(uses: string): BuiltinAction | undefined };
  readonly repo: RepoInfo;
  readonly run: RunIdentity;
  /** Labels of every container the run starts (a Docker action's too). */
  readonly labels: Record<string, string>;
  /** The repository's snapshot, as a tar, that a checkout unpacks. */
  readonly workspaceTar: string;
  /** Whether the snapshot's history is at depth 1, as actions/checkout's default clone. */
  readonly workspaceDepthOne?: boolean;
  readonly hashFiles: (patterns: string[]) => Promise<string>;
  /** ACTIONS_RUNTIME_URL, ACTIONS_CACHE_URL, …: for node and container actions only. */
  readonly actionRuntimeEnv?: Record<string, string>;
  /** Where remote actions come from and how Docker actions run. */
  readonly actions?: ActionServices;
}

/** Which job the step is of. */
export interface StepCell {
  readonly jobKey: string;
  readonly name: string;
  readonly image: string;
}

/**
 * The output of a process of the step that runs elsewhere than the job container (a
 * Docker action's container), read as a `run:` step's is: its lines go to the log, the
 * workflow commands in them apply to the job.
 */
export interface ProcessOutput {
  stdout(chunk: Buffer): void;
  stderr(chunk: Buffer): void;
  /** Once the process has exited: the last lines, and whether a command was refused (the step fails). */
  end(): { refused: boolean };
}

/** What an action step (built in or not) can do in the job. */
export interface StepHost {
  readonly container: JobContainer;
  readonly paths: RunnerPaths;
  /** The host folder bound at paths.fileCommands. */
  readonly hostDir: string;
  readonly workspace: string;
  readonly inputs: Record<string, string>;
  readonly env: Record<string, string>;
  /** The job's env, state and checkouts, as the steps left them. */
  readonly jobState: JobEnvState;
  readonly deps: StepRunDeps;
  readonly cell: StepCell;
  readonly stepIndex: number;
  log(line: string): void;
  /** Runs a command in the job container as the runner user (or `user`); its output goes to the log. */
  exec(cmd: string[], options?: { workdir?: string; env?: Record<string, string>; quiet?: boolean; user?: string }): Promise<{ exitCode: number; stdout: string }>;
  setOutput(name: string, value: string): void;
  addPath(dir: string): void;
  exportVariable(name: string, value: string): void;
  saveState(name: string, value: string): void;
  getState(name: string): string | undefined;
  /** Registers a post step for this action (run after the job's steps, in reverse order); once per action. */
  addPost(condition?: string): void;

  // What replay's runners of local, remote and Docker actions (runners/actions) use.
  /** The part of the action this step runs: its `pre` (at job start), its main part, or its `post`. */
  readonly phase: "pre" | "main" | "post";
  readonly step: Step;
  /** The key of this action's GITHUB_STATE values, shared by its pre, main and post steps. */
  readonly stateKey: number;
  /** The step's environment: workflow and job `env`, GITHUB_ENV values, then its own `env:`. */
  readonly stepEnv: Record<string, string>;
  /** What the runner gives every process besides: GITHUB_*, RUNNER_*, CI, HOME. */
  readonly runnerEnv: Record<string, string>;
  /** The user steps run as in the job container. */
  readonly user: string;
  /** The step's expression contexts, with what an action changes in them. */
  evalOptions(o?: ActionContextOverrides): EvalOptions;
  /**
   * Prepares one process of this step: fresh env files, PATH with GITHUB_PATH, STATE_*
   * of `stateKey`; answers its environment (`env` plus those).
   */
  processEnv(env: Record<string, string>, o: { stateKey: number }): Promise<Record<string, string>>;
  /** Runs a command in the job container as a `run:` step's process: workflow commands, Ctrl-C. */
  execProcess(cmd: string[], env: Record<string, string>, workdir: string, o: { stateKey: number }): Promise<{ exitCode: number; refused: boolean }>;
  /** For a process that runs elsewhere (`env` is its environment): what execProcess does with its output. */
  processOutput(env: Record<string, string>, o: { stateKey: number }): ProcessOutput;
  /** Applies the env files the process wrote (GITHUB_ENV, GITHUB_PATH, GITHUB_STATE, summary); answers its outputs. */
  finishProcess(o: { stateKey: number }): Promise<{ outputs: Record<string, string>; error?: string }>;
  /** Whether the job is cancelled or the step timed out: start nothing more. */
  isCancelled(): boolean;
  /** How to stop what the step runs now (a Docker action's container), for Ctrl-C and timeouts. */
  setKill(kill: (() => Promise<void>) | undefined): void;
  /** A warning as the runner writes one: a `##[warning]` line and an annotation. */
  warn(message: string): void;
}

/** How an action's steps see the contexts: its inputs, its own steps, its env and status. */
export interface ActionContextOverrides {
  env?: Record<string, string>;
  inputs?: Record<string, string>;
  steps?: Record<string, { outputs: Record<string, string>; outcome: StepResult; conclusion: StepResult }>;
  /** github.action_path, github.action_repository, github.action_ref, github.action. */
  action?: { path?: string; repository?: string; ref?: string; id?: string };
  /** A composite action's status functions answer for the action, not the job. */
  status?: { failed: boolean; cancelled: boolean };
}
