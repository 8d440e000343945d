// A real replay of corpus rust-gates, then its diff against CI's recorded run (served on
// loopback as ../shared/fixtures/github-api/rust-gates/routes.json says): `replay run
// --diff` as a user would call it right after a replay, and `replay diff` afterwards.
// It needs the Rust image (issue 7): until that image can be built, the replay itself
// fails and this test says so first.
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkoutCase, compareReplay, corpusCases } from "./support/corpus.js";
import type { CliRun } from "./support/corpus.js";
import { serveGitHubFixture } from "./support/github-fixture-server.js";
import type { FixtureServer } from "./support/github-fixture-server.js";
import { runCliAsync } from "./support/run-cli-async.js";

const CI_HEAD_SHA = "3f9c2a7e5b1d4c8a9e0f6b2d7c1a5e8f9b0c3d4e";

interface DiffLine {
  type: "diff";
  reports: {
    warnings: string[];
    verdicts: string[];
    jobs: { name: string; setAside: string[]; toolchains: { tool: string; ci: string[]; local: string[] }[]; steps: { name: string; log?: { ci: string[]; local: string[] } }[] }[];
  }[];
}

describe("replay run --diff on corpus rust-gates against CI's recorded run", () => {
  const rustGates = corpusCases().find((c) => c.name === "rust-gates");
  if (!rustGates) throw new Error("corpus case rust-gates is missing");
  const replay = rustGates.replays[0];
  if (!replay) throw new Error("rust-gates has no replay");
  const repo = checkoutCase(rustGates);
  let server: FixtureServer;
  let run: CliRun;
  let diff: DiffLine | undefined;
  let localSha = "";

  beforeAll(async () => {
    server = await serveGitHubFixture("rust-gates");
    // The repository is found from the origin remote, as on a user's clone.
    execFileSync("git", ["remote", "add", "origin", "https://github.com/acme/ggen-lite.git"], { cwd: repo.dir });
    localSha = execFileSync("git", ["rev-parse", "HEAD"], { cwd: repo.dir, encoding: "utf8" }).trim();
    const r = await runCliAsync([...replay.args, "--json", "--diff"], repo.dir, { ...process.env, CI: "true", GH_TOKEN: "test-token", GITHUB_API_URL: server.url });
    const events: Record<string, unknown>[] = [];
    for (const line of r.stdout.split("\n")) if (line.startsWith("{")) events.push(JSON.parse(line) as Record<string, unknown>);
    run = { ...r, events: events.filter((e) => e["type"] !== "diff") };
    diff = events.find((e) => e["type"] === "diff") as DiffLine | undefined;
  });
  afterAll(async () => {
    await server.close();
    repo.dispose();
  });

  it("the replay itself gives what expect.yml says (it needs the Rust image)", () => {
    expect(compareReplay(replay, run), `stderr:\n${run.stderr.slice(-4000)}`).toEqual([]);
  });

  it("--diff adds the diff to the stream: Clippy, the skipped test steps, rustc 1.95.0 on CI, the head_sha warning", () => {
    expect(diff, `stderr:\n${run.stderr.slice(-2000)}`).toBeDefined();
    const report = diff?.reports[0];
    expect(report?.warnings[0]).toContain(`the replay ran commit ${localSha}`);
    expect(report?.warnings[0]).toContain(CI_HEAD_SHA);
    const clippy = report?.verdicts.find((v) => v.startsWith("Clippy:"));
    const m = /^Clippy: failed on CI \(clippy 1\.95\.0\), passed locally \(clippy (\S+)\): (.+)$/.exec(clippy ?? "");
    expect(m, `verdicts: ${JSON.stringify(report?.verdicts)}`).not.toBeNull();
    // The corpus commit already has the fix CI's commit lacked: only a drifted toolchain explains it alone.
    expect(m?.[2]).toBe(m?.[1] === "1.95.0" ? "the commit differs" : "toolchain drift");
    expect(report?.verdicts).toContain("Unit tests: skipped on CI, passed locally: CI skipped it after Clippy failed");
    expect(report?.verdicts).toContain("Integration tests: skipped on CI, passed locally: CI skipped it after Clippy failed");
    const ff = report?.jobs.find((j) => j.name === "fast-feedback");
    expect(ff?.toolchains.find((t) => t.tool === "rustc")?.ci).toEqual(["1.95.0"]);
    expect(ff?.steps.find((s) => s.name === "Clippy")?.log?.ci[0]).toBe("error: variables can be used directly in the `format!` string");
    for (const j of report?.jobs ?? []) expect(j.setAside).toEqual(["Set up job", "Post Run actions/checkout@v4", "Complete job"]);
  });

  it("replay diff afterwards prints the same in plain text, from the run kept in .replay/ci", async () => {
    const before = server.requests.length;
    const r = await runCliAsync(["diff", "--offline"], repo.dir, { ...process.env, CI: "true" });
    expect(r.exitCode, r.stderr).toBe(1);
    expect(r.stdout).toContain(`ran head_sha ${CI_HEAD_SHA}`);
    expect(r.stdout).toMatch(/^ {2}Clippy: failed on CI \(clippy 1\.95\.0\), passed locally/m);
    expect(r.stdout).toMatch(/^ {4}rustc +1\.95\.0 +\S+/m);
    expect(r.stdout).toContain("      CI:     error: variables can be used directly in the `format!` string");
    expect(r.stdout).not.toMatch(/Set up job: |Complete job: /);
    expect(server.requests.length).toBe(before);
  });
});
