import { readdir } from "node:fs/promises";
import { afterEach, describe, expect, it } from "vitest";
import { parseWorkflow, planEvent, planJob } from "../workflows/index.js";
import type { Plan, Workflow } from "../workflows/index.js";
import { runPlan } from "./engine.js";
import { NotReplayedError } from "./not-replayed.js";
import type { EngineResult } from "./engine.js";
import type { EventInput } from "./events.js";
import { inProcessDeps } from "./testing/in-process-replay.js";
import type { LocalRuntime } from "./testing/local-runtime.js";

type Emitted<T extends EventInput["type"]> = Extract<EventInput, { type: T }>;

const FILE = ".github/workflows/ci.yml";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((f) => f()));
});

interface RunOptions {
  removeDelayMs?: number;
  /** `replay job <id>`; otherwise the whole workflow for a push. */
  job?: string;
  parallel?: number;
  secrets?: Record<string, string>;
  keepFailed?: boolean;
  imageFor?: (labels: string[]) => Promise<string>;
  /** --strict: jobs replay cannot run here fail. */
  strict?: boolean;
  /** Whether the job's image is here already (warm starts wait for it otherwise); default yes. */
  imagePresent?: boolean;
  /** Sees each event as it is emitted, with the stand-in Docker as it is then. */
  onEvent?: (e: EventInput, runtime: LocalRuntime) => void;
  /** Cancels the run (Ctrl-C). */
  signal?: AbortSignal;
}

/** What one replay of a workflow left behind: the event stream and the stand-in Docker. */
class Replay {
  constructor(
    readonly events: EventInput[],
    readonly runtime: LocalRuntime,
    readonly result: EngineResult,
    readonly hostRunDir: string,
    /** The stand-in Docker's lifecycle as it was when runPlan answered. */
    readonly lifecycleAtEnd: string[] = [],
  ) {}

  private of<T extends EventInput["type"]>(type: T): Emitted<T>[] {
    return this.events.filter((e): e is Emitted<T> => e.type === type);
  }

  started(): string[] {
    return this.of("job.started").map((e) => e.jobKey);
  }

  /** The one job.completed of a job key (`build`, `build (n=1)`). */
  job(jobKey: string): Emitted<"job.completed"> {
    const found = this.of("job.completed").filter((e) => e.jobKey === jobKey);
    expect(found, `job.completed for '${jobKey}'`).toHaveLength(1);
    return found[0] as Emitted<"job.completed">;
  }

  jobs(jobId: string): Emitted<"job.completed">[] {
    return this.of("job.completed").filter((e) => e.job === jobId);
  }

  steps(jobKey: string): Emitted<"step.completed">[] {
    return this.of("step.completed").filter((e) => e.jobKey === jobKey);
  }

  lines(jobKey: string): string[] {
    return this.of("step.output")
      .filter((e) => e.jobKey === jobKey)
      .map((e) => e.line);
  }

  allLines(): string[] {
    return this.of("step.output").map((e) => e.line);
  }
}

function load(yaml: string): Workflow {
  const { workflow, problems } = parseWorkflow(FILE, yaml);
  if (!workflow) throw new Error(`the test workflow does not load: ${problems.map((p) => `${p.line}:${p.col} ${p.message}`).join("; ")}`);
  return workflow;
}

