import { Refusal } from "./scope-policy.js";
import type { Json } from "./scope-policy.js";

// A request body decoded the way the engine's Go decoder (encoding/json) reads it, so that
// the scoped API checks what the engine would act on and forwards only that, re-serialised
// with the canonical field names:
//
// - an object key matches a struct field case-insensitively (Go folds ASCII case, and also
//   the Kelvin sign to k and the long s to s); map keys (labels, options) are exact;
// - a repeated key decodes again into the same field: a later scalar replaces the earlier,
//   a later object fills in the earlier one (struct fields and map entries add up), a later
//   array decodes element by element into the earlier one's elements; `null` leaves a plain
//   value or struct as it was and empties a pointer, slice or map;
// - keys Go would ignore (unknown fields) are refused here: replay does not pass on what it
//   has not understood, and a field it does not know may be one a newer engine acts on.

export type Kind =
  | { t: "string" | "bool" | "int" | "uint" | "strslice" | "set" }
  | { t: "ptr"; to: Kind }
  | { t: "list"; of: Kind }
  | { t: "array"; length: number; of: Kind }
  | { t: "map"; of: Kind }
  | { t: "struct"; fields: Record<string, Kind> };

type Node =
  | { t: "object"; entries: [string, Node][] }
  | { t: "array"; items: Node[] }
  | { t: "string"; value: string }
  | { t: "number"; raw: string }
  | { t: "bool"; value: boolean }
  | { t: "null" };

/** Go's case folding of a key, as far as it can meet an ASCII field name. */
export const foldKey = (key: string): string => key.replace(/[A-Z\u212a\u017f]/g, (c) => (c === "\u212a" ? "k" : c === "\u017f" ? "s" : c.toLowerCase()));

const notJson = (detail: string): Refusal => new Refusal(400, "not served", `the request body is not JSON the engine would read (${detail})`);
// Go's decoder turns a lone UTF-16 surrogate into U+FFFD; so does this, or the checked string would differ from the engine's.
const wellFormed = (s: string): string => s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd");

/** A strict JSON parser that keeps every key of an object, repeated ones too, in order. */
export function parseEngineJson(text: string): Node | undefined {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && " \t\n\r".includes(text.charAt(i))) i++;
  };
  const expect = (word: string): void => {
    if (text.slice(i, i + word.length) !== word) throw notJson(`unexpected ${JSON.stringify(text.slice(i, i + 8))} at ${i}`);
    i += word.length;
  };
  const string = (): string => {
    // eslint-disable-next-line no-control-regex -- JSON forbids raw control characters in strings, as Go's decoder does
    const end = /^"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/.exec(text.slice(i));
    if (!end) throw notJson(`a bad string at ${i}`);
    i += end[0].length;
    return wellFormed(JSON.parse(end[0]) as string);
  };
  const value = (depth: number): Node => {
    if (depth > 200) throw notJson("nested too deep");
    ws();
    const c = text.charAt(i);
    if (c === "{") {
      i++;
      const entries: [string, Node][] = [];
      ws();
      if (text.charAt(i) === "}") return i++, { t: "object", entries };
      for (;;) {
        ws();
        const key = string();
        ws();
        expect(":");
        entries.push([key, value(depth + 1)]);
        ws();
        if (text.charAt(i) === "}") return i++, { t: "object", entries };
        expect(",");
      }
    }
    if (c === "[") {
      i++;
      const items: Node[] = [];
      ws();
      if (text.charAt(i) === "]") return i++, { t: "array", items };
      for (;;) {
        items.push(value(depth + 1));
        ws();
        if (text.charAt(i) === "]") return i++, { t: "array", items };
        expect(",");
      }
    }
    if (c === '"') return { t: "string", value: string() };
    const number = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i));
    if (number) return (i += number[0].length), { t: "number", raw: number[0] };
    for (const [word, node] of [["true", { t: "bool", value: true }], ["false", { t: "bool", value: false }], ["null", { t: "null" }]] as const) {
      if (text.startsWith(word, i)) return (i += word.length), node;
    }
    throw notJson(`unexpected ${JSON.stringify(text.slice(i, i + 8))} at ${i}`);
  };
  ws();
  if (i === text.length) return undefined;
  const node = value(0);
  ws();
  if (i !== text.length) throw notJson(`more after the value at ${i}`);
  return node;
}

const isPlain = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const describe = (n: Node): string => (n.t === "object" ? "an object" : n.t === "array" ? "an array" : n.t === "null" ? "null" : `a ${n.t}`);

function typeError(where: string, want: string, got: Node): Refusal {
  return new Refusal(400, "not served", `${where || "the body"} should be ${want}, not ${describe(got)}`);
}

/** Sentinel: Go leaves the target as it was (null into a plain value or struct). */
const UNCHANGED = Symbol("unchanged");
type Decoded = unknown;

