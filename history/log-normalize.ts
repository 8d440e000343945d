// Log lines from CI and from a replay differ in ways that say nothing about the build:
// timestamps, durations, where the workspace and temp folders are, hashes, colours.
// Both sides go through the same normalisation before they are compared.

const TIMESTAMP_PREFIX = /^\uFEFF?\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z ?/;
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07/g;
const UUID = /\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b/g;
const ISO_TIME = /\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?/g;
// `in 1.23s`, `finished in 0.00s`, `(12ms)`, `1m 3s`, `took 2.5 seconds`
const DURATION = /(?<![\w.])\d+(?:\.\d+)?\s?(?:ms|s|secs?|seconds?|m|mins?|minutes?|h|hours?)(?![\w.])/g;
// Hex of 7 or more with at least one digit: commit ids, cargo's crate hashes, image ids.
const HASH = /\b(?=[0-9a-fA-F]*\d)[0-9a-fA-F]{7,}\b/g;

/** Strips the `2024-01-01T00:00:00.0000000Z ` prefix of a CI log line. */
export function stripTimestamp(line: string): string {
  return line.replace(TIMESTAMP_PREFIX, "");
}

export interface NormalizeOptions {
  /** Further host paths that stand for the workspace (a replay's checkout on the host, say). */
  workspaces?: readonly string[];
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** One line as the comparison sees it. */
export function normalizeLine(line: string, o: NormalizeOptions = {}): string {
  let s = stripTimestamp(line).replace(ANSI, "").replace(/\r$/, "");
  for (const w of o.workspaces ?? []) if (w) s = s.replace(new RegExp(escapeRegExp(w), "g"), "$WORKSPACE");
  s = s
    .replace(UUID, "<uuid>")
    .replace(/\/home\/runner\/work\/_temp\b/g, "$RUNNER_TEMP")
    .replace(/\/home\/runner\/work\/_actions\b/g, "$ACTIONS")
    .replace(/\/home\/runner\/work\/_tool\b|\/opt\/hostedtoolcache\b/g, "$TOOL_CACHE")
    // The workspace is /home/runner/work/<repo>/<repo> on both sides, but the repository
    // may have another folder name locally than on GitHub.
    .replace(/\/home\/runner\/work\/([^/\s'"():,;]+)\/\1(?![^/\s'"():,;])/g, "$WORKSPACE")
    .replace(/\/home\/runner\/work\b/g, "$WORK")
    .replace(/(?<![\w.$])\/tmp\/[^\s'"):,]*/g, "$TMP")
    .replace(ISO_TIME, "<time>")
    .replace(DURATION, "<duration>")
    .replace(HASH, "<hash>");
  return s.trimEnd();
}

export interface LogDifference {
  /** 1-based line numbers, in each side's own step log, where the difference starts. */
  ciLine: number;
  localLine: number;
  /** The differing lines as printed (timestamps stripped), at most `maxLines` a side. */
  ci: string[];
  local: string[];
}

/** Longest common subsequence over two line lists; answers the pairs of equal indices. */
function lcsPairs(a: readonly string[], b: readonly string[]): [number, number][] {
  const n = a.length;
  const m = b.length;
  const table = new Uint32Array((n + 1) * (m + 1));
  const at = (i: number, j: number): number => table[i * (m + 1) + j] ?? 0;
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      table[i * (m + 1) + j] = a[i] === b[j] ? at(i + 1, j + 1) + 1 : Math.max(at(i + 1, j), at(i, j + 1));
    }
  }
  const pairs: [number, number][] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      pairs.push([i, j]);
      i++;
      j++;
    } else if (at(i + 1, j) >= at(i, j + 1)) i++;
    else j++;
  }
  return pairs;
}

// The table is (n+1)(m+1) words: past this, only the first lines of each side are compared.
const MAX_CELLS = 4_000_000;

/**
 * The first place two step logs differ after normalisation, as the lines of the first
 * differing hunk; undefined when they are the same.
 */
export function firstDifference(ci: readonly string[], local: readonly string[], o: NormalizeOptions & { maxLines?: number } = {}): LogDifference | undefined {
  const maxLines = o.maxLines ?? 8;
  let a = ci.map((l) => normalizeLine(l, o));
  let b = local.map((l) => normalizeLine(l, o));
  if ((a.length + 1) * (b.length + 1) > MAX_CELLS) {
    const keep = Math.floor(Math.sqrt(MAX_CELLS)) - 1;
    a = a.slice(0, keep);
    b = b.slice(0, keep);
  }
  const pairs = lcsPairs(a, b);
  pairs.push([a.length, b.length]);
  let i = 0;
  let j = 0;
  for (const [pi, pj] of pairs) {
    if (pi > i || pj > j) {
      return {
        ciLine: i + 1,
        localLine: j + 1,
        ci: ci.slice(i, Math.min(pi, i + maxLines)).map((l) => stripTimestamp(l).replace(ANSI, "")),
        local: local.slice(j, Math.min(pj, j + maxLines)).map((l) => stripTimestamp(l).replace(ANSI, "")),
      };
    }
    i = pi + 1;
    j = pj + 1;
  }
  return undefined;
}
