import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "./support/corpus.js";
import type { CliRun } from "./support/corpus.js";
import { GIT_ENV, gitRepo, workflowRepo } from "./support/git-repo.js";

const disposals: (() => void)[] = [];
afterAll(() => {
  for (const dispose of disposals) dispose();
});

const WORKFLOW = `on: push
jobs:
  submodules:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          submodules: true
      - run: echo "lib [$(cat lib/lib.txt)] status [$(git submodule status | cut -c1)]"
  no-submodules:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: echo "empty lib [$(test -d lib && ls -A lib | wc -l)]"
  sparse:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          sparse-checkout: |
            src
      - run: echo "sparse [$(ls | tr '\\n' ' ')] [$(ls src | tr '\\n' ' ')]"
  sparse-no-cone:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          sparse-checkout: docs/a.md
          sparse-checkout-cone-mode: false
      - run: echo "no-cone [$(find . -path ./.git -prune -o -type f -print | sort | tr '\\n' ' ')]"
  other:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - id: co
        uses: actions/checkout@v4
        with:
          repository: acme/tools
          ref: v1
          path: tools
      - run: echo "other [$(cat tools/tool.txt)] [$(git -C tools rev-parse HEAD)] [\${{ steps.co.outputs.commit }}] [$(ls -A | tr '\\n' ' ')]"
      - run: echo "other tags [$(git -C tools tag | tr '\\n' ' ')]"
  other-tags:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          repository: acme/tools
          fetch-tags: true
      - run: echo "fetched tags [$(git tag | tr '\\n' ' ')]"
  filter:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          filter: blob:none
      - run: echo "filter job ran"
`;

const lines = (r: CliRun, jobKey: string): string[] =>
  r.events.filter((e) => e["type"] === "step.output" && e["jobKey"] === jobKey).map((e) => String(e["line"]));
const line = (r: CliRun, jobKey: string, label: string): string | undefined => lines(r, jobKey).find((l) => l.startsWith(`${label} `));

describe("replay's built-in actions/checkout inputs", () => {
  it("checks out submodules from the clone's own copy, sparse checkouts in cone mode and not, and warns about an input it cannot honour", async () => {
    const lib = gitRepo("lib", { "lib.txt": "from the submodule\n" });
    disposals.push(lib.dispose);
    const repo = workflowRepo("inputs", WORKFLOW, { "top.txt": "top\n", "src/main.ts": "code\n", "docs/a.md": "a\n", "docs/b.md": "b\n" });
    disposals.push(repo.dispose);
    const git = (...args: string[]): string => execFileSync("git", args, { cwd: repo.dir, env: { ...process.env, ...GIT_ENV }, encoding: "utf8" }).trim();
    git("-c", "protocol.file.allow=always", "submodule", "add", "-q", lib.dir, "lib");
    git("commit", "-qm", "a submodule");

    // Another repository, served as remote actions are (--github-url), at a tag.
    const tools = gitRepo("tools", { "tool.txt": "a tool\n" });
    disposals.push(tools.dispose);
    // v0 on an older commit: checkout's clone at depth 1 has only the tags on what it fetched.
    execFileSync("git", ["tag", "v0"], { cwd: tools.dir });
    execFileSync("git", ["commit", "-q", "--allow-empty", "-m", "later"], { cwd: tools.dir, env: { ...process.env, ...GIT_ENV } });
    execFileSync("git", ["tag", "-a", "-m", "release 1", "v1"], { cwd: tools.dir, env: { ...process.env, ...GIT_ENV } });
    const toolsSha = execFileSync("git", ["rev-parse", "HEAD"], { cwd: tools.dir, encoding: "utf8" }).trim();
    const served = mkdtempSync(path.join(os.tmpdir(), "replay-served-"));
    disposals.push(() => rmSync(served, { recursive: true, force: true }));
    execFileSync("git", ["clone", "-q", "--bare", tools.dir, path.join(served, "acme", "tools.git")]);

    const r = await runCli(["run", "--json", "--github-url", served], repo.dir, { XDG_CACHE_HOME: path.join(served, "cache") });
    expect(r.exitCode, r.stderr + lines(r, "submodules").join("\n")).toBe(0);
    expect(line(r, "submodules", "lib")).toBe("lib [from the submodule] status [ ]");
    // Without `submodules`, its folder is there and empty, as a clone leaves it.
    expect(line(r, "no-submodules", "empty lib")).toBe("empty lib [0]");
    // Cone mode: the folder and the files at the top; not cone: the pattern alone.
    expect(line(r, "sparse", "sparse")).toBe("sparse [lib src top.txt ] [main.ts ]");
    expect(line(r, "sparse-no-cone", "no-cone")).toBe("no-cone [./docs/a.md ]");
    // ref: a tag, fetched as one; fetch-tags at depth 1: the tags on the fetched commit.
    expect(line(r, "other", "other tags")).toBe("other tags [v1 ]");
    expect(line(r, "other-tags", "fetched tags")).toBe("fetched tags [v1 ]");
    expect(line(r, "other", "other")).toBe(`other [a tool] [${toolsSha}] [${toolsSha}] [.git .github .gitmodules docs lib src tools top.txt ]`);
    // An input replay cannot honour is a warning annotation naming it.
    const warnings = r.events.filter((e) => e["type"] === "step.annotation" && e["jobKey"] === "filter").map((e) => String(e["message"]));
    expect(warnings).toEqual([expect.stringContaining("actions/checkout input 'filter' is not honoured")]);
  });
});
