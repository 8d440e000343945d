import { afterEach, describe, expect, it } from "vitest";
import { parseWorkflow, planJob } from "../../workflows/index.js";
import { runPlan } from "../../runners/index.js";
import type { EngineResult, EventInput } from "../../runners/index.js";
import { inProcessDeps } from "../../runners/testing/in-process-replay.js";
import { StepController, parseBreakAt } from "./step-controller.js";
import type { Pause } from "./step-controller.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((f) => f()));
});

interface Started {
  events: EventInput[];
  done: Promise<EngineResult>;
}

/** Runs job `t` of the workflow in-process (LocalRuntime), with the controller as its StepControl. */
async function start(yaml: string, control: StepController): Promise<Started> {
  const { workflow, problems } = parseWorkflow(".github/workflows/ci.yml", yaml);
  if (!workflow) throw new Error(problems.map((p) => p.message).join("; "));
  const { deps, events, dispose } = await inProcessDeps({ tempPrefix: "replay-stepping-test-", deps: { control } });
  cleanups.push(dispose);
  const done = runPlan(planJob([workflow], "t", "push"), deps, { parallel: 2, imageFor: async () => "test-image", signal: control.signal });
  return { events, done };
}

/** The next pause of the job (waits for it). */
function pauseOf(control: StepController, jobKey = "t", timeoutMs = 10_000): Promise<Pause> {
  return new Promise<Pause>((resolve, reject) => {
    const check = (): boolean => {
      const p = control.getSnapshot().pauses.find((x) => x.point.jobKey === jobKey);
      if (!p) return false;
      off();
      clearTimeout(timer);
      resolve(p);
      return true;
    };
    const off = control.subscribe(() => void check());
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no pause of ${jobKey} within ${timeoutMs} ms`));
    }, timeoutMs);
    check();
  });
}

const steps = (events: EventInput[]): [string, string][] =>
  events.flatMap((e) => (e.type === "step.completed" ? [[e.name, e.result] as [string, string]] : []));
const lines = (events: EventInput[]): string[] => events.flatMap((e) => (e.type === "step.output" ? [e.line] : []));

describe("StepController", () => {
  it("--step pauses before each step; k skips the paused step, which counts as skipped, and n runs the next", async () => {
    const control = new StepController({ step: true });
    const r = await start(
      `on: push
jobs:
  t:
    runs-on: ubuntu-latest
    steps:
      - name: First
        run: echo first ran
      - name: Second
        run: echo second ran
`,
      control,
    );
    const first = await pauseOf(control);
    expect(first).toMatchObject({ kind: "before", reason: "stepping", point: { name: "First", step: 0 } });
    expect(control.skip("t")).toBe(true);
    const second = await pauseOf(control);
    expect(second.point.name).toBe("Second");
    expect(control.next("t")).toBe(true);
    const result = await r.done;
    expect(steps(r.events)).toEqual([
      ["First", "skipped"],
      ["Second", "success"],
    ]);
    expect(lines(r.events)).toEqual(["second ran"]);
    expect(result.exitCode).toBe(0);
  });

  it("the shell target of a pause is the job's container, the step's user, folder and environment", async () => {
    const control = new StepController({ step: true });
    const r = await start(
      `on: push
env:
  LEVEL: workflow
jobs:
  t:
    runs-on: ubuntu-latest
    steps:
      - name: Here
        working-directory: sub
        env:
          ONLY_HERE: yes
        run: true
`,
      control,
    );
    const p = await pauseOf(control);
    expect(p.point.shell).toMatchObject({ user: "runner", workdir: "/home/runner/work/demo/demo/sub" });
    expect(p.point.shell.env).toMatchObject({ LEVEL: "workflow", ONLY_HERE: "yes", GITHUB_WORKSPACE: "/home/runner/work/demo/demo", RUNNER_OS: "Linux" });
    expect(p.point.shell.containerId).toMatch(/^[0-9a-f]{32}$/);
    control.continue("t");
    await r.done;
  });

  it("--break-on-failure pauses after a failed step; r retries it in the same container, where the first attempt's file still is", async () => {
    const control = new StepController({ breakOnFailure: true });
    const r = await start(
      `on: push
jobs:
  t:
    runs-on: ubuntu-latest
    steps:
      - name: Flaky
        run: |
          if [ -f attempt-1 ]; then echo "retried: attempt-1 is there"; exit 0; fi
          touch attempt-1
          echo "first attempt fails"
          exit 3
      - name: After
        run: echo after ran
`,
      control,
    );
    const failed = await pauseOf(control);
    expect(failed).toMatchObject({ kind: "failure", reason: "failure", point: { name: "Flaky" } });
    // A failure pause has nothing to skip: only retry or go on.
    expect(control.skip("t")).toBe(false);
    expect(control.retry("t")).toBe(true);
    const result = await r.done;
    expect(steps(r.events)).toEqual([
      ["Flaky", "success"],
      ["After", "success"],
    ]);
    expect(lines(r.events)).toEqual(expect.arrayContaining(["first attempt fails", "retried: attempt-1 is there", "after ran"]));
    expect(result.exitCode).toBe(0);
  });

  it("c after a failure pause lets the job fail as it would have", async () => {
    const control = new StepController({ breakOnFailure: true });
    const r = await start(
      `on: push
jobs:
  t:
    runs-on: ubuntu-latest
    steps:
      - name: Fail on purpose
        run: exit 7
      - name: Skipped after a failure
        run: echo must not run
`,
      control,
    );
    await pauseOf(control);
    expect(control.retry("nope")).toBe(false);
    control.continue("t");
    const result = await r.done;
    expect(steps(r.events)).toEqual([
      ["Fail on purpose", "failure"],
      ["Skipped after a failure", "skipped"],
    ]);
    expect(result.exitCode).toBe(1);
  });

  it.each([
    { label: "by name (any case)", at: "second STEP" },
    { label: "by number", at: "2" },
  ])("--break-at $label pauses before that step only", async ({ at }) => {
    const control = new StepController({ breakAt: [parseBreakAt(at)] });
    const r = await start(
      `on: push
jobs:
  t:
    runs-on: ubuntu-latest
    steps:
      - name: First step
        run: echo one
      - name: Second step
        run: echo two
      - name: Third step
        run: echo three
`,
      control,
    );
    const p = await pauseOf(control);
    expect(p).toMatchObject({ kind: "before", reason: "breakpoint", point: { name: "Second step", step: 1 } });
    // The step before the breakpoint ran without a pause; the one at it has not run yet.
    expect(lines(r.events)).toEqual(["one"]);
    control.continue("t");
    await r.done;
    expect(lines(r.events)).toEqual(["one", "two", "three"]);
    expect(steps(r.events).map(([, result]) => result)).toEqual(["success", "success", "success"]);
  });

  it("a breakpoint toggled on a step pauses there; c goes on to the next breakpoint", async () => {
    const control = new StepController({ step: true });
    const r = await start(
      `on: push
jobs:
  t:
    runs-on: ubuntu-latest
    steps:
      - run: echo one
      - run: echo two
      - run: echo three
`,
      control,
    );
    await pauseOf(control);
    control.toggleBreakpoint("t", 2);
    control.toggleBreakpoint("t", 1);
    control.toggleBreakpoint("t", 1);
    expect(control.getSnapshot().breakpoints).toEqual([{ jobKey: "t", step: 2 }]);
    control.continue("t");
    const at = await pauseOf(control);
    expect(at.point).toMatchObject({ step: 2, name: "Run echo three" });
    expect(lines(r.events)).toEqual(["one", "two"]);
    control.continue("t");
    await r.done;
  });

  it("quit lets every paused step go, cancels the replay, and pauses nothing more", async () => {
    const control = new StepController({ step: true });
    const r = await start(
      `on: push
jobs:
  t:
    runs-on: ubuntu-latest
    steps:
      - run: echo one
      - if: always()
        run: echo cleanup
`,
      control,
    );
    await pauseOf(control);
    control.quit();
    const result = await r.done;
    expect(control.signal.aborted).toBe(true);
    expect(result.exitCode).toBe(130);
    expect(lines(r.events)).toEqual([]);
    expect(control.getSnapshot().pauses).toEqual([]);
  });
});

describe("parseBreakAt", () => {
  it.each([
    ["3", { kind: "number", number: 3 }],
    ["Fail on purpose", { kind: "name", name: "Fail on purpose" }],
    ["0", { kind: "name", name: "0" }],
    [" 12 ", { kind: "number", number: 12 }],
  ])("%j is %j", (input, expected) => {
    expect(parseBreakAt(input)).toEqual(expected);
  });
});
