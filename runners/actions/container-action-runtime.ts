import type { Readable } from "node:stream";

/** What a Docker (container) action needs from the engine; runners/docker implements it. */
export interface ContainerActionRuntime {
  /** Whether an image is present locally. */
  hasImage(image: string): Promise<boolean>;
  /**
   * Builds an image from a tar build context and tags it; `onLine` gets the build log.
   * Throws with the end of the log when the build fails.
   */
  buildImage(o: { context: Readable | Buffer; dockerfile: string; tag: string; labels: Record<string, string>; onLine: (line: string) => void }): Promise<void>;
  /** Creates (does not start) an action's container. */
  createContainer(spec: ActionContainerSpec): Promise<ActionContainer>;
}

export interface ActionContainerSpec {
  image: string;
  name: string;
  labels: Record<string, string>;
  env: Record<string, string>;
  /** Replaces the image's ENTRYPOINT when set (`entrypoint`, `pre-entrypoint`, …). */
  entrypoint?: string;
  /** Replaces the image's CMD when not empty (`args`). */
  cmd: string[];
  workdir: string;
  binds: { host: string; container: string; readOnly?: boolean }[];
  networkMode?: string;
}

export interface ActionContainer {
  readonly id: string;
  /** Unpacks a tar at `path` before the container starts. */
  copyIn(tar: Readable | Buffer, path: string): Promise<void>;
  /** Starts it, streams its output until it exits, and answers the exit code. */
  run(onStdout: (chunk: Buffer) => void, onStderr: (chunk: Buffer) => void): Promise<number>;
  /** Stops it (Ctrl-C, a timeout). */
  stop(): Promise<void>;
  /** A tar of `path` (its entries start with the folder's own name). */
  copyOut(path: string): Promise<Readable>;
  /** Removes it. Safe to call twice. */
  remove(): Promise<void>;
}
