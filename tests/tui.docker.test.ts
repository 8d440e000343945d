// The interactive screen in a real terminal (tmux), against the real engine: a failed
// step pauses the job, `!` opens a shell in the job's container where the step ran,
// `c` lets the job fail, nothing is left behind; `replay debug` stops at that step again.
import { readdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, checkoutCase, corpusCases } from "./support/corpus.js";
import { lastLine, requireTmux, startTmux, terminalEnv } from "./support/tmux.js";
import type { TmuxSession } from "./support/tmux.js";
import { leftAfterRemoval } from "./support/engine-leftovers.js";

const containersOf = (runId: string): Promise<string> => leftAfterRemoval([`dev.replay.run=${runId}`]);

const recordedRuns = (dir: string): string[] => readdirSync(path.join(dir, ".replay", "runs")).sort();

// The first replay may build the runner image.
const FIRST_PAUSE_MS = 15 * 60_000;

describe("the TUI in a terminal", () => {
  const semantics = corpusCases().find((c) => c.name === "semantics");
  if (!semantics) throw new Error("corpus case 'semantics' is missing");
  let checkout: { dir: string; dispose: () => void };
  const sessions: TmuxSession[] = [];

  beforeAll(() => {
    requireTmux();
    checkout = checkoutCase(semantics);
  });
  afterAll(() => {
    for (const s of sessions) s.kill();
    checkout?.dispose();
  });

  it("--break-on-failure pauses at the failed step; ! opens a shell in the job's container; c lets the job fail; no container is left", async () => {
    const t = startTmux([process.execPath, CLI, "job", "fails", "--break-on-failure"], { cwd: checkout.dir, env: terminalEnv() });
    sessions.push(t);

    // The pause and the step's log (drawn in the next batch of lines).
    const paused = await t.waitFor(
      "the pause at 'Fail on purpose' with its log",
      (s) => (s.includes("✗ “Fail on purpose” (fails) failed — paused") && s.includes("Process completed with exit code 7.")) || s.includes("[exit "),
      { timeoutMs: FIRST_PAUSE_MS },
    );
    expect(paused).toContain("✗ “Fail on purpose” (fails) failed — paused");
    expect(paused).toContain("r retry step · n next step · c continue · ! shell");

    t.send("!", true);
    await t.waitFor("the shell's prompt", (s) => lastLine(s).startsWith("[replay] ") && lastLine(s).endsWith("$"));
    t.send('echo "WS=$PWD OS=$RUNNER_OS"', true);
    t.send("Enter");
    await t.waitFor("the shell's answer", (s) => s.includes("WS=/home/runner/work/semantics/semantics OS=Linux"));
    t.send("exit", true);
    t.send("Enter");
    // The screen is back when its key help is the last line again.
    await t.waitFor("the TUI to resume", (s) => lastLine(s).startsWith("r retry step"));

    t.send("c", true);
    // The finished run stays on the screen to be browsed until q (or Enter).
    const over = await t.waitFor("the finished run", (s) => s.includes("ended: failure") && lastLine(s).includes("q/enter close"));
    expect(lastLine(over)).toContain("? help");
    const runs = recordedRuns(checkout.dir);
    expect(runs).toHaveLength(1);
    // Its containers are gone already: only the screen waits.
    expect(await containersOf(runs[0] ?? "none")).toBe("");
    t.send("q", true);
    const end = await t.waitFor("the replay to end", (s) => s.includes("[exit 1]"), { history: true });
    expect(end).toMatch(/replay \d+ ended: failure, 1 job\(s\) failed/);
    // The job's time leaves out the pause and the shell, shown apart.
    expect(end).toMatch(/✗ fails failure in [\d.]+m?s \(\+[\d.]+m?s paused\) — failed: Fail on purpose/);
  }, FIRST_PAUSE_MS + 5 * 60_000);

  it("replay debug --last-failed replays that job, stops before the step that failed and again when it fails (at 80x24)", async () => {
    const t = startTmux([process.execPath, CLI, "debug", "--last-failed"], { cwd: checkout.dir, env: terminalEnv(), columns: 80, rows: 24 });
    sessions.push(t);
    const paused = await t.waitFor("the breakpoint at 'Fail on purpose'", (s) => s.includes("‖ paused before “Fail on purpose” (fails) — breakpoint") || s.includes("[exit "), {
      history: true,
      timeoutMs: 5 * 60_000,
    });
    expect(paused).toContain("‖ paused before “Fail on purpose” (fails) — breakpoint");
    expect(paused).toContain("replay debug: job fails of replay");
    // Paused before it ran: the step has no output yet.
    await t.waitFor("the paused step's empty log", (s) => s.includes("fails › Fail on purpose  (no output yet)"));
    // At 80 columns the key line keeps how to quit and how to get help.
    expect(lastLine(await t.waitFor("the keys", (s) => lastLine(s).endsWith("? help")))).toMatch(/^n run this step · c continue · k skip step · ! shell.* · q quit \(cancels\) · \? help$/);
    t.send("n", true);
    // A debug session pauses at the failure too: r, ! and c are offered.
    const failed = await t.waitFor("the pause after the failure", (s) => s.includes("“Fail on purpose” (fails) failed — paused") || s.includes("[exit "));
    expect(lastLine(failed)).toMatch(/^r retry step · n next step · c continue · ! shell/);
    t.send("q", true);
    const end = await t.waitFor("the replay to be cancelled", (s) => s.includes("[exit 130]"), { history: true });
    expect(end).toMatch(/ended: cancelled/);
    const runs = recordedRuns(checkout.dir);
    expect(runs).toHaveLength(2);
    expect(await containersOf(runs[1] ?? "none")).toBe("");
  }, 10 * 60_000);
});
