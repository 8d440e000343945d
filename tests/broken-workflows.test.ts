import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "./support/corpus.js";
import { gitRepo } from "./support/git-repo.js";

// A replay whose workflows all fail to load says why, at their lines, with exit 2 and
// nothing started (no Docker needed): not "no workflow is triggered" or "no job".
const repo = gitRepo("broken-workflows", {
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
    "  .github/workflows/ci.yml:8:9: unknown key 'bogus' in step 1 of job 'test'",
    "  .github/workflows/ci.yml:5:22: 'timeout-minutes' in job 'test' must be a number or an expression",
    "hint: fix the lines named above; `replay validate` lists every problem",
  ];
  it.each<{ label: string; args: string[]; first: string }>([
    { label: "replay run", args: ["run"], first: "error: no workflow is triggered by push on refs/heads/main, and the workflow does not load:" },
    { label: "replay job, the job in the broken file", args: ["job", "test"], first: "error: no job 'test' in the workflows that loaded, and the workflow does not load:" },
  ])("$label: exit 2, the problems at their lines", async ({ args, first }) => {
    const run = await runCli(args, repo.dir);
    expect(run.exitCode, run.stderr).toBe(2);
    expect(run.stderr.split("\n").filter(Boolean)).toEqual([first, ...problems]);
    expect(run.stdout).not.toContain("job.started");
  }, 30_000);
});
