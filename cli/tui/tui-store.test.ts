import { afterEach, describe, expect, it, vi } from "vitest";
import { logKey, TuiStore } from "./tui-store.js";
import { matrixRun, stamp } from "./testing/fixtures.js";

afterEach(() => {
  vi.useRealTimers();
});

describe("TuiStore", () => {
  it("applies events in batches of about 50 ms, notifying once per batch", () => {
    vi.useFakeTimers();
    const store = new TuiStore();
    const seen: number[] = [];
    store.subscribe(() => seen.push(store.getSnapshot().version));
    for (let i = 0; i < 500; i++) store.push(stamp([{ type: "step.output", jobKey: "t", step: 0, line: `line ${i}` }])[0]!);
    expect(store.getSnapshot().logs.get(logKey("t", 0))).toBeUndefined();
    vi.advanceTimersByTime(49);
    expect(seen).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(seen).toHaveLength(1);
    expect(store.getSnapshot().logs.get(logKey("t", 0))).toHaveLength(500);
    store.close();
  });

  it("keeps the run state from the reducer, each step's lines, and finished jobs to print once", () => {
    const store = new TuiStore();
    for (const e of stamp(matrixRun)) store.push(e);
    store.push(stamp([{ type: "notice", level: "warning", message: "image replay-runner is old" }])[0]!);
    store.push(stamp([{ type: "notice", level: "info", message: "image runner: step 3/9" }])[0]!);
    store.push(stamp([{ type: "notice", level: "info", message: "kept the failed job's container", jobKey: "build (node=20)" }])[0]!);
    store.push(stamp([{ type: "job.summary", jobKey: "build (node=18)", markdown: "# Results\n- 12 passed" }])[0]!);
    store.flush();
    const s = store.getSnapshot();
    expect(s.run.jobs.map((j) => [j.name, j.status])).toEqual([
      ["build (18)", "running"],
      ["build (20)", "failure"],
    ]);
    expect(s.run.jobs[0]?.summary).toBe("# Results\n- 12 passed");
    expect(s.logs.get(logKey("build (node=18)", 0))).toEqual(["added 12 packages"]);
    expect(s.finished.slice(0, 2)).toEqual([
      { id: "job:build (node=20)", kind: "job", name: "build (20)", result: "failure", durationMs: 3000, failedSteps: ["Install"], annotations: 1 },
      { id: "notice:1", kind: "note", text: "image replay-runner is old", level: "warning" },
    ]);
    expect(s.finished.at(-1)).toMatchObject({ kind: "note", level: "info", text: "kept the failed job's container" });
    expect(s.lastNotice).toBe("image runner: step 3/9");
    store.close();
  });
});
