import type { Readable } from "node:stream";

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
  copyIn(tar: Readable | Buffer, path: string): Promise<void>;
  /** A tar stream of `path` inside the container. */
  copyOut(path: string): Promise<Readable>;
  /** Stops and removes the container and its anonymous volumes. Safe to call twice. */
  remove(): Promise<void>;
}

export interface JobContainerSpec {
  image: string;
  name: string;
  labels: Record<string, string>;
  env: Record<string, string>;
  /** host path -> container path, for replay's own runner files. */
  binds: { host: string; container: string; readOnly?: boolean }[];
  workdir?: string;
  /** Extra `/etc/hosts` entries, `name:ip`. */
  extraHosts?: string[];
  /** `container:<id>` to share a network namespace, or a network name. */
  networkMode?: string;
}

export interface ContainerRuntime {
  createJobContainer(spec: JobContainerSpec): Promise<JobContainer>;
  /** Whether an image is present locally. */
  hasImage(image: string): Promise<boolean>;
}
