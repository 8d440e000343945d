// Event streams for TUI tests, reduced by the one reducer every consumer uses.
import { initialRunState, reduceRunState } from "../../../runners/index.js";
import type { EventInput, ReplayEvent, RunState, StepPoint } from "../../../runners/index.js";

const T0 = Date.parse("2024-05-01T10:00:00.000Z");

/** Stamps events one second apart from T0 (or at `atMs` when the event says so). */
export function stamp(events: (EventInput & { atMs?: number })[]): ReplayEvent[] {
  return events.map((e, i) => {
    const { atMs, ...rest } = e;
    return { ...rest, at: new Date(T0 + (atMs ?? i * 1000)).toISOString() } as ReplayEvent;
  });
}

export function runOf(events: (EventInput & { atMs?: number })[]): RunState {
  return stamp(events).reduce(reduceRunState, initialRunState);
}

export const at = (ms: number): number => T0 + ms;

export function point(jobKey: string, step: number, name: string): StepPoint {
  return { jobKey, step, name, shell: { containerId: "c0ffee", user: "runner", workdir: "/home/runner/work/demo/demo", env: { RUNNER_OS: "Linux" } } };
}

/** A workflow with a matrix job of two cells (one running, one done) and a job still to come. */
export const matrixRun: (EventInput & { atMs?: number })[] = [
  { type: "run.started", runId: "42", event: "push", sha: "a".repeat(40), ref: "refs/heads/main", workflows: [".github/workflows/ci.yml"], atMs: 0 },
  { type: "job.started", jobKey: "build (node=18)", job: "build", workflow: ".github/workflows/ci.yml", name: "build (18)", matrix: { node: 18 }, image: "replay-runner", atMs: 0 },
  { type: "job.started", jobKey: "build (node=20)", job: "build", workflow: ".github/workflows/ci.yml", name: "build (20)", matrix: { node: 20 }, image: "replay-runner", atMs: 0 },
  { type: "step.started", jobKey: "build (node=18)", step: 0, name: "Install", atMs: 1000 },
  { type: "step.output", jobKey: "build (node=18)", step: 0, line: "added 12 packages", atMs: 1500 },
  { type: "step.completed", jobKey: "build (node=18)", step: 0, name: "Install", result: "success", outcome: "success", durationMs: 2000, atMs: 3000 },
  { type: "step.started", jobKey: "build (node=18)", step: 1, name: "Test", atMs: 3000 },
  { type: "step.started", jobKey: "build (node=20)", step: 0, name: "Install", atMs: 1000 },
  { type: "step.completed", jobKey: "build (node=20)", step: 0, name: "Install", result: "failure", outcome: "failure", durationMs: 1500, atMs: 2500 },
  { type: "step.annotation", jobKey: "build (node=20)", step: 0, level: "error", message: "Cannot find module 'x'", file: "src/app.ts", line: 12, col: 5, atMs: 2500 },
  { type: "job.completed", jobKey: "build (node=20)", job: "build", workflow: ".github/workflows/ci.yml", name: "build (20)", matrix: { node: 20 }, result: "failure", outputs: {}, durationMs: 3000, atMs: 3000 },
];
