// Plain JS values <-> the data types of @actions/expressions, and the runner's coercions on them.
import { data } from "@actions/expressions";
import type { Value } from "../model.js";
import { formatGitHubNumber, parseGitHubNumber } from "./github-number.js";
import { upperOrdinal } from "./upper-ordinal.js";

export type ExpressionData = data.ExpressionData;

/**
 * A mapping as the runner's context data: keys compared ordinally ignoring case
 * (DictionaryContextData), or exactly (CaseSensitiveDictionaryContextData). The library's own
 * Dictionary keeps its index in a plain object, so keys such as "constructor" are dropped.
 */
export class GitHubDictionary extends data.Dictionary {
  readonly #entries = new Map<string, { key: string; value: ExpressionData }>();
  readonly #fold: (key: string) => string;

  constructor(caseSensitive = false) {
    super();
    this.#fold = caseSensitive ? (k) => k : upperOrdinal;
  }
  override add(key: string, value: ExpressionData): void {
    const k = this.#fold(key);
    if (!this.#entries.has(k)) this.#entries.set(k, { key, value });
  }
  override get(key: string): ExpressionData | undefined {
    return this.#entries.get(this.#fold(key))?.value;
  }
  override values(): ExpressionData[] {
    return [...this.#entries.values()].map((e) => e.value);
  }
  override pairs(): { key: string; value: ExpressionData }[] {
    return [...this.#entries.values()];
  }
}

export function toData(v: Value, caseSensitive = false): ExpressionData {
  if (v === null) return new data.Null();
  if (typeof v === "boolean") return new data.BooleanData(v);
  if (typeof v === "number") return new data.NumberData(v);
  if (typeof v === "string") return new data.StringData(v);
  if (Array.isArray(v)) return new data.Array(...v.map((x) => toData(x)));
  const dict = new GitHubDictionary(caseSensitive);
  for (const [key, value] of Object.entries(v)) dict.add(key, toData(value));
  return dict;
}

/**
 * A string of the `secrets` context, or made from one (format(), join()…), which knows
 * where it came from (`secrets.X`): errors about it name that, never quote the value.
 */
export class SecretString extends data.StringData {
  constructor(
    value: string,
    readonly source: string,
  ) {
    super(value);
  }
}

/** The `secrets` context: its strings are SecretStrings. */
export function secretsToData(v: Value): ExpressionData {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return toData(v);
  const dict = new GitHubDictionary();
  for (const [key, value] of Object.entries(v)) dict.add(key, typeof value === "string" ? new SecretString(value, `secrets.${key}`) : toData(value));
  return dict;
}

export function fromData(d: ExpressionData): Value {
  if (d instanceof data.Null) return null;
  if (d instanceof data.BooleanData || d instanceof data.NumberData || d instanceof data.StringData) return d.value;
  if (d instanceof data.Array) return d.values().map(fromData);
  const out: { [key: string]: Value } = {};
  for (const { key, value } of d.pairs()) {
    // defineProperty, so that a key named "__proto__" stays a plain key.
    Object.defineProperty(out, key, { value: fromData(value), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

export function isPrimitive(d: ExpressionData): boolean {
  return !(d instanceof data.Array || d instanceof data.Dictionary);
}

/** The runner's ConvertToString. */
export function dataToString(d: ExpressionData): string {
  if (d instanceof data.Null) return "";
  if (d instanceof data.BooleanData) return d.value ? "true" : "false";
  if (d instanceof data.NumberData) return formatGitHubNumber(d.value);
  if (d instanceof data.StringData) return d.value;
  return d instanceof data.Array ? "Array" : "Object";
}

/** The runner's ConvertToNumber. */
export function dataToNumber(d: ExpressionData): number {
  if (d instanceof data.Null) return 0;
  if (d instanceof data.BooleanData) return d.value ? 1 : 0;
  if (d instanceof data.NumberData) return d.value;
  if (d instanceof data.StringData) return parseGitHubNumber(d.value);
  return NaN;
}

export function isTruthy(d: ExpressionData): boolean {
  if (d instanceof data.Null) return false;
  if (d instanceof data.BooleanData) return d.value;
  if (d instanceof data.NumberData) return d.value !== 0 && !Number.isNaN(d.value);
  if (d instanceof data.StringData) return d.value !== "";
  return true;
}
