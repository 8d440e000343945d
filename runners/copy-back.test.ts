// What a job changed in its checkout is read as it ends and can be copied back into the
// working tree: through the engine and a stand-in container, against a real git repository.
import { readFile, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { gitRepo } from "../tests/support/git-repo.js";
import type { GitRepo } from "../tests/support/git-repo.js";
import { parseWorkflow, planEvent } from "../workflows/index.js";
import { runPlan } from "./engine.js";
import type { StepControl } from "./job/index.js";
import { BuiltinRegistry } from "./builtin-actions.js";
import { checkout } from "./builtins/checkout.js";
import { inProcessDeps } from "./testing/in-process-replay.js";
import { CopyBack, copyBackDone, copyBackNotes, copyBackQuestion } from "./copy-back.js";
import { WorkingTreeSync } from "./working-tree-sync.js";
import { SNAPSHOT_STAGING, writeWorkspaceTar } from "./workspace-snapshot.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanups.splice(0)) await f();
});

const FILES = {
  ".gitignore": "dist/\n",
  "src/a.ts": "broken\n",
  "run.sh": "echo hi\n",
  "gone.txt": "x\n",
  "both.txt": "committed\n",
  "synced.txt": "committed\n",
  "untouched.txt": "same\n",
};

const WORKFLOW = `on: push
jobs:
  t:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Edit
        run: |
          echo fixed > src/a.ts
          chmod +x run.sh
          echo new > new.txt
          rm gone.txt
          mkdir -p dist && echo built > dist/out.js
          touch untouched.txt
      - name: Last
        run: cat synced.txt && echo job > both.txt
`;

/** Replays WORKFLOW; before "Last" runs (which changes both.txt), the user edits both.txt and synced.txt on the host. */
async function replay(repo: GitRepo, o: { syncIn: boolean }): Promise<CopyBack> {
  const tarFile = path.join(repo.dir, "..", "workspace.tar");
  const copyBack = new CopyBack();
  const sync = await WorkingTreeSync.baseline(repo.dir, { syncIn: o.syncIn, copyBack });
  await writeWorkspaceTar(tarFile, { repoDir: repo.dir, source: "worktree", prefix: SNAPSHOT_STAGING, uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 });
  const control: StepControl = {
    beforeStep: async (point) => {
      if (point.name !== "Last") return "run";
      await writeFile(path.join(repo.dir, "both.txt"), "host\n");
      await writeFile(path.join(repo.dir, "synced.txt"), "edited on the host\n");
      await new Promise((resolve) => setTimeout(resolve, 100));
      return "run";
    },
    afterFailure: async () => "continue",
  };
  const { deps, dispose } = await inProcessDeps({
    tempPrefix: "replay-copyback-",
    workspace: await readFile(tarFile),
    deps: { control, builtins: new BuiltinRegistry([checkout]), workingTreeSync: sync },
  });
  cleanups.push(dispose);
  const { workflow } = parseWorkflow(".github/workflows/ci.yml", WORKFLOW);
  if (!workflow) throw new Error("the test workflow does not load");
  await runPlan(planEvent([workflow], "push"), deps, { parallel: 1, imageFor: async () => "test-image", presentImageFor: async () => "test-image", signal: new AbortController().signal });
  return copyBack;
}

describe("copying back what the job changed", () => {
  it("lists the job's changes (not its ignored build output, not a touch), keeps the user's own edit as a conflict, and copies the rest", async () => {
    const repo = gitRepo("copyback", FILES);
    cleanups.push(() => repo.dispose());
    const copyBack = await replay(repo, { syncIn: true });
    // Its edit of both.txt during the pause was synced in, and the job's lost (the host's wins):
    // the user edits it once more after the run, and the job had changed it too.
    await writeFile(path.join(repo.dir, "both.txt"), "host again\n");
    const plan = await copyBack.plan();
    expect(plan.write.map((w) => [w.path, w.kind])).toEqual([
      ["new.txt", "added"],
      ["run.sh", "changed"],
      ["src/a.ts", "changed"],
    ]);
    expect(plan.remove).toEqual(["gone.txt"]);
    // synced.txt went in from the host and the job left it: nothing to bring back.
    expect(plan.conflicts).toEqual([{ path: "both.txt", why: "you changed it too since the replay started" }]);
    expect(copyBackQuestion(plan)).toBe("copy 3 files the job changed back to your working tree, and delete 1 file the job deleted? new.txt, run.sh, src/a.ts; delete gone.txt [y/N] ");
    expect(copyBackNotes(plan)).toEqual(["not copied back: both.txt (you changed it too since the replay started)"]);

    const modeBefore = (await stat(path.join(repo.dir, "src/a.ts"))).mode;
    await copyBack.apply(plan);
    expect(copyBackDone(plan)).toBe("copied 3 files into your working tree: new.txt, run.sh, src/a.ts; deleted gone.txt");
    const read = (f: string): Promise<string> => readFile(path.join(repo.dir, f), "utf8");
    expect(await read("src/a.ts")).toBe("fixed\n");
    expect(await read("new.txt")).toBe("new\n");
    expect(await read("both.txt")).toBe("host again\n");
    await expect(stat(path.join(repo.dir, "gone.txt"))).rejects.toThrow();
    await expect(stat(path.join(repo.dir, "dist"))).rejects.toThrow();
    // The user's own file keeps its mode; only the executable bit follows the job's.
    expect((await stat(path.join(repo.dir, "src/a.ts"))).mode).toBe(modeBefore);
    expect((await stat(path.join(repo.dir, "run.sh"))).mode & 0o111).not.toBe(0);
    expect((await stat(path.join(repo.dir, "new.txt"))).uid).toBe(process.getuid?.());
  });

  it("with --no-sync a host edit the job never saw is not the job's change, and the working tree is checked again when copying", async () => {
    const repo = gitRepo("copyback-nosync", FILES);
    cleanups.push(() => repo.dispose());
    const copyBack = await replay(repo, { syncIn: false });
    // The user deletes a file the job changed, after the run and before answering.
    await rm(path.join(repo.dir, "src/a.ts"));
    const plan = await copyBack.plan();
    expect(plan.write.map((w) => w.path)).toEqual(["new.txt", "run.sh"]);
    expect(plan.conflicts.map((c) => c.path)).toEqual(["both.txt", "src/a.ts"]);
    expect(await readFile(path.join(repo.dir, "synced.txt"), "utf8")).toBe("edited on the host\n");
  });
});
