// The one gate every event passes on its way to the reporters (--json, the plain output,
// the TUI, events.jsonl, state.json, the job summary): each text in it that a step, a
// workflow or an error can have put a secret into goes through the masker, whichever
// part of replay made the event. Identifiers the consumers join on (type, jobKey, step,
// runId) are left as they are: a short secret masking them would break the stream.
import { assertNever } from "../common/index.js";
import type { Value } from "../workflows/index.js";
import type { EventInput } from "./events.js";
import type { Masker } from "./masker.js";

export function maskEvent(e: EventInput, masker: Masker): EventInput {
  const m = (s: string): string => masker.mask(s);
  const opt = <K extends string>(key: K, s: string | undefined): Partial<Record<K, string>> =>
    (s === undefined ? {} : { [key]: m(s) }) as Partial<Record<K, string>>;
  switch (e.type) {
    case "run.started":
    case "run.completed":
      return e;
    case "job.started":
      return { ...e, name: m(e.name), image: m(e.image), matrix: maskMatrix(e.matrix, masker) };
    case "step.started":
    case "step.completed":
      return { ...e, name: m(e.name) };
    case "step.output":
      return { ...e, line: m(e.line) };
    case "step.annotation":
      return { ...e, message: m(e.message), ...opt("file", e.file), ...opt("title", e.title) };
    case "job.completed":
      return {
        ...e,
        name: m(e.name),
        matrix: maskMatrix(e.matrix, masker),
        outputs: Object.fromEntries(Object.entries(e.outputs).map(([k, v]) => [k, m(v)])),
        ...opt("reason", e.reason),
      };
    case "job.summary":
      return { ...e, markdown: m(e.markdown) };
    case "error":
      return { ...e, message: m(e.message), ...opt("hint", e.hint), ...opt("file", e.file) };
    case "notice":
      return {
        ...e,
        message: m(e.message),
        ...(e.cache ? { cache: { ...e.cache, key: m(e.cache.key), ...opt("matchedKey", e.cache.matchedKey) } } : {}),
      };
    default:
      return assertNever(e, "event");
  }
}

function maskMatrix(matrix: Record<string, Value> | null, masker: Masker): Record<string, Value> | null {
  return matrix === null ? null : (maskValue(matrix, masker) as Record<string, Value>);
}

function maskValue(v: Value, masker: Masker): Value {
  if (typeof v === "string") return masker.mask(v);
  if (Array.isArray(v)) return v.map((x) => maskValue(x, masker));
  if (v === null || typeof v !== "object") return v;
  const out: Record<string, Value> = {};
  for (const [k, x] of Object.entries(v)) Object.defineProperty(out, k, { value: maskValue(x, masker), enumerable: true, writable: true, configurable: true });
  return out;
}
