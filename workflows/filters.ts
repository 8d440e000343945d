// GitHub's filter patterns for branches, tags and paths ("Filter pattern cheat sheet" in
// the workflow syntax docs): `*` stops at `/`, `**` does not, `?` and `+` repeat the
// character before them, `[]` is a class, `\` escapes, `!` first negates.

import { WorkflowInvalidError } from "../common/errors.js";

const compiled = new Map<string, RegExp>();

function escapeRegExp(c: string): string {
  return c.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");
}

/** The pattern as a regular expression over the whole value. */
function compile(pattern: string): RegExp {
  let out = "";
  // Whether the last piece written may take a `?` or `+` after it (a character or a class).
  let repeatable = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === "*") {
      if (pattern[i + 1] === "*") {
        i++;
        // `**/` also matches no folder at all: `**/README.md` matches `README.md`.
        if (pattern[i + 1] === "/") {
          i++;
          out += "(?:.*/)?";
        } else {
          out += ".*";
        }
      } else {
        out += "[^/]*";
      }
      repeatable = false;
    } else if ((c === "?" || c === "+") && repeatable) {
      out += c;
      repeatable = false;
    } else if (c === "\\" && i + 1 < pattern.length) {
      out += escapeRegExp(pattern[++i] as string);
      repeatable = true;
    } else if (c === "[") {
      const end = classEnd(pattern, i);
      if (end < 0) {
        out += escapeRegExp(c);
      } else {
        out += characterClass(pattern, pattern.slice(i + 1, end));
        i = end;
      }
      repeatable = true;
    } else {
      out += escapeRegExp(c);
      repeatable = true;
    }
  }
  return new RegExp(`^${out}$`, "s");
}

/** Index of the `]` closing the class opened at `start`, or -1 when there is none. */
function classEnd(pattern: string, start: number): number {
  for (let j = start + 1; j < pattern.length; j++) {
    if (pattern[j] === "\\") j++;
    else if (pattern[j] === "]") return j > start + 1 ? j : -1;
  }
  return -1;
}

function characterClass(pattern: string, body: string): string {
  let out = "";
  for (let j = 0; j < body.length; j++) {
    const c = body[j] === "\\" && j + 1 < body.length ? (body[++j] as string) : (body[j] as string);
    const to = body[j + 1] === "-" && j + 2 < body.length ? (body[j + 2] as string) : undefined;
    if (to !== undefined) {
      if (to < c) {
        throw new WorkflowInvalidError(`filter pattern '${pattern}' has the range '${c}-${to}', which runs backwards`, {
          hint: `write the range low to high, e.g. '${to}-${c}'`,
        });
      }
      out += `${escapeRegExp(c)}-${escapeRegExp(to)}`;
      j += 2;
    } else {
      out += escapeRegExp(c);
    }
  }
  return `[${out}]`;
}

/**
 * Whether one pattern matches the whole value. A leading `!` is not special here:
 * negation belongs to a list of patterns (see `filterMatches`).
 */
export function matchesPattern(pattern: string, value: string): boolean {
  let re = compiled.get(pattern);
  if (re === undefined) {
    re = compile(pattern);
    compiled.set(pattern, re);
  }
  return re.test(value);
}

/**
 * Whether a list of patterns selects the value. The patterns are read in order and the
 * last one that matches decides: `!pattern` leaves the value out, a plain pattern after
 * it takes the value back in.
 */
export function filterMatches(patterns: string[], value: string): boolean {
  let selected = false;
  for (const p of patterns) {
    if (p.startsWith("!")) {
      if (selected && matchesPattern(p.slice(1), value)) selected = false;
    } else if (!selected && matchesPattern(p, value)) {
      selected = true;
    }
  }
  return selected;
}

/** A pair of filters such as `branches` / `branches-ignore`; absent means "no filter". */
export interface IncludeIgnore {
  include?: string[] | undefined;
  ignore?: string[] | undefined;
}

/** Whether a branch or tag name passes `branches`/`branches-ignore` (or the tag pair). */
export function branchFilterAllows(filter: IncludeIgnore, name: string): boolean {
  if (filter.include !== undefined && !filterMatches(filter.include, name)) return false;
  if (filter.ignore !== undefined && filterMatches(filter.ignore, name)) return false;
  return true;
}

/**
 * Whether the changed files pass `paths`/`paths-ignore`: `paths` wants at least one file it
 * selects, `paths-ignore` skips only when it selects every file. Unknown changes
 * (`undefined`) pass, as GitHub runs the workflow when it cannot compute the diff; no
 * changed files at all pass neither filter.
 */
export function pathFilterAllows(filter: IncludeIgnore, changedFiles: string[] | undefined): boolean {
  if (changedFiles === undefined) return true;
  const { include, ignore } = filter;
  if (include !== undefined && !changedFiles.some((f) => filterMatches(include, f))) return false;
  if (ignore !== undefined && changedFiles.every((f) => filterMatches(ignore, f))) return false;
  return true;
}
