import type Docker from "dockerode";
import { followBuild } from "./build-progress.js";
import { PassThrough, Readable } from "node:stream";
import { ImageUnavailableError } from "../../common/index.js";
import type { ActionContainer, ActionContainerSpec, ContainerActionRuntime } from "../actions/index.js";

const envList = (env: Record<string, string>): string[] => Object.entries(env).map(([k, v]) => `${k}=${v}`);
const LOG_TAIL_LINES = 30;


/** Docker actions on the engine: their images built with the engine's build API, their containers run once each. */
export class DockerActionRuntime implements ContainerActionRuntime {
  // Two jobs building the same action at once share one build.
  private readonly builds = new Map<string, Promise<void>>();

  constructor(private readonly docker: Docker) {}

  async hasImage(image: string): Promise<boolean> {
    try {
      await this.docker.getImage(image).inspect();
      return true;
    } catch {
      return false;
    }
  }

  buildImage(o: { context: Readable | Buffer; dockerfile: string; tag: string; labels: Record<string, string>; onLine: (line: string) => void }): Promise<void> {
    let running = this.builds.get(o.tag);
    if (!running) {
      running = this.build(o).finally(() => this.builds.delete(o.tag));
      this.builds.set(o.tag, running);
    }
    return running;
  }

  private async build(o: { context: Readable | Buffer; dockerfile: string; tag: string; labels: Record<string, string>; onLine: (line: string) => void }): Promise<void> {
    const tail: string[] = [];
    const emit = (line: string): void => {
      tail.push(line);
      if (tail.length > LOG_TAIL_LINES) tail.shift();
      o.onLine(line);
    };
    const context = Buffer.isBuffer(o.context) ? Readable.from([o.context]) : o.context;
    const stream = await this.docker.buildImage(context as unknown as NodeJS.ReadableStream, {
      t: o.tag,
      dockerfile: o.dockerfile,
      labels: o.labels,
      rm: true,
      forcerm: true,
    });
    const error = await followBuild(stream as AsyncIterable<Buffer | string>, emit);
    if (error !== undefined || !(await this.hasImage(o.tag))) {
      throw new ImageUnavailableError(`building the action's image failed: ${error ?? "the engine reported success but the image is not there"}`, {
        hint: "the build log is above; an image the Dockerfile starts FROM must be on this machine (replay pulls nothing for actions)",
        exitCode: 1,
      });
    }
  }

  async createContainer(spec: ActionContainerSpec): Promise<ActionContainer> {
    const container = await this.docker.createContainer({
      name: spec.name,
      Image: spec.image,
      ...(spec.entrypoint === undefined ? {} : { Entrypoint: [spec.entrypoint] }),
      ...(spec.cmd.length ? { Cmd: spec.cmd } : {}),
      Labels: spec.labels,
      Env: envList(spec.env),
      WorkingDir: spec.workdir,
      AttachStdout: true,
      AttachStderr: true,
      HostConfig: {
        Binds: spec.binds.map((b) => `${b.host}:${b.container}${b.readOnly ? ":ro" : ""}`),
        ...(spec.networkMode ? { NetworkMode: spec.networkMode } : {}),
      },
    });
    return new DockerActionContainer(this.docker, container);
  }
}

class DockerActionContainer implements ActionContainer {
  private removed = false;

  constructor(
    private readonly docker: Docker,
    private readonly container: Docker.Container,
  ) {}

  get id(): string {
    return this.container.id;
  }

  async copyIn(tar: Readable | Buffer, path: string): Promise<void> {
    await this.container.putArchive(tar, { path });
  }

  async run(onStdout: (chunk: Buffer) => void, onStderr: (chunk: Buffer) => void): Promise<number> {
    const stream = await this.container.attach({ stream: true, stdout: true, stderr: true });
    const out = new PassThrough();
    const err = new PassThrough();
    out.on("data", onStdout);
    err.on("data", onStderr);
    this.docker.modem.demuxStream(stream, out, err);
    const ended = new Promise<void>((resolve) => {
      stream.on("end", resolve);
      stream.on("close", resolve);
      stream.on("error", () => resolve());
    });
    await this.container.start();
    const result = (await this.container.wait()) as { StatusCode?: number };
    await ended;
    out.end();
    err.end();
    return result.StatusCode ?? 1;
  }

  async stop(): Promise<void> {
    await this.container.stop({ t: 2 }).catch(() => undefined);
  }

  async copyOut(path: string): Promise<Readable> {
    return (await this.container.getArchive({ path })) as unknown as Readable;
  }

  async remove(): Promise<void> {
    if (this.removed) return;
    this.removed = true;
    await this.container.remove({ force: true, v: true }).catch((e: unknown) => {
      if (!(e instanceof Error && /no such container|404/i.test(e.message))) throw e;
    });
  }
}
