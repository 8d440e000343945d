import { readFile, readdir } from "node:fs/promises";
import path from "node:path";
import { NotFoundError } from "../common/index.js";
import { fromPublicEvent } from "../runners/index.js";
import type { ReplayEvent } from "../runners/index.js";
import type { readPublicEvent as ReadPublicEvent } from "../runners/public-event-schema.js";
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

/** A record's events, each checked against the public contract (docs/events.schema.json) as it is read. */
function parseEvents(text: string, file: string, readPublicEvent: typeof ReadPublicEvent): ReplayEvent[] {
  const events: ReplayEvent[] = [];
  const lines = text.split("\n");
  for (const [i, line] of lines.entries()) {
    if (!line.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (cause) {
      // A replay killed mid-write leaves a cut last line; anything else is damage.
      if (i < lines.length - 2) {
        throw new NotFoundError(`${file}:${i + 1} is not a JSON event`, { hint: "the record is damaged: replay again", cause });
      }
      continue;
    }
    const read = readPublicEvent(value);
    if ("problem" in read) {
      throw new NotFoundError(`${file}:${i + 1}: ${read.problem}`, { hint: "read it with the replay that wrote it, or replay again" });
    }
    events.push(fromPublicEvent(read.event));
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
  // The meta is folded from the events, not read from meta.json: the events are the
  // contract (docs/events.md); meta.json is a summary for people and other tools.
  // The contract's schema is loaded only by what reads records back, not by every replay
  // that writes one (it is a module of its own, not in the runners index, for that).
  const { readPublicEvent } = await import("../runners/public-event-schema.js");
  const events = parseEvents(text, file, readPublicEvent);
  const meta = runMetaOf(events);
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
