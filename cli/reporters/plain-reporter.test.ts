import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import type { JobResult, ReplayEvent } from "../../runners/index.js";
import { PlainReporter } from "./plain-reporter.js";

const at = "2026-01-01T00:00:00.000Z";
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
  it.each<{ label: string; jobs: [string, JobResult][]; result: JobResult; expected: string }>([
    { label: "a run that succeeded", jobs: [["a", "success"]], result: "success", expected: "1 job(s), 0 failed, in 2.0s" },
    { label: "a run that failed", jobs: [["a", "failure"], ["b", "success"]], result: "failure", expected: "2 job(s), 1 failed, in 2.0s" },
    { label: "a cancelled run", jobs: [["a", "success"], ["b", "cancelled"]], result: "cancelled", expected: "2 job(s), cancelled after 2.0s" },
    { label: "a run cancelled after a failure", jobs: [["a", "failure"], ["b", "cancelled"]], result: "cancelled", expected: "2 job(s), 1 failed, cancelled after 2.0s" },
  ])("$label", ({ jobs, result, expected }) => {
    const events = [...jobs.map(([k, r]) => job(k, r)), { type: "run.completed", at, runId: "1", result, exitCode: 130, durationMs: 2000 } satisfies ReplayEvent];
    expect(summaryOf(events)).toBe(expected);
  });
});
