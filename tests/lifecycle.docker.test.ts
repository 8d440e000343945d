import { execFileSync, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CLI, runCli } from "./support/corpus.js";
import { workflowRepo } from "./support/git-repo.js";
import { labelledNow, leftAfterRemoval } from "./support/engine-leftovers.js";

const disposals: (() => void)[] = [];
afterAll(() => {
  for (const dispose of disposals) dispose();
});

function repoWith(workflow: string): string {
  const repo = workflowRepo("lifecycle", workflow, { "tracked.txt": "committed\n" });
  disposals.push(repo.dispose);
  return repo.dir;
}

const labelled = (): Promise<string> => leftAfterRemoval(["dev.replay.run"]);

describe("a job's lifecycle", () => {
  it("Ctrl-C stops the running step, removes the container and exits 130", async () => {
    const dir = repoWith("on: push\njobs:\n  slow:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo started; sleep 120\n");
    const child = spawn(process.execPath, [CLI, "job", "slow", "--json"], { cwd: dir, env: { ...process.env, CI: "true" } });
    let out = "";
    const code = await new Promise<number | null>((resolve) => {
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        if (out.includes('"line":"started"') && !child.killed) child.kill("SIGINT");
      });
      child.on("close", (c) => resolve(c));
    });
    expect(code).toBe(130);
    const completed = out.split("\n").find((l) => l.includes('"type":"run.completed"')) ?? "{}";
    expect(JSON.parse(completed)).toMatchObject({ result: "cancelled", exitCode: 130 });
    // This run's own: other replays may be running on the engine.
    const runId = String((JSON.parse(completed) as { runId?: string }).runId);
    expect(await leftAfterRemoval([`dev.replay.run=${runId}`])).toBe("");
  });

  it("a step over its timeout-minutes fails and the job goes on to always() steps", async () => {
    const dir = repoWith(
      "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - name: Too slow\n        timeout-minutes: 0.05\n        run: sleep 60\n      - name: Cleanup\n        if: always()\n        run: echo cleanup\n",
    );
    const r = await runCli(["job", "t", "--json"], dir);
    expect(r.exitCode).toBe(1);
    const steps = r.events.filter((e) => e["type"] === "step.completed").map((e) => [e["name"], e["result"]]);
    expect(steps).toEqual([
      ["Too slow", "failure"],
      ["Cleanup", "success"],
    ]);
    expect(r.stdout).toContain("The action has timed out.");
  });

  it("the job sees uncommitted changes by default, and exactly the commit with --from HEAD; the user's tree is untouched", async () => {
    const dir = repoWith("on: push\njobs:\n  read:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: cat tracked.txt; echo changed-in-job > tracked.txt\n");
    writeFileSync(path.join(dir, "tracked.txt"), "uncommitted\n");
    const worktree = await runCli(["job", "read", "--json"], dir);
    expect(worktree.exitCode).toBe(0);
    expect(worktree.stdout).toContain('"line":"uncommitted"');
    const head = await runCli(["job", "read", "--from", "HEAD", "--json"], dir);
    expect(head.stdout).toContain('"line":"committed"');
    expect(execFileSync("cat", [path.join(dir, "tracked.txt")], { encoding: "utf8" })).toBe("uncommitted\n");
  });

  it("--keep keeps a failed job's container; `replay gc` removes it once its run is over", async () => {
    const dir = repoWith("on: push\njobs:\n  bad:\n    runs-on: ubuntu-latest\n    steps:\n      - run: exit 3\n");
    const r = await runCli(["job", "bad", "--keep", "--json"], dir);
    expect(r.exitCode).toBe(1);
    const kept = labelledNow(["dev.replay.run"]);
    expect(kept).not.toBe("");
    // Stopped while the user looks into it, it stays (the engine does not remove it).
    const id = String(r.events.find((e) => e["type"] === "notice" && String(e["message"]).startsWith("kept the failed job's container"))?.["message"]).split(" ")[5] ?? "";
    execFileSync("docker", ["stop", "-t", "1", id]);
    expect(execFileSync("docker", ["ps", "-aq", "--filter", `id=${id}`], { encoding: "utf8" }).trim()).not.toBe("");
    const gc = await runCli(["gc"], dir);
    expect(gc.exitCode).toBe(0);
    expect(gc.stdout).toMatch(/removed [1-9]\d* container/);
    expect(await labelled()).toBe("");
  });

  it("refuses bad flags with exit 2 before anything starts", async () => {
    const dir = repoWith("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo a\n");
    for (const args of [["job", "a", "--parallel", "0"], ["job", "a", "--matrix", "x"], ["job", "a", "--input", "a=b"], ["job", "a", "--from", "nowhere"], ["run", "--event", "release"]]) {
      const r = await runCli(args, dir);
      expect(r.exitCode, `${args.join(" ")}: ${r.stderr}`).toBe(2);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace for a user mistake
    }
    expect(await labelled()).toBe("");
  });
});
