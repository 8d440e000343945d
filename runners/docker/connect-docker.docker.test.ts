import { describe, expect, it } from "vitest";
import { connectDocker } from "./connect-docker.js";

describe("connectDocker against the real engine", () => {
  it("finds the engine this machine runs and can talk to it", async () => {
    const { docker, description } = await connectDocker();
    expect(description).toMatch(/^(unix|npipe|tcp|ssh):\/\/\S+ \(.+\)$/);
    const version = await docker.version();
    expect(version.ApiVersion).toMatch(/^\d+\.\d+$/);
  });

  it("falls past a DOCKER_HOST that does not answer, and says which one did", async () => {
    const { docker, description } = await connectDocker({ ...process.env, DOCKER_HOST: "unix:///nonexistent/replay.sock" });
    expect(description).not.toContain("/nonexistent/replay.sock");
    await expect(docker.ping()).resolves.toBeTruthy();
  });

  it("falls past a tcp DOCKER_HOST that does not answer, though docker-modem reads it from the process's environment", async () => {
    const before = process.env["DOCKER_HOST"];
    process.env["DOCKER_HOST"] = "tcp://127.0.0.1:1";
    try {
      const { docker, description } = await connectDocker({ ...process.env });
      expect(description).not.toContain("127.0.0.1:1");
      await expect(docker.ping()).resolves.toBeTruthy();
    } finally {
      if (before === undefined) delete process.env["DOCKER_HOST"];
      else process.env["DOCKER_HOST"] = before;
    }
  });
});
