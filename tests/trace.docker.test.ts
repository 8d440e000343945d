import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runLauncher } from "./support/run-cli-async.js";
import { tempRepo } from "./support/temp-repo.js";

// REPLAY_TRACE=<file>: the phase marks the benchmark's breakdown (bench/phases.mjs) reads.
describe("REPLAY_TRACE", () => {
  const repo = tempRepo("replay-trace-", { ".github/workflows/ci.yml": "on: push\njobs:\n  one:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo one\n" });
  const dir = mkdtempSync(path.join(os.tmpdir(), "replay-trace-out-"));
  afterAll(() => {
    repo.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it("marks each phase of a replay once, in order, on the clock of its events", async () => {
    const file = path.join(dir, "trace.jsonl");
    const spawned = Date.now();
    const r = await runLauncher(["job", "one", "--json"], repo.dir, { ...process.env, REPLAY_TRACE: file });
    expect(r.exitCode, r.stderr).toBe(0);
    const marks = readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { phase: string; atMs: number });
    const phases = ["node started", "cli loaded", "command loaded", "repository and workflows read", "planned", "images checked", "run started", "container created", "container started", "workspace ready"];
    expect(marks.map((m) => m.phase)).toEqual(phases);
    const times = marks.map((m) => m.atMs);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times[0]).toBeGreaterThanOrEqual(spawned - 5);
    const events = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { type: string; at: string });
    const runStarted = Date.parse(events.find((e) => e.type === "run.started")!.at);
    const firstStep = Date.parse(events.find((e) => e.type === "step.started")!.at);
    expect(runStarted).toBeGreaterThanOrEqual(Math.floor(times[6]!) - 1);
    expect(firstStep).toBeGreaterThanOrEqual(Math.floor(times.at(-1)!) - 1);
  });
});
