import { createReadStream } from "node:fs";
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Readable } from "node:stream";
import type { ContainerRuntime, ExecRequest, JobContainer, JobContainerSpec } from "../job-container.js";

/** Container paths a local container maps to folders of its own temp root. */
const CONTAINER_WORK = "/home/runner/work";
const CONTAINER_HOME = "/home/runner";

/**
 * An in-process stand-in for Docker for engine tests: a "container" is a temp folder,
 * and exec runs the command with the host's sh/bash after mapping container paths
 * (the binds, the work folder, the home folder) to host paths.
 */
export class LocalRuntime implements ContainerRuntime {
  /** Every container created, in order, with the spec it was created from. */
  readonly created: { id: string; spec: JobContainerSpec }[] = [];
  /** Ids of the containers removed. */
  readonly removed = new Set<string>();
  private readonly containers: LocalJobContainer[] = [];
  private alive = 0;
  /** The most containers alive at one moment. */
  maxAlive = 0;
  /** How long a removal takes (Docker's is 150 ms or more). */
  removeDelayMs = 0;
  /** `created <job>` and `removed <job>`, in the order they happened. */
  readonly lifecycle: string[] = [];

  async prepareImage(): Promise<void> {}

  async createNetwork(name: string): Promise<string> {
    return `net-${name}`;
  }

  async removeNetwork(): Promise<void> {}

  async createServiceContainer(): Promise<never> {
    throw new Error("LocalRuntime runs no service containers; service tests use the real engine");
  }

  async hasImage(): Promise<boolean> {
    return true;
  }

  async createJobContainer(spec: JobContainerSpec): Promise<JobContainer> {
    await spec.workspace?.ready();
    const root = await mkdtemp(path.join(os.tmpdir(), "replay-local-container-"));
    const id = randomUUID().replace(/-/g, "");
    // Longest container path first, so a bind under the work folder wins over it.
    const mounts = [
      ...spec.binds.map((b) => ({ container: b.container, host: b.host })),
      { container: CONTAINER_WORK, host: path.join(root, "work") },
      { container: CONTAINER_HOME, host: path.join(root, "home") },
    ].sort((a, b) => b.container.length - a.container.length);
    const job = spec.labels["dev.replay.job"] ?? id;
    const container = new LocalJobContainer(id, root, spec, mounts, async () => {
      await new Promise((resolve) => setTimeout(resolve, this.removeDelayMs));
      this.alive--;
      this.removed.add(id);
      this.lifecycle.push(`removed ${job}`);
    });
    await mkdir(path.join(root, "home"), { recursive: true });
    await mkdir(container.toHost(spec.workdir ?? CONTAINER_WORK), { recursive: true });
    this.created.push({ id, spec });
    this.lifecycle.push(`created ${job}`);
    this.containers.push(container);
    this.alive++;
    this.maxAlive = Math.max(this.maxAlive, this.alive);
    if (spec.workspace) {
      await container.copyIn(createReadStream(spec.workspace.tar), spec.workspace.path);
    }
    return container;
  }

  /** Settles when the removals begun so far are done (a run does not wait for its last ones). */
  async settled(): Promise<void> {
    await Promise.all(this.containers.map((c) => c.removing()));
  }

  /** Removes what a test left running (a container kept with keepFailed). */
  async dispose(): Promise<void> {
    await Promise.all(this.containers.map((c) => c.remove()));
  }
}

class LocalJobContainer implements JobContainer {
  private readonly running = new Set<ChildProcess>();
  private removed = false;

  constructor(
    readonly id: string,
    private readonly root: string,
    private readonly spec: JobContainerSpec,
    private readonly mounts: { container: string; host: string }[],
    private readonly onRemoved: () => Promise<void>,
  ) {}

  /** The host path for a container path; anything outside the mapped folders is left alone. */
  toHost(value: string): string {
    for (const m of this.mounts) {
      if (value === m.container || value.startsWith(`${m.container}/`)) return m.host + value.slice(m.container.length);
    }
    return value;
  }

  async exec(request: ExecRequest): Promise<number> {
    if (this.removed) throw new Error(`container ${this.id} was removed`);
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries({ ...this.spec.env, ...this.spec.runEnv, ...request.env })) {
      env[k] = k === "PATH" ? v.split(":").map((p) => this.toHost(p)).join(":") : this.toHost(v);
    }
    const [file, ...args] = request.cmd.map((a) => this.toHost(a));
    if (file === undefined) throw new Error("exec: empty command");
    const cwd = this.toHost(request.workdir ?? this.spec.workdir ?? CONTAINER_WORK);
    // Its own process group, as in the container, so the job runner's `kill -TERM -<pid>` stops the step.
    const child = spawn(file, args, { env, cwd, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    this.running.add(child);
    child.stdout.on("data", (c: Buffer) => request.onStdout(c));
    child.stderr.on("data", (c: Buffer) => request.onStderr(c));
    try {
      return await new Promise<number>((resolve, reject) => {
        child.on("error", reject);
        child.on("close", (code, signal) => resolve(code ?? 128 + (signal ? os.constants.signals[signal] : 0)));
      });
    } finally {
      this.running.delete(child);
    }
  }

  async copyIn(tar: Readable | Buffer, at: string): Promise<void> {
    const chunks: Buffer[] = [];
    if (Buffer.isBuffer(tar)) chunks.push(tar);
    else for await (const c of tar) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c as string));
    const data = Buffer.concat(chunks);
    if (data.length === 0) return;
    const dir = this.toHost(at);
    await mkdir(dir, { recursive: true });
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn("tar", ["-x", "-C", dir], { stdio: ["pipe", "ignore", "ignore"] });
      child.on("error", reject);
      child.on("close", resolve);
      child.stdin.end(data);
    });
    if (code !== 0) throw new Error(`copyIn: tar exited with ${code}`);
  }

  async copyOut(at: string): Promise<Readable> {
    const p = this.toHost(at);
    const child = spawn("tar", ["-c", "-C", path.dirname(p), path.basename(p)], { stdio: ["ignore", "pipe", "ignore"] });
    return child.stdout;
  }

  release(): void {}

  private removal: Promise<void> | undefined;

  async stop(): Promise<void> {
    this.remove().catch(() => undefined);
  }

  remove(): Promise<void> {
    this.removal ??= this.removeNow();
    return this.removal;
  }

  /** The removal under way, if any. */
  removing(): Promise<void> {
    return (this.removal ?? Promise.resolve()).catch(() => undefined);
  }

  private async removeNow(): Promise<void> {
    this.removed = true;
    for (const child of this.running) {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
    await rm(this.root, { recursive: true, force: true });
    await this.onRemoved();
  }
}
