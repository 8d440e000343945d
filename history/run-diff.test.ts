import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { ReplayEvent } from "../runners/index.js";
import { parseWorkflow } from "../workflows/index.js";
import { apiJobsPageSchema, apiRunsPageSchema, ciRunFromApi } from "./ci-run.js";
import type { CiJob, CiRun } from "./ci-run.js";
import { runMetaOf } from "./run-meta.js";
import type { JobMeta, RunMeta } from "./run-meta.js";
import { diffRuns } from "./run-diff.js";
import { asResult } from "./verdict.js";
import { stepScripts } from "./step-markers.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const API = path.resolve(ROOT, "../shared/fixtures/github-api/rust-gates");
const WORKFLOW = ".github/workflows/fast-feedback.yml";

/** CI's run 10482213377 as the API fixtures give it, logs included. */
function fixtureCiRun(): CiRun {
  const runs = apiRunsPageSchema.parse(JSON.parse(readFileSync(path.join(API, "runs.json"), "utf8")));
  const jobs = apiJobsPageSchema.parse(JSON.parse(readFileSync(path.join(API, "jobs.json"), "utf8")));
  const run = ciRunFromApi(runs.workflow_runs[0] ?? runs.workflow_runs[0]!, jobs.jobs, "api");
  run.jobs = run.jobs.map((j) => ({ ...j, log: readFileSync(path.join(API, `job-${j.id}.txt`), "utf8") }));
  return run;
}

