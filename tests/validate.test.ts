import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "./support/corpus.js";

// `replay validate` as a linter: every problem of every file in one pass, sorted by file,
// line and column, in any folder (no git repository, or one with no commit yet).
const root = mkdtempSync(path.join(os.tmpdir(), "replay-validate-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const files: Record<string, string> = {
  // A misspelt key used to hide the unknown event and the `uses:` without a ref until fixed.
  "ci.yml": `on: psuh
jobs:
  build:
    runs-on: ubuntu-latest
    timeout-minutes: [1]
    steps:
      - uses: actions/checkout
      - run: echo \${{ github.ref
        bogus: 1
  deploy:
    needs: [build, nope]
    runs-on: ubuntu-latest
    steps:
      - run: echo
`,
  "a-release.yml": `on:
  push:
    tags: ["v*"]
jobs:
  release:
    uses: octo/shared/.github/workflows/release.yml
    runs-on: ubuntu-latest
`,
  "ok.yml": "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n",
};

const expected = [
  ".github/workflows/a-release.yml:6:11: job 'release': 'octo/shared/.github/workflows/release.yml' is not a valid 'uses' reference",
  ".github/workflows/a-release.yml:7:5: job 'release' calls a reusable workflow and cannot have 'runs-on'",
  ".github/workflows/ci.yml:1:5: unknown event 'psuh' (did you mean 'push'?)",
  ".github/workflows/ci.yml:5:22: 'timeout-minutes' in job 'build' must be a number or an expression",
  ".github/workflows/ci.yml:7:15: 'actions/checkout' is not a valid 'uses' reference",
  ".github/workflows/ci.yml:8:19: unclosed ${{",
  ".github/workflows/ci.yml:9:9: unknown key 'bogus' in step 2 of job 'build'",
  ".github/workflows/ci.yml:11:20: job 'deploy' needs 'nope', which is not a job in this workflow",
];

function folder(name: string, git: "none" | "no commits"): string {
  const dir = path.join(root, name);
  mkdirSync(path.join(dir, ".github/workflows"), { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(path.join(dir, ".github/workflows", file), text);
  if (git === "no commits") execFileSync("git", ["init", "-q", "-b", "main"], { cwd: dir });
  return dir;
}

describe.each(["none", "no commits"] as const)("replay validate in a folder with git: %s", (git) => {
  const dir = folder(git.replace(" ", "-"), git);

  it("reports every problem of every file in one pass, by file, line and column", async () => {
    const run = await runCli(["validate"], dir);
    expect(run.exitCode, run.stderr).toBe(2);
    expect(run.stdout).toBe("3 workflow file(s): 1 valid, 2 with problems (8 problem(s))\n");
    const lines = run.stderr.split("\n").filter(Boolean);
    expect(lines).toHaveLength(expected.length);
    lines.forEach((line, i) => expect(line.startsWith(expected[i] ?? "?"), `${line}\nexpected: ${expected[i]}`).toBe(true));
  }, 30_000);

  it("from a subfolder, as -C, and with --json", async () => {
    mkdirSync(path.join(dir, "src"), { recursive: true });
    const run = await runCli(["-C", git === "none" ? "." : "src", "validate", "--json"], dir);
    expect(run.exitCode, run.stderr).toBe(2);
    const out = JSON.parse(run.stdout) as { files: string[]; valid: number; problems: { text: string }[] };
    expect(out.files).toEqual([".github/workflows/a-release.yml", ".github/workflows/ci.yml", ".github/workflows/ok.yml"]);
    expect(out.problems.map((p) => p.text.slice(0, (expected[0] ?? "").length))).toHaveLength(expected.length);
  }, 30_000);
});
