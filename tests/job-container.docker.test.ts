import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DockerContainerRuntime, connectDocker, ensureImage, runLabels } from "../runners/docker/index.js";
import type { JobContainer, JobContainerSpec } from "../runners/index.js";
import { leftAfterRemoval } from "./support/engine-leftovers.js";

const RUN = `job-container-${process.pid}`;
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const docker = (...args: string[]): string => execFileSync("docker", args, { encoding: "utf8" }).trim();

/** A job container of the runner image, as a job's, with `extra` in its spec. */
async function jobContainer(extra: Partial<JobContainerSpec> = {}): Promise<{ runtime: DockerContainerRuntime; container: JobContainer }> {
  const { docker: engine } = await connectDocker();
  const image = await ensureImage(engine, { name: "runner" });
  const hostDir = mkdtempSync(path.join(os.tmpdir(), "replay-job-container-"));
  dirs.push(hostDir);
  const runtime = new DockerContainerRuntime(engine);
  const container = await runtime.createJobContainer({
    image,
    name: `replay-stop-${randomUUID().slice(0, 8)}`,
    labels: runLabels(RUN),
    env: {},
    binds: [{ host: hostDir, container: "/home/runner/work/_runner_file_commands" }],
    agentDir: { host: hostDir, container: "/home/runner/work/_runner_file_commands" },
    ...extra,
  });
  return { runtime, container };
}

/** Stops the container, waits for it to be gone: what the engine did to it meanwhile. */
async function stopped(container: JobContainer): Promise<string[]> {
  const since = new Date(Date.now() - 1000).toISOString();
  await container.stop();
  expect(await leftAfterRemoval([`dev.replay.run=${RUN}`])).toBe("");
  return docker("events", "--since", since, "--until", new Date().toISOString(), "--filter", `container=${container.id}`, "--format", "{{.Action}}").split("\n");
}

describe("a stopped job container", () => {
  it("is removed by the engine with its anonymous volumes, without replay waiting for it", async () => {
    const { runtime, container } = await jobContainer({ volumes: ["/data"] });
    const volume = docker("inspect", "-f", '{{range .Mounts}}{{if eq .Destination "/data"}}{{.Name}}{{end}}{{end}}', container.id);
    expect(volume).not.toBe("");

    await container.stop();
    // Nothing but the engine removes it from here on.
    expect(runtime.removals.release()).toEqual([container.id]);
    expect(await leftAfterRemoval([`dev.replay.run=${RUN}`])).toBe("");
    expect(docker("volume", "ls", "-q", "--filter", `name=${volume}`)).toBe("");
  });

  it("is stopped by its step agent (a message on its open connection), not by a request to the engine", async () => {
    const { container } = await jobContainer();
    // A step through the agent: it is there.
    expect(await container.exec({ cmd: ["true"], env: {}, user: "runner", onStdout: () => undefined, onStderr: () => undefined })).toBe(0);
    const actions = await stopped(container);
    expect(actions).toContain("die");
    expect(actions).not.toContain("kill");
  });

  it("is stopped through the engine when its agent cannot (an agent that is not root)", async () => {
    const { container } = await jobContainer({ options: { env: {}, user: "1001", tmpfs: {}, volumes: [], capAdd: [], labels: {}, privileged: false, ignored: [] } });
    expect(await container.exec({ cmd: ["true"], env: {}, user: "1001", onStdout: () => undefined, onStderr: () => undefined })).toBe(0);
    const actions = await stopped(container);
    expect(actions).toContain("kill");
  });

  it("answers remove() once it is gone", async () => {
    const { container } = await jobContainer();
    await container.stop();
    await container.remove();
    expect(docker("ps", "-aq", "--filter", `id=${container.id}`)).toBe("");
  });
});
