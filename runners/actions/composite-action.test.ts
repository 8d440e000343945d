// Composite actions through the engine, on the in-process runtime (no Docker): the
// workspace holds the actions, each step runs with the host's bash.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseWorkflow, planEvent } from "../../workflows/index.js";
import { runPlan } from "../engine.js";
import type { EventInput } from "../events.js";
import { inProcessDeps } from "../testing/in-process-replay.js";
import { packDir } from "./tar-tools.js";

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

interface Replayed {
  events: EventInput[];
  steps: [string, string][];
  log: (name: string) => string;
  jobResult: string;
}

/** Replays `workflow` (one job) with `files` in the workspace. */
async function replay(workflow: string, files: Record<string, string>): Promise<Replayed> {
  const parsed = parseWorkflow(".github/workflows/ci.yml", workflow);
  if (!parsed.workflow) throw new Error(parsed.problems.map((p) => p.message).join("; "));
  const src = await mkdtemp(path.join(os.tmpdir(), "replay-composite-src-"));
  cleanup.push(() => rm(src, { recursive: true, force: true }));
  for (const [f, content] of Object.entries(files)) {
    await import("node:fs/promises").then((fs) => fs.mkdir(path.dirname(path.join(src, f)), { recursive: true }));
    await writeFile(path.join(src, f), content);
  }
  const workspace = await packDir(src, "demo/demo", { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 });
  const { deps, events, dispose } = await inProcessDeps({ tempPrefix: "replay-composite-test-", workspace });
  cleanup.push(dispose);
  await runPlan(planEvent([parsed.workflow], "push"), deps, { parallel: 1, imageFor: async () => "test-image", signal: new AbortController().signal });
  const started = events.filter((e): e is Extract<EventInput, { type: "step.started" }> => e.type === "step.started");
  const completed = events.filter((e): e is Extract<EventInput, { type: "step.completed" }> => e.type === "step.completed");
  const job = events.find((e): e is Extract<EventInput, { type: "job.completed" }> => e.type === "job.completed");
  return {
    events,
    steps: completed.map((e) => [e.name, e.result]),
    jobResult: job?.result ?? "none",
    log: (name) => {
      const s = started.find((e) => e.name === name);
      return events
        .filter((e): e is Extract<EventInput, { type: "step.output" }> => e.type === "step.output" && s !== undefined && e.step === s.step)
        .map((e) => e.line)
        .join("\n");
    },
  };
}

const job = (steps: string): string => `on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    env: {JOB_VAR: job}\n    steps:\n${steps}`;

const GREET = `name: Greet
inputs:
  who: {required: true}
  punctuation: {default: "!"}
outputs:
  message: {value: "\${{ steps.say.outputs.message }}"}
  missing: {value: "\${{ steps.nope.outputs.x }}"}
runs:
  using: composite
  steps:
    - id: say
      shell: bash
      env: {INNER_ONLY: "inner \${{ inputs.who }}"}
      run: |
        echo "message=Hello, \${{ inputs.who }}\${{ inputs.punctuation }}" >> "$GITHUB_OUTPUT"
        echo "EXPORTED=from-composite" >> "$GITHUB_ENV"
        echo "inner env: INNER_ONLY=$INNER_ONLY JOB_VAR=$JOB_VAR OUTER=$OUTER INPUT_WHO=\${INPUT_WHO:-unset}"
    - shell: bash
      run: |
        echo "second sees INNER_ONLY=\${INNER_ONLY:-unset} EXPORTED=$EXPORTED"
        echo "action path: \${{ github.action_path }} = $GITHUB_ACTION_PATH"
        echo "outer step visible inside: '\${{ steps.before.outputs.v }}'"
        test -f "$GITHUB_ACTION_PATH/action.yml"
`;