async function replay(yaml: string, o: RunOptions = {}): Promise<Replay> {
  const workflow = load(yaml);
  const plan: Plan = o.job === undefined ? planEvent([workflow], "push") : planJob([workflow], o.job, "push");
  const { deps, events, runtime, hostRunDir, dispose } = await inProcessDeps({
    tempPrefix: "replay-engine-test-",
    secrets: o.secrets,
    deps: { keepFailed: o.keepFailed ?? false },
  });
  cleanups.push(dispose);
  runtime.removeDelayMs = o.removeDelayMs ?? 0;
  const { onEvent } = o;
  const result = await runPlan(plan, onEvent ? { ...deps, emit: (e) => (deps.emit(e), onEvent(e, runtime)) } : deps, {
    parallel: o.parallel ?? 4,
    imageFor: o.imageFor ?? (async () => "test-image"),
    presentImageFor: async (labels) => (o.imagePresent === false ? undefined : (o.imageFor ?? (async () => "test-image"))(labels)),
    signal: o.signal ?? new AbortController().signal,
    strict: o.strict ?? false,
  });
  // The run ends once its last containers are stopped; their removal may still be going.
  const lifecycleAtEnd = [...runtime.lifecycle];
  await runtime.settled();
  return new Replay(events, runtime, result, hostRunDir, lifecycleAtEnd);
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe("runPlan: a cancelled run", () => {
  it("concludes cancelled with exit 130, whatever failed before the cancel", async () => {
    const cancel = new AbortController();
    const r = await replay(
      `
on: push
jobs:
  bad:
    runs-on: ubuntu-latest
    steps:
      - run: exit 1
  slow:
    runs-on: ubuntu-latest
    steps:
      - run: echo waiting; sleep 1
`,
      {
        onEvent: (e) => {
          if (e.type === "job.completed" && e.job === "bad") cancel.abort();
        },
        signal: cancel.signal,
      },
    );
    expect(r.job("bad").result).toBe("failure");
    expect(r.job("slow").result).toBe("cancelled");
    expect([r.result.result, r.result.exitCode]).toEqual(["cancelled", 130]);
  });
});

describe("runPlan: job-level if and needs", () => {
  // a fails, b needs a and is skipped, c needs only b: GitHub evaluates c's status
  // functions over all its ancestors, so failure() sees a's failure through b.
  const chain = (cIf: string | undefined): string => `
on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: exit 1
  b:
    needs: a
    runs-on: ubuntu-latest
    steps:
      - run: echo b ran
  c:
    needs: b
    runs-on: ubuntu-latest
    ${cIf === undefined ? "" : `if: ${cIf}`}
    steps:
      - run: echo "b was \${{ needs.b.result }}"
`;

  it.each<{ label: string; cIf: string | undefined; expected: "success" | "skipped" }>([
    { label: "if: failure() (a failed grandparent counts)", cIf: "failure()", expected: "success" },
    { label: "if: success()", cIf: "success()", expected: "skipped" },
    { label: "no if (an implicit success())", cIf: undefined, expected: "skipped" },
    { label: "if: always()", cIf: "always()", expected: "success" },
    { label: "if: cancelled()", cIf: "cancelled()", expected: "skipped" },
  ])("a fails, b needs a, c needs b with $label: c ends $expected", async ({ cIf, expected }) => {
    const r = await replay(chain(cIf));
    expect(r.job("a").result).toBe("failure");
    expect(r.job("b").result).toBe("skipped");
    expect(r.job("c").result).toBe(expected);
    expect(r.started().includes("c")).toBe(expected === "success");
    if (expected === "success") expect(r.lines("c")).toContain("b was skipped");
    expect(r.result.exitCode).toBe(1);
  });

  it("skips a job whose needs failed without starting it, cancelled() is false, and the run exits 1", async () => {
    const r = await replay(`
on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: exit 1
  plain:
    needs: a
    runs-on: ubuntu-latest
    steps:
      - run: echo should not run
  on-cancel:
    needs: a
    if: cancelled()
    runs-on: ubuntu-latest
    steps:
      - run: echo should not run
  not-cancelled:
    needs: a
    if: \${{ !cancelled() }}
    runs-on: ubuntu-latest
    steps:
      - run: echo "a was \${{ needs.a.result }}"
`);
    expect(r.started().sort()).toEqual(["a", "not-cancelled"]);
    expect(r.job("plain")).toMatchObject({ result: "skipped" });
    expect(r.job("plain").reason).toContain("a: failure");
    expect(r.job("on-cancel").result).toBe("skipped");
    expect(r.job("not-cancelled").result).toBe("success");
    expect(r.lines("not-cancelled")).toContain("a was failure");
    expect(r.lines("plain")).toEqual([]);
    expect(r.result).toMatchObject({ result: "failure", exitCode: 1 });
    expect(r.result.jobs[`${FILE}:plain`]?.result).toBe("skipped");
  });

  it("runs a job after every job it needs, and a successful run exits 0", async () => {
    const r = await replay(`
on: push
jobs:
  last:
    needs: [one, two]
    runs-on: ubuntu-latest
    steps:
      - run: echo last
  one:
    runs-on: ubuntu-latest
    steps:
      - run: sleep 0.2
  two:
    runs-on: ubuntu-latest
    steps:
      - run: echo two
`);
    const order = r.events.filter((e) => e.type === "job.started" || e.type === "job.completed").map((e) => `${e.type}:${e.jobKey}`);
    expect(order.indexOf("job.started:last")).toBeGreaterThan(order.indexOf("job.completed:one"));
    expect(order.indexOf("job.started:last")).toBeGreaterThan(order.indexOf("job.completed:two"));
    expect(r.result).toMatchObject({ result: "success", exitCode: 0 });
  });
});

describe("runPlan: matrix strategy", () => {
  // Cell 1 fails quickly; the others would print `finished` after two seconds.
  const matrixJob = (strategyExtra: string): string => `
on: push
jobs:
  t:
    runs-on: ubuntu-latest
    strategy:
      ${strategyExtra}
      matrix:
        n: [1, 2, 3]
    steps:
      - run: |
          if [ "\${{ matrix.n }}" = 1 ]; then sleep 0.5; exit 1; fi
          sleep 2
          echo "finished \${{ matrix.n }}"
`;

  it.each<{ label: string; extra: string; others: "cancelled" | "success" }>([
    { label: "fail-fast by default", extra: "", others: "cancelled" },
    { label: "fail-fast: true", extra: "fail-fast: true", others: "cancelled" },
    { label: "fail-fast: false", extra: "fail-fast: false", others: "success" },
  ])("with $label, the other cells of a failing matrix end $others", async ({ extra, others }) => {
    const r = await replay(matrixJob(extra), { parallel: 4 });
    expect(r.job("t (n=1)").result).toBe("failure");
    for (const key of ["t (n=2)", "t (n=3)"]) {
      expect(r.job(key).result).toBe(others);
      if (others === "cancelled") {
        expect(r.lines(key).some((l) => l.startsWith("finished"))).toBe(false);
        expect(r.steps(key).map((s) => [s.outcome, s.result])).toEqual([["cancelled", "cancelled"]]);
      } else {
        expect(r.lines(key)).toContain(`finished ${key.slice(-2, -1)}`);
      }
    }
    expect(r.result.jobs[`${FILE}:t`]?.result).toBe("failure");
    expect(r.result.exitCode).toBe(1);
  });

  it("a job's continue-on-error from the matrix keeps an experimental cell's failure from cancelling the others or failing the run", async () => {
    const r = await replay(
      `on: push
jobs:
  t:
    runs-on: ubuntu-latest
    continue-on-error: \${{ matrix.experimental }}
    strategy:
      matrix:
        n: [1, 2]
        experimental: [false]
        include:
          - n: 3
            experimental: true
    steps:
      - run: |
          if [ "\${{ matrix.n }}" = 3 ]; then exit 1; fi
          sleep 1
          echo "finished \${{ matrix.n }}"
`,
      { parallel: 4 },
    );
    expect(r.job("t (n=3, experimental=true)").result).toBe("failure");
    expect(r.job("t (n=1, experimental=false)").result).toBe("success");
    expect(r.job("t (n=2, experimental=false)").result).toBe("success");
    expect(r.result.exitCode).toBe(0);
  });

  it("fail-fast also cancels a cell that was still waiting for its image when another failed", async () => {
    const r = await replay(
      `
on: push
jobs:
  t:
    runs-on: \${{ matrix.os }}
    strategy:
      matrix:
        os: [fast, slow]
    steps:
      - run: |
          if [ "\${{ matrix.os }}" = fast ]; then exit 1; fi
          sleep 2
          echo finished
`,
      {
        imageFor: async (labels) => {
          if (labels.includes("slow")) await delay(600);
          return "test-image";
        },
      },
    );
    expect(r.job("t (os=fast)").result).toBe("failure");
    expect(r.job("t (os=slow)").result).toBe("cancelled");
    expect(r.lines("t (os=slow)")).not.toContain("finished");
  });

  it.each<[string, number, string, number]>([
    ["max-parallel: 1 runs one cell at a time", 4, "max-parallel: 1", 1],
    ["max-parallel: 2 runs two at a time", 4, "max-parallel: 2", 2],
    ["no max-parallel runs every cell at once", 4, "", 3],
    ["--parallel 1 runs one job container at a time", 1, "", 1],
  ])("%s", async (_label, parallel, extra, expectedMax) => {
    const r = await replay(
      `
on: push
jobs:
  t:
    runs-on: ubuntu-latest
    strategy:
      ${extra}
      matrix:
        n: [1, 2, 3]
    steps:
      - run: sleep 0.3
`,
      { parallel },
    );
    expect(r.jobs("t").map((j) => j.result)).toEqual(["success", "success", "success"]);
    expect(r.runtime.created).toHaveLength(3);
    expect(r.runtime.maxAlive).toBe(expectedMax);
  });

  it("a job that needs another starts while the other's container is still being removed; every container is removed", async () => {
    const r = await replay(
      `
on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: echo a
  b:
    needs: a
    runs-on: ubuntu-latest
    steps:
      - run: echo b
`,
      // b's image is not here, so b does not warm up while a runs (that would decide the
      // order of the two creations by a race): b starts when a ends, a's removal pending.
      { removeDelayMs: 300, imagePresent: false },
    );
    expect(r.runtime.lifecycle).toEqual(["created a", "created b", "removed a", "removed b"]);
  });

  it("the run ends once its last container is stopped: the engine's removal of it goes on without the run", async () => {
    const r = await replay("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo a\n", { removeDelayMs: 300 });
    expect(r.job("a").result).toBe("success");
    expect(r.lifecycleAtEnd).toEqual(["created a"]);
    expect(r.runtime.lifecycle).toEqual(["created a", "removed a"]);
  });

  it("--parallel still bounds the containers alive while one is being removed", async () => {
    const r = await replay("on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    strategy:\n      matrix:\n        n: [1, 2, 3]\n    steps:\n      - run: echo hi\n", { parallel: 1, removeDelayMs: 100 });
    expect(r.runtime.maxAlive).toBe(1);
    expect(r.runtime.removed.size).toBe(3);
  });

  it("expands a matrix from the outputs of a job it needs at run time", async () => {
    const r = await replay(
      `
on: push
jobs:
  a:
    runs-on: ubuntu-latest
    outputs:
      m: \${{ steps.s.outputs.m }}
    steps:
      - id: s
        run: echo 'm={"v":["x","y"],"include":[{"v":"z","extra":true}]}' >> "$GITHUB_OUTPUT"
  b:
    needs: a
    runs-on: ubuntu-latest
    strategy:
      matrix: \${{ fromJSON(needs.a.outputs.m) }}
    steps:
      - run: echo "v=\${{ matrix.v }} extra=\${{ matrix.extra }}"
`,
      { job: "b" },
    );
    expect(r.jobs("b").map((j) => [j.matrix, j.result])).toEqual(
      expect.arrayContaining([
        [{ v: "x" }, "success"],
        [{ v: "y" }, "success"],
        [{ v: "z", extra: true }, "success"],
      ]),
    );
    expect(r.jobs("b")).toHaveLength(3);
    expect(r.allLines()).toEqual(expect.arrayContaining(["v=x extra=", "v=y extra=", "v=z extra=true"]));
  });
});

describe("runPlan: warm starts", () => {
  /** The stand-in Docker's lifecycle as it was when job `a` completed. */
  const lifecycleWhenACompletes = (): { seen: string[]; record: NonNullable<RunOptions["onEvent"]> } => {
    const w = {
      seen: [] as string[],
      record: (e: EventInput, runtime: LocalRuntime): void => {
        if (e.type === "job.completed" && e.jobKey === "a") w.seen = [...runtime.lifecycle];
      },
    };
    return w;
  };

  const chain = (aStep: string, bIf = ""): string => `
on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: ${aStep}
  b:
    needs: a
    runs-on: ubuntu-latest${bIf ? `\n    if: ${bIf}` : ""}
    steps:
      - run: echo "b in $HOSTNAME"
  c:
    needs: b
    runs-on: ubuntu-latest
    steps:
      - run: echo c
`;

  it("a chain's later containers start while its first job runs, and each job runs in its own", async () => {
    const whileA = lifecycleWhenACompletes();
    const r = await replay(chain("sleep 0.3"), { onEvent: whileA.record });
    expect(whileA.seen.sort()).toEqual(["created a", "created b", "created c"]);
    expect(["a", "b", "c"].map((k) => r.job(k).result)).toEqual(["success", "success", "success"]);
    expect(r.runtime.maxAlive).toBe(3);
    expect(r.started()).toEqual(["a", "b", "c"]);
    expect(r.runtime.removed.size).toBe(3);
  });

  it("a warm container whose job does not run is removed, and the job is only reported skipped", async () => {
    const r = await replay(chain("sleep 0.2; exit 1"));
    expect(["a", "b", "c"].map((k) => r.job(k).result)).toEqual(["failure", "skipped", "skipped"]);
    expect(r.started()).toEqual(["a"]);
    expect(r.runtime.created.length).toBe(3);
    expect(r.runtime.removed.size).toBe(3);
  });

  it("a job whose if: is false after its needs ran leaves nothing behind", async () => {
    const r = await replay(chain("sleep 0.2", "false"));
    expect(r.job("b").result).toBe("skipped");
    expect(r.started()).toEqual(["a"]);
    expect(r.runtime.removed.size).toBe(r.runtime.created.length);
  });

  it("builds no image ahead: a job whose image is not here yet starts after its needs", async () => {
    const whileA = lifecycleWhenACompletes();
    const r = await replay(chain("sleep 0.2"), { imagePresent: false, onEvent: whileA.record });
    expect(whileA.seen).toEqual(["created a"]);
    expect(["a", "b", "c"].map((k) => r.job(k).result)).toEqual(["success", "success", "success"]);
  });

  it("takes only free slots: with --parallel 1 nothing starts ahead", async () => {
    const r = await replay(chain("sleep 0.2"), { parallel: 1 });
    expect(r.runtime.maxAlive).toBe(1);
    expect(r.runtime.lifecycle).toEqual(["created a", "removed a", "created b", "removed b", "created c", "removed c"]);
  });

  it("a job whose container or matrix may come from its needs starts only after them", async () => {
    const whileA = lifecycleWhenACompletes();
    const r = await replay(
      `
on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: sleep 0.2
  b:
    needs: a
    runs-on: ubuntu-latest
    strategy:
      matrix:
        n: [1]
    steps:
      - run: echo b
  c:
    needs: a
    runs-on: \${{ needs.a.result == 'success' && 'ubuntu-latest' || 'nope' }}
    steps:
      - run: echo c
`,
      { onEvent: whileA.record },
    );
    expect(whileA.seen).toEqual(["created a"]);
    expect(r.job("b (n=1)").result).toBe("success");
    expect(r.job("c").result).toBe("success");
  });
});

describe("runPlan: what steps pass on", () => {
  it("passes step outputs to job outputs and needs, GITHUB_ENV and GITHUB_PATH to later steps, heredocs whole", async () => {
    const r = await replay(`
on: push
jobs:
  a:
    runs-on: ubuntu-latest
    outputs:
      greeting: \${{ steps.s.outputs.greeting }}
      multi: \${{ steps.s.outputs.multi }}
    steps:
      - id: s
        run: |
          echo "greeting=hello" >> "$GITHUB_OUTPUT"
          { echo "multi<<EOF"; echo "line one"; echo "line two"; echo "EOF"; } >> "$GITHUB_OUTPUT"
          echo "FROM_ENV=carried" >> "$GITHUB_ENV"
          mkdir -p "$RUNNER_TEMP/tools"
          printf '#!/bin/sh\\necho mytool ran\\n' > "$RUNNER_TEMP/tools/mytool"
          chmod +x "$RUNNER_TEMP/tools/mytool"
          echo "$RUNNER_TEMP/tools" >> "$GITHUB_PATH"
          echo "same step sees FROM_ENV=\${FROM_ENV:-unset}"
      - run: |
          echo "next step sees FROM_ENV=$FROM_ENV"
          mytool
          echo "greeting is \${{ steps.s.outputs.greeting }}"
  b:
    needs: a
    runs-on: ubuntu-latest
    steps:
      - run: echo "got \${{ needs.a.outputs.greeting }}"
      - env:
          M: \${{ needs.a.outputs.multi }}
        run: |
          printf '%s\\n' "$M" | sed 's/^/m: /'
`);
    expect(r.job("a")).toMatchObject({ result: "success", outputs: { greeting: "hello", multi: "line one\nline two" } });
    expect(r.lines("a")).toEqual(["same step sees FROM_ENV=unset", "next step sees FROM_ENV=carried", "mytool ran", "greeting is hello"]);
    expect(r.lines("b")).toEqual(["got hello", "m: line one", "m: line two"]);
    expect(r.result.jobs[`${FILE}:a`]?.outputs).toEqual({ greeting: "hello", multi: "line one\nline two" });
  });

  it.each<[string, boolean, "success" | "failure", string[]]>([
    ["continue-on-error: true keeps the job green", true, "success", ["outcome=failure conclusion=success"]],
    ["without continue-on-error the job fails", false, "failure", []],
  ])("%s", async (_label, coe, jobResult, lines) => {
    const r = await replay(`
on: push
jobs:
  t:
    runs-on: ubuntu-latest
    steps:
      - id: flaky
        continue-on-error: ${coe}
        run: exit 3
      - run: echo "outcome=\${{ steps.flaky.outcome }} conclusion=\${{ steps.flaky.conclusion }}"
`);
    const [flaky, next] = r.steps("t");
    expect(flaky).toMatchObject({ outcome: "failure", result: coe ? "success" : "failure" });
    expect(next?.result).toBe(coe ? "success" : "skipped");
    expect(r.job("t").result).toBe(jobResult);
    expect(r.lines("t").filter((l) => !l.startsWith("##[error]"))).toEqual(lines);
    expect(r.lines("t")).toContain("##[error]Process completed with exit code 3.");
  });

  it("masks secrets and ::add-mask:: values in every output line", async () => {
    const r = await replay(
      `
on: push
jobs:
  t:
    runs-on: ubuntu-latest
    steps:
      - env:
          TOKEN: \${{ secrets.API_TOKEN }}
        run: |
          echo "inline \${{ secrets.API_TOKEN }}"
          echo "from env $TOKEN" >&2
          generated="gen-$((6 * 7))-value"
          echo "::add-mask::$generated"
          echo "now $generated"
      - run: echo "later gen-42-value"
`,
      { secrets: { API_TOKEN: "s3cr3t-Value" } },
    );
    expect(r.job("t").result).toBe("success");
    // stdout and stderr are separate pipes: their relative order is not fixed.
    expect(r.lines("t").sort()).toEqual(["from env ***", "inline ***", "later ***", "now ***"]);
    expect(JSON.stringify(r.events)).not.toMatch(/s3cr3t-Value|gen-42-value/);
  });

  it.each<{ label: string; cond: string; expected: "success" | "skipped" }>([
    { label: "a step with no if", cond: "", expected: "skipped" },
    { label: "if: success()", cond: "success()", expected: "skipped" },
    { label: "if: failure()", cond: "failure()", expected: "success" },
    { label: "if: always()", cond: "always()", expected: "success" },
    { label: "if: cancelled()", cond: "cancelled()", expected: "skipped" },
    { label: "if: failure() && steps.boom.outcome == 'failure'", cond: "failure() && steps.boom.outcome == 'failure'", expected: "success" },
    { label: "if: steps.boom.outcome == 'failure' (an implicit success() &&)", cond: "steps.boom.outcome == 'failure'", expected: "skipped" },
  ])("after a failed step, $label ends $expected (and sees job.status failure)", async ({ cond, expected }) => {
    const r = await replay(`
on: push
jobs:
  t:
    runs-on: ubuntu-latest
    steps:
      - id: boom
        run: exit 1
      - ${cond ? `if: ${cond}` : ""}
        run: echo "ran with job.status=\${{ job.status }}"
`);
    const [boom, second] = r.steps("t");
    expect(boom?.result).toBe("failure");
    expect(second?.result).toBe(expected);
    expect(r.lines("t").includes("ran with job.status=failure")).toBe(expected === "success");
    expect(r.job("t").result).toBe("failure");
  });

  it("shows job.status as success in an always() step of a healthy job", async () => {
    const r = await replay(`
on: push
jobs:
  t:
    runs-on: ubuntu-latest
    steps:
      - run: "true"
      - if: always()
        run: echo "status=\${{ job.status }}"
`);
    expect(r.lines("t")).toEqual(["status=success"]);
  });
});

describe("runPlan: containers", () => {
  const scenarios: [string, string, RunOptions][] = [
    [
      "a successful job",
      `
on: push
jobs:
  t:
    runs-on: ubuntu-latest
    steps:
      - run: echo ok`,
      {},
    ],
    [
      "a failed job",
      `
on: push
jobs:
  t:
    runs-on: ubuntu-latest
    steps:
      - run: exit 1`,
      {},
    ],
    [
      "cells cancelled by fail-fast mid-step",
      `
on: push
jobs:
  t:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        n: [1, 2, 3]
    steps:
      - run: |
          if [ "\${{ matrix.n }}" = 1 ]; then sleep 0.5; exit 1; fi
          sleep 2`,
      {},
    ],
  ];

  it.each(scenarios)("removes every container it created, and the job folders, after %s", async (_label, yaml, o) => {
    const r = await replay(yaml, o);
    expect(r.runtime.created.length).toBeGreaterThan(0);
    expect([...r.runtime.removed].sort()).toEqual(r.runtime.created.map((c) => c.id).sort());
    expect((await readdir(r.hostRunDir)).filter((f) => f.startsWith("job-"))).toEqual([]);
  });

  it("binds the job's host folder at the file-commands path and keeps a failed container with keepFailed", async () => {
    const r = await replay(
      `
on: push
jobs:
  t:
    runs-on: ubuntu-latest
    steps:
      - run: exit 1`,
      { keepFailed: true },
    );
    const [created] = r.runtime.created;
    expect(created?.spec.binds).toEqual([{ host: expect.stringContaining(r.hostRunDir), container: "/home/runner/work/_temp/_runner_file_commands" }]);
    expect(r.runtime.removed.size).toBe(0);
    expect(r.events).toContainEqual(expect.objectContaining({ type: "notice", jobKey: "t", message: expect.stringContaining("kept the failed job's container") }));
  });
});

describe("runPlan: jobs replay cannot run here", () => {
  // What the CLI's image resolver does for a macOS or Windows label that --image does not map.
  const imageFor = async (labels: string[]): Promise<string> => {
    if (labels.includes("macos-latest")) throw new NotReplayedError("macos-latest", "macOS");
    return "test-image";
  };
  const workflow = `
on: push
jobs:
  test:
    strategy:
      matrix:
        os: [ubuntu-latest, macos-latest]
    runs-on: \${{ matrix.os }}
    steps:
      - run: echo tested
  lint:
    runs-on: ubuntu-latest
    steps:
      - run: echo linted
  publish:
    needs: [lint, test]
    if: always()
    runs-on: ubuntu-latest
    steps:
      - run: echo published
  after-lint:
    needs: lint
    runs-on: ubuntu-latest
    steps:
      - run: echo after
  after-publish:
    needs: publish
    runs-on: ubuntu-latest
    steps:
      - run: echo after
`;

  it.each<[string, boolean, Record<string, string>, number]>([
    [
      "are not replayed, nor are the jobs that need them (whatever their if:), and the run succeeds",
      false,
      { "test (os=ubuntu-latest)": "success", "test (os=macos-latest)": "not-replayed", lint: "success", publish: "not-replayed", "after-lint": "success", "after-publish": "not-replayed" },
      0,
    ],
    [
      "fail with --strict, as any job that cannot start",
      true,
      { "test (os=ubuntu-latest)": "success", "test (os=macos-latest)": "failure", lint: "success", publish: "success", "after-lint": "success", "after-publish": "skipped" },
      1,
    ],
  ])("%s", async (_label, strict, expected, exitCode) => {
    const r = await replay(workflow, { imageFor, strict });
    expect(Object.fromEntries(Object.keys(expected).map((k) => [k, r.job(k).result]))).toEqual(expected);
    expect(r.result.exitCode).toBe(exitCode);
    if (!strict) {
      expect(r.job("test (os=macos-latest)")).toMatchObject({ reason: "not replayed here: macOS runner ('macos-latest')", runner: "macos-latest" });
      expect(r.job("publish").reason).toBe("not replayed here: it needs 'test', which was not replayed");
      expect(r.job("after-publish").reason).toBe("not replayed here: it needs 'publish', which was not replayed");
    }
  });
});

describe("runPlan: the github context of a job's if", () => {
  it("is the one its steps see: a pull request's job sees the merge ref, not the branch's", async () => {
    const workflow = load(`
on: pull_request
jobs:
  pr:
    if: github.ref == 'refs/pull/1/merge' && github.ref_name == '1/merge' && github.job == 'pr' && github.head_ref != ''
    runs-on: ubuntu-latest
    steps:
      - run: echo "steps see \${{ github.ref }}"
`);
    const plan = planJob([workflow], "pr", "pull_request");
    const { deps, events, dispose } = await inProcessDeps({ tempPrefix: "replay-engine-test-", deps: { keepFailed: false, eventName: "pull_request" } });
    cleanups.push(dispose);
    const result = await runPlan(plan, deps, { parallel: 1, imageFor: async () => "test-image", signal: new AbortController().signal });
    const r = new Replay(events, {} as LocalRuntime, result, "");
    expect(r.job("pr").result).toBe("success");
    expect(r.lines("pr")).toContain("steps see refs/pull/1/merge");
  });
});
