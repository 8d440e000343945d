// The corpus's dataprism and services cases replayed on Podman's Docker-compatible socket
// (a Podman service the test starts, with storage of its own) give the results they give
// on Docker. replay builds its runner image there through Podman's build API (cold: about
// two minutes here); the base image and the cases' stand-in images are sent from this
// machine's Docker engine, as no registry answers here.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCaseImages, checkoutCase, compareReplay, corpusCases, runCli } from "./support/corpus.js";
import { startPodmanService } from "./support/podman-service.js";
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

  it("leaves no container of replay's on Podman", () => {
    expect(podman.docker(["ps", "-aq", "--filter", "label=dev.replay.run"]).trim()).toBe("");
  });
});
