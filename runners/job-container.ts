import type { Readable } from "node:stream";
import type { ContainerOptions } from "./container-options.js";

/** What the engine needs from a running job container. Docker implements it in
 *  runners/docker/; engine tests use an in-memory one. */
export interface ExecRequest {
  cmd: string[];
  env: Record<string, string>;
  user?: string;
  workdir?: string;
  onStdout: (chunk: Buffer) => void;
  onStderr: (chunk: Buffer) => void;
}

export interface JobContainer {
  readonly id: string;
  /** Runs a command to its end and answers its exit code. */
  exec(request: ExecRequest): Promise<number>;
  /** Unpacks a tar stream at `path` inside the container. */
  /**
   * Renames a folder in the container as its start user (root in replay's images) without
   * starting a process, where it can (the step agent): false when it could not.
   */
  rename?(from: string, to: string): Promise<boolean>;
  copyIn(tar: Readable | Buffer, path: string): Promise<void>;
  /** A tar stream of `path` inside the container. */
  copyOut(path: string): Promise<Readable>;
  /** Stops and removes the container and its anonymous volumes. Safe to call twice. */
  remove(): Promise<void>;
  /**
   * Stops the container and leaves its removal (with its anonymous volumes) to the
   * engine: resolves once the container is told to stop, where remove() waits for it
   * to be gone (~150 ms more). remove() afterwards answers when it is gone.
   */
  stop(): Promise<void>;
  /** Lets go of the container and leaves it running (--keep): nothing of it keeps replay up. */
  release(): void;
}

/** A runner size's limits (runner-size.ts), as `docker create --cpuset-cpus --cpus --memory`. */
export interface ContainerLimits {
  cpusetCpus?: string;
  nanoCpus?: number;
  memoryBytes?: number;
}

export interface JobContainerSpec {
  image: string;
  /** The runner size's; a `container:` job's own `options:` limits win. */
  limits?: ContainerLimits;
  name: string;
  labels: Record<string, string>;
  env: Record<string, string>;
  /** host path -> container path, for replay's own runner files. */
  binds: { host: string; container: string; readOnly?: boolean }[];
  /** A bind-mounted folder (one of `binds`) for the step agent, which starts steps
   *  without a `docker exec` each (runners/step-agent/). */
  agentDir?: { host: string; container: string };
  workdir?: string;
  /**
   * The run's variables, given to every process the container runs (under the request's
   * own) rather than set on the container: a request of the same job is then the same
   * from one replay to the next. `env` wins over them, as if both were on the container.
   */
  runEnv?: Record<string, string>;
  /** Extra `/etc/hosts` entries, `name:ip`. */
  extraHosts?: string[];
  /** `container:<id>` to share a network namespace, or a network name. */
  networkMode?: string;
  /** The `options:` of a `container:` job. */
  options?: ContainerOptions;
  /** Extra volumes (`name:/path` or `/host:/path`) of a `container:` job. */
  volumes?: string[];
  /**
   * The job's workspace: a tar file on the host, unpacked at `path` before
   * createJobContainer answers. `ready` has the file written (it may be in the writing for
   * another job already): createJobContainer calls it once the container exists, and the
   * container may start before it resolves; when it rejects, so does createJobContainer.
   */
  workspace?: { tar: string; path: string; ready: () => Promise<void> };
  /**
   * It may be kept after a failure (--keep): the engine must not remove it when it stops
   * (a `docker stop` while the user looks into it), and stop() removes it instead.
   */
  keepable?: boolean;
  /**
   * Called once the engine has been asked to start the container: what the job's steps
   * will need (their code, say) loads while the engine starts it, rather than before.
   */
  whileStarting?: () => void;
}

export interface ServiceContainerSpec {
  /** The service id, as in `services.<id>`. */
  id: string;
  name: string;
  image: string;
  labels: Record<string, string>;
  env: Record<string, string>;
  /** `container:<job container id>`: services share the job's network namespace. */
  networkMode: string;
  options: ContainerOptions;
  volumes: string[];
  /** The job's CPUs (a cpuset): services share the runner's CPUs as on GitHub's VM. */
  limits?: ContainerLimits;
}

export type HealthStatus = "healthy" | "unhealthy" | "starting" | "none" | "exited";

export interface ServiceContainer {
  readonly id: string;
  readonly name: string;
  health(): Promise<HealthStatus>;
  /** The last lines of its output, for a service that did not come up. */
  logs(tailLines: number): Promise<string>;
  remove(): Promise<void>;
}

export interface RegistryCredentials {
  username: string;
  password: string;
}

export interface ContainerRuntime {
  createJobContainer(spec: JobContainerSpec): Promise<JobContainer>;
  /** Whether an image is present locally. */
  hasImage(image: string): Promise<boolean>;
  /**
   * Makes sure an image is there: used as it is when present, pulled when missing or
   * when `pull` asks; throws a ReplayError naming the image and why it is unavailable.
   */
  prepareImage(image: string, o: { pull: boolean; credentials?: RegistryCredentials }): Promise<void>;
  createNetwork(name: string, labels: Record<string, string>): Promise<string>;
  removeNetwork(id: string): Promise<void>;
  createServiceContainer(spec: ServiceContainerSpec): Promise<ServiceContainer>;
}
