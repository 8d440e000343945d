// The corpus's dataprism and services cases replayed on Podman's Docker-compatible socket
// (a Podman service the test starts, with storage of its own) give the results they give
// on Docker. replay builds its runner image there through Podman's build API (cold: about
// two minutes here); the base image and the cases' stand-in images are sent from this
// machine's Docker engine, as no registry answers here.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCaseImages, checkoutCase, compareReplay, corpusCases, runCli } from "./support/corpus.js";
import { leftAfterRemoval } from "./support/engine-leftovers.js";
import { startPodmanService } from "./support/podman-service.js";
import { tempRepo } from "./support/temp-repo.js";
import type { PodmanService } from "./support/podman-service.js";

const CASES = ["dataprism", "services"];

describe("replays on Podman's Docker-compatible socket", () => {
  let podman: PodmanService;
  const cases = corpusCases().filter((c) => CASES.includes(c.name));
  const repos = cases.map((c) => ({ c, repo: checkoutCase(c) }));
  const env = (): Record<string, string> => ({ DOCKER_HOST: podman.host, DOCKER_CONTEXT: "" });

  beforeAll(async () => {
    podman = await startPodmanService();
    podman.sendImages(["replay-base:bookworm", ...cases.flatMap((c) => buildCaseImages(c))]);
  }, 120_000);
  afterAll(async () => {
    for (const { repo } of repos) repo.dispose();
    await podman?.stop();
  }, 60_000);

  it("builds replay's runner image on Podman", async () => {
    const run = await runCli(["images", "build", "runner"], repos[0]?.repo.dir ?? ".", env());
    expect(run.stderr).toBe("");
    expect(run.exitCode).toBe(0);
    expect(podman.docker(["images", "--format", "{{.Repository}}"])).toContain("replay-runner");
  }, 600_000);

  for (const { c, repo } of repos) {
    const cacheDir = path.join(path.dirname(repo.dir), "replay-caches");
    for (const replay of c.replays) {
      it(`${c.name}: ${replay.name}: replay ${replay.args.join(" ")}`, async () => {
        const args = replay.args.includes("--json") ? replay.args : [...replay.args, "--json"];
        const run = await runCli(args, repo.dir, { REPLAY_CACHE_DIR: cacheDir, ...(replay.env ?? {}), ...env() });
        expect(compareReplay(replay, run), `stderr:\n${run.stderr.slice(-4000)}`).toEqual([]);
      }, 300_000);
    }
  }

  it("`replay doctor` says the engine is Podman, with its version, architecture and replay's images on it", async () => {
    const run = await runCli(["doctor", "--json"], repos[0]?.repo.dir ?? ".", env());
    expect(run.exitCode, run.stderr).toBe(0);
    const engine = (JSON.parse(run.stdout) as { engine: Record<string, unknown> }).engine;
    expect(engine).toMatchObject({ ok: true, product: "Podman", description: `${podman.host} (DOCKER_HOST)` });
    expect(engine["version"]).toMatch(/^\d+\.\d+/);
    expect(engine["architecture"]).toMatch(/^(x86_64|aarch64|amd64|arm64)$/);
    const text = await runCli(["doctor"], repos[0]?.repo.dir ?? ".", env());
    expect(text.stdout).toMatch(/on it +replay images runner/);
  }, 60_000);

  it("one replay spread over Docker and Podman (--engine twice): each cell runs on the engine its job.started names, a cache saved on one is restored on the other, nothing is left on either", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "replay-pool-"));
    try {
      mkdirSync(path.join(dir, "repo", ".github", "workflows"), { recursive: true });
      const repo = path.join(dir, "repo");
      // Podman gives its containers `container=podman`; Docker gives none.
      writeFileSync(
        path.join(repo, ".github", "workflows", "ci.yml"),
        `on: push
jobs:
  save:
    runs-on: ubuntu-latest
    steps:
      - run: mkdir -p stash && echo "made on \${container:-docker}" > stash/where.txt
      - uses: actions/cache/save@v4
        with:
          path: stash
          key: pool-\${{ github.sha }}
  restore:
    needs: save
    runs-on: ubuntu-latest
    strategy:
      matrix:
        n: [1, 2]
    steps:
      - uses: actions/cache/restore@v4
        with:
          path: stash
          key: pool-\${{ github.sha }}
          fail-on-cache-miss: true
      - run: echo "cell \${{ matrix.n }} ran on \${container:-docker}, its cache $(cat stash/where.txt)"
`,
      );
      const git = (...args: string[]): void => void execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { cwd: repo, stdio: "ignore" });
      git("init", "-q", "-b", "main");
      git("add", "-A");
      git("commit", "-q", "-m", "pool");
      const docker = "unix:///var/run/docker.sock";
      // One slot on each engine: the two cells of restore run at once, one on each.
      const run = await runCli(["run", "--engine", docker, "--engine", podman.host, "--parallel", "1", "--json"], repo, { REPLAY_CACHE_DIR: path.join(dir, "caches") });
      expect(run.exitCode, run.stderr.slice(-3000)).toBe(0);
      const started = run.events.filter((e) => e["type"] === "job.started");
      const engineOf = new Map(started.map((e) => [String(e["jobKey"]), String(e["engine"])]));
      const ranOn = new Map<string, string>();
      let saved = "";
      for (const e of run.events) {
        const line = typeof e["line"] === "string" ? e["line"] : "";
        const m = /^cell (\d) ran on (\w+), its cache made on (\w+)$/.exec(line);
        if (m) ranOn.set(String(e["jobKey"]), m[2] ?? "");
        if (m) saved = m[3] ?? "";
      }
      const kind = (engine: string | undefined): string => (engine === podman.host ? "podman" : engine === docker ? "docker" : `? ${engine}`);
      expect([...ranOn.keys()].sort()).toEqual(["restore (n=1)", "restore (n=2)"]);
      for (const [jobKey, where] of ranOn) expect(where, jobKey).toBe(kind(engineOf.get(jobKey)));
      // The cells ran on both engines, so one of them restored what the other engine's job saved.
      expect(new Set(ranOn.values())).toEqual(new Set(["docker", "podman"]));
      expect(saved).toBe(kind(engineOf.get("save")));
      expect(podman.docker(["ps", "-aq", "--filter", "label=dev.replay.run"]).trim()).toBe("");
      // The engine removes stopped job containers on its own: looked at once it has.
      expect(await leftAfterRemoval([`dev.replay.run=${String(run.events.find((e) => e["type"] === "run.started")?.["runId"])}`])).toBe("");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);

  it("`replay doctor --engine` lists each engine of a pool, and says which does not answer; `replay gc --engine` cleans each", async () => {
    const dir = repos[0]?.repo.dir ?? ".";
    const down = "tcp://127.0.0.1:1";
    const run = await runCli(["doctor", "--json", "--engine", "unix:///var/run/docker.sock", "--engine", podman.host, "--engine", down], dir);
    expect(run.exitCode, run.stderr).toBe(0);
    const engines = (JSON.parse(run.stdout) as { engines: Record<string, unknown>[] }).engines;
    expect(engines.map((e) => [e["name"], e["ok"], e["product"]])).toEqual([
      ["unix:///var/run/docker.sock", true, "Docker"],
      [podman.host, true, "Podman"],
      [down, false, undefined],
    ]);
    expect(engines[1]?.["images"]).toContain("runner");
    expect(String(engines[2]?.["reason"])).toMatch(/127\.0\.0\.1:1/);
    // A kept container on Podman (a crashed replay's stand-in) goes with `replay gc --engine`.
    podman.docker(["create", "--label", "dev.replay.run=1", "--label", "dev.replay.pid=999999999", "replay-base:bookworm", "true"]);
    const gc = await runCli(["gc", "--engine", podman.host], dir);
    expect(gc.exitCode, gc.stderr).toBe(0);
    expect(gc.stdout).toMatch(new RegExp(`${podman.host.replace(/[/.]/g, "\\$&")}: removed 1 container`));
    expect(podman.docker(["ps", "-aq", "--filter", "label=dev.replay.run"]).trim()).toBe("");
  }, 120_000);

  it("an engine of a pool that does not answer refuses the replay before anything starts, naming it (exit 2)", async () => {
    const c = cases[0];
    const repo = repos[0]?.repo.dir ?? ".";
    const job = c?.replays[0]?.args ?? [];
    const run = await runCli([...job, "--engine", "unix:///var/run/docker.sock", "--engine", "tcp://127.0.0.1:1", "--json"], repo);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/tcp:\/\/127\.0\.0\.1:1/);
    expect(run.events.map((e) => e["type"])).toEqual(["error"]);
  }, 60_000);

  it("an engine of a pool without replay's image gets it from another engine of the pool (save/load through the APIs), not by building it", async () => {
    // A Podman with nothing in its storage: neither the base image nor the runner image.
    const empty = await startPodmanService();
    const repo = tempRepo("replay-pool-send-", {
      ".github/workflows/ci.yml": `on: push
jobs:
  cells:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        n: [1, 2]
    steps:
      - run: echo "cell \${{ matrix.n }} on \${container:-docker}"
`,
    });
    try {
      const run = await runCli(["job", "cells", "--engine", "unix:///var/run/docker.sock", "--engine", empty.host, "--parallel", "1", "--json"], repo.dir);
      expect(run.exitCode, run.stderr.slice(-3000)).toBe(0);
      const log = run.events.filter((e) => e["type"] === "step.output").map((e) => String(e["line"]));
      expect(log.filter((l) => / on podman$/.test(l))).toHaveLength(1);
      const sent = run.events.find((e) => e["type"] === "notice" && String(e["message"]).includes(`on ${empty.host}: sent from unix:///var/run/docker.sock`));
      expect(sent, JSON.stringify(run.events.filter((e) => e["type"] === "notice"))).toBeDefined();
      expect(empty.docker(["images", "--format", "{{.Repository}}"])).toContain("replay-runner");
      // Nothing was built there: the only word of the runner image on it is that it was sent.
      const onEmpty = run.events.filter((e) => e["type"] === "notice" && String(e["message"]).startsWith(`image runner on ${empty.host}:`));
      expect(onEmpty.map((e) => String(e["message"]))).toEqual([String(sent?.["message"])]);
    } finally {
      repo.dispose();
      await empty.stop();
    }
  }, 300_000);

  it("leaves no container of replay's on Podman", () => {
    expect(podman.docker(["ps", "-aq", "--filter", "label=dev.replay.run"]).trim()).toBe("");
  });
});
