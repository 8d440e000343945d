import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "./support/corpus.js";
import { gitRepo } from "./support/git-repo.js";

// A replay of a workflow that fails to load says why, at its lines, with exit 2 and
// nothing started (no Docker needed): not only "no workflow is triggered" or "no job".
// The hint keeps what was said before: why the others do not run, the jobs there are.
const repo = gitRepo("broken-workflows", {
  ".github/workflows/pr.yml": "on: pull_request\njobs:\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n",
  ".github/workflows/ci.yml": `on: push
jobs:
  test:
    runs-on: ubuntu-latest
    timeout-minutes: [1]
    steps:
      - run: echo
        bogus: 1
`,
});
afterAll(() => repo.dispose());

describe("replays of workflows that do not load", () => {
  const problems = [
    // By line and column, as validate lists them.
    "  .github/workflows/ci.yml:5:22: 'timeout-minutes' in job 'test' must be a number or an expression",
    "  .github/workflows/ci.yml:8:9: unknown key 'bogus' in step 1 of job 'test'",
  ];
  const fix = "hint: fix the lines named above; `replay validate` lists every problem";
  it.each<{ label: string; args: string[]; first: string; hint: string }>([
    {
      label: "replay run",
      args: ["run"],
      first: "error: no workflow is triggered by push on refs/heads/main, and the workflow does not load:",
      hint: `${fix}; .github/workflows/pr.yml: the workflow does not run on push (it runs on pull_request)`,
    },
    {
      label: "replay job, the job in the broken file",
      args: ["job", "test"],
      first: "error: no job 'test' in the workflows that loaded, and the workflow does not load:",
      hint: `${fix}; jobs there are: lint (.github/workflows/pr.yml)`,
    },
  ])("$label: exit 2, the problems at their lines", async ({ args, first, hint }) => {
    const run = await runCli(args, repo.dir);
    expect(run.exitCode, run.stderr).toBe(2);
    expect(run.stderr.split("\n").filter(Boolean)).toEqual([first, ...problems, hint]);
    expect(run.stdout).not.toContain("job.started");
  }, 30_000);
});
