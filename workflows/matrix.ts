// A job's `strategy.matrix` expanded into cells as GitHub does it, the name GitHub shows
// for each cell, and the `--matrix key=value` selectors that pick cells to replay.

import { UnknownMatrixError, UsageError, WorkflowInvalidError } from "../common/errors.js";
import type { Value, ValueMap } from "./model.js";
import { MAX_MATRIX_COMBINATIONS, MAX_MATRIX_JOBS } from "./workflow-limits.js";

function isObject(v: Value | undefined): v is { [key: string]: Value } {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function invalid(message: string, hint: string): WorkflowInvalidError {
  return new WorkflowInvalidError(message, { hint });
}

/** Deep, type-strict equality of two values (object key order does not matter). */
function sameValue(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameValue(x, b[i] as Value));
  }
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && sameValue(a[k] as Value, b[k] as Value));
  }
  return false;
}

/** Every entry of `include:` or `exclude:` as a mapping, or a ReplayError naming the key. */
function entries(matrix: ValueMap, key: "include" | "exclude"): ValueMap[] {
  const raw = matrix[key];
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    throw invalid(`matrix '${key}' must be a list of mappings, got ${JSON.stringify(raw)}`, `write each ${key} entry as \`- key: value\``);
  }
  return raw.map((entry) => {
    if (!isObject(entry)) {
      throw invalid(`a matrix '${key}' entry must be a mapping, got ${JSON.stringify(entry)}`, `write each ${key} entry as \`- key: value\``);
    }
    return entry;
  });
}

/**
 * Expands a matrix (its values already evaluated) into its cells: the Cartesian product
 * of its vectors in key order, minus `exclude`, then `include` applied as GitHub documents
 * in "Expanding or adding matrix configurations".
 */
export function expandMatrix(matrix: ValueMap): ValueMap[] {
  const vectors: [string, Value[]][] = [];
  for (const [key, value] of Object.entries(matrix)) {
    if (key === "include" || key === "exclude") continue;
    if (!Array.isArray(value)) {
      throw invalid(`matrix vector '${key}' must be a list of values, got ${JSON.stringify(value)}`, `write it as a list, e.g. \`${key}: [${typeof value === "string" ? value : JSON.stringify(value)}]\``);
    }
    if (value.length === 0) {
      throw invalid(`matrix vector '${key}' does not contain any values`, `give '${key}' at least one value, or remove it from the matrix`);
    }
    vectors.push([key, value]);
  }
  const includes = entries(matrix, "include");
  const excludes = entries(matrix, "exclude");
  if (vectors.length === 0 && includes.length === 0) {
    throw invalid("the matrix must define at least one vector", "give the matrix a key with a list of values, or an `include:` list");
  }

  const keys = new Set(vectors.map(([k]) => k));
  for (const ex of excludes) {
    const names = Object.keys(ex);
    if (names.length === 0) throw invalid("a matrix 'exclude' entry must not be empty", "remove the empty entry");
    for (const k of names) {
      if (!keys.has(k)) {
        throw invalid(`matrix exclude key '${k}' does not match any key within the matrix`, `the matrix keys are: ${[...keys].join(", ") || "(none)"}`);
      }
    }
  }

  const combinations = vectors.reduce((n, [, values]) => Math.min(n * values.length, Number.MAX_SAFE_INTEGER), 1);
  if (combinations > MAX_MATRIX_COMBINATIONS) {
    throw invalid(
      `the matrix has ${combinations} combinations of its vectors; replay expands at most ${MAX_MATRIX_COMBINATIONS} (and GitHub runs at most ${MAX_MATRIX_JOBS} jobs of a matrix)`,
      "split the job, or shorten its vectors",
    );
  }
  const product = vectors.reduce<ValueMap[]>(
    (cells, [key, values]) => cells.flatMap((cell) => values.map((v) => ({ ...cell, [key]: v }))),
    vectors.length === 0 ? [] : [{}],
  );
  // An exclude entry removes every cell that agrees with all of the keys it names.
  const original = product.filter((cell) => !excludes.some((ex) => Object.entries(ex).every(([k, v]) => sameValue(cell[k] as Value, v))));
  if (vectors.length > 0 && original.length === 0 && includes.length === 0) {
    throw invalid("every combination of the matrix is excluded, so the job has no cells to run", "remove an `exclude:` entry or add an `include:` entry");
  }

  // Includes extend only the cells of the product (never one added by an include), and may
  // overwrite what an earlier include added but never a value of the product itself.
  const added: ValueMap[] = [];
  for (const inc of includes) {
    const pinned = Object.entries(inc).filter(([k]) => keys.has(k));
    let extended = false;
    for (const cell of original) {
      if (pinned.every(([k, v]) => sameValue(cell[k] as Value, v))) {
        Object.assign(cell, inc);
        extended = true;
      }
    }
    if (!extended) added.push({ ...inc });
  }
  const cells = [...original, ...added];
  if (cells.length > MAX_MATRIX_JOBS) {
    throw invalid(`the matrix makes ${cells.length} jobs; GitHub runs at most ${MAX_MATRIX_JOBS} jobs of a matrix and refuses the workflow`, "split the job, or shorten its vectors (`exclude:` removes combinations)");
  }
  return cells;
}

