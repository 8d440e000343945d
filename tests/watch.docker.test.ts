// `replay watch` through the built CLI, against the real engine and real file changes:
// off a terminal one line per replay; what git ignores and what paths-ignore excludes
// start none; a change during a replay cancels it with nothing left; Ctrl-C ends the
// watch with nothing left; in a terminal (tmux) the screen shows the previous verdict.
import { spawn } from "node:child_process";
import { appendFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, describe, expect, it } from "vitest";
import { CLI } from "./support/corpus.js";
import { labelledNow, leftAfterRemoval } from "./support/engine-leftovers.js";
import { workflowRepo } from "./support/git-repo.js";
import { requireTmux, startTmux, terminalEnv } from "./support/tmux.js";
import type { TmuxSession } from "./support/tmux.js";

const disposals: (() => void)[] = [];
afterAll(() => {
  for (const dispose of disposals) dispose();
});

const WORKFLOW = `on:
  push:
    paths-ignore: ["docs/**"]
jobs:
  lint:
    runs-on: ubuntu-latest
    steps:
      - run: echo "lint ok"
  slow:
    runs-on: ubuntu-latest
    steps:
      - run: echo started; sleep 120
`;

function repo(name: string, workflow = WORKFLOW): string {
  const r = workflowRepo(name, workflow, { ".gitignore": "build/\n", "src/a.txt": "a\n", "docs/guide.md": "# guide\n" });
  disposals.push(r.dispose);
  return r.dir;
}

interface Watch {
  lines(): string[];
  stderr(): string;
  /** Waits for the n-th replay line (1-based) on stdout. */
  line(n: number, timeoutMs?: number): Promise<string>;
  ended: Promise<number | null>;
  kill(signal: NodeJS.Signals): void;
}

