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
