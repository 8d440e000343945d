import type Docker from "dockerode";
import { createReadStream, existsSync } from "node:fs";
import path from "node:path";
import { PassThrough } from "node:stream";
import type { Readable } from "node:stream";
import { ImageUnavailableError, mark } from "../../common/index.js";
import { claimPrestart, recordPrestart } from "../../common/prestart.js";
import type { PrestartValues } from "../../common/prestart.js";
import { StepAgentHost } from "../step-agent/index.js";
import { findPackageRoot } from "./image-builder.js";
import { PID_LABEL, RUN_LABEL, STARTED_LABEL, TOOL_CACHE_LABEL } from "./labels.js";
import { podmanHealthcheck } from "./podman-engine.js";
import { seedLines, seedResult, stageSeed } from "./workspace-seed.js";
import { Removals } from "./container-removals.js";
import type { ContainerOptions } from "../container-options.js";
import type {
  ContainerLimits,
  ContainerRuntime,
  ExecRequest,
  HealthStatus,
  JobContainer,
  JobContainerSpec,
  RegistryCredentials,
  ServiceContainer,
  ServiceContainerSpec,
} from "../job-container.js";

const envList = (env: Record<string, string>): string[] => Object.entries(env).map(([k, v]) => `${k}=${v}`);

/** Where replay's build puts the native step agent (scripts/build-agent.mjs). */
export const NATIVE_AGENT_BUILT = "dist/step-agent/replay-agent";

/** The native step agent, when replay's build made one (it needs a C compiler). */
export function nativeStepAgent(): string | undefined {
  try {
    const file = path.join(findPackageRoot(), NATIVE_AGENT_BUILT);
    return existsSync(file) ? file : undefined;
  } catch {
    return undefined; // not in replay's package folder: the Node script will do
  }
}

/** A started job container, kept running while its steps exec one by one. */
export class DockerJobContainer implements JobContainer {
  private gone: Promise<void> | undefined;

  constructor(
    private readonly docker: Docker,
    private readonly container: Docker.Container,
    private readonly removals: Removals,
    private readonly agent?: StepAgentHost,
    /** Created with AutoRemove: stopping it is enough. */
    private readonly autoRemove = true,
    /** The run's variables, under each request's own (JobContainerSpec.runEnv). */
    private readonly runEnv: Readonly<Record<string, string>> = {},
  ) {}

  get id(): string {
    return this.container.id;
  }

  async exec(request: ExecRequest): Promise<number> {
    const full = { ...request, env: { ...this.runEnv, ...request.env } };
    const viaAgent = await this.agent?.run(full);
    return viaAgent ?? this.dockerExec(full);
  }

  private async dockerExec(request: ExecRequest): Promise<number> {
    const exec = await this.container.exec({
      Cmd: request.cmd,
      Env: envList(request.env),
      ...(request.user === undefined ? {} : { User: request.user }),
      ...(request.workdir === undefined ? {} : { WorkingDir: request.workdir }),
      AttachStdout: true,
      AttachStderr: true,
      AttachStdin: false,
      Tty: false,
    });
    const stream = await exec.start({ hijack: true, stdin: false });
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    stdout.on("data", request.onStdout);
    stderr.on("data", request.onStderr);
    this.docker.modem.demuxStream(stream, stdout, stderr);
    await new Promise<void>((resolve, reject) => {
      stream.on("end", resolve);
      stream.on("close", resolve);
      stream.on("error", reject);
    });
    stdout.end();
    stderr.end();
    const info = await exec.inspect();
    return info.ExitCode ?? 1;
  }

  async rename(from: string, to: string): Promise<boolean> {
    return (await this.agent?.rename(from, to)) ?? false;
  }

  async copyIn(tar: Readable | Buffer, path: string): Promise<void> {
    await this.container.putArchive(tar, { path });
  }

  async copyOut(path: string): Promise<Readable> {
    return (await this.container.getArchive({ path })) as unknown as Readable;
  }

  release(): void {
    this.agent?.close();
  }

  remove(): Promise<void> {
    this.agent?.close();
    this.gone ??= this.forceRemove();
    return this.gone;
  }

