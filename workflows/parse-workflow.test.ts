import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { formatProblem } from "../common/index.js";
import { parseWorkflow } from "./parse-workflow.js";

const BAD_INPUT = path.resolve(import.meta.dirname, "../../shared/corpus/bad-input/repo/.github/workflows");

function problemsOf(text: string): string[] {
  return parseWorkflow("w.yml", text).problems.map(formatProblem);
}

const wf = (jobs: string): string => `on: push\njobs:\n${jobs}`;

describe("parseWorkflow on the bad-input corpus", () => {
  const all = readdirSync(BAD_INPUT)
    .sort()
    .flatMap((f) => parseWorkflow(`.github/workflows/${f}`, readFileSync(path.join(BAD_INPUT, f), "utf8")).problems.map(formatProblem));

  it.each([
    ["broken YAML at its line", /broken-yaml\.yml:8:\d+: invalid YAML/],
    ["a misspelled key, at the key, with a suggestion", /bad-schema\.yml:6:5: unknown key 'step' in job 'build' \(did you mean 'steps'\?\)/],
    ["needs naming an unknown job", /bad-schema\.yml:9:\d+: .*'nonexistent'/],
    ["an unclosed expression", /bad-expr\.yml:8:\d+: .*/],
    ["an unknown function", /bad-expr\.yml:11:\d+: .*toUpper/],
    ["a cycle in needs", /cycle\.yml:\d+:\d+: .*cycle/],
  ])("reports %s", (_what, pattern) => {
    expect(all.some((p) => pattern.test(p)), all.join("\n")).toBe(true);
  });

  it("loads the good workflow with no problem", () => {
    const r = parseWorkflow("good.yml", readFileSync(path.join(BAD_INPUT, "good.yml"), "utf8"));
    expect(r.problems).toEqual([]);
    expect(r.workflow?.jobs.map((j) => j.id)).toEqual(["ok", "matrixed"]);
  });
});

describe("parseWorkflow validation", () => {
  it.each([
    ["runs-on missing", wf("  a:\n    steps:\n      - run: x\n"), "w.yml:4:5: job 'a' has no 'runs-on'"],
    ["uses and run in one step", wf("  a:\n    runs-on: x\n    steps:\n      - run: x\n        uses: actions/checkout@v4\n"), "has both 'uses' and 'run'"],
    ["neither uses nor run", wf("  a:\n    runs-on: x\n    steps:\n      - name: x\n"), "has neither 'uses' nor 'run'"],
    ["a malformed uses", wf("  a:\n    runs-on: x\n    steps:\n      - uses: actions/checkout\n"), "w.yml:6:15: 'actions/checkout' is not a valid 'uses' reference"],
    ["a wrong type", wf("  a:\n    runs-on: x\n    timeout-minutes: [1]\n    steps:\n      - run: x\n"), "w.yml:5:22: 'timeout-minutes' in job 'a' must be a number or an expression"],
    ["an unknown context", wf("  a:\n    runs-on: x\n    steps:\n      - run: echo ${{ foo.bar }}\n"), "foo"],
    ["an unknown event", "on: pushh\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: x\n", "unknown event 'pushh'"],
    ["a job id with a dot", wf("  a.b:\n    runs-on: x\n    steps:\n      - run: x\n"), "job id 'a.b'"],
    ["a duplicate key", wf("  a:\n    runs-on: x\n    runs-on: y\n    steps:\n      - run: x\n"), "w.yml:5:5: invalid YAML"],
  ])("%s", (_what, text, expected) => {
    const problems = problemsOf(text);
    expect(problems.some((p) => p.includes(expected)), problems.join("\n")).toBe(true);
  });

  it("reports every problem of a file at once", () => {
    const problems = problemsOf(wf("  a:\n    runs-on: x\n    stepz: []\n  b:\n    needs: nope\n    runs-on: x\n    steps:\n      - run: x\n"));
    expect(problems.length).toBeGreaterThanOrEqual(2);
  });

  it("keeps step keys GitHub's converted model would drop", () => {
    const { workflow } = parseWorkflow(
      "w.yml",
      wf("  a:\n    runs-on: x\n    timeout-minutes: 5\n    continue-on-error: true\n    defaults:\n      run:\n        shell: bash\n    steps:\n      - run: x\n        shell: sh\n        working-directory: sub\n        timeout-minutes: 2\n        with:\n          n: 0\n"),
    );
    const job = workflow?.jobs[0];
    expect(job?.timeoutMinutes).toBe(5);
    expect(job?.continueOnError).toBe(true);
    expect(job?.defaults).toEqual({ shell: "bash" });
    expect(job?.steps[0]).toMatchObject({ shell: "sh", workingDirectory: "sub", timeoutMinutes: 2, with: { n: "0" } });
  });

  it.each([
    ["a string", "on: push", ["push"]],
    ["a list", "on: [push, pull_request]", ["push", "pull_request"]],
    ["a map with filters", "on:\n  push:\n    branches: [main]\n  workflow_dispatch:", ["push", "workflow_dispatch"]],
  ])("reads `on` as %s", (_what, on, events) => {
    const { workflow, problems } = parseWorkflow("w.yml", `${on}\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: x\n`);
    expect(problems).toEqual([]);
    expect(Object.keys(workflow?.on.events ?? {})).toEqual(events);
  });
});
