import { execFileSync } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "./support/corpus.js";
import type { CliRun } from "./support/corpus.js";
import { GIT_ENV, workflowRepo } from "./support/git-repo.js";

const disposals: (() => void)[] = [];
afterAll(() => {
  for (const dispose of disposals) dispose();
});

// What a step sees of the history after each kind of checkout, and checkout's own output.
const SEE = `echo "count $(git rev-list --count HEAD) shallow $(git rev-parse --is-shallow-repository) head $(git rev-parse HEAD) out \${{ steps.co.outputs.commit }}"`;
const job = (id: string, withs: string, cd = ""): string => `  ${id}:
    runs-on: ubuntu-latest
    steps:
      - id: co
        uses: actions/checkout@v4
${withs}      - run: ${cd}${SEE}
`;
// Checkouts one after another: each depth counts from the whole history.
const AGAIN = `  again:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/checkout@v4
        with:
          fetch-depth: 3
      - run: echo "deepened $(git rev-list --count HEAD)"
      - id: co
        uses: actions/checkout@v4
      - run: ${SEE}
  none:
    runs-on: ubuntu-latest
    steps:
      - run: echo "count $(git rev-list --count HEAD 2>/dev/null || echo none) files $(ls -A | wc -l)"
`;
const WORKFLOW = `on: push
jobs:
${AGAIN}${job("default", "")}${job("two", "        with:\n          fetch-depth: 2\n")}${job("all", "        with:\n          fetch-depth: 0\n")}${job("path", "        with:\n          path: sub/dir\n", "test ! -e .git && cd sub/dir && ")}`;

const seen = (r: CliRun, jobKey: string): string | undefined =>
  r.events.filter((e) => e["type"] === "step.output" && e["jobKey"] === jobKey).map((e) => String(e["line"])).find((l) => l.startsWith("count "));

describe("replay's built-in actions/checkout", () => {
  it("leaves the history fetch-depth asks for (1 by default, as the snapshot comes, 0 for all) and answers the commit", async () => {
    const repo = workflowRepo("checkout", WORKFLOW, { "a.txt": "1\n" });
    disposals.push(repo.dispose);
    const git = (...args: string[]): string => execFileSync("git", args, { cwd: repo.dir, env: { ...process.env, ...GIT_ENV }, encoding: "utf8" }).trim();
    for (const n of [2, 3, 4]) {
      git("commit", "-q", "--allow-empty", "-m", `commit ${n}`);
    }
    const head = git("rev-parse", "HEAD");
    const r = await runCli(["run", "--json"], repo.dir);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(seen(r, "default")).toBe(`count 1 shallow true head ${head} out ${head}`);
    expect(seen(r, "two")).toBe(`count 2 shallow true head ${head} out ${head}`);
    expect(seen(r, "all")).toBe(`count 4 shallow false head ${head} out ${head}`);
    expect(r.events.some((e) => e["type"] === "step.output" && e["jobKey"] === "again" && e["line"] === "deepened 3")).toBe(true);
    expect(seen(r, "again")).toBe(`count 1 shallow true head ${head} out ${head}`);
    // Without a checkout, the workspace is empty: no repository there.
    expect(seen(r, "none")).toBe("count none files 0");
    // path: the snapshot moves there, out of the workspace itself.
    expect(seen(r, "path")).toBe(`count 1 shallow true head ${head} out ${head}`);
    // The host's repository is untouched.
    expect(git("rev-parse", "--is-shallow-repository")).toBe("false");
  });
});
