import { afterEach, describe, expect, it } from "vitest";
import { parseWorkflow, planJob } from "../workflows/index.js";
import type { Workflow } from "../workflows/index.js";
import { runPlan } from "./engine.js";
import { EnginePool } from "./engine-pool.js";
import type { JobEngine } from "./engine-pool.js";
import type { EventInput } from "./events.js";
import { inProcessDeps } from "./testing/in-process-replay.js";
import { LocalRuntime } from "./testing/local-runtime.js";

const engine = (name: string, slots: number, runtime = new LocalRuntime()): JobEngine & { runtime: LocalRuntime } => ({
  name,
  slots,
  runtime,
  deps: { runtime },
  imageFor: async () => `image-on-${name}`,
});

/** A job `test` of `n` matrix cells, each running `run`; no fail-fast, so every cell runs. */
function matrix(n: number, run: string): Workflow {
  const { workflow } = parseWorkflow(
    ".github/workflows/ci.yml",
    `
on: push
jobs:
  test:
    runs-on: ubuntu-latest
    strategy:
      fail-fast: false
      matrix:
        n: [${Array.from({ length: n }, (_, i) => i + 1).join(", ")}]
    steps:
      - run: ${run}
`,
  );
  if (!workflow) throw new Error("the test workflow does not load");
  return workflow;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((f) => f()));
});

describe("EnginePool", () => {
  it("runs each task on the engine with the most free slots, and makes the rest wait in order for the first slot freed", async () => {
    const pool = new EnginePool([engine("a", 1), engine("b", 2)]);
    const gates: (() => void)[] = [];
    const ran: string[] = [];
    const task = (label: string) => (e: JobEngine) =>
      new Promise<void>((resolve) => {
        ran.push(`${label}@${e.name}`);
        gates.push(resolve);
      });
    expect(pool.free).toBe(3);
    const runs = ["1", "2", "3", "4"].map((l) => pool.run(task(l)));
    await new Promise((r) => setTimeout(r, 10));
    // b has two free, a one: 1 goes to b; then a and b tie at one and the first listed wins.
    expect(ran).toEqual(["1@b", "2@a", "3@b"]);
    expect(pool.free).toBe(0);
    gates[1]?.();
    await new Promise((r) => setTimeout(r, 10));
    expect(ran.at(-1)).toBe("4@a");
    for (const g of gates) g();
    await Promise.all(runs);
    expect(pool.free).toBe(3);
  });
});

describe("runPlan over several engines", () => {
  it("spreads a matrix's cells over the engines by free slots, each cell's container on the engine job.started names, with that engine's image", async () => {
    const workflow = matrix(6, "sleep 0.2; echo cell");
    const { deps, events, dispose } = await inProcessDeps({ tempPrefix: "replay-pool-test-" });
    cleanups.push(dispose);
    const a = engine("build-box", 2);
    const b = engine("laptop", 1);
    cleanups.push(() => a.runtime.dispose(), () => b.runtime.dispose());
    const result = await runPlan(planJob([workflow], "test", "push"), deps, {
      parallel: 99,
      imageFor: async () => "unused",
      signal: new AbortController().signal,
      engines: [a, b],
    });
    expect(result.result).toBe("success");
    const started = events.filter((e): e is Extract<EventInput, { type: "job.started" }> => e.type === "job.started");
    expect(started).toHaveLength(6);
    for (const e of started) expect(e.image).toBe(`image-on-${e.engine}`);
    const on = (name: string): string[] => started.filter((e) => e.engine === name).map((e) => e.jobKey);
    expect(on("build-box").length + on("laptop").length).toBe(6);
    expect(on("build-box").length).toBeGreaterThan(on("laptop").length);
    // Each engine ran its own cells, never more at once than its slots.
    expect(a.runtime.created.map((c) => c.spec.labels["dev.replay.job"]).sort()).toEqual(on("build-box").sort());
    expect(b.runtime.created.map((c) => c.spec.labels["dev.replay.job"]).sort()).toEqual(on("laptop").sort());
    expect(a.runtime.maxAlive).toBeLessThanOrEqual(2);
    expect(b.runtime.maxAlive).toBe(1);
    expect(deps.runtime).not.toBe(a.runtime);
    expect((deps.runtime as LocalRuntime).created).toEqual([]);
  });
});

