// Host edits made while a job is paused reach its workspace before the step runs, through
// the engine and a stand-in container; the job's own changes to other files stay.
import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { gitRepo } from "../tests/support/git-repo.js";
import type { GitRepo } from "../tests/support/git-repo.js";
import { parseWorkflow, planEvent } from "../workflows/index.js";
import { runPlan } from "./engine.js";
import type { EventInput } from "./events.js";
import type { StepControl } from "./job/index.js";
import { BuiltinRegistry } from "./builtin-actions.js";
import { checkout } from "./builtins/checkout.js";
import { inProcessDeps } from "./testing/in-process-replay.js";
import { WorkingTreeSync, syncSummary } from "./working-tree-sync.js";
import { SNAPSHOT_STAGING, writeWorkspaceTar } from "./workspace-snapshot.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanups.splice(0)) await f();
});

const WORKFLOW = `on: push
jobs:
  t:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: echo from-the-job > made-by-job.txt && echo job-edit > edited-by-both.txt
      - name: Check
        run: cat check.sh new.txt edited-by-both.txt made-by-job.txt; test ! -e gone.txt
`;

async function replayWithEdits(repo: GitRepo, o: { sync: boolean }): Promise<EventInput[]> {
  const tarFile = path.join(repo.dir, "..", "workspace.tar");
  const sync = o.sync ? await WorkingTreeSync.baseline(repo.dir) : undefined;
  await writeWorkspaceTar(tarFile, { repoDir: repo.dir, source: "worktree", prefix: SNAPSHOT_STAGING, uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 });
  // Paused before "Check": the user edits, adds and deletes files on the host meanwhile.
  const control: StepControl = {
    beforeStep: async (point) => {
      if (point.name !== "Check") return "run";
      await writeFile(path.join(repo.dir, "check.sh"), "echo fixed on the host\n");
      await writeFile(path.join(repo.dir, "new.txt"), "new on the host\n");
      await rm(path.join(repo.dir, "gone.txt"));
      await new Promise((resolve) => setTimeout(resolve, 100));
      return "run";
    },
    afterFailure: async () => "continue",
  };
  const { deps, events, dispose } = await inProcessDeps({
    tempPrefix: "replay-sync-",
    workspace: await readFile(tarFile),
    deps: { control, builtins: new BuiltinRegistry([checkout]), ...(sync ? { workingTreeSync: sync } : {}) },
  });
  cleanups.push(dispose);
  const { workflow } = parseWorkflow(".github/workflows/ci.yml", WORKFLOW);
  if (!workflow) throw new Error("the test workflow does not load");
  await runPlan(planEvent([workflow], "push"), deps, { parallel: 1, imageFor: async () => "test-image", presentImageFor: async () => "test-image", signal: new AbortController().signal });
  return events;
}

const linesOf = (events: EventInput[], step: number): string[] => events.flatMap((e) => (e.type === "step.output" && e.step === step ? [e.line] : []));

describe("the working tree synced into a paused job", () => {
  it("copies what changed on the host and removes what was deleted, says so, and keeps the job's own files", async () => {
    const repo = gitRepo("sync", { "check.sh": "echo broken\n", "edited-by-both.txt": "committed\n", "gone.txt": "x\n" });
    cleanups.push(() => repo.dispose());
    const events = await replayWithEdits(repo, { sync: true });
    const check = linesOf(events, 2);
    expect(check).toContain("##[notice]synced 2 files from your working tree: check.sh, new.txt; removed gone.txt");
    expect(check).toEqual(expect.arrayContaining(["echo fixed on the host", "new on the host", "job-edit", "from-the-job"]));
    expect(events.find((e) => e.type === "step.completed" && e.step === 2)).toMatchObject({ result: "success" });
    expect(events).toContainEqual(expect.objectContaining({ type: "notice", jobKey: "t", message: "synced 2 files from your working tree: check.sh, new.txt; removed gone.txt" }));
  });

  it("with --no-sync the job keeps the snapshot", async () => {
    const repo = gitRepo("nosync", { "check.sh": "echo broken\n", "edited-by-both.txt": "committed\n", "gone.txt": "x\n" });
    cleanups.push(() => repo.dispose());
    const events = await replayWithEdits(repo, { sync: false });
    expect(linesOf(events, 2)).toContain("echo broken");
    expect(linesOf(events, 2).join("\n")).not.toContain("synced");
  });

  it("says what it synced in one line", () => {
    expect(syncSummary({ changed: ["a.ts"], deleted: [] })).toBe("synced 1 file from your working tree: a.ts");
    expect(syncSummary({ changed: [], deleted: ["x"] })).toBe("synced your working tree; removed x");
  });
});
