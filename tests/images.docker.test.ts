import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "./support/corpus.js";

// replay's image family on this machine, as a user sees it through the CLI: GitHub
// cannot be reached here, so the wasm-pack and Trivy images cannot be built, and saying so
// (and refusing jobs that need them) is the behaviour under test. Where github.com
// answers, these tests fail: they describe an offline machine.

const GIT_ENV = { GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@e", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@e" };
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function repoWith(workflow: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "replay-images-"));
  dirs.push(dir);
  mkdirSync(path.join(dir, ".github/workflows"), { recursive: true });
  writeFileSync(path.join(dir, ".github/workflows/ci.yml"), workflow);
  for (const args of [["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "init"]]) execFileSync("git", args, { cwd: dir, env: { ...process.env, ...GIT_ENV } });
  return dir;
}

interface DoctorJson {
  engine: { ok: boolean };
  baseImage: { present: boolean };
  images: { name: string; state: string; reason?: string }[];
  notBuildableHere: { name: string; reason: string }[];
  disk?: { freeBytes: number };
}

describe("replay doctor", () => {
  it("reports wasm-pack and Trivy as not buildable offline, with the reason, and everything else ready", async () => {
    const run = await runCli(["doctor", "--json"], os.tmpdir());
    expect(run.exitCode, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as DoctorJson;
    expect(report.engine.ok).toBe(true);
    expect(report.baseImage.present).toBe(true);
    expect(report.disk?.freeBytes).toBeGreaterThan(0);
    const states = Object.fromEntries(report.images.map((i) => [i.name, i.state]));
    expect(states["runner"]).toMatch(/^(present|buildable)$/);
    expect(states["rust"]).toMatch(/^(present|buildable)$/);
    expect(states["browsers"]).toMatch(/^(present|buildable)$/);
    expect(report.notBuildableHere.map((n) => n.name).sort()).toEqual(["trivy", "wasm-pack"]);
    for (const n of report.notBuildableHere) expect(n.reason).toMatch(/^github\.com does not answer \(.+\)$/);
  });

  it("says the same for people, with the command that builds them elsewhere", async () => {
    const run = await runCli(["doctor"], os.tmpdir());
    expect(run.stdout).toMatch(/trivy\s+NOT BUILDABLE HERE\s+github\.com does not answer/);
    expect(run.stdout).toContain("`replay images build wasm-pack` where those hosts answer");
    expect(run.stdout).toMatch(/rust\s+ready/);
  });
});

describe("a replay needing an image that cannot be built here", () => {
  it.each([
    ["wasm-pack", "- run: wasm-pack build --target web", "runs wasm-pack"],
    ["trivy", "- uses: aquasecurity/trivy-action@0.28.0\n        with: {scan-type: fs}", "uses aquasecurity/trivy-action@0.28.0"],
  ])("is refused with exit 2 before anything starts, naming the %s image, why, and how to build it", async (image, step, why) => {
    const dir = repoWith(`on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      ${step}\n`);
    const run = await runCli(["job", "build", "--json"], dir);
    expect(run.exitCode, run.stderr).toBe(2);
    expect(run.stderr).toContain(`error: job 'build' needs the ${image} image (step`);
    expect(run.stderr).toContain(why);
    expect(run.stderr).toMatch(/which is not built on this machine and cannot be built here: github\.com does not answer/);
    expect(run.stderr).toContain(`hint: build it where those hosts answer: \`replay images build ${image}\``);
    expect(run.events.map((e) => e["type"])).toEqual(["error"]);
  });

  it("runs when --image maps the job elsewhere", async () => {
    const dir = repoWith("on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: command -v wasm-pack || echo 'no wasm-pack here'\n");
    const runner = JSON.parse((await runCli(["images", "ls", "--json"], dir)).stdout) as { images: { name: string; tag: string; current: boolean }[] };
    const tag = runner.images.find((i) => i.name === "runner" && i.current)?.tag ?? "replay-base:bookworm";
    const run = await runCli(["job", "build", "--json", "--image", `ubuntu-latest=${tag}`], dir);
    expect(run.exitCode, run.stderr).toBe(0);
  });

  it("`replay images build trivy` refuses the same way", async () => {
    const run = await runCli(["images", "build", "trivy"], os.tmpdir());
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("the trivy image, which is not built on this machine and cannot be built here: github.com does not answer");
  });
});

describe("replay images", () => {
  it("build skips present layers and ls shows the Rust image's toolchains and where they came from", async () => {
    const build = await runCli(["images", "build", "rust", "--json"], os.tmpdir());
    expect(build.exitCode, build.stderr).toBe(0);
    const layers = build.events.map((e) => `${String(e["image"])} ${String(e["type"])}`);
    // Built now (after its parent, present or built), or already there and skipped.
    expect(layers.some((l) => /^rust image\.(present|built)$/.test(l)), layers.join(", ")).toBe(true);
    if (layers.includes("rust image.built")) expect(layers[0]).toMatch(/^runner image\.(present|built)$/);

    const ls = await runCli(["images", "ls", "--json"], os.tmpdir());
    const { images } = JSON.parse(ls.stdout) as { images: { name: string; tag: string; current: boolean; sizeBytes: number; toolchains: Record<string, { version: string; source: string }> }[] };
    const rust = images.find((i) => i.name === "rust" && i.current);
    expect(rust?.tag).toMatch(/^replay-rust:[0-9a-f]{12}$/);
    expect(rust?.sizeBytes).toBeGreaterThan(0);
    expect(rust?.toolchains["rust"]).toMatchObject({ version: "1.96.0", source: "debian" });
    expect(rust?.toolchains["node-20"]?.version).toMatch(/^20\./);

    const again = await runCli(["images", "build", "rust"], os.tmpdir());
    expect(again.stdout).toMatch(/rust\s+replay-rust:[0-9a-f]{12}\s+present, skipped/);
  });

  it("prune removes old and untagged replay images, and keeps the current ones and one a container uses", async () => {
    const fake = (args: string[], label: string): string =>
      execFileSync("docker", ["build", "-q", ...args, "-"], {
        input: `FROM replay-base:bookworm\nLABEL dev.replay.image=runner dev.replay.image.hash=${label}\n`,
        env: { ...process.env, DOCKER_BUILDKIT: "0" },
        encoding: "utf8",
      }).trim();
    fake(["-t", "replay-runner:000000000000"], "old");
    const untagged = fake([], "untagged");
    fake(["-t", "replay-runner:111111111111"], "in-use");
    const user = execFileSync("docker", ["create", "--label", "dev.replay.test=prune", "replay-runner:111111111111", "true"], { encoding: "utf8" }).trim();
    try {
      const before = JSON.parse((await runCli(["images", "ls", "--json"], os.tmpdir())).stdout) as { images: { tag: string; current: boolean }[] };
      const current = before.images.filter((i) => i.current).map((i) => i.tag);
      expect(current.length).toBeGreaterThan(0);

      const prune = await runCli(["images", "prune", "--json"], os.tmpdir());
      expect(prune.exitCode, prune.stderr).toBe(0);
      const r = JSON.parse(prune.stdout) as { removed: string[]; kept: { image: string; reason: string }[] };
      expect(r.removed).toEqual(expect.arrayContaining(["replay-runner:000000000000", untagged]));
      expect(r.kept.map((k) => k.image)).toContain("replay-runner:111111111111");
      for (const tag of current) expect(r.removed).not.toContain(tag);
      const after = JSON.parse((await runCli(["images", "ls", "--json"], os.tmpdir())).stdout) as { images: { tag: string }[] };
      expect(after.images.map((i) => i.tag)).toEqual(expect.arrayContaining(current));
    } finally {
      execFileSync("docker", ["rm", "-f", user]);
      execFileSync("docker", ["rmi", "-f", "replay-runner:111111111111"]);
    }
  });

  it("lock fails clearly for a GitHub-hosted pin: it needs github.com, and says how", async () => {
    const run = await runCli(["images", "lock", "TRIVY"], os.tmpdir());
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/TRIVY\s+0\.69\.3\s+failed\s+needs network access to github\.com/);
    expect(run.stderr).toContain("run `replay images lock` on a machine that reaches github.com");
  });
});