  /**
   * SIGTERM to the start script (its trap exits; Docker's init ends the rest), which does
   * not wait for the container to exit as a SIGKILL through the API would; the container
   * was created with AutoRemove, so the engine removes it (and its anonymous volumes).
   */
  async stop(): Promise<void> {
    if (!this.autoRemove) return this.remove();
    if (this.gone) return;
    this.gone = this.removals.watch(this.container, () => this.forceRemove());
    // Through the step agent's open connection when it is there: a request to the engine
    // took 30-40 ms here, at the end of every job.
    const signalled = (await this.agent?.signal(1, "SIGTERM")) ?? false;
    this.agent?.close();
    if (signalled) return;
    await this.container.kill({ signal: "SIGTERM" }).catch(async (e: unknown) => {
      // Not running: it stopped by itself, and the engine removes it already.
      if (e instanceof Error && /not running|no such container|404|409/i.test(e.message)) return;
      this.gone = this.forceRemove();
      await this.gone;
    });
  }

  private async forceRemove(): Promise<void> {
    await this.container.remove({ force: true, v: true }).catch((e: unknown) => {
      // Already gone (removed by a concurrent cleanup, or by the engine) is fine.
      if (!(e instanceof Error && /no such container|404|already in progress|409/i.test(e.message))) throw e;
    });
  }
}

/** A runner size's limits as HostConfig fields. */
function fromLimits(l: ContainerLimits | undefined): Docker.HostConfig {
  return {
    ...(l?.cpusetCpus === undefined ? {} : { CpusetCpus: l.cpusetCpus }),
    ...(l?.nanoCpus === undefined ? {} : { NanoCpus: l.nanoCpus }),
    ...(l?.memoryBytes === undefined ? {} : { Memory: l.memoryBytes }),
  };
}

/** HostConfig and Config fields from parsed `options:`. */
function fromOptions(o: ContainerOptions | undefined): { config: Partial<Docker.ContainerCreateOptions>; host: Docker.HostConfig } {
  if (!o) return { config: {}, host: {} };
  const config: Partial<Docker.ContainerCreateOptions> = {};
  const host: Docker.HostConfig = {};
  if (o.healthcheck) {
    config.Healthcheck = {
      Test: o.healthcheck.test,
      ...(o.healthcheck.intervalNs === undefined ? {} : { Interval: o.healthcheck.intervalNs }),
      ...(o.healthcheck.timeoutNs === undefined ? {} : { Timeout: o.healthcheck.timeoutNs }),
      ...(o.healthcheck.retries === undefined ? {} : { Retries: o.healthcheck.retries }),
      ...(o.healthcheck.startPeriodNs === undefined ? {} : { StartPeriod: o.healthcheck.startPeriodNs }),
    };
  }
  if (o.user !== undefined) config.User = o.user;
  if (o.workdir !== undefined) config.WorkingDir = o.workdir;
  if (Object.keys(o.labels).length) config.Labels = o.labels;
  if (o.memoryBytes !== undefined) host.Memory = o.memoryBytes;
  if (o.nanoCpus !== undefined) host.NanoCpus = o.nanoCpus;
  if (o.shmSizeBytes !== undefined) host.ShmSize = o.shmSizeBytes;
  if (Object.keys(o.tmpfs).length) host.Tmpfs = o.tmpfs;
  if (o.capAdd.length) host.CapAdd = o.capAdd;
  if (o.privileged) host.Privileged = true;
  return { config, host };
}

class DockerServiceContainer implements ServiceContainer {
  private removed = false;
  constructor(
    private readonly container: Docker.Container,
    readonly name: string,
  ) {}

  get id(): string {
    return this.container.id;
  }

  async health(): Promise<HealthStatus> {
    const info = await this.container.inspect();
    if (!info.State.Running) return "exited";
    const h = await podmanHealthcheck(this.container, info.State.Health?.Status);
    return h === "healthy" || h === "unhealthy" || h === "starting" ? h : "none";
  }

  async logs(tailLines: number): Promise<string> {
    const buf = (await this.container.logs({ stdout: true, stderr: true, tail: tailLines, follow: false })) as unknown as Buffer;
    // Without a TTY the log is multiplexed: 8-byte frame headers before each chunk.
    const parts: Buffer[] = [];
    for (let i = 0; i + 8 <= buf.length; ) {
      const size = buf.readUInt32BE(i + 4);
      parts.push(buf.subarray(i + 8, i + 8 + size));
      i += 8 + size;
    }
    return Buffer.concat(parts).toString("utf8");
  }

  async remove(): Promise<void> {
    if (this.removed) return;
    this.removed = true;
    await this.container.remove({ force: true, v: true }).catch(() => undefined);
  }
}

export class DockerContainerRuntime implements ContainerRuntime {
  /** Job containers told to stop that the engine is removing. */
  readonly removals = new Removals();

  /** The native step agent to stage in each job's runner folder, if any. */
  private readonly native: string | undefined;

