import { KEYS, renderTui } from "./testing/render-tui.js";
import { afterEach, describe, expect, it } from "vitest";
import type { EventInput, StepPoint } from "../../runners/index.js";
import { StepController } from "../stepping/index.js";
import { App } from "./App.js";
import { plannedKey } from "./planned-steps.js";
import { at, matrixRun, point, stamp } from "./testing/fixtures.js";
import type { RenderedTui } from "./testing/render-tui.js";
import { TuiStore } from "./tui-store.js";
import { ViewStore } from "./view-store.js";

interface Harness {
  tui: RenderedTui;
  store: TuiStore;
  control: StepController;
  view: ViewStore;
  shells: StepPoint[];
  /** Feeds events and waits for the batch to be drawn. */
  feed(events: (EventInput & { atMs?: number })[]): Promise<void>;
}

const open: Harness[] = [];
afterEach(() => {
  for (const h of open.splice(0)) {
    h.control.quit();
    h.tui.unmount();
    h.store.close();
  }
});

function start(control = new StepController()): Harness {
  const store = new TuiStore({ batchMs: 5, now: () => at(5000) });
  const view = new ViewStore();
  const shells: StepPoint[] = [];
  const tui = renderTui(<App store={store} stepping={control} view={view} staticFrom={0} onShell={(p) => shells.push(p)} onInterrupt={() => undefined} />);
  const h: Harness = {
    tui,
    store,
    control,
    view,
    shells,
    feed: async (events) => {
      for (const e of stamp(events)) store.push(e);
      store.flush();
      await new Promise((resolve) => setTimeout(resolve, 20));
    },
  };
  open.push(h);
  return h;
}

const running18 = matrixRun.slice(0, 7);

describe("App", () => {
  it("shows the tree, the running step's log as it grows, the status and the keys", async () => {
    const h = start();
    await h.feed(running18);
    await h.feed([{ type: "step.output", jobKey: "build (node=18)", step: 1, line: "✓ adds numbers" }]);
    const frame = await h.tui.waitFor((f) => f.includes("✓ adds numbers"));
    expect(frame).toContain("build (18) › Test  (1-1 of 1, following)");
    expect(frame).toMatch(/▶ build \(18\)/);
    expect(frame).toMatch(/✓ Install\s+2\.0s/);
    expect(frame).toContain("replay 42: 2 running, 0 done");
    expect(frame).toContain("↑↓ select · tab next running · / search · s step · b breakpoint · q quit (cancels)");
  });

  it("keeps several running cells visible; tab moves between them", async () => {
    const h = start();
    await h.feed([...matrixRun.slice(0, 4), ...matrixRun.slice(6, 8), { type: "step.output", jobKey: "build (node=20)", step: 0, line: "from 20" }]);
    let frame = h.tui.frame();
    expect(frame).toMatch(/▶ build \(18\)[\s\S]*▶ Test[\s\S]*▶ build \(20\)[\s\S]*▶ Install/);
    // The cell that started last is followed until the user picks.
    expect(frame).toContain("build (20) › Install");
    await h.tui.press(KEYS.tab);
    frame = h.tui.frame();
    expect(frame).toContain("build (18) › Test");
    await h.tui.press(KEYS.tab);
    expect(h.tui.frame()).toContain("build (20) › Install");
  });

  it("moves the selection with the arrows: a finished cell shows its failed step, annotations and summary", async () => {
    const h = start();
    await h.feed([...matrixRun, { type: "job.summary", jobKey: "build (node=20)", markdown: "## Coverage\n| file | % |\n|---|---|\n| app.ts | 81 |" }]);
    await h.tui.press(KEYS.up, KEYS.down, KEYS.down, KEYS.down, KEYS.down);
    const frame = await h.tui.waitFor((f) => f.includes("build (20) › Install"));
    expect(frame).toContain("Annotations (1)");
    expect(frame).toContain("✗ error   src/app.ts:12:5  Cannot find module 'x'");
    expect(frame).toContain("Summary of build (20)");
    expect(frame).toMatch(/app\.ts\s+│ 81/);
    // Written once above the screen when the cell ended.
    expect(frame).toContain("✗ build (20) failure in 3.0s — failed: Install — 1 annotation");
  });

  it("searches the log with /, jumps to matches, and esc closes the search", async () => {
    const h = start();
    const lines = Array.from({ length: 60 }, (_, i) => ({ type: "step.output" as const, jobKey: "build (node=18)", step: 1, line: i === 7 ? "Error: boom" : `ok ${i}` }));
    await h.feed([...running18, ...lines]);
    expect(h.tui.frame()).not.toContain("Error: boom");
    await h.tui.press("/", "b", "o", "o", "m");
    expect(h.tui.frame()).toContain("/boom▏ 1 match");
    expect(h.tui.frame()).toContain("enter find · esc cancel search");
    await h.tui.press(KEYS.enter);
    let frame = h.tui.frame();
    expect(frame).toContain("Error: boom");
    expect(frame).toContain("/boom 1 match");
    expect(frame).not.toContain("following");
    await h.tui.press(KEYS.escape);
    frame = h.tui.frame();
    expect(frame).not.toContain("/boom");
    await h.tui.press(KEYS.end);
    expect(h.tui.frame()).toContain("ok 59");
  });

  it("at a pause before a step: shows it, k skips it, and the keys change back", async () => {
    const h = start(new StepController({ step: true }));
    await h.feed(running18);
    const answer = h.control.beforeStep(point("build (node=18)", 1, "Test"));
    let frame = await h.tui.waitFor((f) => f.includes("‖ paused before “Test” (build (18)) — stepping"));
    expect(frame).toContain("n run this step · c continue · k skip step · ! shell");
    await h.tui.press("k");
    await expect(answer).resolves.toBe("skip");
    frame = await h.tui.waitFor((f) => !f.includes("paused before"));
    expect(frame).not.toContain("k skip step");
  });

  it("at a failure: r retries, ! asks for a shell at the paused step", async () => {
    const h = start(new StepController({ breakOnFailure: true }));
    await h.feed(running18);
    const where = point("build (node=18)", 1, "Test");
    const answer = h.control.afterFailure(where);
    await h.tui.waitFor((f) => f.includes("✗ “Test” (build (18)) failed — paused"));
    expect(h.tui.frame()).toContain("r retry step · n go on, pause at next · c continue · ! shell");
    await h.tui.press("!");
    expect(h.shells).toEqual([where]);
    await h.tui.press("r");
    await expect(answer).resolves.toBe("retry");
  });

  it("s steps the selected job, b sets a breakpoint on the selected step, q cancels", async () => {
    const h = start();
    h.store.setPlanned(new Map([[plannedKey(".github/workflows/ci.yml", "build"), { workflow: ".github/workflows/ci.yml", job: "build", steps: ["Install", "Test", "Lint"].map((name, index) => ({ index, name })) }]]));
    await h.feed(running18);
    expect(h.tui.frame()).toMatch(/· Lint/);
    await h.tui.press("s");
    expect(h.control.getSnapshot().stepping("build (node=18)")).toBe(true);
    expect(await h.tui.waitFor((f) => f.includes("[stepping]"))).toContain("s stop stepping");
    await h.tui.press(KEYS.down);
    await h.tui.press("b");
    expect(h.control.getSnapshot().breakpoints).toEqual([{ jobKey: "build (node=18)", step: 2 }]);
    await h.tui.press("q");
    expect(h.control.signal.aborted).toBe(true);
    expect(await h.tui.waitFor((f) => f.includes("cancelling"))).toContain("ctrl-c quit now");
  });
});
