import type Docker from "dockerode";
import { PassThrough } from "node:stream";
import type { Readable } from "node:stream";
import type { ContainerRuntime, ExecRequest, JobContainer, JobContainerSpec } from "../job-container.js";

const envList = (env: Record<string, string>): string[] => Object.entries(env).map(([k, v]) => `${k}=${v}`);

/** A started job container, kept running while its steps exec one by one. */
export class DockerJobContainer implements JobContainer {
  private removed = false;

  constructor(
    private readonly docker: Docker,
    private readonly container: Docker.Container,
  ) {}

  get id(): string {
    return this.container.id;
  }

  async exec(request: ExecRequest): Promise<number> {
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

  async copyIn(tar: Readable | Buffer, path: string): Promise<void> {
    await this.container.putArchive(tar, { path });
  }

  async copyOut(path: string): Promise<Readable> {
    return (await this.container.getArchive({ path })) as unknown as Readable;
  }

  async remove(): Promise<void> {
    if (this.removed) return;
    this.removed = true;
    await this.container.remove({ force: true, v: true }).catch((e: unknown) => {
      // Already gone (removed by a concurrent cleanup) is fine.
      if (!(e instanceof Error && /no such container|404/i.test(e.message))) throw e;
    });
  }
}

export class DockerContainerRuntime implements ContainerRuntime {
  constructor(private readonly docker: Docker) {}

  async hasImage(image: string): Promise<boolean> {
    try {
      await this.docker.getImage(image).inspect();
      return true;
    } catch {
      return false;
    }
  }

  async createJobContainer(spec: JobContainerSpec): Promise<JobContainer> {
    const container = await this.docker.createContainer({
      name: spec.name,
      Image: spec.image,
      // The job's container idles while its steps run through exec.
      Entrypoint: ["/bin/sh", "-c", "trap 'exit 0' TERM INT; while :; do sleep 3600 & wait $!; done"],
      Cmd: [],
      Labels: spec.labels,
      Env: envList(spec.env),
      ...(spec.workdir === undefined ? {} : { WorkingDir: spec.workdir }),
      HostConfig: {
        Binds: spec.binds.map((b) => `${b.host}:${b.container}${b.readOnly ? ":ro" : ""}`),
        ...(spec.extraHosts ? { ExtraHosts: spec.extraHosts } : {}),
        ...(spec.networkMode ? { NetworkMode: spec.networkMode } : {}),
        Init: true,
      },
    });
    const job = new DockerJobContainer(this.docker, container);
    try {
      await container.start();
    } catch (e) {
      await job.remove().catch(() => undefined);
      throw e;
    }
    return job;
  }
}