/** `replay watch <args>` off a terminal (CI set), started once it is watching. */
async function watch(dir: string, args: string[]): Promise<Watch> {
  const child = spawn(process.execPath, [CLI, "watch", ...args], { cwd: dir, env: { ...process.env, CI: "true" } });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const ended = new Promise<number | null>((resolve) => child.on("close", (status) => resolve(status)));
  disposals.push(() => child.kill("SIGKILL"));
  const lines = (): string[] => stdout.split("\n").filter(Boolean);
  const until = async (what: string, ok: () => boolean, timeoutMs = 120_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!ok()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; stdout:\n${stdout}\nstderr:\n${stderr}`);
      await sleep(100);
    }
  };
  await until("the watch to start", () => stderr.includes("replay watch: watching"), 60_000);
  return {
    lines,
    stderr: () => stderr,
    line: async (n, timeoutMs) => {
      await until(`replay line ${n}`, () => lines().length >= n, timeoutMs);
      return lines()[n - 1] ?? "";
    },
    ended,
    kill: (signal) => child.kill(signal),
  };
}

const runsOf = (dir: string): string[] => {
  try {
    return readdirSync(path.join(dir, ".replay", "runs")).sort();
  } catch {
    return [];
  }
};

/** The run's containers, once one of its job's containers exists (polled). */
async function containerOf(dir: string, before: readonly string[]): Promise<string> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const run = runsOf(dir).find((r) => !before.includes(r));
    if (run !== undefined && labelledNow([`dev.replay.run=${run}`]) !== "") return run;
    if (Date.now() > deadline) throw new Error("no job container of a new run appeared");
    await sleep(200);
  }
}

const resultOf = (dir: string, runId: string): string =>
  (JSON.parse(readFileSync(path.join(dir, ".replay", "runs", runId, "meta.json"), "utf8")) as { result: string }).result;

describe("replay watch, off a terminal", () => {
  it("a real change replays, one line per replay (verdict, jobs, duration); a change git ignores or paths-ignore excludes starts none", async () => {
    const dir = repo("watch-ignored", WORKFLOW.replace(/ {2}slow:[\s\S]*$/, ""));
    const w = await watch(dir, []);
    mkdirSync(path.join(dir, "build"), { recursive: true });
    writeFileSync(path.join(dir, "build/out.js"), "built\n");
    appendFileSync(path.join(dir, "docs/guide.md"), "more\n");
    const docs = await w.line(1);
    expect(docs).toContain("nothing to replay · changed docs/guide.md");
    expect(docs).toContain("paths-ignore");
    expect(docs).not.toContain("build/");
    // Well past the debounce: the ignored file would have had its line by now.
    await sleep(2000);
    expect(w.lines()).toHaveLength(1);
    expect(runsOf(dir)).toEqual([]);
    appendFileSync(path.join(dir, "src/a.txt"), "b\n");
    const real = await w.line(2);
    expect(real).toMatch(/^✓ success · lint ✓ · .* · changed src\/a\.txt · run \d+$/);
    expect(runsOf(dir)).toHaveLength(1);
    w.kill("SIGINT");
    expect(await w.ended).toBe(130);
  });

  it("a change during a replay cancels it (its containers removed, the run cancelled) and replays again; Ctrl-C ends the watch with nothing left", async () => {
    const dir = repo("watch-cancel");
    const w = await watch(dir, ["slow"]);
    appendFileSync(path.join(dir, "src/a.txt"), "b\n");
    const first = await containerOf(dir, []);
    appendFileSync(path.join(dir, "src/a.txt"), "c\n");
    const cancelled = await w.line(1);
    expect(cancelled).toMatch(/^⊘ cancelled · slow · .* · a change came in · run \d+$/);
    expect(cancelled).toContain(`run ${first}`);
    expect(resultOf(dir, first)).toBe("cancelled");
    expect(await leftAfterRemoval([`dev.replay.run=${first}`])).toBe("");

    // The change started the next replay; Ctrl-C while it runs ends the watch.
    const second = await containerOf(dir, [first]);
    w.kill("SIGINT");
    expect(await w.ended).toBe(130);
    expect(w.lines().at(-1)).toMatch(/^⊘ cancelled · slow · .* · stopped · run \d+$/);
    expect(resultOf(dir, second)).toBe("cancelled");
    expect(await leftAfterRemoval([`dev.replay.run=${second}`])).toBe("");
    expect(await leftAfterRemoval([`dev.replay.run=${second}`], "networks")).toBe("");
    expect(w.stderr()).not.toContain("replay hit a bug");
  });
});

describe("replay watch in a terminal", () => {
  const sessions: TmuxSession[] = [];
  afterAll(() => sessions.forEach((s) => s.kill()));

  it("shows the replay on the screen, and the previous verdict while the next one runs; Ctrl-C during a replay cancels it and ends the watch, nothing left", async () => {
    requireTmux();
    const dir = repo("watch-tui", WORKFLOW.replace('echo "lint ok"', "echo lint ok; sleep 3"));
    const t = startTmux([process.execPath, CLI, "watch", "lint"], { cwd: dir, env: terminalEnv(), columns: 160, rows: 30 });
    sessions.push(t);
    await t.waitFor("the watch to start", (s) => s.includes("replay watch: watching") || s.includes("[exit "));
    appendFileSync(path.join(dir, "src/a.txt"), "b\n");
    await t.waitFor("the first verdict", (s) => s.includes("✓ success · lint ✓") || s.includes("[exit "), { timeoutMs: 120_000 });
    appendFileSync(path.join(dir, "src/a.txt"), "c\n");
    // The second replay's screen (it sleeps 3 s): its status line names the first verdict.
    const during = await t.waitFor("the previous verdict on the screen", (s) => /replay watch · previous: ✓ success · lint ✓ .*· now: changed src\/a\.txt/.test(s) || s.includes("[exit "), {
      timeoutMs: 120_000,
    });
    expect(during).toContain("lint");
    await t.waitFor("the second verdict", () => runsOf(dir).length === 2 && t.screen().trimEnd().endsWith("watching for changes (Ctrl-C to stop)"), { timeoutMs: 120_000 });
    // Ctrl-C while the third replay runs: it is cancelled, and the watch ends with nothing left.
    const before = runsOf(dir);
    appendFileSync(path.join(dir, "src/a.txt"), "d\n");
    const third = await containerOf(dir, before);
    t.send("C-c");
    const end = await t.waitFor("the exit", (s) => s.includes("[exit "), { timeoutMs: 60_000 });
    expect(end).toContain("[exit 130]");
    expect(end).toMatch(/⊘ cancelled · lint · .* · stopped · run \d+/);
    expect(resultOf(dir, third)).toBe("cancelled");
    expect(await leftAfterRemoval([`dev.replay.run=${third}`])).toBe("");
  });
});
