import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import type { JobResult, ReplayEvent, RunResult } from "../../runners/index.js";
import { PlainReporter } from "./plain-reporter.js";

const at = "2026-01-01T00:00:00.000Z";
const started: ReplayEvent = { type: "job.started", at, jobKey: "build", job: "build", workflow: "ci.yml", name: "build", matrix: null, image: "img" };

function render(events: ReplayEvent[]): string {
  const out = new PassThrough();
  let text = "";
  out.on("data", (d: Buffer) => (text += d.toString()));
  const r = new PlainReporter(out, new PassThrough());
  for (const e of events) r.onEvent(e);
  return text;
}

describe("PlainReporter", () => {
  it.each<[string, string, string[]]>([
    ["one line", "hello", ["[build]   | hello"]],
    ["a multi-line ::error keeps the prefix on every line", "##[error]first\nsecond\r\nthird", ["[build]   | ##[error]first", "[build]   | second", "[build]   | third"]],
  ])("step output: %s", (_name, line, expected) => {
    const text = render([started, { type: "step.output", at, jobKey: "build", step: 0, line }]);
    expect(text.split("\n").filter((l) => l.includes("|"))).toEqual(expected);
  });

  it("lists the jobs not replayed in the summary, with the --image hint", () => {
    const text = render([
      { type: "job.completed", at, jobKey: "test (macos)", job: "test", workflow: "ci.yml", name: "test (macos)", matrix: null, result: "not-replayed", outputs: {}, durationMs: 0, reason: "not replayed here: macOS runner ('macos-14')", runner: "macos-14" },
      { type: "run.completed", at, runId: "r", result: "success", exitCode: 0, durationMs: 10 },
    ]);
    expect(text).toContain("[test (macos)] job not-replayed: not replayed here: macOS runner ('macos-14')");
    expect(text).toContain("1 job(s), 0 failed, 1 not replayed, in 10ms");
    expect(text).toContain("hint: 1 job(s) not replayed (they need a macOS or Windows runner); --image macos-14=<image> runs them in a Linux image anyway, --strict fails them");
  });

  it("marks a job that ran smaller than its runner size degraded in the summary, with why", () => {
    const degraded = "this host has 2 CPUs and 24 GB: the job runs with 2 of its 4 CPUs";
    const runnerSize = { label: "ubuntu-latest", cpus: 4, memoryBytes: 16 * 1024 ** 3, appliedCpus: 2, appliedMemoryBytes: 16 * 1024 ** 3, degraded };
    const text = render([
      started,
      { type: "notice", at, level: "warning", jobKey: "build", message: "runner size degraded: …", runnerSize },
      { type: "job.completed", at, jobKey: "build", job: "build", workflow: "ci.yml", name: "build", matrix: null, result: "success", outputs: {}, durationMs: 1000 },
      { type: "run.completed", at, runId: "r", result: "success", exitCode: 0, durationMs: 1000 },
    ]);
    expect(text).toMatch(/^build {2}success \(degraded\) {2}1\.0s$/m);
    expect(text).toContain(`degraded: build: ${degraded}`);
  });
});

const job = (jobKey: string, result: JobResult): ReplayEvent => ({ type: "job.completed", at, jobKey, job: jobKey, workflow: "ci.yml", name: jobKey, matrix: null, result, outputs: {}, durationMs: 1000 });

function summaryOf(events: ReplayEvent[]): string {
  const out = new PassThrough();
  let text = "";
  out.on("data", (d: Buffer) => (text += d.toString()));
  const reporter = new PlainReporter(out, new PassThrough());
  for (const e of events) reporter.onEvent(e);
  return text.trim().split("\n").at(-1) ?? "";
}

describe("the plain reporter's summary", () => {
  it.each<{ label: string; jobs: [string, JobResult][]; result: RunResult; expected: string }>([
    { label: "a run that succeeded", jobs: [["a", "success"]], result: "success", expected: "1 job(s), 0 failed, in 2.0s" },
    { label: "a run that failed", jobs: [["a", "failure"], ["b", "success"]], result: "failure", expected: "2 job(s), 1 failed, in 2.0s" },
    { label: "a cancelled run", jobs: [["a", "success"], ["b", "cancelled"]], result: "cancelled", expected: "2 job(s), cancelled after 2.0s" },
    { label: "a run cancelled after a failure", jobs: [["a", "failure"], ["b", "cancelled"]], result: "cancelled", expected: "2 job(s), 1 failed, cancelled after 2.0s" },
  ])("$label", ({ jobs, result, expected }) => {
    const events = [...jobs.map(([k, r]) => job(k, r)), { type: "run.completed", at, runId: "1", result, exitCode: 130, durationMs: 2000 } satisfies ReplayEvent];
    expect(summaryOf(events)).toBe(expected);
  });
});
