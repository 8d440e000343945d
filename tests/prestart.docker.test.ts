import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "./support/corpus.js";
import { leftAfterRemoval } from "./support/engine-leftovers.js";
import { runLauncher } from "./support/run-cli-async.js";
import { stepLog, tempRepo } from "./support/temp-repo.js";

// The first job container, asked of the engine by the CLI's entry from the last replay's
// request (common/prestart.ts), through the `replay` command as a user runs it.
const WORKFLOW = `on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: |
          echo "sha=$GITHUB_SHA number=$GITHUB_RUN_NUMBER"
          env | cut -d= -f1 | sort | tr '\\n' ' '; echo
`;
const GIT_ENV = { GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@e", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@e" };

describe("the job container the CLI's entry starts", () => {
  const repo = tempRepo("replay-prestart-", { ".github/workflows/ci.yml": WORKFLOW });
  const out = mkdtempSync(path.join(os.tmpdir(), "replay-prestart-out-"));
  // Its own cache folder: what the last replays of this command here kept is this test's alone.
  const env = { ...process.env, XDG_CACHE_HOME: path.join(out, "cache") };
  afterAll(() => {
    repo.dispose();
    rmSync(out, { recursive: true, force: true });
  });
  let n = 0;
  const replay = async (): Promise<{ exitCode: number; stderr: string; events: Record<string, unknown>[]; phases: string[] }> => {
    const trace = path.join(out, `trace-${++n}.jsonl`);
    const r = await runLauncher(["job", "build", "--json"], repo.dir, { ...env, REPLAY_TRACE: trace });
    const phases = existsSync(trace) ? readFileSync(trace, "utf8").trim().split("\n").map((l) => (JSON.parse(l) as { phase: string }).phase) : [];
    return { exitCode: r.exitCode, stderr: r.stderr, events: r.stdout.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>), phases };
  };
  const head = (): string => execFileSync("git", ["rev-parse", "HEAD"], { cwd: repo.dir, encoding: "utf8" }).trim();
  const runIdOf = (events: Record<string, unknown>[]): string => String(events.find((e) => e["type"] === "run.started")?.["runId"]);

  it("is adopted by the next replay, whose job sees that run's values, and is gone after it", async () => {
    const first = await replay();
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.phases).not.toContain("prestart asked");
    // A new commit: the run's values (GITHUB_SHA, its number) are not in the request kept.
    writeFileSync(path.join(repo.dir, "README.md"), "more\n");
    execFileSync("git", ["add", "README.md"], { cwd: repo.dir });
    execFileSync("git", ["commit", "-qm", "readme"], { cwd: repo.dir, env: { ...process.env, ...GIT_ENV } });
    const second = await replay();
    expect(second.exitCode, second.stderr).toBe(0);
    expect(second.phases).toContain("prestart adopted");
    expect(second.phases.indexOf("prestart asked")).toBeLessThan(second.phases.indexOf("cli loaded"));
    const log1 = stepLog(first.events);
    const log2 = stepLog(second.events);
    const number1 = Number(/number=(\d+)/.exec(log1)?.[1]);
    expect(log2).toContain(`sha=${head()} number=${number1 + 1}`);
    // The same variables, whether set on the container or given to each process.
    expect(log2.split("\n")[1]).toBe(log1.split("\n")[1]);
    expect(log2).toContain("GITHUB_SHA");
    expect(await leftAfterRemoval([`dev.replay.run=${runIdOf(second.events)}`])).toBe("");
  });

  it("starts nothing once a workflow changed: a broken one is refused with exit 2 and no container", async () => {
    const broken = await (async () => {
      writeFileSync(path.join(repo.dir, ".github/workflows/ci.yml"), `${WORKFLOW}      - uses: [\n`);
      try {
        return await replay();
      } finally {
        writeFileSync(path.join(repo.dir, ".github/workflows/ci.yml"), WORKFLOW);
      }
    })();
    expect(broken.exitCode).toBe(2);
    expect(broken.phases).not.toContain("prestart asked");
    // Changed back: not the file the kept request was made from either; this replay keeps anew.
    const again = await replay();
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.phases).not.toContain("prestart asked");
    expect((await replay()).phases).toContain("prestart adopted");
  });

  it("removes the container it started for another request before the job's own is made (same name, same folder)", async () => {
    const folder = path.join(env.XDG_CACHE_HOME, "replay", "prestart");
    const [file] = readdirSync(folder);
    const kept = JSON.parse(readFileSync(path.join(folder, file!), "utf8")) as { body: string };
    // As a request made by another version of replay would differ: still a plain job's.
    writeFileSync(path.join(folder, file!), JSON.stringify({ ...kept, body: kept.body.replace("HOME=/home/runner", "HOME=/tmp") }));
    const r = await replay();
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.phases).toContain("prestart differs");
    expect(r.phases).toContain("prestart started");
    expect(stepLog(r.events)).toMatch(/sha=[0-9a-f]{40} number=\d+/);
    expect(await leftAfterRemoval([`dev.replay.run=${runIdOf(r.events)}`])).toBe("");
    // Its own request kept instead: adopted the next time.
    expect((await replay()).phases).toContain("prestart adopted");
  });

  it("replay watch has the next replay's container started while it waits, and removes it when stopped", async () => {
    const trace = path.join(out, "trace-watch.jsonl");
    const child = spawn(path.join(PROJECT_ROOT, "bin/replay"), ["watch", "build"], { cwd: repo.dir, env: { ...env, CI: "true", REPLAY_TRACE: trace } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    const until = async (what: string, ok: () => boolean): Promise<void> => {
      const deadline = Date.now() + 60_000;
      while (!ok()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; stdout:\n${stdout}\nstderr:\n${stderr}`);
        await sleep(50);
      }
    };
    const verdicts = (): string[] => stdout.split("\n").filter((l) => l.includes(" · "));
    const phases = (): string[] => (existsSync(trace) ? readFileSync(trace, "utf8").trim().split("\n").map((l) => (JSON.parse(l) as { phase: string }).phase) : []);
    try {
      await until("the watch to start", () => stderr.includes("replay watch: watching"));
      writeFileSync(path.join(repo.dir, "a.txt"), "1\n");
      await until("the first verdict", () => verdicts().length === 1);
      // Kept by the first replay, asked for again at once for the next.
      await until("the next container asked for", () => phases().includes("prestart asked"));
      writeFileSync(path.join(repo.dir, "a.txt"), "2\n");
      await until("the second verdict", () => verdicts().length === 2);
      expect(verdicts()).toEqual([expect.stringContaining("success"), expect.stringContaining("success")]);
      expect(phases()).toContain("prestart adopted");
      await until("the third container asked for", () => phases().filter((p) => p === "prestart asked").length === 2);
    } finally {
      child.kill("SIGINT");
    }
    expect(await exited).toBe(130);
    expect(await leftAfterRemoval([`dev.replay.pid=${child.pid}`])).toBe("");
  });

  it("removes what it started when Ctrl-C comes before the replay has loaded", async () => {
    const trace = path.join(out, "trace-interrupted.jsonl");
    const child = spawn(path.join(PROJECT_ROOT, "bin/replay"), ["job", "build", "--json"], { cwd: repo.dir, env: { ...env, REPLAY_TRACE: trace }, stdio: "ignore" });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    const until = Date.now() + 10_000;
    while (!(existsSync(trace) && readFileSync(trace, "utf8").includes("prestart asked")) && Date.now() < until) await sleep(5);
    expect(readFileSync(trace, "utf8")).toContain("prestart asked");
    child.kill("SIGINT");
    const code = await exited;
    expect(code).toBe(130);
    expect(await leftAfterRemoval([`dev.replay.pid=${child.pid}`])).toBe("");
  });
});
