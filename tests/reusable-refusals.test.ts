import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "./support/corpus.js";
import { gitRepo } from "./support/git-repo.js";

// Replays refused before anything starts (exit 2, no Docker needed), through the built CLI
// as a user calls it: reusable workflows, their secrets, and workflow_call/dispatch inputs.
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
    secrets:
      TOKEN:
        required: true
jobs:
  bundle:
    runs-on: ubuntu-latest
    steps:
      - run: echo "\${{ inputs.target }}"
`;

const repo = gitRepo("reusable-refusals", {
  ".github/workflows/build.yml": build,
  ".github/workflows/ci.yml": `on: push
jobs:
  call:
    uses: ./.github/workflows/build.yml
    with:
      target: web
    secrets:
      TOKEN: \${{ secrets.MY_TOKEN }}
  use:
    needs: call
    runs-on: ubuntu-latest
    steps:
      - run: echo \${{ needs.call.outputs.x }}
`,
  ".github/workflows/dispatch.yml": `on:
  workflow_dispatch:
    inputs:
      level:
        type: choice
        options: [low, high]
jobs:
  d:
    runs-on: ubuntu-latest
    steps:
      - run: echo \${{ inputs.level }}
`,
  "broken/ci.yml": `on: push
jobs:
  call:
    uses: ./.github/workflows/build.yml
    with:
      target: web
      tagret: typo
    secrets:
      TOKEN: x
`,
  "remote/ci.yml": "on: push\njobs:\n  call:\n    uses: octo/shared/.github/workflows/build.yml@v1\n",
  // For `replay validate -w calls`: calls GitHub refuses, on an event a push replay never plans.
  "calls/ci.yml": `on: pull_request
jobs:
  missing:
    uses: ./.github/workflows/nowhere.yml
  not-reusable:
    uses: ./.github/workflows/dispatch.yml
  remote:
    uses: octo/shared/.github/workflows/build.yml@v1
`,
});
afterAll(() => repo.dispose());

describe("replays refused before anything starts", () => {
  it.each<{ label: string; args: string[]; stderr: string[] }>([
    {
      label: "a required secret of a called workflow that is not supplied",
      args: ["job", "use"],
      stderr: [
        "error: required secret not supplied: TOKEN (required by .github/workflows/build.yml, called by job 'call' of .github/workflows/ci.yml, which passes it secrets.MY_TOKEN)",
        "hint: supply it with --secret MY_TOKEN=…",
      ],
    },
    {
      label: "an input the called workflow does not declare, at its line",
      args: ["run", "-w", "broken/ci.yml", "--secret", "MY_TOKEN=x"],
      stderr: ["broken/ci.yml:5:5: job 'call': .github/workflows/build.yml declares no input 'tagret' (its inputs are: target, count)"],
    },
    {
      label: "a workflow of another repository that cannot be fetched",
      args: ["run", "-w", "remote/ci.yml", "--github-url", "/nonexistent/git-server"],
      stderr: ["error: remote/ci.yml:4:5: job 'call' calls a reusable workflow: Unable to resolve reusable workflow `octo/shared/.github/workflows/build.yml@v1`, repository not found"],
    },
    {
      label: "a workflow of another repository on a host that does not resolve",
      args: ["run", "-w", "remote/ci.yml", "--github-url", "https://github.invalid"],
      stderr: [
        "error: remote/ci.yml:4:5: job 'call' calls a reusable workflow: cannot reach github.invalid to fetch the reusable workflow `octo/shared/.github/workflows/build.yml@v1`: Could not resolve host: github.invalid",
        "hint: `replay actions vendor` where it answers, or `--offline` with the action cache",
      ],
    },
    {
      label: "a workflow of another repository behind a closed port",
      args: ["run", "-w", "remote/ci.yml", "--github-url", "http://127.0.0.1:9"],
      stderr: ["error: remote/ci.yml:4:5: job 'call' calls a reusable workflow: cannot reach 127.0.0.1:9 to fetch the reusable workflow `octo/shared/.github/workflows/build.yml@v1`: Failed to connect to 127.0.0.1 port 9"],
    },
    {
      label: "an unknown workflow_call input, listing the declared ones",
      args: ["run", "--event", "workflow_call", "-w", ".github/workflows/build.yml", "--input", "nope=1"],
      stderr: ["error: the workflow has no workflow_call input 'nope'", "hint: its inputs are: target, count"],
    },
    {
      label: "a workflow_call input of the wrong type",
      args: ["run", "--event", "workflow_call", "-w", ".github/workflows/build.yml", "--input", "target=web", "--input", "count=many"],
      stderr: ["error: input 'count' is a number and cannot be 'many'"],
    },
    {
      label: "a required workflow_call input not given",
      args: ["run", "--event", "workflow_call", "-w", ".github/workflows/build.yml"],
      stderr: ["error: the workflow_call input 'target' is required and has no default", "hint: pass --input target=value"],
    },
    {
      label: "a workflow_call workflow replayed without its required secret",
      args: ["run", "--event", "workflow_call", "-w", ".github/workflows/build.yml", "--input", "target=web"],
      stderr: ["error: required secret not supplied: TOKEN (required by .github/workflows/build.yml, replayed as a workflow_call)"],
    },
    {
      label: "a choice outside its options, listing them",
      args: ["run", "--event", "workflow_dispatch", "--input", "level=medium"],
      stderr: ["error: input 'level' is a choice and cannot be 'medium'", "hint: give one of: low, high, e.g. --input level=low"],
    },
    {
      label: "an input for an event that takes none",
      args: ["run", "--input", "level=low"],
      stderr: ["error: --input is for workflow_dispatch and workflow_call; this replay's event is push"],
    },
  ])("$label: exit 2", async ({ args, stderr }) => {
    const run = await runCli(args, repo.dir);
    expect(run.exitCode, run.stderr).toBe(2);
    for (const s of stderr) expect(run.stderr).toContain(s);
    expect(run.stdout).not.toContain("job.started");
  }, 30_000);
});

describe("replay validate and reusable-workflow calls", () => {
  it("passes calls that GitHub would take, whatever event triggers them", async () => {
    const run = await runCli(["validate"], repo.dir);
    expect(run.stderr).toBe("");
    expect(run.stdout).toBe("3 workflow file(s): 3 valid, 0 with problems (0 problem(s))\n");
    expect(run.exitCode).toBe(0);
  });

  it("reports every problem of every call at its line, exit 2, and leaves other repositories' workflows alone", async () => {
    const calls = await runCli(["validate", "--json", "-w", "calls"], repo.dir);
    expect(calls.exitCode).toBe(2);
    expect(calls.stderr.split("\n").filter(Boolean)).toEqual([
      "calls/ci.yml:4:5: job 'missing' calls './.github/workflows/nowhere.yml', and there is no such file",
      "calls/ci.yml:6:5: job 'not-reusable' calls .github/workflows/dispatch.yml, which is not a reusable workflow: it has no `on: workflow_call`",
    ]);
    expect(JSON.parse(calls.stdout)).toMatchObject({ files: ["calls/ci.yml"], valid: 0, problems: { length: 2 } });
    const broken = await runCli(["validate", "-w", "broken"], repo.dir);
    expect(broken.exitCode).toBe(2);
    expect(broken.stderr).toBe("broken/ci.yml:5:5: job 'call': .github/workflows/build.yml declares no input 'tagret' (its inputs are: target, count)\n");
  });
});
