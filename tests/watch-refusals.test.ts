import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "./support/corpus.js";
import { workflowRepo } from "./support/git-repo.js";

// `replay watch` refuses what it cannot do before it watches anything (exit 2, no Docker).
const repo = workflowRepo("watch-refusals", "on: push\njobs:\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo hi\n");
afterAll(() => repo.dispose());

describe("replay watch refused before it starts", () => {
  it.each([
    { args: ["nope"], stderr: ["error: replay watch: no job 'nope' in the workflows that loaded", "hint: jobs there are: lint"] },
    { args: ["--json"], stderr: ["error: replay watch does not take --json"] },
    { args: ["lint", "--diff"], stderr: ["error: replay watch does not take --diff"] },
    { args: ["--step"], stderr: ["error: replay watch does not take stepping"] },
  ])("replay watch $args", async ({ args, stderr }) => {
    const r = await runCli(["watch", ...args], repo.dir);
    expect(r.exitCode).toBe(2);
    for (const s of stderr) expect(r.stderr).toContain(s);
    expect(r.stderr).not.toContain("replay watch: watching");
  });
});
