import { afterAll, describe, expect, it } from "vitest";
import { hashFiles } from "../workflows/index.js";
import { runCli } from "./support/corpus.js";
import type { CliRun } from "./support/corpus.js";
import { workflowRepo } from "./support/git-repo.js";

const disposals: (() => void)[] = [];
afterAll(() => {
  for (const dispose of disposals) dispose();
});

const SEE = (label: string, dir = "$GITHUB_WORKSPACE"): string => `echo "${label} [$(ls -A ${dir} | tr '\\n' ' ')] hash [\${{ hashFiles('**/package.json') }}]"`;

const WORKFLOW = `on: push
jobs:
  none:
    runs-on: ubuntu-latest
    steps:
      - run: ${SEE("none")}; test -s "$GITHUB_EVENT_PATH" && echo "event there"
      - run: cat /home/runner/work/_replay/snapshot/package.json || echo "snapshot unreadable"
  before-after:
    runs-on: ubuntu-latest
    steps:
      - run: ${SEE("before")}; echo left > left-before.txt
      - uses: docker://replay-base:bookworm
        with:
          entrypoint: sh
          args: -c "echo docker-before [$(ls -A /github/workspace | tr '\\n' ' ')]"
      - uses: actions/checkout@v4
      - run: ${SEE("after")}
      - uses: docker://replay-base:bookworm
        with:
          entrypoint: sh
          args: -c "echo docker-after [$(ls -A /github/workspace | tr '\\n' ' ')]"
  forgot:
    runs-on: ubuntu-latest
    steps:
      - run: npm test
  forgot-action:
    runs-on: ubuntu-latest
    steps:
      - uses: ./.github/actions/hello
  sub:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          path: a/b
      - run: ${SEE("sub")}; echo "sub hashes [\${{ hashFiles('a/b/package.json') }}] [\${{ hashFiles('package.json') }}]"; cd a/b && echo "sub git $(git rev-list --count HEAD) $(ls -A | tr '\\n' ' ')"
  composite:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          path: tools
      - run: echo scratch > tools/scratch.txt
      - uses: ./tools/.github/actions/hello
      - run: echo "composite [$(ls -A | tr '\\n' ' ')]"; echo "tools [$(ls -A tools | tr '\\n' ' ')]"
  container:
    runs-on: ubuntu-latest
    container: replay-base:bookworm
    steps:
      - run: ${SEE("container-before")}
      - uses: actions/checkout@v4
      - run: ${SEE("container-after")} $GITHUB_WORKSPACE
`;

const FILES = {
  "package.json": `{"name":"ws","scripts":{"test":"echo tested"}}\n`,
  ".github/actions/hello/action.yml": `name: hello
runs:
  using: composite
  steps:
    - uses: actions/checkout@v4
      with:
        path: main
    - run: echo "hello from the composite"
      shell: bash
`,
};

const lines = (r: CliRun, jobKey: string): string[] =>
  r.events.filter((e) => e["type"] === "step.output" && e["jobKey"] === jobKey).map((e) => String(e["line"]));
const line = (r: CliRun, jobKey: string, label: string): string | undefined => lines(r, jobKey).find((l) => l.startsWith(`${label} `));
const result = (r: CliRun, jobKey: string): unknown => r.events.find((e) => e["type"] === "job.completed" && e["jobKey"] === jobKey)?.["result"];

describe("the workspace before actions/checkout", () => {
  it("is empty until a checkout moves the repository in, as on GitHub", async () => {
    const repo = workflowRepo("ws", WORKFLOW, FILES);
    disposals.push(repo.dispose);
    const hash = await hashFiles(repo.dir, ["**/package.json"]);
    const one = await hashFiles(repo.dir, ["package.json"]);
    expect(hash).not.toBe("");
    const r = await runCli(["run", "--json"], repo.dir);

    // A job without checkout never sees the code: an empty workspace, no hash, and the
    // snapshot waiting beside it is not readable; the event payload is there.
    expect(line(r, "none", "none")).toBe("none [] hash []");
    expect(lines(r, "none")).toEqual(expect.arrayContaining(["event there", "snapshot unreadable"]));
    expect(result(r, "none")).toBe("success");

    // Before: empty, '' and an empty /github/workspace for a Docker action; after: the
    // repository (what a step left before is gone, as checkout empties its folder).
    expect(line(r, "before-after", "before")).toBe("before [] hash []");
    expect(line(r, "before-after", "docker-before")).toBe("docker-before [left-before.txt ]");
    expect(line(r, "before-after", "after")).toBe(`after [.git .github package.json ] hash [${hash}]`);
    expect(line(r, "before-after", "docker-after")).toBe("docker-after [.git .github package.json ]");

    // A workflow that forgot its checkout fails as on CI.
    expect(result(r, "forgot")).toBe("failure");
    expect(lines(r, "forgot").some((l) => l.includes("Could not read package.json"))).toBe(true);
    expect(result(r, "forgot-action")).toBe("failure");

    // path: the repository in that folder, hashFiles relative to the workspace.
    expect(line(r, "sub", "sub")).toBe(`sub [a ] hash [${hash}]`);
    expect(line(r, "sub", "sub hashes")).toBe(`sub hashes [${one}] []`);
    expect(line(r, "sub", "sub git")).toBe("sub git 1 .git .github package.json ");

    // A checkout inside a composite action, after another at a path: the repository
    // unpacked again in its folder, and the first one left as it was.
    expect(lines(r, "composite")).toContain("hello from the composite");
    expect(line(r, "composite", "composite")).toBe("composite [main tools ]");
    expect(line(r, "composite", "tools")).toBe("tools [.git .github package.json scratch.txt ]");

    // A container: job, at /__w.
    expect(line(r, "container", "container-before")).toBe("container-before [] hash []");
    expect(line(r, "container", "container-after")).toBe(`container-after [.git .github package.json ] hash [${hash}] /__w/ws/ws`);
    expect(r.exitCode).toBe(1);
  });
});
