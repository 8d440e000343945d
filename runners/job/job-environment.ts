import { chmod, mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { ImageUnavailableError } from "../../common/index.js";
import { takeJobToken } from "../../common/prestart.js";
import type { EvalOptions, ValueMap } from "../../workflows/index.js";
import { runnerPaths } from "../contexts.js";
import type { RunnerPaths } from "../contexts.js";
import { DOCKER_API_SOCKET, dockerApiEnv } from "../docker-proxy/index.js";
import type { JobDockerApiHandle } from "../docker-proxy/index.js";
import { evaluateDeep } from "../evaluate-deep.js";
import type { EventInput, JobResult } from "../events.js";
import type { ContainerLimits, JobContainer } from "../job-container.js";
import { jobLimits } from "../runner-size.js";
import { containerDefinition, healthTimeoutMs, serviceDefinitions, startForwarders, startServices, waitHealthy } from "../job-services.js";
import type { StartedService } from "../job-services.js";
import type { CellToRun, JobRunDeps } from "./job-run-deps.js";
import type { ContextsEnvironment, StepContexts } from "./step-contexts.js";

/** The running job, as its environment reads it. */
export interface EnvironmentSource {
  readonly deps: JobRunDeps;
  readonly cell: CellToRun;
  readonly contexts: StepContexts;
  /** The index of a step the job shows besides its own (the containers' start). */
  nextStepIndex(): number;
  log(index: number, line: string): void;
  emit(e: EventInput): void;
}

const now = (): number => Date.now();

/**
 * Where a job's steps run, set up and cleaned up together: its runner folder on the
 * host, its container (the user's for a `container:` job), its network and service
 * containers, and the scoped Docker API its steps reach at DOCKER_HOST.
 */
export class JobEnvironment implements ContextsEnvironment {
  paths: RunnerPaths;
  readonly hostDir: string;
  /** Names the job's folder and ends its containers' names. */
  private readonly jobToken: string;
  imagePath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  /** The user steps run as. */
  user = "runner";
  /** Whether the image has bash, the default shell (without it, sh). */
  hasBash = true;
  private container: JobContainer | undefined;
  private services: StartedService[] = [];
  private networkId: string | undefined;
  private networkName = "";
  private dockerApi: JobDockerApiHandle | undefined;
  private limits: ContainerLimits | undefined;
  /** What --runner-size made of the job's size, told once the job has started (a warm container is made before its job.started). */
  sizeNotice: EventInput | undefined;

  constructor(private readonly job: EnvironmentSource) {
    this.paths = runnerPaths(job.deps.repo.name);
    // The entry's for the run's first job: the container it may have started has this folder (common/prestart.ts).
    this.jobToken = takeJobToken(job.cell.jobKey);
    this.hostDir = path.join(job.deps.hostRunDir, `job-${this.jobToken}`);
  }

  /** The job's container once it exists. */
  get runningContainer(): JobContainer | undefined {
    return this.container;
  }

  requireContainer(): JobContainer {
    if (!this.container) throw new Error("the job container is not running");
    return this.container;
  }

  jobContext(): { container: ValueMap; services: ValueMap } {
    return {
      container: { id: this.container?.id ?? "", network: this.networkName },
      services: Object.fromEntries(this.services.map((s) => [s.id, { id: s.container.id, network: this.networkName, ports: s.ports }])),
    };
  }

  async start(): Promise<void> {
    const { deps, cell, contexts } = this.job;
    await mkdir(this.hostDir, { recursive: true });
    // The runner user (uid 1001) writes the file-command files from inside the container.
    await chmod(this.hostDir, 0o777);
    const isContainerJob = cell.job.container !== undefined;
    if (isContainerJob) this.paths = runnerPaths(deps.repo.name, "container");
    contexts.begin();
    const name = `replay-${deps.run.runId}-${cell.jobKey.replace(/[^A-Za-z0-9_.-]+/g, "-")}`.slice(0, 100) + `-${this.jobToken}`;
    const labels = { ...deps.labels, "dev.replay.job": cell.jobKey };
    const serviceIds = Object.keys(cell.job.services ?? {});
    const initializing = isContainerJob || serviceIds.length > 0;
    // GitHub shows the containers' start as a step of its own; so does replay.
    const initIndex = initializing ? this.job.nextStepIndex() : -1;
    const initStarted = now();
    const initCompleted = (result: "success" | "failure"): void =>
      this.job.emit({ type: "step.completed", jobKey: cell.jobKey, step: initIndex, name: "Initialize containers", result, outcome: result, durationMs: now() - initStarted });
    if (initializing) this.job.emit({ type: "step.started", jobKey: cell.jobKey, step: initIndex, name: "Initialize containers" });
    try {
      const opts = contexts.of({ env: {} });
      const containerDef = isContainerJob ? containerDefinition(await evaluateDeep(cell.job.container ?? null, opts), `job '${cell.job.id}' container`) : undefined;
      if (containerDef) {
        await deps.runtime.prepareImage(containerDef.image, { pull: deps.pull ?? false, ...(containerDef.credentials ? { credentials: containerDef.credentials } : {}) });
        for (const ignored of containerDef.options.ignored) this.job.log(initIndex, `##[warning]container option ${ignored}`);
      }
      const image = containerDef?.image ?? cell.image;
      const [imageEnv, user] = await Promise.all([deps.imageEnv(image), deps.imageUser(image)]);
      this.user = containerDef?.options.user ?? user;
      if (imageEnv["PATH"]) this.imagePath = imageEnv["PATH"];
      if (initializing) {
        this.networkName = name;
        this.networkId = await deps.runtime.createNetwork(name, labels);
      }
      this.limits = await jobLimits(deps.runnerSizing, await evaluateDeep(cell.job.runsOn ?? "ubuntu-latest", opts), (n) => (this.sizeNotice = { type: "notice", jobKey: cell.jobKey, ...n }));
      this.container = await deps.runtime.createJobContainer({
        image: containerDef?.image ?? cell.image,
        ...(this.limits ? { limits: this.limits } : {}),
        name,
        labels,
        ...jobContainerEnv(contexts.baseEnv, { ...(deps.dockerApi ? dockerApiEnv(this.paths.fileCommands) : {}), ...(containerDef?.env ?? {}) }),
        binds: [{ host: this.hostDir, container: this.paths.fileCommands }],
        agentDir: { host: this.hostDir, container: this.paths.fileCommands },
        workdir: this.paths.workspace,
        ...(serviceIds.length ? { extraHosts: serviceIds.map((id) => `${id}:127.0.0.1`) } : {}),
        ...(this.networkId ? { networkMode: this.networkName } : {}),
        ...(containerDef ? { options: containerDef.options, volumes: containerDef.volumes } : {}),
        workspace: { tar: deps.workspaceTar, path: this.paths.work, ready: deps.workspaceReady ?? (() => Promise.resolve()) },
        keepable: deps.keepFailed,
        // The built-in actions' code loads meanwhile (deferred-builtins.ts).
        whileStarting: () => deps.builtins.preload(),
      });
      this.dockerApi = await deps.dockerApi?.openForJob({
        socketPath: path.join(this.hostDir, DOCKER_API_SOCKET),
        socketPathInJob: `${this.paths.fileCommands}/${DOCKER_API_SOCKET}`,
        jobKey: cell.jobKey,
        jobContainerId: this.container.id,
        labels,
        log: (message) => this.job.emit({ type: "notice", level: "warning", message: `${this.job.cell.name}: ${message}`, jobKey: this.job.cell.jobKey }),
      });
      if (containerDef) await this.prepareContainerJob();
      if (serviceIds.length) await this.startJobServices(initIndex, name, labels, opts);
      if (initializing) initCompleted("success");
    } catch (e) {
      if (initializing) {
        this.job.log(initIndex, `##[error]${e instanceof Error ? e.message : String(e)}`);
        initCompleted("failure");
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
    if (code !== 0) throw new ImageUnavailableError(`the job's container image cannot run replay's setup (sh, mkdir): exit ${code}`, { exitCode: 1 });
    this.hasBash = out.trim() === "bash";
  }

  private async startJobServices(initIndex: number, name: string, labels: Record<string, string>, opts: EvalOptions): Promise<void> {
    const { cell, deps } = this.job;
    const log = (line: string): void => this.job.log(initIndex, line);
    const definitions = await serviceDefinitions(cell.job.services ?? {}, (raw) => evaluateDeep(raw, opts));
    this.services = await startServices(deps.runtime, {
      jobContainerId: this.requireContainer().id,
      namePrefix: name,
      labels,
      definitions,
      pull: deps.pull ?? false,
      log,
      ...(this.limits?.cpusetCpus ? { cpusetCpus: this.limits.cpusetCpus } : {}),
    });
    const timeoutMs = Math.max(...definitions.map(([, d]) => healthTimeoutMs(d.options)));
    log(`Waiting for all services to be ready`);
    const failed = await waitHealthy(this.services, { timeoutMs, signal: this.job.cell.signal });
    for (const f of failed) {
      const s = this.services.find((x) => x.id === f.id);
      log(`##[error]service ${f.id} is ${f.status}; its last log lines:`);
      for (const line of (await s?.container.logs(30).catch(() => ""))?.split("\n") ?? []) if (line) log(line);
    }
    if (failed.length) {
      throw new ImageUnavailableError(`service${failed.length > 1 ? "s" : ""} ${failed.map((f) => f.id).join(", ")} did not become healthy`, { exitCode: 1 });
    }
    for (const s of this.services) log(`${s.id} is ${(await s.container.health()) === "none" ? "running (no health check)" : "healthy"}`);
    for (const note of await startForwarders(this.requireContainer(), this.services, "root")) log(note);
  }

  /** Removes what start() made, all but a failed job's containers with --keep. */
  async cleanup(result: JobResult): Promise<void> {
    const { deps } = this.job;
    const keep = deps.keepFailed && result === "failure";
    // What the job's steps started through their Docker API goes first (it may use the job container's networks).
    await this.dockerApi?.close({ removeCreated: !keep }).catch(() => undefined);
    if (!keep) await Promise.all(this.services.map((s) => s.container.remove().catch(() => undefined)));
    if (this.container) {
      if (keep) {
        this.container.release();
        const id = this.container.id.slice(0, 12);
        this.job.emit({
          type: "notice",
          level: "info",
          jobKey: this.job.cell.jobKey,
          message: `kept the failed job's container ${id} (--keep): docker exec -it -u runner ${id} bash; remove it with \`replay gc\``,
        });
      } else if (deps.deferRemoval && !this.networkId) {
        await this.container.stop().catch(() => undefined);
        deps.deferRemoval(this.container.remove().catch(() => undefined));
      } else {
        // The job's network goes after its container.
        await this.container.remove().catch(() => undefined);
      }
    }
    if (this.networkId && !keep) await deps.runtime.removeNetwork(this.networkId).catch(() => undefined);
    await rm(this.hostDir, { recursive: true, force: true }).catch(() => undefined);
  }
}

/**
 * The job container's variables: its own (DOCKER_HOST, the engine's socket for Docker
 * actions, not baseEnv's; a `container:` job's `env:`) on the container with baseEnv's
 * HOME, and the rest of the run's (GITHUB_SHA, GITHUB_RUN_ID…) given to every process it
 * runs instead: the container's create request is then the same from one replay to the
 * next (common/prestart.ts). What a process sees is what it saw with all of them on the
 * container: its own win over baseEnv's as before.
 */
export function jobContainerEnv(baseEnv: Readonly<Record<string, string>>, own: Readonly<Record<string, string>>): { env: Record<string, string>; runEnv: Record<string, string> } {
  const runEnv = Object.fromEntries(Object.entries(baseEnv).filter(([k]) => k !== "HOME" && !(k in own)));
  return { env: { ...(baseEnv["HOME"] === undefined ? {} : { HOME: baseEnv["HOME"] }), ...own }, runEnv };
}