describe("composite actions", () => {
  it("map inputs (with defaults) and outputs, keep a step's env inside, let GITHUB_ENV out, and see only their own steps", async () => {
    const r = await replay(
      job(`      - id: before
        run: echo "v=outer" >> "$GITHUB_OUTPUT"
      - id: greet
        uses: ./.github/actions/greet
        env: {OUTER: outer-env}
        with: {who: replay}
      - run: |
          echo "message=\${{ steps.greet.outputs.message }} missing='\${{ steps.greet.outputs.missing }}'"
          echo "after: INNER_ONLY=\${INNER_ONLY:-unset} OUTER=\${OUTER:-unset} EXPORTED=$EXPORTED"
        name: After
`),
      { ".github/actions/greet/action.yml": GREET },
    );
    expect(r.steps).toEqual([
      ["Run echo \"v=outer\" >> \"$GITHUB_OUTPUT\"", "success"],
      ["Run ./.github/actions/greet", "success"],
      ["After", "success"],
    ]);
    const greet = r.log("Run ./.github/actions/greet");
    expect(greet).toContain("inner env: INNER_ONLY=inner replay JOB_VAR=job OUTER=outer-env INPUT_WHO=unset");
    expect(greet).toContain("second sees INNER_ONLY=unset EXPORTED=from-composite");
    expect(greet).toMatch(/action path: (\/home\/runner\/work\/demo\/demo\/\.github\/actions\/greet) = \S+greet$/m);
    expect(greet).toContain("outer step visible inside: ''");
    expect(r.log("After")).toContain("message=Hello, replay! missing=''");
    expect(r.log("After")).toContain("after: INNER_ONLY=unset OUTER=unset EXPORTED=from-composite");
  });

  it("evaluate if: and continue-on-error inside: failure() answers for the action, and the action fails", async () => {
    const action = `name: Checks
runs:
  using: composite
  steps:
    - id: soft
      shell: bash
      run: exit 3
      continue-on-error: true
    - shell: bash
      run: echo "soft outcome=\${{ steps.soft.outcome }} conclusion=\${{ steps.soft.conclusion }} success=\${{ success() }}"
    - id: hard
      shell: bash
      run: exit 4
    - shell: bash
      run: echo "never runs"
    - shell: bash
      if: failure()
      run: echo "failure() sees the action's failed step"
    - shell: bash
      if: always()
      run: echo "always() runs, hard=\${{ steps.hard.outcome }}"
`;
    const r = await replay(job(`      - uses: ./checks\n        id: c\n        continue-on-error: true\n      - run: echo "c=\${{ steps.c.outcome }}/\${{ steps.c.conclusion }}"\n        name: Outcome\n`), { "checks/action.yml": action });
    expect(r.steps).toEqual([
      ["Run ./checks", "success"],
      ["Outcome", "success"],
    ]);
    const log = r.log("Run ./checks");
    expect(log).toContain("soft outcome=failure conclusion=success success=true");
    expect(log).toContain("##[error]Process completed with exit code 4.");
    expect(log).not.toContain("never runs");
    expect(log).toContain("failure() sees the action's failed step");
    expect(log).toContain("always() runs, hard=failure");
    expect(r.log("Outcome")).toContain("c=failure/success");
  });

  it("nest: a composite action using another, its outputs passed through", async () => {
    const outer = `name: Outer
inputs:
  who: {default: nested}
outputs:
  out: {value: "\${{ steps.inner.outputs.message }}"}
runs:
  using: composite
  steps:
    - id: inner
      uses: ./.github/actions/greet
      with: {who: "\${{ inputs.who }}", punctuation: "?"}
`;
    const r = await replay(job(`      - id: o\n        uses: ./outer\n      - run: test "\${{ steps.o.outputs.out }}" = "Hello, nested?"\n        name: Check\n`), {
      "outer/action.yml": outer,
      ".github/actions/greet/action.yml": GREET,
    });
    expect(r.steps).toEqual([
      ["Run ./outer", "success"],
      ["Check", "success"],
    ]);
    expect(r.log("Run ./outer")).toContain("##[group]Run ./.github/actions/greet");
  });

  it("fail the step with file:line:col when the action's metadata is wrong", async () => {
    const r = await replay(job(`      - uses: ./bad\n`), { "bad/action.yaml": "runs:\n  using: composite\n  steps:\n    - run: echo no shell\n" });
    expect(r.steps).toEqual([["Run ./bad", "failure"]]);
    expect(r.log("Run ./bad")).toContain("##[error]bad/action.yaml:4:7: 'shell' is required in step 1 of the composite action");
  });

  it("fail the step as the runner does when there is no action at the path", async () => {
    const r = await replay(job(`      - uses: ./nowhere\n`), {});
    expect(r.steps).toEqual([["Run ./nowhere", "failure"]]);
    expect(r.log("Run ./nowhere")).toMatch(/Can't find 'action\.yml', 'action\.yaml' or 'Dockerfile' under '\/home\/runner\/work\/demo\/demo\/nowhere'\. Did you forget to run actions\/checkout before running your local action\?/);
  });
});
