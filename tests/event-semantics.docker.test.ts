import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "./support/corpus.js";
import { workflowRepo } from "./support/git-repo.js";

// What a workflow reads of its event and inputs, replayed through the CLI as GitHub gives it.
const disposals: (() => void)[] = [];
afterAll(() => {
  for (const dispose of disposals) dispose();
});

function repoWith(workflow: string, files: Record<string, string> = {}): string {
  const repo = workflowRepo("event-semantics", workflow, files);
  disposals.push(repo.dispose);
  return repo.dir;
}

const lines = (events: Record<string, unknown>[]): string[] => events.filter((e) => e["type"] === "step.output").map((e) => String(e["line"]));

describe("workflow_dispatch inputs", () => {
  // GitHub types only booleans in a dispatch's inputs context (its numbers stay text as submitted).
  it("are typed in inputs and strings in github.event.inputs and the event file", async () => {
    const dir = repoWith(`on:
  workflow_dispatch:
    inputs:
      flag: { type: boolean, default: false }
      count: { type: number, default: 1 }
      name: { type: string, default: mona }
jobs:
  show:
    runs-on: ubuntu-latest
    steps:
      - run: |
          echo 'inputs=\${{ toJSON(inputs.flag) }},\${{ toJSON(inputs.count) }},\${{ toJSON(inputs.name) }}'
          echo 'event=\${{ toJSON(github.event.inputs.flag) }},\${{ toJSON(github.event.inputs.count) }},\${{ toJSON(github.event.inputs.name) }}'
          echo "workflow=\${{ github.event.workflow }}"
          grep -q '"flag": "true"' "$GITHUB_EVENT_PATH" && echo "file has flag as a string"
`);
    const r = await runCli(["run", "--event", "workflow_dispatch", "--input", "flag=true", "--input", "count=5", "--json"], dir);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(lines(r.events)).toEqual(expect.arrayContaining(['inputs=true,"5","mona"', 'event="true","5","mona"', "workflow=.github/workflows/w.yml", "file has flag as a string"]));
  });
});

type Annotation = { level: string; message: string };
const annotations = (events: Record<string, unknown>[]): Annotation[] => events.filter((e) => e["type"] === "step.annotation") as unknown as Annotation[];
const results = (events: Record<string, unknown>[]): [string, string][] =>
  events.filter((e) => e["type"] === "job.completed").map((e) => [String(e["jobKey"]), String(e["result"])]);

describe("workflow features GitHub accepts", () => {
  it("a matrix with ${{ insert }} of a needs output, an expression key, a service whose image is '', and set-output/save-state with GitHub's warning", async () => {
    const dir = repoWith(`on: push
jobs:
  setup:
    runs-on: ubuntu-latest
    outputs:
      m: \${{ steps.s.outputs.m }}
    steps:
      - id: s
        run: echo 'm={"n":[1,2]}' >> "$GITHUB_OUTPUT"
  use:
    needs: setup
    runs-on: ubuntu-latest
    strategy:
      matrix:
        \${{ insert }}: \${{ fromJSON(needs.setup.outputs.m) }}
        \${{ 'extra' }}: [x]
    services:
      db:
        image: \${{ matrix.n == 3 && 'redis:7-alpine' || '' }}
    steps:
      - id: a
        run: |
          echo "::set-output name=cell::n\${{ matrix.n }}-\${{ matrix.extra }}"
          echo "::save-state name=s::st"
      - run: echo "cell=\${{ steps.a.outputs.cell }}"
`);
    const r = await runCli(["run", "--json"], dir);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(results(r.events)).toEqual(expect.arrayContaining([["use (n=1, extra=x)", "success"], ["use (n=2, extra=x)", "success"]]));
    expect(lines(r.events)).toEqual(expect.arrayContaining(["cell=n1-x", "cell=n2-x"]));
    const warning = (command: string): Annotation =>
      expect.objectContaining({
      level: "warning",
        message: `The \`${command}\` command is deprecated and will be disabled soon. Please upgrade to using Environment Files. For more information see: https://github.blog/changelog/2022-10-11-github-actions-deprecating-save-state-and-set-output-commands/`,
      }) as Annotation;
    expect(annotations(r.events)).toEqual(expect.arrayContaining([warning("set-output"), warning("save-state")]));
  });

  it("workflow_call defaults given as expressions, and --event-path inputs as GitHub's payload supplies them", async () => {
    const dir = repoWith(
      `on:
  workflow_dispatch:
    inputs:
      flag: { type: boolean, default: false }
      name: { type: string, default: mona }
jobs:
  show:
    runs-on: ubuntu-latest
    steps:
      - run: echo 'dispatch=\${{ toJSON(inputs.flag) }},\${{ inputs.name }},\${{ github.event.inputs.flag }}'
  call:
    uses: ./.github/workflows/called.yml
`,
      {
        ".github/workflows/called.yml": `on:
  workflow_call:
    inputs:
      count:
        type: number
        default: \${{ 1 }}
      where:
        type: string
        default: \${{ github.ref_name }}
jobs:
  c:
    runs-on: ubuntu-latest
    steps:
      - run: echo 'called=\${{ toJSON(inputs.count) }},\${{ inputs.where }}'
`,
        "event.json": JSON.stringify({ inputs: { flag: "true", name: "octo" } }),
      },
    );
    const dispatch = await runCli(["run", "--event", "workflow_dispatch", "--event-path", "event.json", "-w", ".github/workflows/w.yml", "--json"], dir);
    expect(dispatch.exitCode, dispatch.stderr).toBe(0);
    expect(lines(dispatch.events)).toEqual(expect.arrayContaining(["dispatch=true,octo,true", "called=1,main"]));

    const call = await runCli(["run", "--event", "workflow_call", "-w", ".github/workflows/called.yml", "--json"], dir);
    expect(call.exitCode, call.stderr).toBe(0);
    expect(lines(call.events)).toContain("called=1,main");
  });
});
