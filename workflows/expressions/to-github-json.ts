import type { Value } from "../model.js";
import { formatGitHubNumber } from "./github-number.js";

// Newtonsoft.Json's default escaping, which the runner uses for strings and keys: control
// characters, quote and backslash, plus U+0085, U+2028 and U+2029. Everything else is written as is.
const NAMED_ESCAPES: Record<string, string> = {
  '"': '\\"',
  "\\": "\\\\",
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
};
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /["\\\u0000-\u001f\u0085\u2028\u2029]/g;

function jsonString(s: string): string {
  const escaped = s.replace(
    NEEDS_ESCAPE,
    (c) => NAMED_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
  return `"${escaped}"`;
}

function write(v: Value, level: number): string {
  if (v === null) return "null";
  if (typeof v === "boolean") return v ? "true" : "false";
  // Numbers as the runner prints them, so NaN and 1E+21 appear exactly as on GitHub.
  if (typeof v === "number") return formatGitHubNumber(v);
  if (typeof v === "string") return jsonString(v);
  const inner = "  ".repeat(level + 1);
  const outer = "  ".repeat(level);
  if (Array.isArray(v)) {
    if (v.length === 0) return "[]";
    return `[\n${v.map((x) => inner + write(x, level + 1)).join(",\n")}\n${outer}]`;
  }
  const keys = Object.keys(v);
  if (keys.length === 0) return "{}";
  const pairs = keys.map((k) => `${inner}${jsonString(k)}: ${write(v[k] ?? null, level + 1)}`);
  return `{\n${pairs.join(",\n")}\n${outer}}`;
}

/** toJSON(): pretty-printed with 2-space indents, as the runner's writer does. */
export function toGitHubJson(v: Value): string {
  return write(v, 0);
}
