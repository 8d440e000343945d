import { describe, expect, it } from "vitest";
import { StepController } from "../stepping/index.js";
import type { PlannedSteps } from "./planned-steps.js";
import { plannedKey } from "./planned-steps.js";
import { at, matrixRun, point, runOf } from "./testing/fixtures.js";
import { autoSelection, logStepOf, moveSelection, nextActiveJob, treeRows, visibleRows } from "./tree-model.js";
import type { Selection, TreeRow } from "./tree-model.js";

const planned: PlannedSteps = new Map([
  [plannedKey(".github/workflows/ci.yml", "build"), { workflow: ".github/workflows/ci.yml", job: "build", steps: [{ index: 0, name: "Install" }, { index: 1, name: "Test" }, { index: 2, name: "Lint" }] }],
  [plannedKey(".github/workflows/ci.yml", "deploy"), { workflow: ".github/workflows/ci.yml", job: "deploy", steps: [{ index: 0, name: "Ship" }] }],
]);

/** A row as one short line: `job ▸status name 1.0s`, for whole-tree comparisons. */
function show(r: TreeRow): string {
  if (r.kind === "workflow") return `wf ${r.text}`;
  const d = r.durationMs === undefined ? "" : ` ${r.durationMs}ms`;
  const sel = r.selected ? "*" : "";
  if (r.kind === "job") return `${sel}job ${r.status} ${r.name}${d}${r.stepping ? " stepping" : ""}`;
  return `${sel}  step ${r.status} ${r.name}${d}${r.breakpoint ? " bp" : ""}${r.failedPause ? " failed-pause" : ""}`;
}

describe("treeRows", () => {
  const run = runOf(matrixRun);
  const stepping = new StepController().getSnapshot();

  it("lists the workflow, every cell with its status and duration, the steps of running cells (planned ones too), and jobs still to come", () => {
    const rows = treeRows({ run, planned, stepping, selection: undefined, now: at(5000) });
    expect(rows.map(show)).toEqual([
      "wf ci.yml",
      "job running build (18) 5000ms",
      "  step success Install 2000ms",
      "  step running Test 2000ms",
      "  step planned Lint",
      "job failure build (20) 3000ms",
      "job pending deploy",
    ]);
  });

  it("expands a finished cell when it is selected, marking the selected step", () => {
    const rows = treeRows({ run, planned, stepping, selection: { jobKey: "build (node=20)", step: 0 }, now: at(5000) });
    expect(rows.map(show).slice(5)).toEqual(["job failure build (20) 3000ms", "*  step failure Install 1500ms", "job pending deploy"]);
  });

  it("shows paused steps, a failed step waiting, breakpoints and stepping jobs", async () => {
    const control = new StepController({ step: true, breakOnFailure: true });
    void control.beforeStep(point("build (node=18)", 1, "Test"));
    control.toggleBreakpoint("build (node=18)", 2);
    const rows = treeRows({ run, planned, stepping: control.getSnapshot(), selection: undefined, now: at(5000) });
    expect(rows.map(show).slice(1, 5)).toEqual([
      "job paused build (18) 5000ms stepping",
      "  step success Install 2000ms",
      // Announced but not run yet: no duration.
      "  step paused Test",
      "  step planned Lint bp",
    ]);
    control.quit();

    const failing = new StepController({ breakOnFailure: true });
    void failing.afterFailure(point("build (node=18)", 1, "Test"));
    const failedRows = treeRows({ run, planned, stepping: failing.getSnapshot(), selection: undefined, now: at(5000) });
    expect(failedRows.map(show)[3]).toBe("  step failure Test 2000ms failed-pause");
    failing.quit();
  });
});

describe("a pause seen before its step's events are drawn", () => {
  it("marks the planned step paused, with the name the engine gave it", () => {
    const run = runOf(matrixRun.slice(0, 6));
    const control = new StepController({ step: true });
    void control.beforeStep(point("build (node=18)", 1, "Test (node 18)"));
    const stepping = control.getSnapshot();
    const rows = treeRows({ run, planned, stepping, selection: undefined, now: at(5000) });
    expect(rows.map(show).slice(2, 5)).toEqual(["  step success Install 2000ms", "  step paused Test (node 18)", "  step planned Lint"]);
    expect(logStepOf(run, stepping, { jobKey: "build (node=18)", step: 1 })).toEqual({ jobKey: "build (node=18)", step: 1, name: "Test (node 18)" });
    control.quit();
  });
});

describe("selection", () => {
  const run = runOf(matrixRun);
  const stepping = new StepController().getSnapshot();
  const rows = (selection: Selection | undefined): TreeRow[] => treeRows({ run, planned, stepping, selection, now: at(5000) });

  it.each<{ label: string; from: Selection | undefined; delta: number; to: Selection | undefined }>([
    { label: "down from a job row into its first step", from: { jobKey: "build (node=18)" }, delta: 1, to: { jobKey: "build (node=18)", step: 0 } },
    { label: "down from the last step to the next cell", from: { jobKey: "build (node=18)", step: 2 }, delta: 1, to: { jobKey: "build (node=20)" } },
    { label: "up from a cell to the steps above", from: { jobKey: "build (node=20)" }, delta: -1, to: { jobKey: "build (node=18)", step: 2 } },
    { label: "up at the top stays", from: { jobKey: "build (node=18)" }, delta: -1, to: { jobKey: "build (node=18)" } },
    { label: "nothing chosen yet: the first row", from: undefined, delta: 1, to: { jobKey: "build (node=18)" } },
  ])("$label", ({ from, delta, to }) => {
    expect(moveSelection(rows(from), from, delta)).toEqual(to);
  });

  it("follows the running step until the user picks, and a pause wins", () => {
    expect(autoSelection(run, stepping)).toEqual({ jobKey: "build (node=18)", step: 1 });
    const control = new StepController({ step: true });
    void control.beforeStep(point("build (node=20)", 0, "Install"));
    expect(autoSelection(run, control.getSnapshot())).toEqual({ jobKey: "build (node=20)", step: 0 });
    control.quit();
  });

  it("tab goes to the next running job; a job row shows the log of its running or failed step", () => {
    const twoRunning = runOf([
      ...matrixRun.slice(0, 3),
      { type: "step.started", jobKey: "build (node=18)", step: 0, name: "Install" },
      { type: "step.started", jobKey: "build (node=20)", step: 0, name: "Install" },
    ]);
    expect(nextActiveJob(twoRunning, stepping, { jobKey: "build (node=18)" })).toEqual({ jobKey: "build (node=20)", step: 0 });
    expect(nextActiveJob(twoRunning, stepping, { jobKey: "build (node=20)", step: 0 })).toEqual({ jobKey: "build (node=18)", step: 0 });
    expect(logStepOf(run, stepping, { jobKey: "build (node=20)" })).toEqual({ jobKey: "build (node=20)", step: 0, name: "Install" });
  });

  it("a long tree shows a window around the selection", () => {
    const many: TreeRow[] = Array.from({ length: 30 }, (_, i) => ({ kind: "job", key: `j${i}`, jobKey: `j${i}`, name: `j${i}`, status: "success", stepping: false, selected: i === 20 }));
    const shown = visibleRows(many, 10);
    expect(shown).toHaveLength(10);
    expect(shown.map((r) => r.key)).toContain("j20");
    expect(visibleRows(many.slice(0, 5), 10)).toHaveLength(5);
  });
});
