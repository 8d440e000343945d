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

function start(control = new StepController(), onDismiss?: () => void): Harness {
  const store = new TuiStore({ batchMs: 5, now: () => at(5000) });
  const view = new ViewStore();
  const shells: StepPoint[] = [];
  const tui = renderTui(<App store={store} stepping={control} view={view} staticFrom={0} onShell={(p) => shells.push(p)} onInterrupt={() => undefined} {...(onDismiss ? { onDismiss } : {})} />);
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
    expect(h.tui.frame()).toContain("r retry step · n next step · c continue · ! shell");
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

  const finished: (EventInput & { atMs?: number })[] = [
    ...matrixRun.slice(0, 6),
    { type: "step.completed", jobKey: "build (node=18)", step: 1, name: "Test", result: "success", outcome: "success", durationMs: 1000, atMs: 4000 },
    { type: "job.completed", jobKey: "build (node=18)", job: "build", workflow: ".github/workflows/ci.yml", name: "build (18)", matrix: { node: 18 }, result: "success", outputs: {}, durationMs: 4000, atMs: 4000 },
    ...matrixRun.slice(7),
    { type: "job.started", jobKey: "deploy", job: "deploy", workflow: ".github/workflows/ci.yml", name: "deploy", matrix: null, image: "replay-runner", atMs: 5000 },
    { type: "job.completed", jobKey: "deploy", job: "deploy", workflow: ".github/workflows/ci.yml", name: "deploy", matrix: null, result: "skipped", reason: "needs 'build', which failed", outputs: {}, durationMs: 0, atMs: 5000 },
    { type: "run.completed", runId: "42", result: "failure", exitCode: 1, durationMs: 5000, atMs: 5000 },
  ];

  it("once the replay is over the screen stays: the user browses it, and q or enter closes it", async () => {
    let dismissed = 0;
    const h = start(new StepController(), () => dismissed++);
    await h.feed(finished);
    let frame = await h.tui.waitFor((f) => f.includes("ended: failure"));
    expect(frame).toContain("q/enter close · ? help");
    expect(frame).not.toContain("quit (cancels)");
    // Browsing: the skipped job says why it did not run.
    await h.tui.press(KEYS.down, KEYS.down, KEYS.down, KEYS.down, KEYS.down, KEYS.down, KEYS.down, KEYS.down);
    frame = await h.tui.waitFor((f) => f.includes("deploy — skipped"));
    expect(frame).toContain("deploy — skipped: needs 'build', which failed");
    expect(dismissed).toBe(0);
    await h.tui.press(KEYS.enter);
    expect(dismissed).toBe(1);
    await h.tui.press("q");
    expect(dismissed).toBe(2);
    // Not a cancellation: the run is over already.
    expect(h.control.signal.aborted).toBe(false);
  });

  it("? shows every key, and any key closes it", async () => {
    const h = start();
    await h.feed(running18);
    await h.tui.press("?");
    let frame = await h.tui.waitFor((f) => f.includes("Keys (any key closes this help)"));
    for (const text of ["pgup pgdn", "home end", "open or close the log's groups", "retry the step in the same container"]) expect(frame).toContain(text);
    await h.tui.press("x");
    frame = await h.tui.waitFor((f) => !f.includes("Keys (any key"));
    expect(frame).toContain("build (18) › Test");
    // The key that closed the help did nothing else.
    expect(h.control.signal.aborted).toBe(false);
  });

  it("draws workflow commands as GitHub's log viewer does: groups fold (z opens them), markers become colours", async () => {
    const h = start();
    const out = (line: string): EventInput => ({ type: "step.output", jobKey: "build (node=18)", step: 1, line });
    await h.feed([...running18, out("##[group]Run npm test"), out("npm test"), out("##[endgroup]"), out("##[error]Process completed with exit code 1.")]);
    let frame = await h.tui.waitFor((f) => f.includes("▸ Run npm test  (1 line)"));
    expect(frame).toContain("Process completed with exit code 1.");
    expect(frame).not.toContain("##[");
    await h.tui.press("z");
    frame = await h.tui.waitFor((f) => f.includes("▾ Run npm test"));
    expect(frame).toMatch(/▾ Run npm test[^\n]*\n[^\n]*npm test/);
  });

  it("a planned step's header names the step, not its number", async () => {
    const h = start(new StepController({ breakOnFailure: true }));
    h.store.setPlanned(new Map([[plannedKey(".github/workflows/ci.yml", "build"), { workflow: ".github/workflows/ci.yml", job: "build", steps: ["Install", "Test", "Lint the sources"].map((name, index) => ({ index, name })) }]]));
    await h.feed(running18);
    const answer = h.control.afterFailure(point("build (node=18)", 1, "Test"));
    await h.tui.waitFor((f) => f.includes("failed — paused"));
    await h.tui.press(KEYS.down);
    expect(await h.tui.waitFor((f) => f.includes("build (18) › Lint the sources"))).not.toContain("step 3");
    h.control.continue("build (node=18)");
    await answer;
  });

});
