import { randomUUID } from "node:crypto";
import { chmodSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { mkdir, rm, chmod } from "node:fs/promises";
import path from "node:path";
import { ReplayError } from "../common/index.js";
import {
  evaluateConditionAsync,
  evaluateTemplateAsync,
  interpolateAsync,
  parseUsesReference,
} from "../workflows/index.js";
import type { EvalOptions, Job, Step, Value, ValueMap, Workflow } from "../workflows/index.js";
import type { BuiltinRegistry } from "./builtin-actions.js";
import { githubContext, githubEnv, needsValue, runnerContext, runnerPaths } from "./contexts.js";
import type { NeedsContext, RunIdentity, RunnerPaths } from "./contexts.js";
import { parseEnvFile, parsePathFile } from "./env-file.js";
import type { EventInput, JobResult, StepResult } from "./events.js";
import type { ContainerLimits, ContainerRuntime, JobContainer } from "./job-container.js";
import { jobLimits } from "./runner-size.js";
import type { RunnerSizing } from "./runner-size.js";
import { LineSplitter } from "./line-splitter.js";
import type { Masker } from "./masker.js";
import { withoutSecrets } from "./secret-outputs.js";
import type { RepoInfo } from "./repo-info.js";
import { shellCommand } from "./shells.js";
import { StepClock } from "./step-clock.js";
import { syncSummary } from "./working-tree-sync.js";
import type { WorkingTreeSync } from "./working-tree-sync.js";
import type { JobEnvState, StepRecord } from "./step-types.js";
import { checkedOutHashFiles } from "./checked-out-hash-files.js";
import { containerDefinition, healthTimeoutMs, serviceDefinitions, startForwarders, startServices, waitHealthy } from "./job-services.js";
import type { StartedService } from "./job-services.js";
import { evaluateDeep } from "./evaluate-deep.js";
import { CommandProcessor, deprecatedCommandWarning } from "./workflow-commands.js";
import { DOCKER_API_SOCKET, dockerApiEnv } from "./docker-proxy/index.js";
import type { DockerApiForJobs, JobDockerApiHandle } from "./docker-proxy/index.js";
import { planPreStep, runActionStep } from "./actions/index.js";
import type { ActionServices } from "./actions/index.js";

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

/** What an action step (built in or not) can do in the job. */
export interface StepHost {
  readonly container: JobContainer;
  readonly paths: RunnerPaths;
  /** The host folder bound at paths.fileCommands. */
  readonly hostDir: string;
  readonly workspace: string;
  readonly inputs: Record<string, string>;
  readonly env: Record<string, string>;
  readonly jobState: JobEnvState;
  readonly deps: JobRunDeps;
  readonly cell: CellToRun;
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

const now = (): number => Date.now();
/** An answer given without asking the user comes in well under this. */
const PAUSE_THRESHOLD_MS = 25;

/** Whether `permissions:` lets the job ask for an OIDC token. */
export function grantsIdToken(permissions: Value | undefined): boolean {
  if (permissions === "write-all") return true;
  return !!permissions && typeof permissions === "object" && !Array.isArray(permissions) && (permissions as ValueMap)["id-token"] === "write";
}

/** The name GitHub shows for a step without `name:`. */
export function defaultStepName(step: Step): string {
  if (step.run !== undefined) {
    const first = step.run.split("\n").find((l) => l.trim() !== "") ?? "";
    return `Run ${first.trim()}`;
  }
  return `Run ${step.uses ?? ""}`;
}

/** GITHUB_ACTION for a step without an id: `__run`, `__run_2`, `__actions_checkout`. */
function actionIdFor(step: Step, seen: Map<string, number>): string {
  if (step.id) return step.id;
  let base = "__run";
  if (step.uses) {
    const ref = parseUsesReference(step.uses);
    base = ref?.kind === "remote" ? `__${ref.owner}_${ref.repo}` : "__self";
  }
  const n = (seen.get(base) ?? 0) + 1;
  seen.set(base, n);
  return n === 1 ? base : `${base}_${n}`;
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

/** Starts `cell`'s container now; runJobCell takes it over when the job runs. */
export function warmJobCell(deps: JobRunDeps, cell: CellToRun): WarmJob {
  const run = new JobCellRun(deps, cell);
  run.warm();
  return run;
}

export async function runJobCell(deps: JobRunDeps, cell: CellToRun, warm?: WarmJob): Promise<CellOutcome> {
  if (warm instanceof JobCellRun && warm.jobKey === cell.jobKey && warm.image === cell.image) return warm.adopt(deps, cell);
  if (warm) deps.deferCleanup?.(warm.discard());
  return new JobCellRun(deps, cell).run();
}

class JobCellRun implements WarmJob {
  private paths: RunnerPaths;
  private readonly hostDir: string;
  private container: JobContainer | undefined;
  private readonly state: JobEnvState = { env: {}, path: [], steps: {}, state: {}, summary: [] };
  private failed = false;
  private cancelled = false;
  private started = now();
  /** Time the job's steps spent paused for the user: not part of its duration. */
  private pausedMs = 0;
  /** The container's start, when it began before the job (warm()). */
  private starting: Promise<void> | undefined;
  private baseEnv: Record<string, string> = {};
  private imagePath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  private github: ValueMap = {};
  private readonly posts: PlannedStep[] = [];
  private readonly actionIds = new Map<string, number>();
  private nextIndex = 0;
  private currentKill: (() => Promise<void>) | undefined;
  private user = "runner";
  private services: StartedService[] = [];
  private networkId: string | undefined;
  private limits: ContainerLimits | undefined;
  private sizeNotice: EventInput | undefined;
  private networkName = "";
  private hasBash = true;
  private dockerApi: JobDockerApiHandle | undefined;

  constructor(
    private deps: JobRunDeps,
    private cell: CellToRun,
  ) {
    this.paths = runnerPaths(deps.repo.name);
    this.hostDir = path.join(deps.hostRunDir, `job-${randomUUID().slice(0, 8)}`);
  }

  get jobKey(): string {
    return this.cell.jobKey;
  }

  get image(): string {
    return this.cell.image;
  }

  warm(): void {
    this.starting = this.start();
    this.starting.catch(() => undefined);
  }

  /** Runs the job in the container warm() started, with the job's own deps and contexts. */
  adopt(deps: JobRunDeps, cell: CellToRun): Promise<CellOutcome> {
    this.deps = deps;
    this.cell = cell;
    return this.run();
  }

  async discard(): Promise<void> {
    await this.starting?.catch(() => undefined);
    await this.cleanup("cancelled");
  }

  private emit(e: EventInput): void {
    this.deps.emit(e);
  }

  async run(): Promise<CellOutcome> {
    const { cell } = this;
    this.started = now();
    this.emit({
      type: "job.started",
      jobKey: cell.jobKey,
      job: cell.job.id,
      workflow: cell.workflow.file,
      name: cell.name,
      matrix: cell.matrix,
      image: cell.image,
    });
    const onAbort = (): void => {
      this.cancelled = true;
      void this.currentKill?.();
    };
    cell.signal.addEventListener("abort", onAbort);
    // An abort that came before the listener (fail-fast or Ctrl-C while the engine waited for
    // the image) fires no event: without this the cell would run all its steps.
    if (cell.signal.aborted) onAbort();
    let outputs: Record<string, string> = {};
    let result: JobResult = "success";
    let reason: string | undefined;
    const timeoutMinutes = await this.number(cell.job.timeoutMinutes, 360);
    const jobTimer = setTimeout(() => {
      reason = `the job exceeded its timeout of ${timeoutMinutes} minutes`;
      this.failed = true;
      this.cancelled = true;
      void this.currentKill?.();
    }, timeoutMinutes * 60_000);
    try {
      await (this.starting ?? this.start());
      if (this.sizeNotice) this.emit(this.sizeNotice);
      const steps: PlannedStep[] = cell.job.steps.map((step) => ({ index: this.nextIndex++, step, phase: "main" }));
      // GitHub runs the `pre` of every action that has one at the start of the job, in
      // step order, each under its `pre-if` (a copy of the step with that as its `if`).
      const pres: PlannedStep[] = [];
      for (const main of steps) {
        const pre = await planPreStep(this.deps, main.step);
        if (!pre) continue;
        const name = main.step.name !== undefined ? await this.safeInterpolate(main.step.name) : defaultStepName(main.step);
        pres.push({ index: this.nextIndex++, step: { ...main.step, if: pre.condition }, phase: "pre", mainIndex: main.index, displayName: `Pre ${name}` });
      }
      for (const planned of [...pres, ...steps]) await this.runStep(planned);
      // Post steps run after the job's steps, last registered first, even after a failure.
      for (const post of [...this.posts].reverse()) await this.runStep(post);
      outputs = await this.jobOutputs();
      result = this.cancelled && !this.failed ? "cancelled" : this.failed ? "failure" : "success";
    } catch (e) {
      result = this.cancelled ? "cancelled" : "failure";
      reason = e instanceof ReplayError ? e.message : `replay could not run the job: ${e instanceof Error ? e.message : String(e)}`;
      this.emit({ type: "notice", level: "warning", message: `${cell.name}: ${reason}`, jobKey: cell.jobKey });
    } finally {
      clearTimeout(jobTimer);
      cell.signal.removeEventListener("abort", onAbort);
      // A kept container's notice belongs before the job's end; anything else can go on
      // while the next job starts.
      const keeping = this.deps.keepFailed && result === "failure";
      if (this.deps.deferCleanup && !keeping) this.deps.deferCleanup(this.cleanup(result));
      else await this.cleanup(result);
    }
    // Before job.completed, so every consumer has the summary when it sees the job end.
    const summary = this.state.summary.join("\n").trim();
    if (summary) this.emit({ type: "job.summary", jobKey: cell.jobKey, markdown: this.deps.masker.mask(summary) });
    const done: EventInput = {
      type: "job.completed",
      jobKey: cell.jobKey,
      job: cell.job.id,
      workflow: cell.workflow.file,
      name: cell.name,
      matrix: cell.matrix,
      result,
      outputs,
      durationMs: Math.max(0, now() - this.started - this.pausedMs),
      ...(this.pausedMs > 0 ? { pausedMs: this.pausedMs } : {}),
      ...(reason === undefined ? {} : { reason }),
    };
    this.emit(done);
    return { result, outputs };
  }

  private async start(): Promise<void> {
    const { deps, cell } = this;
    await mkdir(this.hostDir, { recursive: true });
    // The runner user (uid 1001) writes the file-command files from inside the container.
    await chmod(this.hostDir, 0o777);
    const isContainerJob = cell.job.container !== undefined;
    if (isContainerJob) this.paths = runnerPaths(deps.repo.name, "container");
    this.github = githubContext({
      repo: deps.repo,
      run: deps.run,
      eventName: deps.eventName,
      payload: deps.payload,
      workflowName: deps.githubWorkflow?.name ?? cell.workflow.name,
      workflowFile: deps.githubWorkflow?.file ?? cell.workflow.file,
      jobId: cell.job.id,
      paths: this.paths,
      ...(deps.baseBranch === undefined ? {} : { baseBranch: deps.baseBranch }),
    });
    this.baseEnv = githubEnv(this.github, this.paths);
    const name = `replay-${deps.run.runId}-${cell.jobKey.replace(/[^A-Za-z0-9_.-]+/g, "-")}`.slice(0, 100) + `-${randomUUID().slice(0, 6)}`;
    const labels = { ...deps.labels, "dev.replay.job": cell.jobKey };
    const serviceIds = Object.keys(cell.job.services ?? {});
    const initializing = isContainerJob || serviceIds.length > 0;
    // GitHub shows the containers' start as a step of its own; so does replay.
    const initIndex = initializing ? this.nextIndex++ : -1;
    const initStarted = now();
    if (initializing) this.emit({ type: "step.started", jobKey: cell.jobKey, step: initIndex, name: "Initialize containers" });
    try {
      const opts = this.contexts({ env: {} });
      const containerDef = isContainerJob ? containerDefinition(await evaluateDeep(cell.job.container ?? null, opts), `job '${cell.job.id}' container`) : undefined;
      if (containerDef) {
        await deps.runtime.prepareImage(containerDef.image, { pull: deps.pull ?? false, ...(containerDef.credentials ? { credentials: containerDef.credentials } : {}) });
        for (const ignored of containerDef.options.ignored) this.log(initIndex, `##[warning]container option ${ignored}`);
      }
      const image = containerDef?.image ?? cell.image;
      const [imageEnv, user] = await Promise.all([deps.imageEnv(image), deps.imageUser(image)]);
      this.user = containerDef?.options.user ?? user;
      if (imageEnv["PATH"]) this.imagePath = imageEnv["PATH"];
      if (initializing) {
        this.networkName = name;
        this.networkId = await deps.runtime.createNetwork(name, labels);
      }
      // Told once the job has started: a warm container (warm()) is made before its job.started.
      this.limits = await jobLimits(deps.runnerSizing, await evaluateDeep(cell.job.runsOn ?? "ubuntu-latest", opts), (n) => (this.sizeNotice = { type: "notice", jobKey: cell.jobKey, ...n }));
      this.container = await deps.runtime.createJobContainer({
        image: containerDef?.image ?? cell.image,
        ...(this.limits ? { limits: this.limits } : {}),
        name,
        labels,
        // DOCKER_HOST is the container's own, not baseEnv's: Docker actions get the engine's socket.
        env: { ...this.baseEnv, ...(deps.dockerApi ? dockerApiEnv(this.paths.fileCommands) : {}), ...(containerDef?.env ?? {}) },
        binds: [{ host: this.hostDir, container: this.paths.fileCommands }],
        agentDir: { host: this.hostDir, container: this.paths.fileCommands },
        workdir: this.paths.workspace,
        ...(serviceIds.length ? { extraHosts: serviceIds.map((id) => `${id}:127.0.0.1`) } : {}),
        ...(this.networkId ? { networkMode: this.networkName } : {}),
        ...(containerDef ? { options: containerDef.options, volumes: containerDef.volumes } : {}),
        workspace: { tar: deps.workspaceTar, path: this.paths.work, ready: deps.workspaceReady ?? (() => Promise.resolve()) },
        keepable: deps.keepFailed,
      });
      this.dockerApi = await deps.dockerApi?.openForJob({
        socketPath: path.join(this.hostDir, DOCKER_API_SOCKET),
        socketPathInJob: `${this.paths.fileCommands}/${DOCKER_API_SOCKET}`,
        jobKey: cell.jobKey,
        jobContainerId: this.container.id,
        labels,
        log: (message) => this.emit({ type: "notice", level: "warning", message: `${this.cell.name}: ${message}`, jobKey: this.cell.jobKey }),
      });
      if (containerDef) await this.prepareContainerJob();
      if (serviceIds.length) await this.startJobServices(initIndex, name, labels, opts);
      if (initializing) {
        this.emit({ type: "step.completed", jobKey: cell.jobKey, step: initIndex, name: "Initialize containers", result: "success", outcome: "success", durationMs: now() - initStarted });
      }
    } catch (e) {
      if (initializing) {
        this.log(initIndex, `##[error]${e instanceof Error ? e.message : String(e)}`);
        this.emit({ type: "step.completed", jobKey: cell.jobKey, step: initIndex, name: "Initialize containers", result: "failure", outcome: "failure", durationMs: now() - initStarted });
      }
      throw e;
    }
  }

  /** A `container:` job's image is the user's: make GitHub's folders and find its shell. */
  private async prepareContainerJob(): Promise<void> {
    const c = this.requireContainer();
    let out = "";
    const p = this.paths;
    const code = await c.exec({
      cmd: ["sh", "-c", `mkdir -p "${p.home}" /github/workflow "${p.toolCache}" "${p.temp}" && chmod 777 "${p.home}" && (command -v bash >/dev/null && echo bash || echo sh)`],
      env: {},
      user: "0",
      onStdout: (b) => (out += b.toString()),
      onStderr: () => undefined,
    });
    if (code !== 0) throw new ReplayError("image-unavailable", `the job's container image cannot run replay's setup (sh, mkdir): exit ${code}`, { exitCode: 1 });
    this.hasBash = out.trim() === "bash";
  }

  private async startJobServices(initIndex: number, name: string, labels: Record<string, string>, opts: EvalOptions): Promise<void> {
    const { cell, deps } = this;
    const definitions = await serviceDefinitions(cell.job.services ?? {}, (raw) => evaluateDeep(raw, opts));
    this.services = await startServices(deps.runtime, {
      jobContainerId: this.requireContainer().id,
      namePrefix: name,
      labels,
      definitions,
      pull: deps.pull ?? false,
      log: (line) => this.log(initIndex, line),
      ...(this.limits?.cpusetCpus ? { cpusetCpus: this.limits.cpusetCpus } : {}),
    });
    const timeoutMs = Math.max(...definitions.map(([, d]) => healthTimeoutMs(d.options)));
    this.log(initIndex, `Waiting for all services to be ready`);
    const failed = await waitHealthy(this.services, { timeoutMs, signal: this.cell.signal });
    for (const f of failed) {
      const s = this.services.find((x) => x.id === f.id);
      this.log(initIndex, `##[error]service ${f.id} is ${f.status}; its last log lines:`);
      for (const line of (await s?.container.logs(30).catch(() => "")) ?.split("\n") ?? []) if (line) this.log(initIndex, line);
    }
    if (failed.length) {
      throw new ReplayError("image-unavailable", `service${failed.length > 1 ? "s" : ""} ${failed.map((f) => f.id).join(", ")} did not become healthy`, { exitCode: 1 });
    }
    for (const s of this.services) this.log(initIndex, `${s.id} is ${(await s.container.health()) === "none" ? "running (no health check)" : "healthy"}`);
    for (const note of await startForwarders(this.requireContainer(), this.services, "root")) this.log(initIndex, note);
  }

  private async cleanup(result: JobResult): Promise<void> {
    // What the job changed in its checkout is read while its container is there (copy-back, working-tree-sync.ts).
    const at = this.state.checkedOut?.[0];
    if (this.container && at !== undefined) await (this.treeSync ??= this.deps.workingTreeSync?.forJob())?.jobEnded(this.container, path.posix.join(this.paths.workspace, at), this.cell.name);
    const keep = this.deps.keepFailed && result === "failure";
    // What the job's steps started through their Docker API goes first (it may use the job container's networks).
    await this.dockerApi?.close({ removeCreated: !keep }).catch(() => undefined);
    if (!keep) await Promise.all(this.services.map((s) => s.container.remove().catch(() => undefined)));
    if (this.container) {
      if (this.deps.keepFailed && result === "failure") {
        this.container.release();
        this.emit({
          type: "notice",
          level: "info",
          jobKey: this.cell.jobKey,
          message: `kept the failed job's container ${this.container.id.slice(0, 12)} (--keep): docker exec -it -u runner ${this.container.id.slice(0, 12)} bash; remove it with \`replay gc\``,
        });
      } else if (this.deps.deferRemoval && !this.networkId) {
        await this.container.stop().catch(() => undefined);
        this.deps.deferRemoval(this.container.remove().catch(() => undefined));
      } else {
        // The job's network goes after its container.
        await this.container.remove().catch(() => undefined);
      }
    }
    if (this.networkId && !keep) await this.deps.runtime.removeNetwork(this.networkId).catch(() => undefined);
    await rm(this.hostDir, { recursive: true, force: true }).catch(() => undefined);
  }

  private statusView(): { failed: boolean; cancelled: boolean } {
    return { failed: this.failed, cancelled: this.cancelled };
  }

  private jobStatus(): string {
    return this.cancelled ? "cancelled" : this.failed ? "failure" : "success";
  }

  /** The expression contexts as a step sees them. */
  private contexts(extra: { env?: Record<string, string>; action?: { path?: string; name?: string }; inputs?: Record<string, string> } = {}): EvalOptions {
    const { cell, deps } = this;
    const env = extra.env ?? this.jobEnv();
    const contexts: EvalOptions["contexts"] = {
      github: { ...this.github, action: extra.action?.name ?? "", action_path: extra.action?.path ?? "" },
      env,
      vars: deps.vars,
      secrets: { ...deps.secrets, ...(deps.run.token === undefined ? {} : { GITHUB_TOKEN: deps.run.token }) },
      inputs: (extra.inputs ?? deps.inputs) as Value,
      matrix: cell.matrix ?? {},
      strategy: cell.strategy,
      needs: needsValue(cell.needs),
      steps: Object.fromEntries(
        Object.entries(this.state.steps).map(([id, s]) => [id, { outputs: s.outputs, outcome: s.outcome, conclusion: s.conclusion }]),
      ),
      job: {
        status: this.jobStatus(),
        container: { id: this.container?.id ?? "", network: this.networkName },
        services: Object.fromEntries(this.services.map((s) => [s.id, { id: s.container.id, network: this.networkName, ports: s.ports }])),
      },
      runner: runnerContext(this.paths),
    };
    return { contexts, status: this.statusView(), hashFiles: this.hashFiles };
  }

  /** hashFiles() over the workspace: '' until a checkout put the repository there. */
  private readonly hashFiles = checkedOutHashFiles((patterns) => this.deps.hashFiles(patterns), () => this.state.checkedOut ?? []);

  /** Workflow env, then job env, then what steps wrote to GITHUB_ENV. */
  private jobEnv(): Record<string, string> {
    return { ...this.resolvedWorkflowEnv, ...this.resolvedJobEnv, ...this.state.env };
  }

  private resolvedWorkflowEnv: Record<string, string> = {};
  private resolvedJobEnv: Record<string, string> = {};
  private envResolved = false;

  private async resolveJobLevelEnv(): Promise<void> {
    if (this.envResolved) return;
    this.envResolved = true;
    for (const [k, v] of Object.entries(this.cell.workflow.env)) {
      this.resolvedWorkflowEnv[k] = await interpolateAsync(v, this.contexts({ env: { ...this.resolvedWorkflowEnv } }));
    }
    for (const [k, v] of Object.entries(this.cell.job.env)) {
      this.resolvedJobEnv[k] = await interpolateAsync(v, this.contexts({ env: { ...this.resolvedWorkflowEnv, ...this.resolvedJobEnv } }));
    }
  }

  private async number(v: Value | undefined, fallback: number): Promise<number> {
    if (v === undefined || v === null) return fallback;
    if (typeof v === "number") return v;
    const out = await evaluateTemplateAsync(String(v), this.contexts({ env: {} }));
    const n = Number(out);
    return Number.isFinite(n) && n > 0 ? n : fallback;
  }

  private async runStep(planned: PlannedStep): Promise<void> {
    await this.resolveJobLevelEnv();
    const { step } = planned;
    const { cell } = this;
    const clock = new StepClock();
    const index = planned.index;

    // Name first: a skipped step is still shown by its name.
    let name = planned.displayName ?? (step.name !== undefined ? await this.safeInterpolate(step.name) : defaultStepName(step));
    if (planned.phase === "post") name = `Post ${name}`;
    name = this.deps.masker.mask(name);
    this.emit({ type: "step.started", jobKey: cell.jobKey, step: index, name });

    const complete = (outcome: StepResult, conclusion: StepResult): void => {
      if (planned.phase === "main" && step.id) {
        const prev = this.state.steps[step.id];
        const record: StepRecord = { id: step.id, outcome, conclusion, outputs: prev?.outputs ?? {} };
        this.state.steps[step.id] = record;
      }
      if (conclusion === "failure") this.failed = true;
      this.pausedMs += clock.pausedMs;
      this.emit({ type: "step.completed", jobKey: cell.jobKey, step: index, name, result: conclusion, outcome, durationMs: clock.ranMs, ...clock.eventFields() });
    };

    let shouldRun: boolean;
    try {
      const condition = planned.phase === "post" ? (planned.postIf ?? "always()") : step.if;
      shouldRun = await evaluateConditionAsync(condition, this.contexts());
    } catch (e) {
      this.log(index, `##[error]${e instanceof Error ? e.message : String(e)}`);
      complete("failure", "failure");
      return;
    }
    if (!shouldRun) {
      complete("skipped", "skipped");
      return;
    }

    const control = this.deps.control;
    const point = control ? await this.stepPoint(planned, name) : undefined;
    const pausedBefore = clock.pausedMs;
    if (control && point && (await clock.pause(control.beforeStep(point))) === "skip") {
      complete("skipped", "skipped");
      return;
    }
    // Asked the user (a pause lasts longer than any answer given without one): their edits go in.
    if (clock.pausedMs - pausedBefore > PAUSE_THRESHOLD_MS) await this.syncFromHost(index);
    let outcome: StepResult;
    for (;;) {
      clock.beginAttempt();
      try {
        outcome = await this.execute(planned, index);
      } catch (e) {
        this.log(index, `##[error]${this.deps.masker.mask(e instanceof Error ? e.message : String(e))}`);
        outcome = "failure";
      }
      clock.endAttempt(outcome);
      // A retry runs the step again in the same container, with what it left behind.
      if (outcome !== "failure" || this.cancelled || !control || !point) break;
      if ((await clock.pause(control.afterFailure(point))) !== "retry") break;
      await this.syncFromHost(index);
      this.log(index, `##[notice]Retrying the step (attempt ${clock.attempts.length + 1})`);
    }
    if (this.cancelled && outcome === "failure") outcome = "cancelled";
    let conclusion = outcome;
    if (outcome === "failure" && step.continueOnError !== undefined) {
      const coe = typeof step.continueOnError === "boolean" ? step.continueOnError : await this.safeBool(String(step.continueOnError));
      if (coe) conclusion = "success";
    }
    complete(outcome, conclusion);
  }

  /** The container, user, folder and environment a shell opened at this step gets. */
  private async stepPoint(planned: PlannedStep, name: string): Promise<StepPoint> {
    const { step } = planned;
    const env = await this.stepEnv(step).catch(() => this.jobEnv());
    env["PATH"] = [...this.state.path, env["PATH"] ?? this.imagePath].join(":");
    const wdRaw = step.workingDirectory ?? this.cell.job.defaults?.workingDirectory ?? this.cell.workflow.defaults?.workingDirectory;
    const wd = wdRaw === undefined ? this.paths.workspace : path.posix.resolve(this.paths.workspace, await this.safeInterpolate(wdRaw));
    return {
      jobKey: this.cell.jobKey,
      step: planned.index,
      name,
      shell: { containerId: this.requireContainer().id, user: this.user, workdir: wd, env: { ...this.baseEnv, ...env } },
    };
  }

  private async safeInterpolate(template: string): Promise<string> {
    try {
      return await interpolateAsync(template, this.contexts());
    } catch {
      return template;
    }
  }

  private async safeBool(template: string): Promise<boolean> {
    try {
      const v = await evaluateTemplateAsync(template, this.contexts());
      return v === true || v === "true";
    } catch {
      return false;
    }
  }

  /** Copies the host's edits into the workspace (see working-tree-sync.ts) and says what it copied. */
  private async syncFromHost(index: number): Promise<void> {
    // Only where a checkout put this repository: before it the workspace is empty, as on GitHub.
    const at = this.state.checkedOut?.[0];
    if (at === undefined) return;
    this.treeSync ??= this.deps.workingTreeSync?.forJob();
    if (!this.treeSync) return;
    try {
      const synced = await this.treeSync.syncInto(this.requireContainer(), path.posix.join(this.paths.workspace, at));
      if (!synced) return;
      const text = syncSummary(synced);
      this.log(index, `##[notice]${text}`);
      this.emit({ type: "notice", level: "info", jobKey: this.cell.jobKey, message: this.deps.masker.mask(text) });
    } catch (e) {
      this.log(index, `##[warning]the working tree could not be synced into the job: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private treeSync: WorkingTreeSync | undefined;

  private log(index: number, line: string): void {
    // Not masked here: every event passes the masker once at the run's one gate
    // (mask-event.ts), and this is the hot path, every line of every step.
    this.emit({ type: "step.output", jobKey: this.cell.jobKey, step: index, line });
  }

  /** A warning as the runner writes one: a `##[warning]` line and an annotation. */
  private warnStep(index: number, message: string): void {
    this.log(index, `##[warning]${message}`);
    this.emit({ type: "step.annotation", jobKey: this.cell.jobKey, step: index, level: "warning", message: this.deps.masker.mask(message) });
  }

  /** The step's environment: job env, GITHUB_ENV, then the step's own `env:`. */
  private async stepEnv(step: Step): Promise<Record<string, string>> {
    const env = this.jobEnv();
    for (const [k, v] of Object.entries(step.env)) {
      env[k] = await interpolateAsync(v, this.contexts({ env: { ...env } }));
    }
    return env;
  }

  private async execute(planned: PlannedStep, index: number): Promise<StepResult> {
    const { step } = planned;
    const env = await this.stepEnv(step);
    const opts = this.contexts({ env });
    const timeoutMinutes = await this.number(step.timeoutMinutes, 0);
    if (step.run !== undefined) {
      const script = await interpolateAsync(step.run, opts);
      const shell = step.shell ?? this.cell.job.defaults?.shell ?? this.cell.workflow.defaults?.shell;
      const wdRaw = step.workingDirectory ?? this.cell.job.defaults?.workingDirectory ?? this.cell.workflow.defaults?.workingDirectory;
      const wd = wdRaw === undefined ? this.paths.workspace : path.posix.resolve(this.paths.workspace, await interpolateAsync(wdRaw, opts));
      const shellResolved = shell === undefined ? undefined : await interpolateAsync(shell, opts);
      return this.runScript(index, planned, script, shellResolved, wd, env, timeoutMinutes);
    }
    return this.runAction(index, planned, env, timeoutMinutes);
  }

  private stepFiles(index: number): Record<"GITHUB_OUTPUT" | "GITHUB_ENV" | "GITHUB_PATH" | "GITHUB_STATE" | "GITHUB_STEP_SUMMARY", string> {
    return {
      GITHUB_OUTPUT: `set_output_${index}`,
      GITHUB_ENV: `set_env_${index}`,
      GITHUB_PATH: `add_path_${index}`,
      GITHUB_STATE: `save_state_${index}`,
      GITHUB_STEP_SUMMARY: `step_summary_${index}`,
    };
  }

  /** Env for an exec: the step env plus the runner's per-step variables. */
  private async execEnv(index: number, env: Record<string, string>, planned: PlannedStep): Promise<Record<string, string>> {
    const files = this.stepFiles(index);
    const out: Record<string, string> = { ...env };
    for (const [k, f] of Object.entries(files)) {
      out[k] = `${this.paths.fileCommands}/${f}`;
      stepFile(path.join(this.hostDir, f), "", 0o666);
    }
    out["PATH"] = [...this.state.path, env["PATH"] ?? this.imagePath].join(":");
    out["GITHUB_ACTION"] = actionIdFor(planned.step, this.actionIds);
    if (this.deps.oidcEnv && grantsIdToken(this.cell.job.permissions ?? this.cell.workflow.permissions)) Object.assign(out, this.deps.oidcEnv);
    const mainIndex = planned.mainIndex ?? planned.index;
    for (const [k, v] of Object.entries(this.state.state[mainIndex] ?? {})) out[`STATE_${k}`] = v;
    return out;
  }

  /** Reads what the step wrote to its env files and applies it. */
  private async applyFileCommands(index: number, planned: PlannedStep): Promise<string | undefined> {
    const files = this.stepFiles(index);
    const read = (f: string): string => {
      try {
        return readFileSync(path.join(this.hostDir, f), "utf8");
      } catch {
        return "";
      }
    };
    const [outputText = "", envText = "", stateText = "", pathText = "", summary = ""] = [files.GITHUB_OUTPUT, files.GITHUB_ENV, files.GITHUB_STATE, files.GITHUB_PATH, files.GITHUB_STEP_SUMMARY].map(read);
    const outputs = parseEnvFile(outputText);
    const env = parseEnvFile(envText);
    const state = parseEnvFile(stateText);
    for (const p of parsePathFile(pathText)) this.state.path.unshift(p);
    for (const [k, v] of env.values) this.state.env[k] = v;
    const mainIndex = planned.mainIndex ?? planned.index;
    for (const [k, v] of state.values) (this.state.state[mainIndex] ??= {})[k] = v;
    if (summary.trim()) this.state.summary.push(summary);
    if (planned.step.id && planned.phase === "main") {
      const rec = (this.state.steps[planned.step.id] ??= { id: planned.step.id, outcome: "success", conclusion: "success", outputs: {} });
      for (const [k, v] of outputs.values) rec.outputs[k] = v;
    }
    return outputs.error ?? env.error ?? state.error;
  }

  private requireContainer(): JobContainer {
    if (!this.container) throw new Error("the job container is not running");
    return this.container;
  }

  /** Runs a command in the container, streaming its output through the workflow-command processor. */
  private async execInContainer(
    index: number,
    planned: PlannedStep,
    cmd: string[],
    env: Record<string, string>,
    workdir: string,
    timeoutMinutes: number,
  ): Promise<{ exitCode: number; refused: boolean; timedOut: boolean }> {
    const container = this.requireContainer();
    const processor = new CommandProcessor((env["ACTIONS_ALLOW_UNSECURE_COMMANDS"] ?? "").toLowerCase() === "true");
    let refused = false;
    const onLine = (line: string): void => {
      const p = processor.process(line);
      const effect = p.effect;
      if (effect) {
        switch (effect.kind) {
          case "mask":
            this.deps.masker.add(effect.value);
            break;
          case "annotation": {
            const lineNo = Number(effect.props["line"]);
            const col = Number(effect.props["col"]);
            this.emit({
              type: "step.annotation",
              jobKey: this.cell.jobKey,
              step: index,
              level: effect.level,
              message: this.deps.masker.mask(effect.message),
              ...(effect.props["file"] ? { file: effect.props["file"] } : {}),
              ...(Number.isFinite(lineNo) ? { line: lineNo } : {}),
              ...(Number.isFinite(col) ? { col } : {}),
              ...(effect.props["title"] ? { title: effect.props["title"] } : {}),
            });
            break;
          }
          case "output":
            if (planned.step.id) {
              const rec = (this.state.steps[planned.step.id] ??= { id: planned.step.id, outcome: "success", conclusion: "success", outputs: {} });
              rec.outputs[effect.name] = effect.value;
            }
            this.warnStep(index, deprecatedCommandWarning("set-output"));
            break;
          case "state":
            (this.state.state[planned.mainIndex ?? planned.index] ??= {})[effect.name] = effect.value;
            this.warnStep(index, deprecatedCommandWarning("save-state"));
            break;
          case "env":
            this.state.env[effect.name] = effect.value;
            break;
          case "path":
            this.state.path.unshift(effect.value);
            break;
          case "refused":
            refused = true;
            this.log(index, `##[error]${effect.message}`);
            break;
          case "group":
          case "endgroup":
          case "debug":
          case "warning":
            break;
        }
      }
      if (p.display !== null) this.log(index, p.display);
    };
    const out = new LineSplitter(onLine);
    const err = new LineSplitter(onLine);
    // A timeout or Ctrl-C must stop the step, all its children and only them. Every
    // process of the step inherits a marker variable, so a kill finds them by it; the kill
    // runs as the step's user, since reading another user's /proc/<pid>/environ needs
    // CAP_SYS_PTRACE. (No `sh -c` wrapper: dash drops variables like INPUT_FETCH-DEPTH.)
    const marker = randomUUID();
    const stepEnv = { ...env, REPLAY_STEP_ID: marker };
    let timedOut = false;
    let finished = false;
    const killScript = [
      'n=0; for d in /proc/[0-9]*; do',
      '  if tr "\\0" "\\n" < "$d/environ" 2>/dev/null | grep -qx "REPLAY_STEP_ID=$0"; then kill -"$1" "${d#/proc/}" 2>/dev/null && n=$((n+1)); fi',
      'done; echo "$n"',
    ].join("\n");
    const signal = async (sig: "TERM" | "KILL"): Promise<number> => {
      let out = "";
      await container
        .exec({ cmd: ["sh", "-c", killScript, marker, sig], env: {}, user: this.user, onStdout: (b) => (out += b.toString()), onStderr: () => undefined })
        .catch(() => undefined);
      return Number(out.trim()) || 0;
    };
    const kill = async (): Promise<void> => {
      // The step may not have started yet when a cancel arrives: try until it has.
      for (let tries = 0; tries < 50 && !finished; tries++) {
        if ((await signal("TERM")) > 0) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      await new Promise((r) => setTimeout(r, 2000));
      if (!finished) await signal("KILL");
    };
    this.currentKill = kill;
    const timer =
      timeoutMinutes > 0
        ? setTimeout(() => {
            timedOut = true;
            this.log(index, `##[error]The action has timed out.`);
            void kill();
          }, timeoutMinutes * 60_000)
        : undefined;
    try {
      if (this.cancelled) return { exitCode: 1, refused, timedOut };
      const exitCode = await container.exec({
        cmd,
        env: stepEnv,
        user: this.user,
        workdir,
        onStdout: (c) => out.push(c),
        onStderr: (c) => err.push(c),
      });
      out.flush();
      err.flush();
      return { exitCode, refused, timedOut };
    } finally {
      finished = true;
      if (timer) clearTimeout(timer);
      this.currentKill = undefined;
    }
  }

  private async runScript(
    index: number,
    planned: PlannedStep,
    script: string,
    shell: string | undefined,
    workdir: string,
    env: Record<string, string>,
    timeoutMinutes: number,
  ): Promise<StepResult> {
    const base = `${randomUUID()}`;
    // No shell given: bash, or sh in a container image without bash (as the runner does).
    const { cmd, scriptPath } = shellCommand(shell ?? (this.hasBash ? undefined : "sh"), `${this.paths.fileCommands}/${base}`);
    const hostScript = path.join(this.hostDir, path.posix.basename(scriptPath));
    stepFile(hostScript, script, 0o755);
    const execEnv = await this.execEnv(index, env, planned);
    const { exitCode, refused, timedOut } = await this.execInContainer(index, planned, cmd, execEnv, workdir, timeoutMinutes);
    rmSync(hostScript, { force: true });
    const fileError = await this.applyFileCommands(index, planned);
    if (fileError) this.log(index, `##[error]${fileError}`);
    if (exitCode !== 0 && !timedOut) this.log(index, `##[error]Process completed with exit code ${exitCode}.`);
    return exitCode === 0 && !refused && !fileError && !timedOut ? "success" : "failure";
  }

  private async runAction(index: number, planned: PlannedStep, env: Record<string, string>, timeoutMinutes: number): Promise<StepResult> {
    const { step } = planned;
    const uses = step.uses ?? "";
    const builtin = this.deps.builtins.find(uses);
    const opts = this.contexts({ env });
    const inputs: Record<string, string> = {};
    for (const [k, v] of Object.entries(step.with)) inputs[k] = await interpolateAsync(v, opts);
    const execEnv = await this.execEnv(index, env, planned);
    const stateKey = planned.mainIndex ?? planned.index;
    let outputsFromHost: Record<string, string> = {};
    let timedOut = false;
    // A process of an action step runs as a `run:` step's does (env files, workflow
    // commands, Ctrl-C), under a stand-in step whose id collects its outputs apart from
    // the job's `steps` context: an action's inner steps have outputs of their own.
    const scopeId = "__replay_action_process";
    const stand = (key: number): PlannedStep => ({ index, step: { ...step, id: scopeId }, phase: "main", mainIndex: key });
    const takeOutputs = (): Record<string, string> => {
      const rec = this.state.steps[scopeId];
      delete this.state.steps[scopeId];
      return rec?.outputs ?? {};
    };
    let pending: Record<string, string> = {};
    const host: StepHost = {
      container: this.requireContainer(),
      paths: this.paths,
      hostDir: this.hostDir,
      workspace: this.paths.workspace,
      inputs,
      env: execEnv,
      jobState: this.state,
      deps: this.deps,
      cell: this.cell,
      stepIndex: index,
      log: (line) => this.log(index, line),
      exec: async (cmd, o = {}) => {
        let stdout = "";
        const container = this.requireContainer();
        const split = new LineSplitter((l) => {
          stdout += `${l}\n`;
          if (!o.quiet) this.log(index, l);
        });
        const errSplit = new LineSplitter((l) => this.log(index, l));
        const exitCode = await container.exec({
          cmd,
          env: { ...execEnv, ...(o.env ?? {}) },
          user: o.user ?? this.user,
          workdir: o.workdir ?? this.paths.workspace,
          onStdout: (c) => split.push(c),
          onStderr: (c) => errSplit.push(c),
        });
        split.flush();
        errSplit.flush();
        return { exitCode, stdout };
      },
      setOutput: (name, value) => {
        outputsFromHost = { ...outputsFromHost, [name]: value };
      },
      addPath: (dir) => {
        this.state.path.unshift(dir);
      },
      exportVariable: (name, value) => {
        this.state.env[name] = value;
      },
      saveState: (name, value) => {
        (this.state.state[stateKey] ??= {})[name] = value;
      },
      getState: (name) => this.state.state[stateKey]?.[name],
      addPost: (condition) => {
        // Once per action, whether its pre or its main part asks first (the runner's StepsWithPostRegistered).
        if (this.posts.some((p) => p.mainIndex === stateKey)) return;
        this.posts.push({
          index: this.nextIndex++,
          step,
          phase: "post",
          mainIndex: stateKey,
          ...(condition === undefined ? {} : { postIf: condition }),
        });
      },
      phase: planned.phase,
      step,
      stateKey,
      stepEnv: env,
      runnerEnv: this.baseEnv,
      user: this.user,
      evalOptions: (o = {}) => {
        const base = this.contexts({ env: o.env ?? env, ...(o.inputs ? { inputs: o.inputs } : {}) });
        const github = (base.contexts.github ?? {}) as ValueMap;
        const a = o.action;
        const contexts: EvalOptions["contexts"] = {
          ...base.contexts,
          github: {
            ...github,
            ...(a?.path !== undefined ? { action_path: a.path } : {}),
            ...(a?.repository !== undefined ? { action_repository: a.repository } : {}),
            ...(a?.ref !== undefined ? { action_ref: a.ref } : {}),
            action: a?.id ?? execEnv["GITHUB_ACTION"] ?? "",
          },
          ...(o.steps ? { steps: o.steps } : {}),
        };
        const status = o.status ? { failed: o.status.failed, cancelled: o.status.cancelled } : base.status;
        return { ...base, contexts, status };
      },
      processEnv: async (penv, o) => {
        const out = await this.execEnv(index, penv, stand(o.stateKey));
        out["GITHUB_ACTION"] = penv["GITHUB_ACTION"] ?? execEnv["GITHUB_ACTION"] ?? "";
        return out;
      },
      execProcess: async (cmd, penv, workdir, o) => {
        takeOutputs();
        const r = await this.execInContainer(index, stand(o.stateKey), cmd, penv, workdir, 0);
        // `::set-output` lines land on the stand-in step; keep them for finishProcess.
        pending = { ...pending, ...takeOutputs() };
        return { exitCode: r.exitCode, refused: r.refused };
      },
      finishProcess: async (o) => {
        takeOutputs();
        const error = await this.applyFileCommands(index, stand(o.stateKey));
        const outputs = { ...pending, ...takeOutputs() };
        pending = {};
        return error === undefined ? { outputs } : { outputs, error };
      },
      isCancelled: () => this.cancelled || timedOut,
      setKill: (kill) => {
        this.currentKill = kill;
      },
      warn: (message) => this.warnStep(index, message),
    };
    if (!builtin) {
      // The step's timeout-minutes covers the whole action, every process of it.
      const timer =
        timeoutMinutes > 0
          ? setTimeout(() => {
              timedOut = true;
              this.log(index, `##[error]The action has timed out.`);
              void this.currentKill?.();
            }, timeoutMinutes * 60_000)
          : undefined;
      let ok: boolean;
      try {
        ok = await runActionStep(host);
      } finally {
        if (timer) clearTimeout(timer);
      }
      if (step.id && planned.phase === "main") {
        const rec = (this.state.steps[step.id] ??= { id: step.id, outcome: "success", conclusion: "success", outputs: {} });
        Object.assign(rec.outputs, outputsFromHost);
      }
      return ok && !timedOut ? "success" : "failure";
    }
    const ok = planned.phase === "post" ? await (builtin.post?.(host) ?? Promise.resolve(true)) : await builtin.main(host);
    await this.applyFileCommands(index, planned);
    if (step.id && planned.phase === "main") {
      const rec = (this.state.steps[step.id] ??= { id: step.id, outcome: "success", conclusion: "success", outputs: {} });
      Object.assign(rec.outputs, outputsFromHost);
    }
    return ok ? "success" : "failure";
  }

  private async jobOutputs(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.cell.job.outputs)) {
      try {
        out[k] = await interpolateAsync(v, this.contexts());
      } catch {
        out[k] = "";
      }
    }
    const warn = (message: string): void => this.emit({ type: "notice", level: "warning", message: `${this.cell.name}: ${message}`, jobKey: this.cell.jobKey });
    return withoutSecrets(out, this.deps.masker, warn);
  }
}

/**
 * A step's file (its script, its file-command files) in the job's runner folder, made
 * with `mode` whatever the umask. Synchronous on purpose, as the reads after the step:
 * tiny files, ~0.1 ms each here, where a round trip through the thread pool took ~1.5 ms
 * for the same five files, on every step's way.
 */
function stepFile(file: string, content: string, mode: number): void {
  writeFileSync(file, content);
  chmodSync(file, mode);
}