/** The scalar leaves of a value in order, as GitHub lists them in a matrix job's name. */
function leaves(v: Value): string[] {
  if (v === null) return [];
  if (Array.isArray(v)) return v.flatMap(leaves);
  if (typeof v === "object") return Object.values(v).flatMap(leaves);
  const s = String(v);
  return s === "" ? [] : [s];
}

const MAX_DISPLAY_NAME = 100;

/**
 * The name GitHub shows for one cell of a matrix job: `build (ubuntu-latest, 20)`. Nested
 * objects and lists contribute their scalar values; nulls and empty strings are left out.
 * A job whose `name:` holds an expression shows that name as evaluated, without a suffix.
 */
export function cellDisplayName(base: string, cell: ValueMap | null, nameWasExplicitExpression: boolean): string {
  if (nameWasExplicitExpression || cell === null) return base;
  const segments = Object.values(cell).flatMap(leaves);
  if (segments.length === 0) return base;
  const name = `${base} (${segments.join(", ")})`;
  // GitHub cuts a generated name at 100 characters.
  return name.length > MAX_DISPLAY_NAME ? `${name.slice(0, MAX_DISPLAY_NAME - 3)}...` : name;
}

/** A cell's value as a selector compares it: scalars as text, objects and lists as JSON. */
function asText(v: Value): string {
  if (v === null) return "";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

/** `node=18`, `os=ubuntu, node=20`: a cell as the user selects it. */
export function describeCell(cell: ValueMap): string {
  return Object.entries(cell)
    .map(([k, v]) => `${k}=${asText(v)}`)
    .join(", ");
}

export interface MatrixSelector {
  key: string;
  value: string;
}

/** Parses the values of repeated `--matrix key=value` flags. */
export function parseMatrixSelectors(args: string[]): MatrixSelector[] {
  return args.map((arg) => {
    const eq = arg.indexOf("=");
    const key = eq < 0 ? "" : arg.slice(0, eq).trim();
    if (key === "") {
      throw new UsageError(`--matrix expects key=value, got '${arg}'`, "name a matrix key and a value, e.g. --matrix node=20");
    }
    return { key, value: arg.slice(eq + 1) };
  });
}

function listCells(cells: ValueMap[]): string {
  const several = cells.some((c) => Object.keys(c).length > 1);
  return cells.map((c) => (several ? `(${describeCell(c)})` : describeCell(c))).join(", ");
}

/**
 * The cells that match every selector's key. Selectors naming the same key are
 * alternatives (`--matrix node=18 --matrix node=20` picks both), different keys must all
 * match. A selector naming no key of the matrix, or a selection matching no cell, is refused
 * with the cells there are.
 */
export function selectCells(cells: ValueMap[], selectors: MatrixSelector[], jobId?: string): ValueMap[] {
  if (selectors.length === 0) return cells;
  const of = jobId === undefined ? "the matrix" : `the matrix of job '${jobId}'`;
  const shown = selectors.map((s) => `${s.key}=${s.value}`).join(" ");
  const hint = cells[0] === undefined ? undefined : `pick one of the cells listed, e.g. ${Object.entries(cells[0]).map(([k, v]) => `--matrix ${k}=${asText(v)}`).join(" ")}`;
  const options = hint === undefined ? {} : { hint };

  for (const s of selectors) {
    if (!cells.some((c) => Object.hasOwn(c, s.key))) {
      const keys = [...new Set(cells.flatMap((c) => Object.keys(c)))];
      throw new UnknownMatrixError(`--matrix ${s.key}=${s.value}: ${of} has no key '${s.key}' (its keys: ${keys.join(", ") || "none"}); its cells are: ${listCells(cells) || "none"}`,
        options,
      );
    }
  }
  const byKey = new Map<string, string[]>();
  for (const s of selectors) byKey.set(s.key, [...(byKey.get(s.key) ?? []), s.value]);
  const chosen = cells.filter((c) =>
    [...byKey].every(([key, values]) => Object.hasOwn(c, key) && values.includes(asText(c[key] as Value))),
  );
  if (chosen.length === 0) {
    throw new UnknownMatrixError(`--matrix ${shown} matches no cell of ${of}; its cells are: ${listCells(cells)}`, options);
  }
  return chosen;
}
