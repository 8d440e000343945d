// The options of a replay (`replay job`, `replay run`, the hook, watch, the MCP tools),
// as the commands build them for the planning (replay-command.ts) and the run (execute-plan.ts).
import type { Value } from "../../workflows/index.js";
import type { CopyBack, RepoInfo, Reporter, RunnerSizeMode, SnapshotSource, StepControl } from "../../runners/index.js";
import type { DockerConnection } from "../../runners/docker/index.js";
import type { Plan } from "../../workflows/index.js";

export interface ReplayCommandOptions {
  dir: string;
  workflow?: string;
  event: string;
  job?: string;
  matrix: string[];
  input: string[];
  secret: string[];
  secretFile?: string;
  var: string[];
  image: string[];
  from: SnapshotSource;
  parallel: number;
  keep: boolean;
  /** `--allow-privileged`: steps may start privileged containers through their Docker API. */
  allowPrivileged?: boolean;
  /** `--keep-images`: the images the steps built outlive the run. */
  keepImages?: boolean;
  /** false with `--no-sync`: a paused job never takes the working tree's edits. */
  sync?: boolean;
  /** Takes what the jobs changed in their checkouts as they end, for copying back (replay debug, `--copy-back`). */
  copyBack?: CopyBack;
  base?: string;
  /** The files a push changes, for `paths:` filters (replay watch: those changed since its last replay); wins over `base`'s. */
  changedFiles?: string[];
  /** `--event-path`: the user's own event payload instead of one synthesized from git. */
  eventPath?: string;
  githubToken?: string;
  /** Opt-in: take secrets.GITHUB_TOKEN from `gh auth token`. */
  githubTokenFromGh?: boolean;
  environments: string[];
  /** --strict: jobs replay cannot run here fail rather than being not replayed. */
  strict?: boolean;
  pull: boolean;
  /** Remote actions: `--github-url`, `--offline`, `--no-builtin`. */
  githubUrl?: string;
  offline?: boolean;
  noBuiltin?: string[];
  /** `--engine` (repeatable): the engines to spread the jobs over; wins over .replay.yml's engines. */
  engines?: string[];
  /** `--runner-size`: wins over .replay.yml's runner-size. */
  runnerSize?: RunnerSizeMode;
  reporters: Reporter[];
  /** Told the id of the run being recorded (for `--diff` once the replay is over). */
  onRunId?: (runId: string) => void;
  /** Stepping and breakpoints (the TUI): asked before each step and after a failed one. */
  control?: StepControl;
  /** Cancels the replay the way Ctrl-C does (the TUI's `q`). */
  signal?: AbortSignal;
  /** Told the plan before anything runs (the TUI lists the steps still to come). */
  onPlan?: (plan: Plan) => void;
  /** The repository's git questions, when the caller asked them already (as `dir`'s). */
  repoInfo?: Promise<RepoInfo>;
}

/** What a planned replay runs with, all decided before anything starts. */
export interface PlannedReplay {
  /** The repository as the run's github context shows it (sha, ref, head commit). */
  repo: RepoInfo;
  secrets: Record<string, string>;
  vars: Record<string, string>;
  inputs: Record<string, Value>;
}

export interface ExecuteOptions extends ReplayCommandOptions {
  /** hashFiles() over other files than the working tree's (the pre-push hook's commit). */
  hashFiles?: (patterns: string[]) => Promise<string>;
  /** The engine, when the caller started connecting already. */
  docker?: Promise<DockerConnection>;
}

