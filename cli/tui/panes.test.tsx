import { renderTui } from "./testing/render-tui.js";
import { afterEach, describe, expect, it } from "vitest";
import { StepController } from "../stepping/index.js";
import { AnnotationList } from "./AnnotationList.js";
import { FinishedLog } from "./FinishedLog.js";
import { JobTree } from "./JobTree.js";
import { KeyHelp } from "./KeyHelp.js";
import { availableKeys } from "./keymap.js";
import { formatLog } from "./log-lines.js";
import { displayLine, LogPane } from "./LogPane.js";
import { renderMarkdown } from "./markdown.js";
import { plannedKey } from "./planned-steps.js";
import { SummaryPane } from "./SummaryPane.js";
import { at, matrixRun, point, runOf } from "./testing/fixtures.js";
import { treeRows } from "./tree-model.js";
import type { RenderedTui } from "./testing/render-tui.js";

const mounted: RenderedTui[] = [];
const show = (node: Parameters<typeof renderTui>[0]): RenderedTui => {
  const r = renderTui(node);
  mounted.push(r);
  return r;
};
afterEach(() => {
  for (const r of mounted.splice(0)) r.unmount();
});

const T = "2024-05-01T10:00:00.000Z";

/** The frame's lines without the border columns and trailing blanks. */
const inside = (frame: string): string[] => frame.split("\n").map((l) => l.replace(/^[│┌└]|[│┐┘]$/g, "").trimEnd());

describe("JobTree", () => {
  it("draws cells with icons and durations, and the steps of the running one, planned steps dimmed", () => {
    const control = new StepController({ step: true });
    void control.beforeStep(point("build (node=18)", 1, "Test"));
    control.toggleBreakpoint("build (node=18)", 2);
    const planned = new Map([[plannedKey(".github/workflows/ci.yml", "build"), { workflow: ".github/workflows/ci.yml", job: "build", steps: [0, 1, 2].map((i) => ({ index: i, name: ["Install", "Test", "Lint"][i] ?? "" })) }]]);
    const rows = treeRows({ run: runOf(matrixRun), planned, stepping: control.getSnapshot(), selection: { jobKey: "build (node=18)", step: 1 }, now: at(65_000) });
    const r = show(<JobTree rows={rows} width={44} height={8} />);
    const lines = inside(r.frame());
    expect(lines.slice(1, 7)).toEqual([
      "ci.yml",
      " ‖ build (18) [stepping]              1m5s",
      "    ✓ Install                         2.0s",
      "    ‖ Test",
      "   ●· Lint",
      " ✗ build (20)                         3.0s",
    ]);
    // The border makes the tree exactly as tall as it was given.
    expect(r.frame().split("\n")).toHaveLength(10);
    for (const line of r.frame().split("\n")) expect(line.length).toBe(44);
    control.quit();
  });
});

describe("LogPane", () => {
  const raw = Array.from({ length: 40 }, (_, i) => `line ${i + 1}${i === 29 ? " ERROR here" : ""}`);
  const lines = formatLog(raw, false);

  it("shows the window it is given, with the step and where the window is", () => {
    const r = show(<LogPane title="build (18) › Test" lines={lines} start={30} width={60} height={10} following />);
    const out = inside(r.frame());
    expect(out[1]).toBe("build (18) › Test  (31-40 of 40, following)");
    expect(out.slice(2, 12)).toEqual(raw.slice(30));
  });

  it("says so when a step printed nothing yet", () => {
    const r = show(<LogPane title="t › Build" lines={[]} start={0} width={60} height={3} following />);
    expect(inside(r.frame())[1]).toBe("t › Build  (no output yet)");
  });

  it("shows the search with its matches", () => {
    const r = show(<LogPane title="t › Test" lines={lines} start={25} width={60} height={5} following={false} search={{ query: "error", line: 29, matches: 1, editing: true }} />);
    const out = inside(r.frame());
    expect(out[1]).toBe("t › Test  (26-30 of 40)  /error▏ 1 match");
    expect(out[6]).toBe("line 30 ERROR here");
  });

  it("expands tabs and drops carriage returns, so every line is one row of known width", () => {
    expect(displayLine("a\tb\r")).toBe("a       b");
    expect(displayLine("\u001B[31mred\u001B[0m")).toBe("\u001B[31mred\u001B[0m");
  });

  it("cuts long lines at the pane's edge instead of wrapping them", () => {
    const r = show(<LogPane title="t" lines={formatLog(["x".repeat(200)], false)} start={0} width={30} height={2} following />);
    expect(r.frame().split("\n")).toHaveLength(5);
  });
});