function integer(n: Node, where: string, unsigned: boolean): number {
  if (n.t !== "number" || !/^-?\d+$/.test(n.raw)) throw typeError(where, unsigned ? "a whole number of at least 0" : "a whole number", n);
  const v = Number(n.raw);
  if (!Number.isSafeInteger(v) || (unsigned && v < 0)) throw new Refusal(400, "not served", `${where} is out of range: ${n.raw}`);
  return v;
}

/** Decodes `n` into `existing` (what an earlier, repeated key left there) as Go would. */
function decodeInto(existing: unknown, n: Node, kind: Kind, where: string): Decoded | typeof UNCHANGED {
  switch (kind.t) {
    case "string":
      if (n.t === "null") return UNCHANGED;
      if (n.t !== "string") throw typeError(where, "a string", n);
      return n.value;
    case "bool":
      if (n.t === "null") return UNCHANGED;
      if (n.t !== "bool") throw typeError(where, "true or false", n);
      return n.value;
    case "int":
    case "uint":
      if (n.t === "null") return UNCHANGED;
      return integer(n, where, kind.t === "uint");
    case "strslice":
      // docker's StrSlice: a string or a list of strings; null is an empty list.
      if (n.t === "null") return [];
      if (n.t === "string") return [n.value];
      if (n.t === "array") return n.items.map((item, k) => decodeInto(undefined, item, { t: "string" }, `${where}[${k}]`)).map((v) => (v === UNCHANGED ? "" : v));
      throw typeError(where, "a string or a list of strings", n);
    case "set":
      // map[string]struct{}: only the keys count.
      return decodeInto(existing, n, { t: "map", of: { t: "struct", fields: {} } }, where);
    case "ptr": {
      if (n.t === "null") return undefined;
      const v = decodeInto(existing, n, kind.to, where);
      return v === UNCHANGED ? (existing ?? zero(kind.to)) : v;
    }
    case "list":
    case "array": {
      if (n.t === "null") return kind.t === "list" ? undefined : UNCHANGED;
      if (n.t !== "array") throw typeError(where, "a list", n);
      const before = Array.isArray(existing) ? existing : [];
      const items = kind.t === "array" ? n.items.slice(0, kind.length) : n.items;
      const out = items.map((item, k) => {
        const v = decodeInto(before[k], item, kind.of, `${where}[${k}]`);
        return v === UNCHANGED ? (before[k] ?? zero(kind.of)) : v;
      });
      while (kind.t === "array" && out.length < kind.length) out.push(zero(kind.of));
      return out;
    }
    case "map": {
      if (n.t === "null") return undefined;
      if (n.t !== "object") throw typeError(where, "an object", n);
      const out: Json = isPlain(existing) ? { ...existing } : {};
      for (const [key, item] of n.entries) {
        // Each entry is decoded into a fresh value: a repeated map key replaces, never merges.
        const v = decodeInto(undefined, item, kind.of, `${where}[${JSON.stringify(key)}]`);
        out[key] = v === UNCHANGED ? zero(kind.of) : v;
      }
      return out;
    }
    case "struct": {
      if (n.t === "null") return UNCHANGED;
      if (n.t !== "object") throw typeError(where, "an object", n);
      const out: Json = isPlain(existing) ? { ...existing } : {};
      const byFold = fieldIndex(kind.fields);
      for (const [key, item] of n.entries) {
        const name = key in kind.fields ? key : byFold.get(foldKey(key));
        const fieldKind = name === undefined ? undefined : kind.fields[name];
        if (name === undefined || fieldKind === undefined) {
          throw new Refusal(403, "known fields only", `${where ? `${where}.` : ""}${key} is not a field replay's scoped Docker API knows, so it does not pass it on`);
        }
        const v = decodeInto(out[name], item, fieldKind, where ? `${where}.${name}` : name);
        if (v === undefined) delete out[name];
        else if (v !== UNCHANGED) out[name] = v;
      }
      return out;
    }
  }
}

function zero(kind: Kind): unknown {
  switch (kind.t) {
    case "string":
      return "";
    case "bool":
      return false;
    case "int":
    case "uint":
      return 0;
    case "struct":
      return {};
    case "array":
      return Array.from({ length: kind.length }, () => zero(kind.of));
    case "strslice":
    case "set":
    case "ptr":
    case "list":
    case "map":
      return null;
  }
}

const indexes = new WeakMap<Record<string, Kind>, Map<string, string>>();
function fieldIndex(fields: Record<string, Kind>): Map<string, string> {
  let index = indexes.get(fields);
  if (!index) {
    index = new Map(Object.keys(fields).map((name) => [foldKey(name), name]));
    indexes.set(fields, index);
  }
  return index;
}

/** The body of a request decoded against the struct the engine reads it into: canonical names, checked types. */
export function decodeEngineBody(raw: Buffer | string, fields: Record<string, Kind>): Json {
  const node = parseEngineJson(typeof raw === "string" ? raw : raw.toString("utf8"));
  if (node === undefined) return {};
  const v = decodeInto(undefined, node, { t: "struct", fields }, "");
  return isPlain(v) ? v : {};
}
