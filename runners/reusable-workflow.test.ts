import { afterEach, describe, expect, it } from "vitest";
import { parseWorkflow, planEvent, resolveCalledWorkflows } from "../workflows/index.js";
import type { ReadCalledWorkflow } from "../workflows/index.js";
import { runPlan } from "./engine.js";
import type { EngineResult } from "./engine.js";
import type { EventInput } from "./events.js";
import { inProcessDeps, testRepo } from "./testing/in-process-replay.js";
import type { LocalRuntime } from "./testing/local-runtime.js";

type Emitted<T extends EventInput["type"]> = Extract<EventInput, { type: T }>;

const CI = ".github/workflows/ci.yml";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((f) => f()));
});

class Replay {
  constructor(
    readonly events: EventInput[],
    readonly result: EngineResult,
    readonly runtime: LocalRuntime,
  ) {}

  of<T extends EventInput["type"]>(type: T): Emitted<T>[] {
    return this.events.filter((e): e is Emitted<T> => e.type === type);
  }

  /** The one job.completed of a job key. */
  job(jobKey: string): Emitted<"job.completed"> {
    const found = this.of("job.completed").filter((e) => e.jobKey === jobKey);
    expect(found, `job.completed for '${jobKey}' among ${this.of("job.completed").map((e) => e.jobKey).join(", ")}`).toHaveLength(1);
    return found[0] as Emitted<"job.completed">;
  }

  started(): string[] {
    return this.of("job.started").map((e) => e.jobKey);
  }

  lines(jobKey: string): string[] {
    return this.of("step.output")
      .filter((e) => e.jobKey === jobKey)
      .map((e) => e.line);
  }
}

/** Replays ci.yml for a push, with the other files as the repository's called workflows. */
async function replay(files: Record<string, string>, secrets: Record<string, string> = {}, parallel = 4): Promise<Replay> {
  const ci = parseWorkflow(CI, files[CI] ?? "");
  if (!ci.workflow) throw new Error(`ci.yml does not load: ${ci.problems.map((p) => `${p.line}:${p.col} ${p.message}`).join("; ")}`);
  const read: ReadCalledWorkflow = async (ref) => {
    const text = ref.kind === "local" ? files[ref.path] : undefined;
    return text === undefined || ref.kind !== "local" ? undefined : { file: ref.path, text };
  };
  const plan = await resolveCalledWorkflows(planEvent([ci.workflow], "push"), read);
  const { deps, events, runtime, dispose } = await inProcessDeps({
    tempPrefix: "replay-reusable-test-",
    secrets,
    deps: { repo: testRepo("b"), vars: { STAGE: "qa" } },
  });
  cleanups.push(dispose);
  const image = async (): Promise<string> => "test-image";
  const result = await runPlan(plan, deps, { parallel, imageFor: image, presentImageFor: image, signal: new AbortController().signal });
  await runtime.settled();
  return new Replay(events, result, runtime);
}

const BUILD = ".github/workflows/build.yml";
const build = `name: Build
on:
  workflow_call:
    inputs:
      target:
        type: string
        required: true
      count:
        type: number
        default: 1
      verbose:
        type: boolean
        default: false
    secrets:
      TOKEN:
        required: true
    outputs:
      artifact:
        value: \${{ jobs.bundle.outputs.artifact }}
      result:
        value: \${{ jobs.bundle.result }}
jobs:
  bundle:
    runs-on: ubuntu-latest
    outputs:
      artifact: \${{ steps.b.outputs.artifact }}
    steps:
      - id: b
        run: |
          echo "target=\${{ inputs.target }} count=\${{ inputs.count }} verbose=\${{ inputs.verbose }}"
          echo "typed: \${{ inputs.count == 3 }} \${{ inputs.verbose == false }}"
          echo "token=\${{ secrets.TOKEN }} other=[\${{ secrets.OTHER }}]"
          echo "workflow=\${{ github.workflow }} job=$GITHUB_JOB ref=$GITHUB_WORKFLOW_REF stage=\${{ vars.STAGE }}"
          echo "artifact=\${{ inputs.target }}-\${{ inputs.count }}.tgz" >> "$GITHUB_OUTPUT"
`;

