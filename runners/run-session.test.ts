import { describe, expect, it } from "vitest";
import { UsageError } from "../common/index.js";
import type { ReplayEvent, Reporter } from "./events.js";
import { Masker } from "./masker.js";
import { RunSession, errorEventLine, errorWasEmitted } from "./run-session.js";

function collecting(): Reporter & { events: ReplayEvent[]; closed: boolean } {
  const r = {
    events: [] as ReplayEvent[],
    closed: false,
    onEvent: (e: ReplayEvent) => void r.events.push(e),
    close: async () => void (r.closed = true),
  };
  return r;
}

describe("RunSession", () => {
  it("owns the run: run.started first, every event masked and stamped, run.completed with its duration, to every reporter", async () => {
    const masker = new Masker();
    masker.add("s3cr3t-value");
    const a = collecting();
    const b = collecting();
    const session = new RunSession("42", [a, b], masker);
    session.start({ event: "push", sha: "abc", ref: "refs/heads/main", workflows: ["ci.yml"] });
    session.emit({ type: "step.output", jobKey: "j", step: 0, line: "token s3cr3t-value" });
    session.complete("success", 0);
    await session.close();
    expect(a.events.map((e) => e.type)).toEqual(["run.started", "step.output", "run.completed"]);
    expect(b.events).toEqual(a.events);
    expect(a.events[0]).toMatchObject({ type: "run.started", runId: "42", event: "push" });
    expect(a.events[1]).toMatchObject({ line: "token ***" });
    expect(a.events[2]).toMatchObject({ type: "run.completed", runId: "42", result: "success", exitCode: 0 });
    for (const e of a.events) expect(Number.isNaN(Date.parse(e.at))).toBe(false);
    expect(a.closed && b.closed).toBe(true);
  });

  it("a warning that names a secret passes unmasked: a one-letter secret does not mask its own warning", () => {
    const masker = new Masker();
    masker.add("a");
    const r = collecting();
    new RunSession("1", [r], masker).warnNamingSecret("secret X is a single character");
    expect(r.events[0]).toMatchObject({ type: "notice", level: "warning", message: "secret X is a single character" });
  });

  it("an error that ends the run is a typed error event in its stream, once: the CLI does not print it again", () => {
    const r = collecting();
    const session = new RunSession("1", [r], new Masker());
    const mistake = new UsageError("--matrix node=99 selects no cell", "the cells are node=18, node=20");
    const bug = new TypeError("x is undefined");
    session.fail(mistake);
    session.fail(bug);
    expect(r.events).toMatchObject([
      { type: "error", message: "--matrix node=99 selects no cell", hint: "the cells are node=18, node=20", exitCode: 2 },
      { type: "error", message: "replay hit a bug: x is undefined", exitCode: 70 },
    ]);
    expect(errorWasEmitted(mistake) && errorWasEmitted(bug)).toBe(true);
    expect(errorWasEmitted(new UsageError("another"))).toBe(false);
  });

  it("an error outside a run is one --json line of the public contract", () => {
    const line = JSON.parse(errorEventLine(new UsageError("unknown flag --nope"))) as Record<string, unknown>;
    expect(line).toMatchObject({ type: "error", version: 1, message: "unknown flag --nope", exitCode: 2 });
  });
});
