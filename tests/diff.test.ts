// `replay diff` through the built CLI against the recorded GitHub API of corpus rust-gates,
// served on loopback exactly as its routes.json says. The replay is a recorded one
// (tests/fixtures/rust-gates-replay: Clippy passing under Debian's clippy 1.85.1), so
// this needs no Docker; diff.docker.test.ts does the same after a real replay.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RunRecorder } from "../history/index.js";
import type { ReplayEvent } from "../runners/index.js";
import { PROJECT_ROOT, checkoutCase, corpusCases } from "./support/corpus.js";
import { GITHUB_FIXTURES, serveGitHubFixture } from "./support/github-fixture-server.js";
import type { FixtureServer } from "./support/github-fixture-server.js";
import { runCliAsync, runLauncher } from "./support/run-cli-async.js";
import type { AsyncCliRun } from "./support/run-cli-async.js";

const CI_HEAD_SHA = "3f9c2a7e5b1d4c8a9e0f6b2d7c1a5e8f9b0c3d4e";
const RUN_ID = "1763713800123";
const CLIPPY_VERDICT = "Clippy: failed on CI (clippy 1.95.0), passed locally (clippy 1.85.1): toolchain drift";

/** Records the fixture replay into a repository, as `replay run` would have. */
async function recordFixtureReplay(repoDir: string): Promise<string> {
  const sha = execFileSync("git", ["rev-parse", "HEAD"], { cwd: repoDir, encoding: "utf8" }).trim();
  const text = readFileSync(path.join(PROJECT_ROOT, "tests/fixtures/rust-gates-replay/events.jsonl"), "utf8");
  const recorder = await RunRecorder.create(repoDir, RUN_ID);
  for (const line of text.trim().split("\n")) recorder.onEvent(JSON.parse(line.replaceAll("SHA_OF_THE_CHECKOUT", sha)) as ReplayEvent);
  await recorder.close();
  return sha;
}

/** An environment with no token and no gh on PATH (only git), so nothing can authenticate. */
function tokenlessEnv(root: string): NodeJS.ProcessEnv {
  const bin = path.join(root, "bin");
  mkdirSync(bin, { recursive: true });
  const git = execFileSync("sh", ["-c", "command -v git"], { encoding: "utf8" }).trim();
  symlinkSync(git, path.join(bin, "git"));
  const { GH_TOKEN: _a, GITHUB_TOKEN: _b, GITHUB_API_URL: _c, ...rest } = process.env;
  return { ...rest, PATH: bin };
}

interface JsonReport {
  localRun: string;
  reports: {
    ci: { id: number; source: string; headSha: string };
    warnings: string[];
    verdicts: string[];
    notReplayed: string[];
    jobs: {
      name: string;
      setAside: string[];
      toolchains: { tool: string; ci: string[]; local: string[]; same: boolean }[];
      steps: { name: string; ci?: { result?: string }; local?: { result?: string }; differs: boolean; log?: { ci: string[]; local: string[] } }[];
    }[];
  }[];
}