describe("calling a reusable workflow", () => {
  it("passes typed inputs with defaults and only the mapped secrets, and gives the caller the declared outputs", async () => {
    const r = await replay(
      {
        [CI]: `name: CI
on: push
jobs:
  call:
    uses: ./.github/workflows/build.yml
    with:
      target: web
      count: 3
    secrets:
      TOKEN: \${{ secrets.MY_TOKEN }}
  use:
    needs: call
    runs-on: ubuntu-latest
    steps:
      - run: echo "got \${{ needs.call.outputs.artifact }} \${{ needs.call.result }}"
`,
        [BUILD]: build,
      },
      { MY_TOKEN: "tok-123", OTHER: "other-456" },
    );
    const bundle = r.job("call/bundle");
    expect(bundle).toMatchObject({ job: "call/bundle", name: "call / bundle", workflow: BUILD, result: "success", outputs: { artifact: "web-3.tgz" } });
    const lines = r.lines("call/bundle");
    expect(lines).toContain("target=web count=3 verbose=false");
    expect(lines).toContain("typed: true true");
    // Only what the caller maps reaches the called workflow, masked.
    expect(lines).toContain("token=*** other=[]");
    // The `github` context is the caller's; GITHUB_JOB is the called job's id.
    expect(lines).toContain(`workflow=CI job=bundle ref=octo/demo/${CI}@refs/heads/main stage=qa`);
    expect(r.events.some((e) => JSON.stringify(e).includes("tok-123"))).toBe(false);

    expect(r.job("call")).toMatchObject({ job: "call", name: "call", workflow: CI, result: "success", outputs: { artifact: "web-3.tgz", result: "success" } });
    expect(r.lines("use")).toContain("got web-3.tgz success");
    expect(r.result).toMatchObject({ result: "success", exitCode: 0 });
  });

  it("gives every secret with `secrets: inherit`", async () => {
    const r = await replay(
      {
        [CI]: "on: push\njobs:\n  call:\n    uses: ./.github/workflows/build.yml\n    with:\n      target: api\n    secrets: inherit\n",
        [BUILD]: build,
      },
      { TOKEN: "tok-abc", OTHER: "other-def" },
    );
    expect(r.lines("call/bundle")).toContain("token=*** other=[***]");
    expect(r.job("call").outputs).toEqual({ artifact: "api-1.tgz", result: "success" });
  });

  it("calls the workflow once per cell of the caller's matrix, each named after its cell", async () => {
    const r = await replay({
      [CI]: `on: push
jobs:
  call:
    strategy:
      matrix:
        target: [web, api]
    uses: ./.github/workflows/build.yml
    with:
      target: \${{ matrix.target }}
      verbose: \${{ matrix.target == 'api' }}
    secrets:
      TOKEN: literal
`,
      [BUILD]: build,
    });
    expect(r.job("call (target=web)/bundle")).toMatchObject({ job: "call/bundle", name: "call (web) / bundle", result: "success", outputs: { artifact: "web-1.tgz" } });
    expect(r.job("call (target=api)/bundle")).toMatchObject({ job: "call/bundle", name: "call (api) / bundle", result: "success", outputs: { artifact: "api-1.tgz" } });
    expect(r.lines("call (target=api)/bundle")).toContain("target=api count=1 verbose=true");
    expect(r.job("call (target=web)")).toMatchObject({ job: "call", name: "call (web)", matrix: { target: "web" }, result: "success" });
    expect(r.job("call (target=api)")).toMatchObject({ job: "call", name: "call (api)", matrix: { target: "api" }, result: "success" });
  });

  it("nests calls: jobs keyed and named through every caller, with the top workflow's github context", async () => {
    const r = await replay({
      [CI]: "name: Top\non: push\njobs:\n  outer:\n    name: Outer\n    uses: ./.github/workflows/middle.yml\n",
      ".github/workflows/middle.yml": `name: Middle
on:
  workflow_call:
    outputs:
      leaf:
        value: \${{ jobs.inner.outputs.said }}
jobs:
  first:
    runs-on: ubuntu-latest
    outputs:
      word: \${{ steps.w.outputs.word }}
    steps:
      - id: w
        run: echo "word=hello" >> "$GITHUB_OUTPUT"
  inner:
    needs: first
    uses: ./.github/workflows/leaf.yml
    with:
      word: \${{ needs.first.outputs.word }}
`,
      ".github/workflows/leaf.yml": `on:
  workflow_call:
    inputs:
      word:
        type: string
    outputs:
      said:
        value: \${{ jobs.say.outputs.said }}
jobs:
  say:
    name: Say it
    runs-on: ubuntu-latest
    outputs:
      said: \${{ steps.s.outputs.said }}
    steps:
      - id: s
        run: |
          echo "workflow=\${{ github.workflow }} $GITHUB_WORKFLOW word=\${{ inputs.word }}"
          echo "said=\${{ inputs.word }} world" >> "$GITHUB_OUTPUT"
`,
    });
    const leaf = r.job("outer/inner/say");
    expect(leaf).toMatchObject({ job: "outer/inner/say", name: "Outer / inner / Say it", workflow: ".github/workflows/leaf.yml", result: "success" });
    expect(r.lines("outer/inner/say")).toContain("workflow=Top Top word=hello");
    expect(r.job("outer/inner")).toMatchObject({ job: "outer/inner", name: "Outer / inner", workflow: ".github/workflows/middle.yml", outputs: { said: "hello world" } });
    expect(r.job("outer")).toMatchObject({ job: "outer", name: "Outer", workflow: CI, result: "success", outputs: { leaf: "hello world" } });
  });

  it("fails the caller when a called job fails, and skips what needs it", async () => {
    const r = await replay({
      [CI]: "on: push\njobs:\n  call:\n    uses: ./.github/workflows/flaky.yml\n  after:\n    needs: call\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo no\n",
      ".github/workflows/flaky.yml": `on: workflow_call
jobs:
  ok:
    runs-on: ubuntu-latest
    steps:
      - run: echo fine
  broken:
    runs-on: ubuntu-latest
    steps:
      - run: exit 3
  cleanup:
    needs: broken
    if: failure()
    runs-on: ubuntu-latest
    steps:
      - run: echo cleaning
`,
    });
    expect(r.job("call/broken").result).toBe("failure");
    expect(r.job("call/cleanup").result).toBe("success");
    expect(r.job("call")).toMatchObject({ result: "failure", reason: "called job failed: broken" });
    expect(r.job("after").result).toBe("skipped");
    expect(r.result).toMatchObject({ result: "failure", exitCode: 1 });
  });

  it("a job that needs a caller does not warm up beside the called jobs beyond --parallel", async () => {
    const r = await replay(
      {
        [CI]: "on: push\njobs:\n  call:\n    uses: ./.github/workflows/two.yml\n  after:\n    needs: call\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo after\n",
        ".github/workflows/two.yml": "on: workflow_call\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: sleep 0.2\n  y:\n    runs-on: ubuntu-latest\n    steps:\n      - run: sleep 0.2\n",
      },
      {},
      2,
    );
    expect(r.job("after").result).toBe("success");
    expect(r.runtime.maxAlive).toBe(2);
  });

  it("skips a caller whose if is false without starting any called job", async () => {
    const r = await replay({
      [CI]: "on: push\njobs:\n  call:\n    if: github.ref == 'refs/heads/release'\n    uses: ./.github/workflows/build.yml\n    with:\n      target: x\n    secrets:\n      TOKEN: t\n",
      [BUILD]: build,
    });
    expect(r.job("call").result).toBe("skipped");
    expect(r.started()).toEqual([]);
  });

  it("fails the caller cell, starting nothing, when an evaluated input has the wrong type", async () => {
    const r = await replay({
      [CI]: "on: push\njobs:\n  call:\n    uses: ./.github/workflows/build.yml\n    with:\n      target: x\n      verbose: ${{ github.ref_name }}\n    secrets:\n      TOKEN: t\n",
      [BUILD]: build,
    });
    expect(r.job("call")).toMatchObject({ result: "failure", reason: "input 'verbose' is a boolean and cannot take a string ('main')" });
    expect(r.started()).toEqual([]);
    expect(r.result.exitCode).toBe(1);
  });

  it("keys a matrix job inside the called workflow by caller and cell", async () => {
    const r = await replay({
      [CI]: "on: push\njobs:\n  call:\n    uses: ./.github/workflows/m.yml\n",
      ".github/workflows/m.yml": "on: workflow_call\njobs:\n  test:\n    strategy:\n      matrix:\n        n: [1, 2]\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo n=${{ matrix.n }}\n",
    });
    expect(r.job("call/test (n=1)")).toMatchObject({ job: "call/test", name: "call / test (1)", matrix: { n: 1 } });
    expect(r.lines("call/test (n=2)")).toContain("n=2");
  });
});
