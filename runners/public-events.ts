// The one place the engine's events (runners/events.ts) map onto the public contract
// (runners/public-event-schema.ts, docs/events.md): `--json` and the run record write
// what toPublicEvent answers, and what reads a record back maps it with fromPublicEvent.
// An internal field that is renamed or dropped breaks the build here, not users' tools;
// one that is added stays internal until it is listed here and in the schema.
import type { EventInput, ReplayEvent } from "./events.js";
import type { PublicEvent } from "./public-event-schema.js";

/** The contract's version, which every event carries as `version`. */
export const EVENTS_VERSION = 1 as const satisfies PublicEvent["version"];

type Of<E, T> = Extract<E, { type: T }>;
type Type = ReplayEvent["type"];

/** Each event type's public fields besides `type` and `version`, as the engine names them. */
const FIELDS = {
  "run.started": ["at", "runId", "event", "sha", "ref", "workflows"],
  "job.started": ["at", "jobKey", "job", "workflow", "name", "matrix", "image", "engine"],
  "step.started": ["at", "jobKey", "step", "name"],
  "step.output": ["at", "jobKey", "step", "line", "stream"],
  "step.annotation": ["at", "jobKey", "step", "level", "message", "file", "line", "col", "title"],
  "step.completed": ["at", "jobKey", "step", "name", "result", "outcome", "durationMs", "pausedMs", "attempts"],
  "job.completed": ["at", "jobKey", "job", "workflow", "name", "matrix", "result", "outputs", "durationMs", "pausedMs", "reason", "runner"],
  "job.summary": ["at", "jobKey", "markdown"],
  "run.completed": ["at", "runId", "result", "exitCode", "durationMs"],
  error: ["at", "message", "hint", "file", "line", "col", "exitCode"],
  notice: ["at", "level", "message", "jobKey", "cache", "runnerSize"],
} as const satisfies { [T in Type]: readonly (keyof Of<ReplayEvent, T>)[] };

// The build fails when the engine's and the contract's fields part: each list names
// exactly the public event's fields, and the engine's event has each of them.
type Listed<T extends Type> = (typeof FIELDS)[T][number];
type PublicFields<T extends Type> = Exclude<keyof Of<PublicEvent, T>, "type" | "version">;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const contractMatches: { [T in Type]: Same<Listed<T>, PublicFields<T>> } = {
  "run.started": true,
  "job.started": true,
  "step.started": true,
  "step.output": true,
  "step.annotation": true,
  "step.completed": true,
  "job.completed": true,
  "job.summary": true,
  "run.completed": true,
  error: true,
  notice: true,
};
void contractMatches;

function copy(from: Record<string, unknown>, fields: readonly string[], into: Record<string, unknown>): Record<string, unknown> {
  for (const f of fields) if (from[f] !== undefined) into[f] = from[f];
  return into;
}

/** The event as `--json` prints it and a record keeps it. */
export function toPublicEvent(event: ReplayEvent): PublicEvent {
  return copy(event as unknown as Record<string, unknown>, FIELDS[event.type], { type: event.type, version: EVENTS_VERSION }) as unknown as PublicEvent;
}

/** A recorded event, as the engine's consumers (the reducer, the run's metadata) read it. */
export function fromPublicEvent(event: PublicEvent): ReplayEvent {
  return copy(event as unknown as Record<string, unknown>, FIELDS[event.type], { type: event.type }) as unknown as ReplayEvent;
}

/** An error as an event of the stream: the message, its hint and where it is, and the exit status. */
export function errorEventOf(e: { message: string; hint?: string | undefined; exitCode?: number }): EventInput {
  const pos = e as Partial<{ file: string; line: number; col: number }>;
  return {
    type: "error",
    message: e.message,
    ...(e.hint ? { hint: e.hint } : {}),
    ...(pos.file ? { file: pos.file, ...(pos.line !== undefined ? { line: pos.line } : {}), ...(pos.col !== undefined ? { col: pos.col } : {}) } : {}),
    ...(e.exitCode !== undefined ? { exitCode: e.exitCode } : {}),
  };
}