  /** replay's tool cache volume, made (or found) as the runtime is; every job container mounts it. */
  private readonly toolCache: Promise<string> | undefined;

  /**
   * `stepAgent: false` starts every step through docker exec (REPLAY_STEP_AGENT=0);
   * `nativeAgent: false` leaves the native agent out, for the script under the image's node
   * (REPLAY_STEP_AGENT=node). By default the native agent is the one nativeStepAgent finds.
   */
  constructor(
    private readonly docker: Docker,
    private readonly o: { stepAgent?: boolean; nativeAgent?: string | false; toolCache?: { volume: string; mountPath: string } } = {},
  ) {
    this.native = o.stepAgent === false || o.nativeAgent === false ? undefined : (o.nativeAgent ?? nativeStepAgent());
    const tc = o.toolCache;
    // Asked now, so that the first job's container does not wait for it. Creating a volume
    // that exists answers it unchanged.
    this.toolCache = tc ? docker.createVolume({ Name: tc.volume, Labels: { [TOOL_CACHE_LABEL]: "node" } }).then(() => `${tc.volume}:${tc.mountPath}`) : undefined;
    this.toolCache?.catch(() => undefined);
  }

  async hasImage(image: string): Promise<boolean> {
    try {
      await this.docker.getImage(image).inspect();
      return true;
    } catch {
      return false;
    }
  }