describe("runPlan when an engine of the pool stops answering", () => {
  /** An engine whose containers cannot be made any more, and which no longer answers. */
  const lostEngine = (name: string): JobEngine & { runtime: LocalRuntime } => {
    const runtime = new LocalRuntime();
    runtime.createJobContainer = () => Promise.reject(new Error("connect ECONNREFUSED 10.0.0.7:2375"));
    return { ...engine(name, 1, runtime), answers: async () => false };
  };

  it("fails the job it was running, names it, starts no more jobs there, and the rest go on", async () => {
    const { deps, events, dispose } = await inProcessDeps({ tempPrefix: "replay-pool-test-" });
    cleanups.push(dispose);
    const up = { ...engine("laptop", 1), answers: async () => true };
    const down = lostEngine("build-box");
    cleanups.push(() => up.runtime.dispose(), () => down.runtime.dispose());
    const result = await runPlan(planJob([matrix(4, "echo cell")], "test", "push"), deps, { parallel: 9, imageFor: async () => "unused", signal: new AbortController().signal, engines: [down, up] });
    const completed = events.filter((e): e is Extract<EventInput, { type: "job.completed" }> => e.type === "job.completed");
    expect(completed.map((e) => e.result).sort()).toEqual(["failure", "success", "success", "success"]);
    expect(up.runtime.created).toHaveLength(3);
    const notices = events.filter((e) => e.type === "notice" && e.message.includes("stopped answering"));
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ level: "warning", message: expect.stringContaining("engine build-box stopped answering") });
    expect(result.result).toBe("failure");
  });

  it("with every engine lost, the jobs still waiting fail at once instead of waiting for ever", async () => {
    const { deps, events, dispose } = await inProcessDeps({ tempPrefix: "replay-pool-test-" });
    cleanups.push(dispose);
    const a = lostEngine("a");
    const b = lostEngine("b");
    const result = await runPlan(planJob([matrix(5, "echo cell")], "test", "push"), deps, { parallel: 9, imageFor: async () => "unused", signal: new AbortController().signal, engines: [a, b] });
    expect(events.filter((e) => e.type === "job.completed").map((e) => (e as { result: string }).result)).toEqual(Array(5).fill("failure"));
    expect(result.exitCode).toBe(1);
  });
});

describe("warm starts over several engines", () => {
  it("a chain's later containers start early on an engine with a free slot, and each job runs in the container warmed for it, on that engine", async () => {
    const { workflow } = parseWorkflow(
      ".github/workflows/ci.yml",
      `
on: push
jobs:
  lint:
    runs-on: ubuntu-latest
    steps: [{ run: sleep 0.3 }]
  build:
    needs: lint
    runs-on: ubuntu-latest
    steps: [{ run: echo built }]
  ship:
    needs: build
    runs-on: ubuntu-latest
    steps: [{ run: echo shipped }]
`,
    );
    if (!workflow) throw new Error("the test workflow does not load");
    const { deps, events, dispose } = await inProcessDeps({ tempPrefix: "replay-pool-test-" });
    cleanups.push(dispose);
    const x = { ...engine("x", 2), presentImageFor: async () => "image-on-x" };
    const y = { ...engine("y", 2), presentImageFor: async () => "image-on-y" };
    cleanups.push(() => x.runtime.dispose(), () => y.runtime.dispose());
    let createdWhenADone = 0;
    const result = await runPlan(planJob([workflow], "ship", "push"), { ...deps, emit: (e) => (deps.emit(e), e.type === "job.completed" && e.jobKey === "lint" && (createdWhenADone = x.runtime.created.length + y.runtime.created.length)) }, {
      parallel: 9,
      imageFor: async () => "unused",
      signal: new AbortController().signal,
      engines: [x, y],
    });
    expect(result.result).toBe("success");
    // build and ship were warm before lint ended.
    expect(createdWhenADone).toBe(3);
    const started = events.filter((e): e is Extract<EventInput, { type: "job.started" }> => e.type === "job.started");
    for (const e of started) {
      const runtime = e.engine === "x" ? x.runtime : y.runtime;
      // Its one container, made on the engine it ran on: no warm container was discarded.
      expect(runtime.created.filter((c) => c.spec.labels["dev.replay.job"] === e.jobKey)).toHaveLength(1);
    }
    expect(x.runtime.created.length + y.runtime.created.length).toBe(3);
  });
});