describe("KeyHelp", () => {
  it("lists the keys that work at a failure pause, and only those", () => {
    const keys = availableKeys({
      pause: { id: 1, kind: "failure", reason: "failure", point: point("t", 0, "x") },
      typingSearch: false,
      searchOpen: false,
      stepSelected: false,
      jobSelected: false,
      stepping: false,
      canScroll: false,
      severalActive: false,
      running: true,
      quitting: false,
    });
    const r = show(<KeyHelp keys={keys} width={100} />);
    expect(r.frame()).toMatch(/^r retry step · n next step · c continue · ! shell · ↑↓ select · \/ search · q quit \(cancels\) · \? help$/);
    expect(r.frame()).not.toContain("k skip");
    // One line: cut at the terminal's edge (100 columns here), never wrapped.
    expect(r.frame().split("\n")).toHaveLength(1);
  });
});

describe("AnnotationList", () => {
  it("lists each annotation with its level, file, line and column", () => {
    const r = show(
      <AnnotationList
        max={5}
        annotations={[
          { at: T, step: 0, level: "error", message: "Cannot find module 'x'", file: "src/app.ts", line: 12, col: 5 },
          { at: T, step: 1, level: "warning", message: "deprecated", file: "package.json", line: 3, title: "npm" },
          { at: T, step: 1, level: "notice", message: "no file here" },
        ]}
      />,
    );
    expect(r.frame().split("\n")).toEqual([
      "Annotations (3)",
      " ✗ error   src/app.ts:12:5  Cannot find module 'x'",
      " ! warning package.json:3  npm: deprecated",
      " i notice  (no file)  no file here",
    ]);
  });

  it("counts what does not fit, and draws nothing without annotations", () => {
    const many = Array.from({ length: 6 }, (_, i) => ({ at: T, step: 0, level: "error" as const, message: `m${i}`, file: "f.ts", line: i + 1 }));
    expect(show(<AnnotationList max={3} annotations={many} />).frame().split("\n")).toEqual(["Annotations (6)", " ✗ error   f.ts:1  m0", " ✗ error   f.ts:2  m1", "   … 4 more"]);
    expect(show(<AnnotationList max={3} annotations={[]} />).frame()).toBe("");
  });
});

describe("SummaryPane", () => {
  it("renders the job summary's Markdown, cut to its height", () => {
    const md = "# Test results\n\n| Suite | Passed |\n|---|---|\n| unit | 120 |\n\n- [x] lint\n- [ ] deploy";
    const r = show(<SummaryPane title="Summary of build (18)" lines={renderMarkdown(md, 40)} height={4} />);
    expect(r.frame().split("\n").map((l) => l.trimEnd())).toEqual(["Summary of build (18)", "Test results", "", "Suite │ Passed", "… 5 more lines in the run record"]);
    const all = show(<SummaryPane title="S" lines={renderMarkdown(md, 40)} height={20} />);
    expect(all.frame()).toContain("☑ lint");
    expect(all.frame()).toContain("unit  │ 120");
  });
});

describe("FinishedLog", () => {
  it("prints each finished job once, however often the screen is drawn", () => {
    const items = [{ id: "job:a", kind: "job" as const, name: "build (20)", result: "failure" as const, durationMs: 3000, failedSteps: ["Install"], annotations: 1 }];
    const r = show(<FinishedLog items={items} />);
    r.rerender(<FinishedLog items={items} />);
    r.rerender(<FinishedLog items={[...items, { id: "w", kind: "note", text: "old image" }]} />);
    // The test renderer prints everything <Static> wrote so far above each frame.
    const out = r.frame();
    expect(out.split("✗ build (20) failure in 3.0s — failed: Install — 1 annotation")).toHaveLength(2);
    expect(out).toContain("warning: old image");
    // FORCE_COLOR=0: plain text, no escape sequences.
    expect(r.output()).not.toContain("\u001B[");
  });
});