// Each test starts the CLI once or twice: seconds each on a busy 2-core machine.
describe("replay diff against the recorded GitHub API of rust-gates", { timeout: 60_000 }, () => {
  const rustGates = corpusCases().find((c) => c.name === "rust-gates");
  if (!rustGates) throw new Error("corpus case rust-gates is missing");
  const repo = checkoutCase(rustGates);
  const scratch = mkdtempSync(path.join(os.tmpdir(), "replay-diff-"));
  let server: FixtureServer;
  let localSha = "";
  const env = (): NodeJS.ProcessEnv => ({ ...process.env, GH_TOKEN: "test-token", CI: "true" });
  const args = (...more: string[]): string[] => ["diff", "--repo", "acme/ggen-lite", "--api-url", server.url, ...more];

  beforeAll(async () => {
    server = await serveGitHubFixture("rust-gates");
    localSha = await recordFixtureReplay(repo.dir);
  });
  afterAll(async () => {
    await server.close();
    repo.dispose();
    rmSync(scratch, { recursive: true, force: true });
  });

  it("the run record has meta.json: commit, timings and the toolchains the replay saw", () => {
    const meta = JSON.parse(readFileSync(path.join(repo.dir, ".replay/runs", RUN_ID, "meta.json"), "utf8")) as {
      sha: string;
      ref: string;
      durationMs: number;
      jobs: { name: string; toolchains: Record<string, string[]>; steps: { name: string; durationMs: number }[] }[];
    };
    expect(meta.sha).toBe(localSha);
    expect(meta.ref).toBe("refs/heads/main");
    expect(meta.durationMs).toBeGreaterThan(0);
    const ff = meta.jobs.find((j) => j.name === "fast-feedback");
    expect(ff?.toolchains).toMatchObject({ rustc: ["1.85.1"], cargo: ["1.85.1"], "runner-image": ["replay-rust:9c41d2e07a5b"] });
    expect(ff?.steps.find((s) => s.name === "Clippy")?.durationMs).toBeGreaterThan(0);
  });

  it("through the replay launcher: trusts the CA bundle NODE_EXTRA_CA_CERTS names, and gives the variable back to what it starts", async () => {
    // A CA of the test's own and a loopback certificate it signed: a corporate proxy's, say.
    const pki = path.join(scratch, "pki");
    mkdirSync(pki, { recursive: true });
    const ssl = (...a: string[]): void => void execFileSync("openssl", a, { cwd: pki, stdio: "pipe" });
    ssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=replay test CA", "-keyout", "ca.key", "-out", "ca.pem");
    ssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", "server.key", "-out", "server.csr");
    writeFileSync(path.join(pki, "san.ext"), "subjectAltName=IP:127.0.0.1\n");
    ssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2", "-extfile", "san.ext", "-out", "server.pem");
    const tlsServer = await serveGitHubFixture("rust-gates", { key: readFileSync(path.join(pki, "server.key"), "utf8"), cert: readFileSync(path.join(pki, "server.pem"), "utf8") });
    // A repository of its own: the run fetched here is kept in its .replay/ci/.
    const own = checkoutCase(rustGates);
    await recordFixtureReplay(own.dir);
    try {
      // No token in the environment: replay asks gh, whose stand-in tells what it was given.
      const bin = path.join(scratch, "gh-bin");
      mkdirSync(bin, { recursive: true });
      const seen = path.join(scratch, "gh-saw");
      writeFileSync(path.join(bin, "gh"), `#!/bin/sh\nprintf '%s' "$NODE_EXTRA_CA_CERTS" > '${seen}'\necho test-token\n`, { mode: 0o755 });
      const { GH_TOKEN: _a, GITHUB_TOKEN: _b, NODE_EXTRA_CA_CERTS: _c, ...rest } = process.env;
      const launch = (env: NodeJS.ProcessEnv): Promise<AsyncCliRun> =>
        runLauncher(["diff", "--repo", "acme/ggen-lite", "--api-url", tlsServer.url, "--json"], own.dir, { ...rest, PATH: `${bin}:${process.env["PATH"] ?? ""}`, CI: "true", ...env });

      const r = await launch({ NODE_EXTRA_CA_CERTS: path.join(pki, "ca.pem") });
      expect(r.exitCode, r.stderr).toBe(1);
      expect((JSON.parse(r.stdout) as JsonReport).reports[0]?.ci.id).toBe(10482213377);
      expect(readFileSync(seen, "utf8")).toBe(path.join(pki, "ca.pem"));
      // Without the bundle the certificate is not trusted: the connection above was verified.
      const untrusted = await launch({});
      expect(untrusted.exitCode).not.toBe(0);
      expect(untrusted.stderr).toContain(`cannot reach ${tlsServer.url}`);
    } finally {
      await tlsServer.close();
      own.dispose();
    }
  });

  it("plain: the Clippy and skipped test steps, rustc 1.95.0 on CI, the head_sha warning and the first differing lines; exit 1 as diff's", async () => {
    const r = await runCliAsync(args(), repo.dir, env());
    expect(r.exitCode, r.stderr).toBe(1);
    const out = r.stdout;
    expect(out).toContain(`warning: the replay ran commit ${localSha}, but CI's run 10482213377 ran head_sha ${CI_HEAD_SHA}`);
    expect(out).toContain(`  ${CLIPPY_VERDICT}\n`);
    expect(out).toContain("Unit tests: skipped on CI, passed locally: CI skipped it after Clippy failed");
    expect(out).toContain("Integration tests: skipped on CI, passed locally: CI skipped it after Clippy failed");
    expect(out).toMatch(/^ {4}rustc +1\.95\.0 +1\.85\.1 +differs$/m);
    // The images are stated once a job, not listed as a differing toolchain on every run.
    expect(out).toContain("  runner image: CI ubuntu-24.04 20251112.124.1, replay replay-rust:9c41d2e07a5b\n");
    expect(out).not.toMatch(/runner-image/);
    expect(out).toContain("first differing lines (CI step line 2, replay step line 2):");
    expect(out).toContain("      CI:     error: variables can be used directly in the `format!` string\n");
    expect(out).toContain("      replay:     Finished `dev` profile [unoptimized + debuginfo] target(s) in 3.71s\n");
    expect(out).toContain("set aside (runner bookkeeping, not missing): Set up job, Post Run actions/checkout@v4, Complete job");
    expect(out).toContain("3 difference(s):");
    expect(out).not.toMatch(/not in the replay|missing:/);
    // Every request carried the token; the logs were read through their redirect.
    expect(server.requests.every((q) => q.authorization === "Bearer test-token")).toBe(true);
    expect(server.requests.map((q) => q.url)).toEqual(expect.arrayContaining(["/_blobs/job-29347710101.txt", "/_blobs/job-29347710188.txt"]));
  });

  it("--json: the same report as data", async () => {
    const r = await runCliAsync(args("--json"), repo.dir, env());
    expect(r.exitCode, r.stderr).toBe(1);
    const json = JSON.parse(r.stdout) as JsonReport;
    expect(json.localRun).toBe(RUN_ID);
    const [report] = json.reports;
    expect(report?.ci).toMatchObject({ id: 10482213377, headSha: CI_HEAD_SHA });
    expect(report?.verdicts[0]).toBe(CLIPPY_VERDICT);
    const ff = report?.jobs.find((j) => j.name === "fast-feedback");
    expect(ff?.toolchains.find((t) => t.tool === "rustc")).toEqual({ tool: "rustc", ci: ["1.95.0"], local: ["1.85.1"], same: false });
    expect(ff?.steps.filter((s) => s.differs).map((s) => [s.name, s.ci?.result, s.local?.result])).toEqual([
      ["Clippy", "failure", "success"],
      ["Unit tests", "skipped", "success"],
      ["Integration tests", "skipped", "success"],
    ]);
    expect(ff?.steps.find((s) => s.name === "Clippy")?.log?.ci[0]).toBe("error: variables can be used directly in the `format!` string");
    for (const job of report?.jobs ?? []) {
      expect(job.steps.map((s) => s.name)).not.toEqual(expect.arrayContaining(["Set up job", "Complete job", "Post Run actions/checkout@v4"]));
      expect(job.setAside).toEqual(["Set up job", "Post Run actions/checkout@v4", "Complete job"]);
    }
  });

  it("the fetched run is kept in .replay/ci/ and the diff is redone offline without a request", async () => {
    const before = server.requests.length;
    const r = await runCliAsync(["diff", "--offline", "--json"], repo.dir, { ...process.env, CI: "true" });
    expect(r.exitCode, r.stderr).toBe(1);
    const report = (JSON.parse(r.stdout) as JsonReport).reports[0];
    expect(report?.ci.source).toBe("stored");
    expect(report?.verdicts[0]).toBe(CLIPPY_VERDICT);
    expect(server.requests.length).toBe(before);
    expect(readFileSync(path.join(repo.dir, ".replay/ci/10482213377/logs/29347710101.txt"), "utf8")).toContain("uninlined_format_args");
  });

  it("--ci-export reads `gh run view --json jobs` output and logs instead of the API", async () => {
    const dir = path.join(scratch, "export");
    mkdirSync(dir, { recursive: true });
    const api = JSON.parse(readFileSync(path.join(GITHUB_FIXTURES, "rust-gates/jobs.json"), "utf8")) as {
      jobs: { id: number; name: string; status: string; conclusion: string; started_at: string; completed_at: string; html_url: string; steps: { name: string; status: string; conclusion: string; number: number }[] }[];
    };
    const gh = {
      databaseId: 10482213377,
      headSha: CI_HEAD_SHA,
      headBranch: "main",
      workflowName: "Fast Feedback",
      jobs: api.jobs.map((j) => ({
        databaseId: j.id,
        name: j.name,
        status: j.status,
        conclusion: j.conclusion,
        startedAt: j.started_at,
        completedAt: j.completed_at,
        url: j.html_url,
        steps: j.steps.map(({ name, status, conclusion, number }) => ({ name, status, conclusion, number })),
      })),
    };
    writeFileSync(path.join(dir, "run.json"), JSON.stringify(gh));
    // One job's log as `gh run view --log` prints it (job, step, line), the other as a file of its own.
    const lintLog = readFileSync(path.join(GITHUB_FIXTURES, "rust-gates/job-29347710188.txt"), "utf8");
    writeFileSync(path.join(dir, "run.log"), lintLog.trimEnd().split("\n").map((l) => `lint-strict\tUNKNOWN STEP\t${l}`).join("\n"));
    writeFileSync(path.join(dir, "29347710101.txt"), readFileSync(path.join(GITHUB_FIXTURES, "rust-gates/job-29347710101.txt")));
    const before = server.requests.length;
    const r = await runCliAsync(["diff", "--ci-export", dir, "--json"], repo.dir, { ...process.env, CI: "true" });
    expect(r.exitCode, r.stderr).toBe(1);
    const report = (JSON.parse(r.stdout) as JsonReport).reports[0];
    expect(report?.ci.source).toBe("export");
    expect(report?.warnings[0]).toContain(CI_HEAD_SHA);
    expect(report?.verdicts).toEqual([
      CLIPPY_VERDICT,
      "Unit tests: skipped on CI, passed locally: CI skipped it after Clippy failed",
      "Integration tests: skipped on CI, passed locally: CI skipped it after Clippy failed",
    ]);
    expect(server.requests.length).toBe(before);
  });

  it("exit 0 when every step ended the same on both sides", async () => {
    const dir = path.join(scratch, "export-same");
    mkdirSync(dir, { recursive: true });
    const api = JSON.parse(readFileSync(path.join(GITHUB_FIXTURES, "rust-gates/jobs.json"), "utf8")) as {
      jobs: { id: number; name: string; status: string; conclusion: string; started_at: string; completed_at: string; steps: { name: string; status: string; conclusion: string; number: number }[] }[];
    };
    // CI as the replay saw it: fast-feedback's Clippy and tests passed there too.
    const same = (j: (typeof api.jobs)[number]): (typeof api.jobs)[number] =>
      j.name === "fast-feedback" ? { ...j, conclusion: "success", steps: j.steps.map((st) => ({ ...st, conclusion: "success" })) } : j;
    const gh = {
      databaseId: 10482213377,
      headSha: localSha,
      headBranch: "main",
      workflowName: "Fast Feedback",
      jobs: api.jobs.map(same).map((j) => ({ databaseId: j.id, name: j.name, status: j.status, conclusion: j.conclusion, startedAt: j.started_at, completedAt: j.completed_at, steps: j.steps })),
    };
    writeFileSync(path.join(dir, "run.json"), JSON.stringify(gh));
    const r = await runCliAsync(["diff", "--ci-export", dir], repo.dir, { ...process.env, CI: "true" });
    expect(r.stdout).toContain("no difference in results between CI and the replay");
    expect(r.exitCode, r.stderr).toBe(0);
  });

  it("without a token, GitHub's 401 becomes a message that says what to do (exit 2)", async () => {
    const r = await runCliAsync(args("--branch", "main"), repo.dir, tokenlessEnv(scratch));
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("error: GitHub wants a token to read runs of fast-feedback.yml in acme/ggen-lite (401 Requires authentication)");
    expect(r.stderr).toContain("hint: set GH_TOKEN");
    expect(r.stdout).toBe("");
  });

  it("a repository the API does not know gives 404 with what to check (exit 2)", async () => {
    const r = await runCliAsync(["diff", "--repo", "acme/other", "--api-url", server.url], repo.dir, env());
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("error: GitHub found nothing for runs of fast-feedback.yml in acme/other (404 Not Found)");
    expect(r.stderr).toMatch(/hint: check --repo owner\/name/);
  });

  it("no origin remote and no --repo: says to pass --repo", async () => {
    const r = await runCliAsync(["diff", "--api-url", server.url], repo.dir, env());
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("error: cannot tell which GitHub repository to compare with: this repository has no origin remote");
    expect(r.stderr).toContain("hint: pass --repo owner/name");
  });

  it("an origin that is not on GitHub: no repository name is guessed, --repo is asked for (exit 2)", async () => {
    const own = checkoutCase(rustGates);
    try {
      execFileSync("git", ["remote", "add", "origin", "https://gitlab.example.com/acme/ggen-lite.git"], { cwd: own.dir });
      await recordFixtureReplay(own.dir);
      const before = server.requests.length;
      const r = await runCliAsync(["diff", "--api-url", server.url], own.dir, env());
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toContain("error: the origin remote https://gitlab.example.com/acme/ggen-lite.git is not a repository on GitHub");
      expect(r.stderr).toContain("hint: pass --repo owner/name");
      expect(server.requests.length).toBe(before);
    } finally {
      own.dispose();
    }
  });

  it("a run id that is not recorded lists the recorded ones", async () => {
    const r = await runCliAsync(["diff", "999", "--offline"], repo.dir, env());
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("error: no recorded replay 999");
    expect(r.stderr).toContain(RUN_ID);
  });
});
