import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runMetaOf } from "../../history/index.js";
import type { ReplayEvent } from "../../runners/index.js";
import { debugFlags, debugTargetOf, findDebugTarget } from "./debug-command.js";

const at = "2025-06-01T12:00:00.000Z";

/** The events of a replay in which `failing` (a job key) failed at its step 1, "Test". */
function replayEvents(o: { runId: string; workflows?: string[]; failing?: { jobKey: string; job: string; matrix: Record<string, string | number> | null } }): ReplayEvent[] {
  const workflows = o.workflows ?? [".github/workflows/ci.yml"];
  const events: ReplayEvent[] = [{ type: "run.started", at, runId: o.runId, event: "pull_request", sha: "abc", ref: "refs/heads/main", workflows }];
  const ok = { jobKey: "lint", job: "lint", workflow: ".github/workflows/ci.yml", name: "lint", matrix: null };
  events.push({ type: "job.started", at, ...ok, image: "i" }, { type: "job.completed", at, ...ok, result: "success", outputs: {}, durationMs: 1 });
  if (o.failing) {
    const j = { ...o.failing, workflow: ".github/workflows/ci.yml", name: o.failing.jobKey };
    events.push(
      { type: "job.started", at, ...j, image: "i" },
      { type: "step.started", at, jobKey: j.jobKey, step: 0, name: "Install" },
      { type: "step.completed", at, jobKey: j.jobKey, step: 0, name: "Install", result: "success", outcome: "success", durationMs: 1 },
      { type: "step.started", at, jobKey: j.jobKey, step: 1, name: "Test" },
      { type: "step.completed", at, jobKey: j.jobKey, step: 1, name: "Test", result: "failure", outcome: "failure", durationMs: 1 },
      { type: "step.started", at, jobKey: j.jobKey, step: 2, name: "Also fails" },
      { type: "step.completed", at, jobKey: j.jobKey, step: 2, name: "Also fails", result: "failure", outcome: "failure", durationMs: 1 },
      { type: "job.completed", at, ...j, result: "failure", outputs: {}, durationMs: 1 },
    );
  }
  events.push({ type: "run.completed", at, runId: o.runId, result: o.failing ? "failure" : "success", exitCode: o.failing ? 1 : 0, durationMs: 5 });
  return events;
}

describe("debugTargetOf", () => {
  it("replays the failed cell with the run's event, stopping at its first failed step, in that cell only", () => {
    const t = debugTargetOf("11", runMetaOf(replayEvents({ runId: "11", failing: { jobKey: "test (node=20, os=linux)", job: "test", matrix: { node: 20, os: "linux" } } })));
    expect(t).toMatchObject({
      job: "test",
      workflow: ".github/workflows/ci.yml",
      event: "pull_request",
      matrix: ["node=20", "os=linux"],
      breakAt: { kind: "name", name: "Test", jobKey: "test (node=20, os=linux)" },
    });
    expect(t?.description).toBe("replay debug: job test (node=20, os=linux) of replay 11 (pull_request), stopping before “Test”, the step that failed");
  });

  it("a replay of several workflows named its jobs with the file: the debug replay of one will not", () => {
    const meta = runMetaOf(replayEvents({ runId: "12", workflows: [".github/workflows/ci.yml", ".github/workflows/other.yml"], failing: { jobKey: "ci.yml/test", job: "test", matrix: null } }));
    expect(debugTargetOf("12", meta)?.breakAt).toEqual({ kind: "name", name: "Test", jobKey: "test" });
  });

  it("a job of a called workflow is replayed through the job that calls it", () => {
    const meta = runMetaOf(replayEvents({ runId: "13", failing: { jobKey: "call/test", job: "call/test", matrix: null } }));
    expect(debugTargetOf("13", meta)).toMatchObject({ job: "call", breakAt: { jobKey: "call/test" } });
  });

  it("nothing failed: nothing to debug", () => {
    expect(debugTargetOf("14", runMetaOf(replayEvents({ runId: "14" })))).toBeUndefined();
  });
});

describe("findDebugTarget", () => {
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });

  async function repoWith(runs: ReplayEvent[][]): Promise<string> {
    const dir = await mkdtemp(path.join(os.tmpdir(), "replay-debug-test-"));
    dirs.push(dir);
    for (const events of runs) {
      const runId = (events[0] as { runId: string }).runId;
      const runDir = path.join(dir, ".replay", "runs", runId);
      await mkdir(runDir, { recursive: true });
      await writeFile(path.join(runDir, "events.jsonl"), events.map((e) => JSON.stringify(e)).join("\n") + "\n");
    }
    return dir;
  }

  it("--last-failed takes the newest replay with a failed step; a run id takes that replay", async () => {
    const failing = { jobKey: "test", job: "test", matrix: null };
    const dir = await repoWith([replayEvents({ runId: "100", failing }), replayEvents({ runId: "200", failing }), replayEvents({ runId: "300" })]);
    expect((await findDebugTarget(dir, { lastFailed: true })).runId).toBe("200");
    expect((await findDebugTarget(dir, { runId: "100", lastFailed: false })).runId).toBe("100");
    await expect(findDebugTarget(dir, { lastFailed: false })).rejects.toThrow("replay 300 has no failed step");
    await expect(findDebugTarget(dir, { runId: "100", lastFailed: true })).rejects.toThrow("not both");
  });

  it("says so when nothing is recorded or nothing failed", async () => {
    const empty = await repoWith([]);
    await expect(findDebugTarget(empty, { lastFailed: true })).rejects.toThrow("no replay is recorded yet");
    const green = await repoWith([replayEvents({ runId: "1" })]);
    await expect(findDebugTarget(green, { lastFailed: true })).rejects.toThrow("none of the 1 recorded replays has a failed step");
  });
});

describe("debugFlags", () => {
  it("takes the recorded event, cell and workflow unless given on the command line", () => {
    const t = debugTargetOf("11", runMetaOf(replayEvents({ runId: "11", failing: { jobKey: "test (node=20)", job: "test", matrix: { node: 20 } } })));
    if (!t) throw new Error("no target");
    const flags = { event: "push", matrix: [] as string[], json: false, breakOnFailure: false };
    // A step that fails again pauses there as well.
    expect(debugFlags(flags, t, () => false)).toEqual({ event: "pull_request", matrix: ["node=20"], workflow: ".github/workflows/ci.yml", json: false, breakOnFailure: true });
    expect(debugFlags({ ...flags, event: "push" }, t, (o) => o === "event")).toMatchObject({ event: "push", matrix: ["node=20"] });
  });
});