  async prepareImage(image: string, o: { pull: boolean; credentials?: RegistryCredentials }): Promise<void> {
    if (!o.pull && (await this.hasImage(image))) return;
    try {
      const stream = await this.docker.pull(image, o.credentials ? { authconfig: o.credentials } : {});
      await new Promise<void>((resolve, reject) =>
        this.docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve())),
      );
    } catch (e) {
      if (!o.pull || !(await this.hasImage(image))) {
        throw new ImageUnavailableError(`image ${image} is not present locally and could not be pulled: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`, {
          hint: `build or load it first (docker build -t ${image} … / docker load), or point the workflow at an image you have`,
          exitCode: 1,
          cause: e,
        });
      }
    }
  }

  async createNetwork(name: string, labels: Record<string, string>): Promise<string> {
    const net = await this.docker.createNetwork({ Name: name, Labels: labels, CheckDuplicate: true });
    return net.id;
  }

  async removeNetwork(id: string): Promise<void> {
    await this.docker.getNetwork(id).remove().catch(() => undefined);
  }

  async createServiceContainer(spec: ServiceContainerSpec): Promise<ServiceContainer> {
    const { config, host } = fromOptions(spec.options);
    const container = await this.docker.createContainer({
      ...config,
      name: spec.name,
      Image: spec.image,
      Labels: { ...(config.Labels ?? {}), ...spec.labels },
      Env: envList({ ...spec.options.env, ...spec.env }),
      ...(spec.options.entrypoint === undefined ? {} : { Entrypoint: [spec.options.entrypoint] }),
      HostConfig: { ...fromLimits(spec.limits), ...host, NetworkMode: spec.networkMode, Binds: spec.volumes },
    });
    const service = new DockerServiceContainer(container, spec.name);
    try {
      await container.start();
    } catch (e) {
      await service.remove();
      throw e;
    }
    return service;
  }

  async createJobContainer(spec: JobContainerSpec): Promise<JobContainer> {
    const withAgent = spec.agentDir !== undefined && this.o.stepAgent !== false;
    const body = await this.createRequest(spec, withAgent);
    const text = JSON.stringify(body);
    const socketPath = (this.docker.modem as { socketPath?: unknown } | undefined)?.socketPath;
    const socket = typeof socketPath === "string" ? socketPath : undefined;
    const values = socket === undefined ? undefined : prestartValues(spec);
    // The container the CLI's entry started for this very request (common/prestart.ts), its
    // start under way. Asked before the agent listens in the job's folder: one the entry
    // started for another request shares that folder, and is gone once this answers.
    const adopted = socket === undefined || !values ? undefined : await claimPrestart(socket, spec.name, text, values.jobToken);
    const agent = withAgent && spec.agentDir ? await StepAgentHost.listen(spec.agentDir.host, this.native) : undefined;
    // Until the container is made, the agent's socket is replay's alone to close: an engine
    // that stops answering refuses the create, and the open socket would keep replay alive.
    const container = adopted
      ? this.docker.getContainer(adopted.id)
      : await this.docker.createContainer({ ...body, name: spec.name }).catch((e: unknown) => {
          agent?.close();
          throw e;
        });
    if (!adopted && socket !== undefined && values) void recordPrestart(socket, spec.name, text, values);
    mark("container created");
    // An adopted container's start fails as the same request's would: the job with it.
    return this.startJobContainer(spec, container, agent, adopted?.started);
  }

  private async createRequest(spec: JobContainerSpec, withAgent: boolean): Promise<Docker.ContainerCreateOptions> {
    const { config, host } = fromOptions(spec.options);
    const toolCache = this.toolCache ? [await this.toolCache] : [];
    return {
      ...config,
      Image: spec.image,
      // The job's container unpacks its workspace (workspace-seed.ts), then idles while its
      // steps run, started by the step agent when the image has node, else through exec.
      Entrypoint: [
        "/bin/sh",
        "-c",
        [
          "trap 'exit 0' TERM INT",
          // The step agent starts while the workspace unpacks.
          ...(withAgent ? [StepAgentHost.startLine(this.native !== undefined)] : []),
          ...(spec.workspace && spec.agentDir ? seedLines() : []),
          "while :; do sleep 3600 & wait $!; done",
        ].join("\n"),
        spec.agentDir?.container ?? "",
        spec.workspace?.path ?? "",
      ],
      Cmd: [],
      Labels: { ...(config.Labels ?? {}), ...spec.labels },
      Env: envList({ ...(spec.options?.env ?? {}), ...spec.env }),
      ...(spec.workdir === undefined ? {} : { WorkingDir: spec.workdir }),
      HostConfig: {
        ...fromLimits(spec.limits),
        ...host,
        Binds: [...spec.binds.map((b) => `${b.host}:${b.container}${b.readOnly ? ":ro" : ""}`), ...toolCache, ...(spec.volumes ?? []), ...(spec.options?.volumes ?? [])],
        ...(spec.extraHosts ? { ExtraHosts: spec.extraHosts } : {}),
        ...(spec.networkMode ? { NetworkMode: spec.networkMode } : {}),
        Init: true,
        // Once stopped, the engine removes it without replay waiting (stop()). One that may
        // be kept (--keep) is not: stopped by the user, it stays until `replay gc`.
        AutoRemove: !spec.keepable,
      },
    };
  }

  private async startJobContainer(spec: JobContainerSpec, container: Docker.Container, agent: StepAgentHost | undefined, started?: Promise<void>): Promise<JobContainer> {
    const job = new DockerJobContainer(this.docker, container, this.removals, agent, !spec.keepable, spec.runEnv);
    try {
      const workspace = spec.workspace;
      // Docker gives an exec'd process its user's HOME only when the container has none.
      const inspecting = agent ? container.inspect() : undefined;
      inspecting?.catch(() => undefined);
      const starting = started ?? container.start();
      starting.catch(() => undefined);
      spec.whileStarting?.();
      // The workspace's archive is written (or finished) while the container starts, asked
      // for only now that the start is: it is staged once ready, and the start script waits
      // for it.
      const ready = workspace?.ready();
      const staged = workspace && spec.agentDir ? stageSeed(spec.agentDir.host, workspace.tar, ready) : ready?.then(() => false);
      staged?.catch(() => undefined);
      await starting;
      mark("container started");
      if (agent && inspecting) agent.defaultHome = !((await inspecting).Config.Env ?? []).some((e) => e.startsWith("HOME="));
      if (workspace) {
        const seeded = await staged;
        const seedDir = spec.agentDir?.host ?? "";
        const ok = seeded === true && (await seedResult(seedDir, async () => (await container.inspect()).State.Running)) === "ok";
        if (!ok) await job.copyIn(createReadStream(workspace.tar), workspace.path);
        mark("workspace ready");
      }
    } catch (e) {
      await job.remove().catch(() => undefined);
      throw e;
    }
    return job;
  }
}

/**
 * The run's own values in a job container's request, for the request kept for the next
 * replay (common/prestart.ts): its id, start time and process (labels), its folder and the
 * job's in it (the agent's folder, `<run folder>/job-<token>`).
 */
function prestartValues(spec: JobContainerSpec): PrestartValues | undefined {
  const runId = spec.labels[RUN_LABEL];
  const started = spec.labels[STARTED_LABEL];
  const pid = spec.labels[PID_LABEL];
  const dir = spec.agentDir?.host;
  const base = dir === undefined ? "" : path.basename(dir);
  if (runId === undefined || started === undefined || pid === undefined || dir === undefined || !base.startsWith("job-")) return undefined;
  return { runDir: path.dirname(dir), runId, started, pid, jobToken: base.slice("job-".length) };
}
