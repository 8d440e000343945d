// Docker contexts choose the engine as they do for the docker CLI, and an engine that
// does not see this machine's files (a remote one, here a second engine in its own mount
// namespace) refuses the replay before anything starts, instead of failing its first step.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./support/corpus.js";
import { startSecondEngine } from "./support/second-engine.js";
import type { SecondEngine } from "./support/second-engine.js";
import { tempRepo } from "./support/temp-repo.js";

const WORKFLOW = "on: push\njobs:\n  hello:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo hello from the context\n";

function dockerConfig(contexts: Record<string, string>, current?: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "replay-docker-config-"));
  writeFileSync(path.join(dir, "config.json"), JSON.stringify(current === undefined ? {} : { currentContext: current }));
  for (const [name, host] of Object.entries(contexts)) {
    const meta = path.join(dir, "contexts", "meta", createHash("sha256").update(name).digest("hex"));
    mkdirSync(meta, { recursive: true });
    writeFileSync(path.join(meta, "meta.json"), JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: host, SkipTLSVerify: false } } }));
  }
  return dir;
}

describe("Docker contexts and engines that do not share this machine's files", () => {
  let engine: SecondEngine;
  let repo: { dir: string; dispose: () => void };
  let config: string;
  const noEngineEnv = { DOCKER_HOST: "", DOCKER_CONTEXT: "" };

  beforeAll(async () => {
    engine = await startSecondEngine();
    repo = tempRepo("replay-contexts-", { ".github/workflows/ci.yml": WORKFLOW });
    config = dockerConfig({ far: engine.host, here: "unix:///var/run/docker.sock" });
  }, 90_000);
  afterAll(async () => {
    repo?.dispose();
    if (config) rmSync(config, { recursive: true, force: true });
    await engine?.stop();
  }, 60_000);

  const refusedOnFarEngine = (run: { exitCode: number; stderr: string }): void => {
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(`the Docker engine at ${engine.host} does not see this machine's files`);
    expect(run.stderr).toMatch(/hint: /);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    // Nothing was started there, and no run was recorded here.
    expect(engine.docker(["ps", "-aq"]).trim()).toBe("");
    expect(existsSync(path.join(repo.dir, ".replay", "runs"))).toBe(false);
  };

  it("refuses a tcp DOCKER_HOST whose engine cannot see the job's files, before anything starts", async () => {
    refusedOnFarEngine(await runCli(["job", "hello"], repo.dir, { ...noEngineEnv, DOCKER_HOST: engine.host }));
  }, 120_000);

  it("--context names that engine, over DOCKER_HOST, as `docker --context` does", async () => {
    const run = await runCli(["--context", "far", "job", "hello"], repo.dir, { ...noEngineEnv, DOCKER_CONFIG: config, DOCKER_HOST: "unix:///var/run/docker.sock" });
    refusedOnFarEngine(run);
  }, 120_000);

  it("replays on the engine of the current context of config.json", async () => {
    const current = dockerConfig({ here: "unix:///var/run/docker.sock", far: engine.host }, "here");
    const green = tempRepo("replay-contexts-green-", { ".github/workflows/ci.yml": WORKFLOW });
    try {
      const run = await runCli(["job", "hello", "--json"], green.dir, { ...noEngineEnv, DOCKER_CONFIG: current });
      expect(run.stderr).toBe("");
      expect(run.exitCode).toBe(0);
      expect(run.stdout).toContain("hello from the context");
      const doctor = await runCli(["doctor"], green.dir, { ...noEngineEnv, DOCKER_CONFIG: current });
      expect(doctor.stdout).toMatch(/engine +ok: Docker .*unix:\/\/\/var\/run\/docker\.sock \(context here\) from Docker context here; answers in \d+ ms/);
    } finally {
      green.dispose();
      rmSync(current, { recursive: true, force: true });
    }
  }, 180_000);

  it("DOCKER_CONTEXT picks a context over config.json's current one", async () => {
    const current = dockerConfig({ here: "unix:///var/run/docker.sock", far: engine.host }, "here");
    try {
      refusedOnFarEngine(await runCli(["job", "hello"], repo.dir, { ...noEngineEnv, DOCKER_CONFIG: current, DOCKER_CONTEXT: "far" }));
    } finally {
      rmSync(current, { recursive: true, force: true });
    }
  }, 120_000);

  it("a context that does not exist is a clear error, with no fall-back to another engine", async () => {
    const run = await runCli(["--context", "nowhere", "job", "hello"], repo.dir, { ...noEngineEnv, DOCKER_CONFIG: config });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('Docker context "nowhere" (--context) does not exist');
    expect(run.stderr).toContain("docker context ls");
  }, 60_000);
});
