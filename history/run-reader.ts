import { readFile, readdir } from "node:fs/promises";
import path from "node:path";
import { NotFoundError } from "../common/index.js";
import type { ReplayEvent } from "../runners/index.js";
import { runMetaOf } from "./run-meta.js";
import type { RunMeta } from "./run-meta.js";
import { runsDir } from "./run-record.js";

/** A recorded replay, read back: its meta and each step's log lines. */
export interface LocalRun {
  id: string;
  dir: string;
  meta: RunMeta;
  /** Lines of a step's output, by job key and step index. */
  stepLog(jobKey: string, step: number): string[];
}

/** Run ids are numeric and grow with time (see newRunId), so the largest is the newest. */
function byAge(a: string, b: string): number {
  return a.length - b.length || a.localeCompare(b);
}

export async function listRecordedRuns(repoDir: string): Promise<string[]> {
  const entries = await readdir(runsDir(repoDir), { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isDirectory()).map((e) => e.name).sort(byAge);
}

function parseEvents(text: string, file: string): ReplayEvent[] {
  const events: ReplayEvent[] = [];
  for (const [i, line] of text.split("\n").entries()) {
    if (!line.trim()) continue;
    try {
      events.push(JSON.parse(line) as ReplayEvent);
    } catch (cause) {
      // A replay killed mid-write leaves a cut last line; anything else is damage.
      if (i < text.split("\n").length - 2) {
        throw new NotFoundError(`${file}:${i + 1} is not a JSON event`, { hint: "the record is damaged: replay again", cause });
      }
    }
  }
  return events;
}

/** Reads `.replay/runs/<id>/` (the newest when `runId` is undefined). */
export async function readRunRecord(repoDir: string, runId?: string): Promise<LocalRun> {
  const ids = await listRecordedRuns(repoDir);
  const id = runId ?? ids.at(-1);
  if (id === undefined) {
    throw new NotFoundError(`no replay is recorded in ${runsDir(repoDir)}`, {
      hint: "replay first (`replay job <id>` or `replay run`), or use `replay job <id> --diff`",
    });
  }
  if (!ids.includes(id)) {
    const recent = ids.slice(-5).reverse().join(", ");
    throw new NotFoundError(`no recorded replay ${id} in ${runsDir(repoDir)}`, {
      hint: recent ? `recorded replays, newest first: ${recent}` : "no replay is recorded yet: replay first",
    });
  }
  const dir = path.join(runsDir(repoDir), id);
  const file = path.join(dir, "events.jsonl");
  const text = await readFile(file, "utf8").catch((cause: unknown) => {
    throw new NotFoundError(`replay ${id} has no events.jsonl`, { hint: "the record is incomplete: replay again", cause });
  });
  const events = parseEvents(text, file);
  const stored = await readFile(path.join(dir, "meta.json"), "utf8").then((t) => JSON.parse(t) as RunMeta).catch(() => undefined);
  const meta = stored ?? runMetaOf(events);
  const logs = new Map<string, string[]>();
  for (const e of events) {
    if (e.type !== "step.output") continue;
    const key = `${e.jobKey}\0${e.step}`;
    let lines = logs.get(key);
    if (!lines) logs.set(key, (lines = []));
    lines.push(e.line);
  }
  return { id, dir, meta, stepLog: (jobKey, step) => logs.get(`${jobKey}\0${step}`) ?? [] };
}
