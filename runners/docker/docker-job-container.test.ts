import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import type Docker from "dockerode";
import { afterEach, describe, expect, it } from "vitest";
import { AGENT_SOCKET } from "../step-agent/index.js";
import { DockerContainerRuntime } from "./docker-job-container.js";

const connects = (socketPath: string): Promise<boolean> =>
  new Promise((resolve) => {
    const s = net.connect(socketPath, () => (s.destroy(), resolve(true)));
    s.on("error", () => resolve(false));
  });

describe("DockerContainerRuntime.createJobContainer", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it("closes the step agent's socket when the engine refuses the create (a lost engine must not keep replay alive)", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "replay-agent-"));
    dirs.push(dir);
    const docker = { createContainer: () => Promise.reject(new Error("socket hang up")) } as unknown as Docker;
    const runtime = new DockerContainerRuntime(docker, { nativeAgent: false });
    const creating = runtime.createJobContainer({ image: "replay-runner:x", name: "j", labels: {}, env: {}, binds: [], agentDir: { host: dir, container: "/runner" } });
    await expect(creating).rejects.toThrow("socket hang up");
    expect(await connects(path.join(dir, AGENT_SOCKET))).toBe(false);
  });

  it("calls whileStarting once the engine has been asked to start the container, before the start answers", async () => {
    const order: string[] = [];
    let answer: () => void = () => undefined;
    const container = {
      id: "c1",
      start: () => {
        order.push("start asked");
        return new Promise<void>((resolve) => (answer = resolve));
      },
      inspect: () => Promise.resolve({ Config: { Env: [] }, State: { Running: true } }),
    };
    const docker = { createContainer: () => Promise.resolve(container), getContainer: () => container } as unknown as Docker;
    const runtime = new DockerContainerRuntime(docker, { stepAgent: false });
    const creating = runtime.createJobContainer({
      image: "replay-runner:x",
      name: "j",
      labels: {},
      env: {},
      binds: [],
      whileStarting: () => {
        order.push("while starting");
        answer();
      },
    });
    await creating;
    expect(order).toEqual(["start asked", "while starting"]);
  });
});
