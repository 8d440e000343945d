import { describe, expect, it } from "vitest";
import { jobContainerEnv } from "./job-environment.js";

describe("jobContainerEnv", () => {
  const base = { HOME: "/home/runner", GITHUB_SHA: "abc", GITHUB_RUN_NUMBER: "7", CI: "true" };

  it("sets HOME and the container's own on the container, the run's on each process", () => {
    const { env, runEnv } = jobContainerEnv(base, { DOCKER_HOST: "unix:///x.sock" });
    expect(env).toEqual({ HOME: "/home/runner", DOCKER_HOST: "unix:///x.sock" });
    expect(runEnv).toEqual({ GITHUB_SHA: "abc", GITHUB_RUN_NUMBER: "7", CI: "true" });
  });

  it("lets a container job's env: win over the run's, as it did on the container", () => {
    const { env, runEnv } = jobContainerEnv(base, { CI: "false", HOME: "/root" });
    // A process sees the container's variables under those given to it: CI and HOME are the job's.
    const seen = { ...env, ...runEnv };
    expect(seen["CI"]).toBe("false");
    expect(seen["HOME"]).toBe("/root");
    expect(seen["GITHUB_SHA"]).toBe("abc");
  });
});
