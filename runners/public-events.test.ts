import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import type { ReplayEvent } from "./events.js";
import { eventsJsonSchema, readPublicEvent } from "./public-event-schema.js";
import { errorEventOf, fromPublicEvent, toPublicEvent } from "./public-events.js";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const published = JSON.parse(readFileSync(path.join(root, "docs/events.schema.json"), "utf8")) as Record<string, unknown>;
const validate = new Ajv2020({ strict: false }).compile(published);
const at = "2026-12-07T12:00:00.000Z";

/** One event of each type, with every optional field set. */
const samples: ReplayEvent[] = [
  { type: "run.started", at, runId: "1", event: "push", sha: "a".repeat(40), ref: "refs/heads/main", workflows: [".github/workflows/ci.yml"] },
  { type: "job.started", at, jobKey: "build (20)", job: "build", workflow: ".github/workflows/ci.yml", name: "build (20)", matrix: { node: 20, os: ["x"], n: null }, image: "replay-runner:1", engine: "build-box" },
  { type: "step.started", at, jobKey: "build", step: 0, name: "Run npm test" },
  { type: "step.output", at, jobKey: "build", step: 0, line: "ok ***", stream: "stderr" },
  { type: "step.annotation", at, jobKey: "build", step: 0, level: "error", message: "m", file: "a.ts", line: 1, col: 2, title: "t" },
  { type: "step.completed", at, jobKey: "build", step: 0, name: "s", result: "success", outcome: "failure", durationMs: 5, pausedMs: 2, attempts: [{ attempt: 1, outcome: "failure", durationMs: 3 }] },
  { type: "job.completed", at, jobKey: "mac", job: "mac", workflow: "ci.yml", name: "mac", matrix: null, result: "not-replayed", outputs: { a: "b" }, durationMs: 0, pausedMs: 1, reason: "r", runner: "macos-latest" },
  { type: "job.summary", at, jobKey: "build", markdown: "# hi" },
  { type: "run.completed", at, runId: "1", result: "failure", exitCode: 1, durationMs: 10 },
  { type: "error", at, message: "bad", hint: "h", file: "f.yml", line: 3, col: 4, exitCode: 2 },
  {
    type: "notice", at, level: "warning", message: "m", jobKey: "build",
    cache: { action: "restore", result: "partial", key: "k", step: 1, matchedKey: "k-", sizeBytes: 10 },
    runnerSize: { label: "ubuntu-latest", cpus: 4, memoryBytes: 16, appliedCpus: 2, appliedMemoryBytes: 8, degraded: "d" },
  },
];

describe("the public event contract", () => {
  it("docs/events.schema.json is the schema the code defines (npm run events-schema writes it)", () => {
    expect(published).toEqual(JSON.parse(JSON.stringify(eventsJsonSchema())));
  });

  it.each(samples.map((e) => [e.type, e] as const))("a %s event, every field set, is valid against the published schema and reads back as it was", (_type, event) => {
    const out = toPublicEvent(event);
    expect(validate(out), JSON.stringify(validate.errors)).toBe(true);
    expect(out.version).toBe(1);
    const read = readPublicEvent(JSON.parse(JSON.stringify(out)));
    expect("event" in read && fromPublicEvent(read.event)).toEqual(event);
  });

  it("the diff after `--diff --json` is a line of the stream too", () => {
    expect(validate({ type: "diff", version: 1, at, localRun: "17", reports: [{ jobs: [], verdicts: ["test: failure here, success on CI"] }] })).toBe(true);
    expect(validate({ type: "diff", version: 1, at, reports: [] })).toBe(false);
  });

  it("a field the engine adds stays internal until the contract lists it", () => {
    const internal = { ...samples[2], agentPid: 4711 } as unknown as ReplayEvent;
    expect(toPublicEvent(internal)).not.toHaveProperty("agentPid");
    expect(validate({ ...toPublicEvent(samples[2] as ReplayEvent), agentPid: 4711 })).toBe(false);
  });

  it("a record written before the version field reads as version 1; a newer version or an unknown event is refused, saying why", () => {
    const { version: _v, ...old } = toPublicEvent(samples[0] as ReplayEvent);
    expect(readPublicEvent(old)).toMatchObject({ event: { type: "run.started", version: 1 } });
    expect(readPublicEvent({ ...old, version: 2 })).toEqual({ problem: expect.stringContaining("written by a newer replay") });
    expect(readPublicEvent({ type: "job.teleported", at })).toEqual({ problem: expect.stringContaining("not an event of version 1") });
    expect(readPublicEvent({ ...old, sha: 7 })).toEqual({ problem: expect.stringContaining("sha") });
  });

  it("an error becomes an error event with its position and exit status", () => {
    const e = Object.assign(new Error("the workflow does not load"), { hint: "fix it", exitCode: 2, file: "ci.yml", line: 3, col: 7 });
    expect(errorEventOf(e)).toEqual({ type: "error", message: "the workflow does not load", hint: "fix it", file: "ci.yml", line: 3, col: 7, exitCode: 2 });
  });
});
