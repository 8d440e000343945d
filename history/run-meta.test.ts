import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { initialRunState, reduceRunState, toPublicEvent } from "../runners/index.js";
import type { ReplayEvent } from "../runners/index.js";
import { runMetaOf } from "./run-meta.js";
import { readRunRecord } from "./run-reader.js";

const at = (s: number): string => new Date(Date.UTC(2026, 11, 7, 12, 0, s)).toISOString();

const events: ReplayEvent[] = [
  { type: "run.started", at: at(0), runId: "7", event: "push", sha: "abc", ref: "refs/heads/main", workflows: ["ci.yml"] },
  { type: "job.started", at: at(1), jobKey: "test", job: "test", workflow: "ci.yml", name: "test", matrix: null, image: "replay-runner:1" },
  { type: "step.started", at: at(2), jobKey: "test", step: 0, name: "Set up node" },
  { type: "step.output", at: at(2), jobKey: "test", step: 0, line: "node v22.11.0" },
  { type: "step.completed", at: at(3), jobKey: "test", step: 0, name: "Set up node", result: "success", outcome: "success", durationMs: 900 },
  { type: "step.started", at: at(3), jobKey: "test", step: 1, name: "npm test" },
  { type: "job.completed", at: at(5), jobKey: "test", job: "test", workflow: "ci.yml", name: "test", matrix: null, result: "failure", outputs: {}, durationMs: 4000 },
  { type: "job.completed", at: at(5), jobKey: "deploy", job: "deploy", workflow: "ci.yml", name: "deploy", matrix: null, result: "skipped", outputs: {}, durationMs: 0, reason: "a job it needs did not succeed" },
  { type: "run.completed", at: at(6), runId: "7", result: "failure", exitCode: 1, durationMs: 6000 },
];

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("the run's meta", () => {
  it("is the reducer's state of the run, with the toolchains the output showed", () => {
    const state = events.reduce(reduceRunState, initialRunState);
    const meta = runMetaOf(events);
    expect(meta).toMatchObject({ version: 1, runId: "7", sha: "abc", workflows: ["ci.yml"], startedAt: at(0), completedAt: at(6), result: "failure", exitCode: 1, durationMs: 6000 });
    expect(meta.jobs.map((j) => [j.jobKey, j.result, j.durationMs])).toEqual(state.jobs.map((j) => [j.jobKey, j.status, j.durationMs]));
    const [test, deploy] = meta.jobs;
    // A step that never completed has no result; one that did has the reducer's.
    expect(test?.steps).toEqual([
      { index: 0, name: "Set up node", result: "success", outcome: "success", startedAt: at(2), durationMs: 900 },
      { index: 1, name: "npm test", startedAt: at(3) },
    ]);
    expect(test?.toolchains["node"]).toEqual(["22.11.0"]);
    expect(test?.toolchains["runner-image"]).toEqual(["replay-runner:1"]);
    expect(deploy).toMatchObject({ jobKey: "deploy", result: "skipped", reason: "a job it needs did not succeed", steps: [] });
    expect(deploy).not.toHaveProperty("startedAt");
  });

  it("is read back from a record's events, each checked against the public contract, naming the line that is not one", async () => {
    const repo = mkdtempSync(path.join(os.tmpdir(), "replay-meta-test-"));
    dirs.push(repo);
    const dir = path.join(repo, ".replay", "runs", "7");
    mkdirSync(dir, { recursive: true });
    const lines = events.map((e) => JSON.stringify(toPublicEvent(e)));
    writeFileSync(path.join(dir, "events.jsonl"), `${lines.join("\n")}\n`);
    const run = await readRunRecord(repo, "7");
    expect(run.meta).toEqual(runMetaOf(events));
    expect(run.stepLog("test", 0)).toEqual(["node v22.11.0"]);

    lines[3] = JSON.stringify({ ...JSON.parse(lines[3] ?? "{}"), version: 2 });
    writeFileSync(path.join(dir, "events.jsonl"), `${lines.join("\n")}\n`);
    await expect(readRunRecord(repo, "7")).rejects.toThrow(/events\.jsonl:4: an event of version 2, written by a newer replay/);
  });
});
