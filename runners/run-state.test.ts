import { describe, expect, it } from "vitest";
import type { Value } from "../workflows/index.js";
import type { ReplayEvent } from "./events.js";
import type { RunState } from "./run-state.js";
import { initialRunState, reduceRunState } from "./run-state.js";

const at = "2025-06-01T12:00:00.000Z";
interface JobIdentity {
  jobKey: string;
  job: string;
  workflow: string;
  name: string;
  matrix: Record<string, Value> | null;
}

const job: JobIdentity = { jobKey: "ci.yml#build", job: "build", workflow: "ci.yml", name: "build", matrix: null };

const ev = {
  runStarted: (): ReplayEvent => ({ type: "run.started", at, runId: "r1", event: "push", sha: "abc123", ref: "refs/heads/main", workflows: ["ci.yml"] }),
  jobStarted: (j: JobIdentity = job): ReplayEvent => ({ type: "job.started", at, ...j, image: "replay/node:20" }),
  stepStarted: (step: number, name: string, jobKey = job.jobKey): ReplayEvent => ({ type: "step.started", at, jobKey, step, name }),
  output: (step: number, line: string): ReplayEvent => ({ type: "step.output", at, jobKey: job.jobKey, step, line }),
  stepCompleted: (step: number, name: string, result: "success" | "failure" | "skipped", outcome = result): ReplayEvent => ({
    type: "step.completed",
    at,
    jobKey: job.jobKey,
    step,
    name,
    result,
    outcome,
    durationMs: 5,
  }),
  jobCompleted: (result: "success" | "failure" | "skipped" | "cancelled", j: JobIdentity = job, extra: { reason?: string; outputs?: Record<string, string> } = {}): ReplayEvent => ({
    type: "job.completed",
    at,
    ...j,
    result,
    outputs: extra.outputs ?? {},
    durationMs: 100,
    ...(extra.reason === undefined ? {} : { reason: extra.reason }),
  }),
  runCompleted: (result: "success" | "failure", exitCode: number): ReplayEvent => ({ type: "run.completed", at, runId: "r1", result, exitCode, durationMs: 1000 }),
};

const testCell: JobIdentity = { jobKey: "ci.yml#test", job: "test", workflow: "ci.yml", name: "test (20)", matrix: { node: 20 } };
const deploy: JobIdentity = { jobKey: "ci.yml#deploy", job: "deploy", workflow: "ci.yml", name: "deploy", matrix: null };

const reduce = (events: ReplayEvent[]): RunState => events.reduce(reduceRunState, initialRunState);

