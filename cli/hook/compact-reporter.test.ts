import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import type { EventInput, ReplayEvent } from "../../runners/index.js";
import { CompactReporter, TAIL_LINES } from "./compact-reporter.js";

function run(events: EventInput[]): string {
  const out = new PassThrough();
  let text = "";
  out.on("data", (d: Buffer) => (text += d.toString()));
  const r = new CompactReporter(out);
  for (const e of events) r.onEvent({ ...e, at: "2024-01-01T00:00:00.000Z" } as ReplayEvent);
  return text;
}

const job = (jobKey: string): { jobKey: string; job: string; workflow: string; name: string; matrix: null } => ({ jobKey, job: jobKey, workflow: "ci.yml", name: jobKey, matrix: null });

describe("CompactReporter", () => {
  it("one line per job; under a failed one, the failing step's last lines only", () => {
    const lines = Array.from({ length: 40 }, (_, i) => ({ type: "step.output" as const, jobKey: "test", step: 1, line: `line ${i}` }));
    const text = run([
      { type: "job.started", ...job("lint"), image: "i" },
      { type: "step.started", jobKey: "lint", step: 0, name: "Lint" },
      { type: "step.output", jobKey: "lint", step: 0, line: "all good" },
      { type: "step.completed", jobKey: "lint", step: 0, name: "Lint", result: "success", outcome: "success", durationMs: 5 },
      { type: "job.completed", ...job("lint"), result: "success", outputs: {}, durationMs: 1200 },
      { type: "job.started", ...job("test"), image: "i" },
      { type: "step.output", jobKey: "test", step: 0, line: "setup noise" },
      { type: "step.completed", jobKey: "test", step: 0, name: "Setup", result: "success", outcome: "success", durationMs: 5 },
      ...lines,
      { type: "step.completed", jobKey: "test", step: 1, name: "Run tests", result: "failure", outcome: "failure", durationMs: 5 },
      { type: "job.completed", ...job("test"), result: "failure", outputs: {}, durationMs: 3400 },
      { type: "job.completed", ...job("after"), result: "skipped", outputs: {}, durationMs: 0, reason: "a needed job failed" },
    ]);
    expect(text).toContain("✓ lint (1.2s)\n");
    expect(text).toContain("✗ test (3.4s) — step 'Run tests' failed\n");
    expect(text).toContain("- after (0ms) — a needed job failed\n");
    expect(text).not.toContain("all good");
    expect(text).not.toContain("setup noise");
    expect(text).not.toContain("| line 24\n");
    for (let i = 40 - TAIL_LINES; i < 40; i++) expect(text).toContain(`| line ${i}\n`);
  });
});