/** The recorded replay of corpus rust-gates (tests/fixtures), as RunRecorder would read it. */
function fixtureReplay(): { meta: RunMeta; stepLog(jobKey: string, step: number): string[] } {
  const events = readFileSync(path.join(ROOT, "tests/fixtures/rust-gates-replay/events.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l.replaceAll("SHA_OF_THE_CHECKOUT", "1111111111111111111111111111111111111111")) as ReplayEvent);
  return {
    meta: runMetaOf(events),
    stepLog: (jobKey, step) => events.flatMap((e) => (e.type === "step.output" && e.jobKey === jobKey && e.step === step ? [e.line] : [])),
  };
}

const workflow = parseWorkflow(WORKFLOW, readFileSync(path.resolve(ROOT, "../shared/corpus/rust-gates/repo", WORKFLOW), "utf8")).workflow;
const scripts = (file: string, job: string): ReturnType<typeof stepScripts> => stepScripts(workflow ? [workflow] : [], file, job);

describe("diffRuns: the rust-gates replay against CI's run 10482213377", () => {
  const report = diffRuns({ local: fixtureReplay(), ci: fixtureCiRun(), workflowFile: WORKFLOW, scripts });
  const job = (name: string): NonNullable<(typeof report.jobs)[number]> => {
    const j = report.jobs.find((x) => x.name === name);
    if (!j) throw new Error(`no job ${name}`);
    return j;
  };

  it("warns that the replay's commit is not CI's head_sha", () => {
    expect(report.warnings).toEqual([expect.stringContaining("head_sha 3f9c2a7e5b1d4c8a9e0f6b2d7c1a5e8f9b0c3d4e")]);
    expect(report.warnings[0]).toContain("1111111111111111111111111111111111111111");
  });

  it("gives one verdict per difference, Clippy's naming the drift", () => {
    expect(report.verdicts).toEqual([
      "Clippy: failed on CI (clippy 1.95.0), passed locally (clippy 1.85.1): toolchain drift",
      "Unit tests: skipped on CI, passed locally: CI skipped it after Clippy failed",
      "Integration tests: skipped on CI, passed locally: CI skipped it after Clippy failed",
    ]);
  });

  it("shows the first differing lines of Clippy's log after normalisation", () => {
    const clippy = job("fast-feedback").steps.find((s) => s.name === "Clippy");
    // "Checking ggen-lite v0.1.0 (<workspace>)" is the same on both sides once paths are normalised.
    expect(clippy?.log).toMatchObject({ ciLine: 2, localLine: 2, local: ["    Finished `dev` profile [unoptimized + debuginfo] target(s) in 3.71s"] });
    expect(clippy?.log?.ci[0]).toBe("error: variables can be used directly in the `format!` string");
    expect(clippy?.log?.ci[1]).toBe(" --> src/lib.rs:9:31");
  });

  it("reads each side's toolchains", () => {
    const tc = Object.fromEntries(job("fast-feedback").toolchains.map((t) => [t.tool, [t.ci, t.local]]));
    expect(tc["rustc"]).toEqual([["1.95.0"], ["1.85.1"]]);
    expect(tc["cargo"]).toEqual([["1.95.0"], ["1.85.1"]]);
    // The images are stated, not compared: they differ on every run by design.
    expect(tc["runner-image"]).toBeUndefined();
    expect(job("fast-feedback").images).toEqual({ ci: ["ubuntu-24.04 20251112.124.1"], local: ["replay-rust:9c41d2e07a5b"] });
  });

  it("sets runner bookkeeping aside instead of calling it missing", () => {
    for (const name of ["fast-feedback", "lint-strict"]) {
      expect(job(name).setAside).toEqual(["Set up job", "Post Run actions/checkout@v4", "Complete job"]);
      expect(job(name).steps.map((s) => s.name)).not.toContain("Set up job");
    }
    expect(report.verdicts.join("\n")).not.toMatch(/Set up job|Complete job|Post Run/);
  });

  it("lint-strict failed the same way on both sides: no verdict", () => {
    expect(job("lint-strict").verdicts).toEqual([]);
    expect(job("lint-strict").steps.map((s) => [s.name, s.ci?.result, s.local?.result, s.differs])).toEqual([
      ["Run actions/checkout@v4", "success", "success", false],
      ["No unwrap or expect in production code", "failure", "failure", false],
      ["No TODO or FIXME", "success", "success", false],
    ]);
  });

  it("has durations from both sides", () => {
    const clippy = job("fast-feedback").steps.find((s) => s.name === "Clippy");
    expect(clippy?.ci?.durationMs).toBe(123_000);
    expect(clippy?.local?.durationMs).toBeGreaterThan(3000);
    expect(job("fast-feedback").ci?.durationMs).toBe(150_000);
  });
});

// Small synthetic runs for each kind of verdict.
const ciJob = (steps: [string, string][], log?: string): CiJob => ({
  id: 1,
  name: "build",
  status: "completed",
  conclusion: steps.some(([, c]) => asResult(c) === "failure") ? "failure" : "success",
  steps: steps.map(([name, conclusion], i) => ({ name, conclusion, status: "completed", number: i + 1 })),
  ...(log === undefined ? {} : { log }),
});
const localJob = (steps: [string, string][], toolchains: Record<string, string[]> = {}): JobMeta => ({
  jobKey: "build",
  job: "build",
  workflow: "ci.yml",
  name: "build",
  matrix: null,
  result: steps.some(([, r]) => r === "failure") ? "failure" : "success",
  steps: steps.map(([name, result], index) => ({ index, name, result: result as "success" })),
  toolchains,
  cacheHits: [],
});
const meta = (job: JobMeta, sha = "abc1234"): RunMeta => ({ version: 1, sha, ref: "refs/heads/main", workflows: ["ci.yml"], jobs: [job], toolchains: job.toolchains });
const ci = (job: CiJob, headSha = "abc1234"): CiRun => ({ id: 9, source: "api", headSha, jobs: [job] });

describe("verdicts", () => {
  it.each<[string, CiRun, RunMeta, string[]]>([
    [
      "toolchain drift, from versions each side printed",
      ci(ciJob([["Set up job", "success"], ["Run actions/setup-node@v4", "success"], ["Run npm test", "failure"]], [
        "##[group]Run actions/setup-node@v4", "##[endgroup]", "Found in cache @ /opt/hostedtoolcache/node/18.20.8/x64",
        "##[group]Run npm test", "npm test", "##[endgroup]", "npm ERR! engine unsupported",
      ].join("\n"))),
      meta(localJob([["Run actions/setup-node@v4", "success"], ["Run npm test", "success"]], { node: ["20.19.5"] })),
      ["Run npm test: failed on CI (node 18.20.8), passed locally (node 20.19.5): toolchain drift"],
    ],
    [
      "the same commit and toolchains leave the logs to explain",
      ci(ciJob([["Run make", "failure"]])),
      meta(localJob([["Run make", "success"]])),
      ["Run make: failed on CI, passed locally: same commit and toolchains: see the log lines (environment, network or a flaky test)"],
    ],
    [
      "another commit with the same toolchains",
      ci(ciJob([["Run make", "success"]]), "def5678"),
      meta(localJob([["Run make", "failure"]])),
      ["Run make: passed on CI, failed locally: the commit differs"],
    ],
    [
      "skipped locally after an earlier local failure",
      ci(ciJob([["Lint", "success"], ["Test", "success"]])),
      meta(localJob([["Lint", "failure"], ["Test", "skipped"]])),
      [
        "Lint: passed on CI, failed locally: same commit and toolchains: see the log lines (environment, network or a flaky test)",
        "Test: passed on CI, skipped locally: the replay skipped it after Lint failed",
      ],
    ],
    [
      "skipped by its condition",
      ci(ciJob([["Deploy", "skipped"]])),
      meta(localJob([["Deploy", "success"]])),
      ["Deploy: skipped on CI, passed locally: its if: condition went the other way in CI"],
    ],
    [
      "a step only CI has (not bookkeeping)",
      ci(ciJob([["Build", "success"], ["Docs", "success"], ["Test", "success"]])),
      meta(localJob([["Build", "success"], ["Test", "success"]])),
      ["Docs: passed on CI, not in the replay: the replay has no such step"],
    ],
    [
      "a step only the replay has",
      ci(ciJob([["Build", "success"]])),
      meta(localJob([["Build", "success"], ["Bench", "success"]])),
      ["Bench: passed locally, not on CI: CI's run has no such step"],
    ],
    ["timed out on CI counts as failed", ci(ciJob([["Run x", "timed_out"]])), meta(localJob([["Run x", "failure"]])), []],
    [
      "a step the replay cannot run yet",
      ci(ciJob([["Run some/action@v1", "success"]])),
      meta(localJob([["Run some/action@v1", "failure"]])),
      ["Run some/action@v1: passed on CI, failed locally: replay cannot run this step yet (see its error below)"],
    ],
  ])("%s", (_what, ciRun, localMeta, expected) => {
    const stepLog = (): string[] => ["##[error]replay cannot run 'some/action@v1' yet: only its built-in actions are supported"];
    const report = diffRuns({ local: { meta: localMeta, stepLog: (_k, i) => (localMeta.jobs[0]?.steps[i]?.name === "Run some/action@v1" ? stepLog() : []) }, ci: ciRun });
    expect(report.verdicts).toEqual(expected);
  });

  it("a replayed job CI's run does not have is a difference; CI's jobs not replayed are listed", () => {
    const report = diffRuns({
      local: { meta: meta({ ...localJob([["Run x", "success"]]), name: "bench", job: "bench", jobKey: "bench" }), stepLog: () => [] },
      ci: ci({ ...ciJob([["Run x", "success"]]), name: "docs" }),
    });
    expect(report.verdicts).toEqual([expect.stringMatching(/^job bench: replayed \(passed\), but CI's run has no such job/)]);
    expect(report.notReplayed).toEqual(["docs"]);
  });
});
