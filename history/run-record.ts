import { createWriteStream, mkdirSync, writeFileSync } from "node:fs";
import type { WriteStream } from "node:fs";
import { readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { initialRunState, reduceRunState, toPublicEvent } from "../runners/index.js";
import type { ReplayEvent, Reporter, RunState } from "../runners/index.js";
import { RunMetaBuilder } from "./run-meta.js";

/** Where replays are recorded: `<repo>/.replay/runs/<id>/`. */
export function runsDir(repoDir: string): string {
  return path.join(repoDir, ".replay", "runs");
}

/** The next run number: one more than the runs recorded so far. */
export async function nextRunNumber(repoDir: string): Promise<number> {
  const entries = await readdir(runsDir(repoDir)).catch(() => [] as string[]);
  return entries.length + 1;
}

const safe = (s: string): string => s.replace(/[^A-Za-z0-9_.=-]+/g, "_");

/**
 * Records a replay for `replay debug` and `replay diff`: every event (already masked)
 * in events.jsonl, in its public form (docs/events.md), each step's log in logs/<job>/<step>.log, the final state, and
 * meta.json (commit, timings, the toolchain versions each job's output showed).
 */
export class RunRecorder implements Reporter {
  private state: RunState = initialRunState;
  private readonly events: WriteStream;
  private readonly logs = new Map<string, WriteStream>();
  private readonly meta = new RunMetaBuilder();

  private constructor(readonly dir: string) {
    this.events = createWriteStream(path.join(dir, "events.jsonl"));
  }

  static async create(repoDir: string, runId: string): Promise<RunRecorder> {
    const root = path.join(repoDir, ".replay");
    const dir = path.join(runsDir(repoDir), runId);
    // Synchronous (a folder and a small file, well under a millisecond), as the job logs'
    // folders: through the thread pool, busy with the replay's start, this took 10-20 ms
    // on the way to the first job's container.
    mkdirSync(path.join(dir, "logs"), { recursive: true });
    // Keep replay's records out of the user's `git status`.
    writeFileSync(path.join(root, ".gitignore"), "*\n");
    return new RunRecorder(dir);
  }

  onEvent(event: ReplayEvent): void {
    this.state = reduceRunState(this.state, event);
    this.meta.onEvent(event);
    this.events.write(`${JSON.stringify(toPublicEvent(event))}\n`);
    if (event.type === "step.output") this.log(event.jobKey, event.step).write(`${event.line}\n`);
  }

  private log(jobKey: string, step: number): WriteStream {
    const key = `${jobKey}\0${step}`;
    let s = this.logs.get(key);
    if (!s) {
      const dir = path.join(this.dir, "logs", safe(jobKey));
      const file = path.join(dir, `${step}.log`);
      // Synchronous, once per job: the stream opens right after.
      mkdirSync(dir, { recursive: true });
      s = createWriteStream(file, { flags: "a" });
      this.logs.set(key, s);
    }
    return s;
  }

  async close(): Promise<void> {
    const ends = [...this.logs.values(), this.events].map((s) => new Promise<void>((resolve) => s.end(resolve)));
    await Promise.all(ends);
    await writeFile(path.join(this.dir, "state.json"), `${JSON.stringify(this.state, null, 2)}\n`);
    await writeFile(path.join(this.dir, "meta.json"), `${JSON.stringify(this.meta.build(), null, 2)}\n`);
  }
}
