// Job-like containers of replay's runner image that run the real @actions/cache and
// @actions/artifact clients (installed on the host as devDependencies, bind-mounted in)
// against replay's services, as a node action in a replayed job would.
import { randomUUID } from "node:crypto";
import path from "node:path";
import type { JobContainer } from "../../runners/index.js";
import { DockerContainerRuntime, connectDocker, ensureImage, runLabels } from "../../runners/docker/index.js";
import { PROJECT_ROOT } from "./corpus.js";

export const WORKSPACE = "/home/runner/work/clients/clients";

export interface ClientRun {
  exitCode: number;
  output: string;
  result: unknown;
}

export class ClientContainer {
  private constructor(private readonly container: JobContainer) {}

  static async start(env: Record<string, string>): Promise<ClientContainer> {
    const { docker } = await connectDocker();
    const image = await ensureImage(docker, { name: "runner" });
    const runtime = new DockerContainerRuntime(docker);
    const container = await runtime.createJobContainer({
      image,
      name: `replay-clients-${randomUUID().slice(0, 8)}`,
      // Labelled as a run of this process, so a crash leaves nothing `replay gc` misses.
      labels: runLabels(`clients-${process.pid}`),
      env: {
        GITHUB_SERVER_URL: "https://github.com",
        GITHUB_WORKSPACE: WORKSPACE,
        RUNNER_TEMP: "/home/runner/work/_temp",
        HOME: "/home/runner",
        ...env,
      },
      binds: [
        { host: path.join(PROJECT_ROOT, "tests/fixtures"), container: "/opt/clients", readOnly: true },
        { host: path.join(PROJECT_ROOT, "node_modules"), container: "/opt/node_modules", readOnly: true },
      ],
      workdir: "/home/runner",
    });
    const c = new ClientContainer(container);
    await c.sh(`mkdir -p ${WORKSPACE} /home/runner/work/_temp`, {}, "/home/runner");
    return c;
  }

  /** Runs bash as the runner user in the workspace. */
  async sh(script: string, env: Record<string, string> = {}, workdir = WORKSPACE): Promise<ClientRun> {
    const chunks: Buffer[] = [];
    const exitCode = await this.container.exec({
      cmd: ["bash", "-c", script],
      env,
      user: "runner",
      workdir,
      onStdout: (c) => chunks.push(c),
      onStderr: (c) => chunks.push(c),
    });
    const output = Buffer.concat(chunks).toString();
    const line = output.split("\n").reverse().find((l) => l.startsWith("RESULT "));
    return { exitCode, output, result: line === undefined ? undefined : (JSON.parse(line.slice(7)) as unknown) };
  }

  /** One operation of tests/fixtures/actions-client.mjs. */
  client(args: string[], env: Record<string, string> = {}): Promise<ClientRun> {
    const quoted = args.map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
    return this.sh(`node /opt/clients/actions-client.mjs ${quoted}`, env);
  }

  remove(): Promise<void> {
    return this.container.remove();
  }
}
