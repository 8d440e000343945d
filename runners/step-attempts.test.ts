// A retried step and a paused one, through the engine: the events carry each attempt, and
// durations leave out the time spent waiting for the user.
import { afterEach, describe, expect, it } from "vitest";
import { parseWorkflow, planEvent } from "../workflows/index.js";
import { runPlan } from "./engine.js";
import type { EventInput } from "./events.js";
import type { StepControl } from "./job/index.js";
import { inProcessDeps } from "./testing/in-process-replay.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((f) => f()));
});

const WORKFLOW = `on: push
jobs:
  t:
    runs-on: ubuntu-latest
    steps:
      - name: Flaky
        run: test -f tried || { touch tried; exit 1; }
`;

describe("a step retried after a pause", () => {
  it("records both attempts, passes on attempt 2, and counts neither pause in the durations", async () => {
    const PAUSE_MS = 400;
    const wait = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
    let retried = 0;
    const control: StepControl = {
      beforeStep: async () => (await wait(), "run"),
      afterFailure: async () => (await wait(), retried++ === 0 ? "retry" : "continue"),
    };
    const { deps, events, dispose } = await inProcessDeps({ tempPrefix: "replay-attempts-", deps: { control } });
    cleanups.push(dispose);
    const { workflow } = parseWorkflow(".github/workflows/ci.yml", WORKFLOW);
    if (!workflow) throw new Error("the test workflow does not load");
    const plan = planEvent([workflow], "push");
    const result = await runPlan(plan, deps, { parallel: 1, imageFor: async () => "test-image", presentImageFor: async () => "test-image", signal: new AbortController().signal });
    expect(result.exitCode, JSON.stringify(events.filter((e) => e.type === "step.output" || e.type === "step.completed"))).toBe(0);
    const step = events.find((e): e is Extract<EventInput, { type: "step.completed" }> => e.type === "step.completed" && e.name === "Flaky");
    expect(step).toMatchObject({ result: "success", outcome: "success", attempts: [{ attempt: 1, outcome: "failure" }, { attempt: 2, outcome: "success" }] });
    expect(step?.pausedMs).toBeGreaterThanOrEqual(2 * PAUSE_MS - 20);
    // The pauses are not the step's time: a two-line script runs in far less than one pause.
    expect(step?.durationMs).toBeLessThan(step?.pausedMs ?? 0);
    const job = events.find((e): e is Extract<EventInput, { type: "job.completed" }> => e.type === "job.completed");
    expect(job?.pausedMs).toBe(step?.pausedMs);
  });
});