describe("reduceRunState", () => {
  it.each<[string, ReplayEvent[], object]>([
    ["nothing yet", [], { status: "pending", jobs: [], notices: [] }],
    ["a run that started", [ev.runStarted()], { status: "running", runId: "r1", event: "push", sha: "abc123", ref: "refs/heads/main", jobs: [] }],
    [
      "a job that started",
      [ev.runStarted(), ev.jobStarted()],
      { jobs: [{ ...job, image: "replay/node:20", status: "running", steps: [], outputs: {}, annotations: [], startedAt: at }] },
    ],
    [
      "a running step",
      [ev.jobStarted(), ev.stepStarted(0, "Checkout")],
      { jobs: [{ status: "running", steps: [{ index: 0, name: "Checkout", status: "running", startedAt: at, lineCount: 0 }] }] },
    ],
    [
      "output lines are counted per step",
      [ev.jobStarted(), ev.stepStarted(0, "a"), ev.output(0, "1"), ev.output(0, "2"), ev.stepStarted(1, "b"), ev.output(1, "3")],
      { jobs: [{ steps: [{ index: 0, lineCount: 2 }, { index: 1, lineCount: 1 }] }] },
    ],
    [
      "step results",
      [
        ev.jobStarted(),
        ev.stepStarted(0, "Build"),
        ev.stepCompleted(0, "Build", "success"),
        ev.stepStarted(1, "Lint"),
        ev.stepCompleted(1, "Lint", "failure"),
        ev.stepCompleted(2, "Deploy", "skipped"),
      ],
      {
        jobs: [
          {
            steps: [
              { index: 0, name: "Build", status: "success", outcome: "success", durationMs: 5 },
              { index: 1, name: "Lint", status: "failure", outcome: "failure" },
              { index: 2, name: "Deploy", status: "skipped", lineCount: 0 },
            ],
          },
        ],
      },
    ],
    [
      "continue-on-error: the conclusion succeeds, the outcome keeps the failure",
      [ev.jobStarted(), ev.stepStarted(0, "Flaky"), ev.stepCompleted(0, "Flaky", "success", "failure")],
      { jobs: [{ steps: [{ status: "success", outcome: "failure" }] }] },
    ],
    [
      "a step's final name replaces the one it started with",
      [ev.jobStarted(), ev.stepStarted(0, "Run ${{ matrix.node }}"), ev.stepCompleted(0, "Run 20", "success")],
      { jobs: [{ steps: [{ name: "Run 20" }] }] },
    ],
    [
      "annotations are collected in order, with where they point",
      [
        ev.jobStarted(),
        ev.stepStarted(0, "Lint"),
        { type: "step.annotation", at, jobKey: job.jobKey, step: 0, level: "error", message: "bad", file: "a.ts", line: 3, col: 5, title: "T" },
        { type: "step.annotation", at, jobKey: job.jobKey, step: 0, level: "warning", message: "meh" },
      ],
      {
        jobs: [
          {
            annotations: [
              { at, step: 0, level: "error", message: "bad", file: "a.ts", line: 3, col: 5, title: "T" },
              { at, step: 0, level: "warning", message: "meh" },
            ],
          },
        ],
      },
    ],
    [
      "a completed job has its result, outputs and duration",
      [ev.jobStarted(), ev.jobCompleted("success", job, { outputs: { version: "1.2.3" } })],
      { jobs: [{ status: "success", outputs: { version: "1.2.3" }, durationMs: 100, image: "replay/node:20", startedAt: at }] },
    ],
    [
      "a job that never started but completed as skipped appears, skipped",
      [ev.jobStarted(), ev.jobCompleted("failure"), ev.jobCompleted("skipped", deploy, { reason: "needs build, which failed" })],
      {
        jobs: [
          { jobKey: job.jobKey, status: "failure" },
          { ...deploy, status: "skipped", steps: [], outputs: {}, annotations: [], reason: "needs build, which failed" },
        ],
      },
    ],
    [
      "jobs stay in the order they first appeared",
      [ev.jobStarted(job), ev.jobStarted(testCell), ev.jobCompleted("success", testCell), ev.jobCompleted("success", job)],
      { jobs: [{ jobKey: job.jobKey }, { jobKey: testCell.jobKey, name: "test (20)", matrix: { node: 20 } }] },
    ],
    [
      "step events reach only their own job",
      [ev.jobStarted(job), ev.jobStarted(testCell), ev.stepStarted(0, "only in test", testCell.jobKey)],
      { jobs: [{ jobKey: job.jobKey, steps: [] }, { jobKey: testCell.jobKey, steps: [{ name: "only in test" }] }] },
    ],
    [
      "run.completed",
      [ev.runStarted(), ev.jobStarted(), ev.jobCompleted("failure"), ev.runCompleted("failure", 1)],
      { status: "failure", exitCode: 1, durationMs: 1000, jobs: [{ status: "failure" }] },
    ],
    [
      "an error with its hint",
      [{ type: "error", at, message: "docker is not running", hint: "start it" }],
      { error: { message: "docker is not running", hint: "start it" } },
    ],
    [
      "the job's step summary, once it ends",
      [ev.jobStarted(), { type: "job.summary", at, jobKey: job.jobKey, markdown: "## Tests\n- 3 passed" }, ev.jobCompleted("success")],
      { jobs: [{ status: "success", summary: "## Tests\n- 3 passed" }] },
    ],
    [
      "notices in order",
      [
        { type: "notice", at, level: "info", message: "building image" },
        { type: "notice", at, level: "warning", message: "slow" },
      ],
      { notices: ["building image", "slow"] },
    ],
  ])("%s", (_name, events, expected) => {
    expect(reduce(events)).toMatchObject(expected);
  });

  it("an error without a hint has no hint key", () => {
    expect(reduce([{ type: "error", at, message: "no" }]).error).toEqual({ message: "no" });
  });

  it("leaves the state it was given as it was", () => {
    const before = reduce([ev.runStarted(), ev.jobStarted(), ev.stepStarted(0, "a")]);
    const snapshot = structuredClone(before);
    const after = [ev.output(0, "x"), ev.stepCompleted(0, "a", "success"), ev.jobCompleted("success"), ev.runCompleted("success", 0)].reduce(
      reduceRunState,
      before,
    );
    expect(before).toEqual(snapshot);
    expect(after.jobs[0]?.steps[0]).toMatchObject({ status: "success", lineCount: 1 });
  });
});
