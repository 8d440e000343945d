// Pairs CI's jobs and steps with a replay's. Names are what both sides share: GitHub's
// display names (`build (20)`, `caller / called`, evaluated `name:` expressions) and the
// replay's, which follow the same rules, with fallbacks for where they cannot agree.
import type { Value } from "../workflows/index.js";
import { isBookkeeping } from "./job-log.js";

export interface LocalJobName {
  /** The display name the replay gave the job. */
  name: string;
  /** The job id; `caller/called` inside a called workflow. */
  job: string;
  matrix: Record<string, Value> | null;
}

/** Case, spacing and the spacing around `/` do not tell jobs apart. */
export function normalizeName(s: string): string {
  return s.toLowerCase().replace(/\s*\/\s*/g, " / ").replace(/\s+/g, " ").trim();
}

function matrixValue(v: Value): string {
  if (v === null) return "";
  if (Array.isArray(v) || typeof v === "object") return JSON.stringify(v);
  return String(v);
}

/** `build (20, ubuntu-latest)`: GitHub's suffix for a matrix cell. */
export function matrixSuffix(matrix: Record<string, Value> | null): string {
  if (!matrix || Object.keys(matrix).length === 0) return "";
  return ` (${Object.values(matrix).map(matrixValue).join(", ")})`;
}

/** Every name GitHub could show for a replayed job. */
export function candidateNames(j: LocalJobName): string[] {
  const names = new Set<string>([j.name]);
  const suffix = matrixSuffix(j.matrix);
  const parts = j.job.split("/");
  const id = parts.at(-1) ?? j.job;
  const bases = [j.name.replace(/ \(.*\)$/, ""), id];
  for (const b of bases) names.add(`${b}${suffix}`);
  if (parts.length > 1) {
    // A called workflow's job: `<caller> / <called job's name>`.
    const callers = parts.slice(0, -1).join(" / ");
    for (const n of [...names]) if (!normalizeName(n).startsWith(normalizeName(callers))) names.add(`${callers} / ${n}`);
  }
  return [...names];
}

/** A name that kept an unevaluated `${{ … }}` matches any text in its place. */
function templatePattern(name: string): RegExp | undefined {
  if (!name.includes("${{")) return undefined;
  const parts = name.split(/\$\{\{.*?\}\}/);
  const body = parts.map((p) => normalizeName(p).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".+?");
  return new RegExp(`^${body}$`);
}

export type MatchedBy = "name" | "normalized name" | "matrix or caller" | "expression" | "job id" | "position";

export interface Pairing<C, L> {
  pairs: { ci: C; local: L; by: MatchedBy }[];
  ciOnly: C[];
  localOnly: L[];
}

/** Pairs CI's jobs with the replay's, the strictest rule first, each job at most once. */
export function matchJobs<C extends { name: string }, L extends LocalJobName>(ci: readonly C[], local: readonly L[]): Pairing<C, L> {
  const rules: { by: MatchedBy; fits: (c: C, l: L) => boolean }[] = [
    { by: "name", fits: (c, l) => c.name === l.name },
    { by: "normalized name", fits: (c, l) => normalizeName(c.name) === normalizeName(l.name) },
    { by: "matrix or caller", fits: (c, l) => candidateNames(l).some((n) => normalizeName(n) === normalizeName(c.name)) },
    { by: "expression", fits: (c, l) => templatePattern(l.name)?.test(normalizeName(c.name)) ?? false },
    {
      by: "job id",
      // The replay shows a job skipped before its name was evaluated by its id.
      fits: (c, l) => normalizeName(c.name.replace(/ \(.*\)$/, "")) === normalizeName(l.job.split("/").at(-1) ?? l.job) && l.matrix === null,
    },
  ];
  const pairs: Pairing<C, L>["pairs"] = [];
  const usedCi = new Set<number>();
  const usedLocal = new Set<number>();
  for (const rule of rules) {
    ci.forEach((c, ci_) => {
      if (usedCi.has(ci_)) return;
      const li = local.findIndex((l, i) => !usedLocal.has(i) && rule.fits(c, l));
      if (li < 0) return;
      const l = local[li] as L;
      usedCi.add(ci_);
      usedLocal.add(li);
      pairs.push({ ci: c, local: l, by: rule.by });
    });
  }
  pairs.sort((a, b) => ci.indexOf(a.ci) - ci.indexOf(b.ci));
  return { pairs, ciOnly: ci.filter((_, i) => !usedCi.has(i)), localOnly: local.filter((_, i) => !usedLocal.has(i)) };
}

export interface StepPair<C, L> {
  ci?: C;
  local?: L;
  by?: "name" | "position";
}

export interface StepAlignment<C, L> {
  /** In order: matched pairs, and steps only one side has. */
  steps: StepPair<C, L>[];
  /** CI's runner bookkeeping the replay has no counterpart for: never "missing". */
  setAside: C[];
}

/**
 * Aligns CI's steps with the replay's by name and order (a longest common subsequence
 * of names). Between two matched steps, unmatched steps left over on both sides in equal
 * numbers are paired by position (a name built from an expression may differ).
 */
export function matchSteps<C extends { name: string }, L extends { name: string }>(ci: readonly C[], local: readonly L[]): StepAlignment<C, L> {
  const a = ci.map((s) => normalizeName(s.name));
  const b = local.map((s) => normalizeName(s.name));
  const n = a.length;
  const m = b.length;
  const t: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  const at = (i: number, j: number): number => t[i]?.[j] ?? 0;
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      (t[i] as number[])[j] = a[i] === b[j] ? at(i + 1, j + 1) + 1 : Math.max(at(i + 1, j), at(i, j + 1));
    }
  }
  const anchors: [number, number][] = [];
  for (let i = 0, j = 0; i < n && j < m; ) {
    if (a[i] === b[j]) anchors.push([i++, j++]);
    else if (at(i + 1, j) >= at(i, j + 1)) i++;
    else j++;
  }
  anchors.push([n, m]);

  const steps: StepPair<C, L>[] = [];
  const setAside: C[] = [];
  let i = 0;
  let j = 0;
  for (const [ai, aj] of anchors) {
    const ciGap = ci.slice(i, ai);
    const localGap = local.slice(j, aj);
    const ciReal = ciGap.filter((s) => !isBookkeeping(s.name));
    const pairUp = ciReal.length === localGap.length;
    let k = 0;
    for (const c of ciGap) {
      if (isBookkeeping(c.name)) setAside.push(c);
      else if (pairUp) steps.push({ ci: c, local: localGap[k++] as L, by: "position" });
      else steps.push({ ci: c });
    }
    if (!pairUp) for (const l of localGap) steps.push({ local: l });
    if (ai < n && aj < m) steps.push({ ci: ci[ai] as C, local: local[aj] as L, by: "name" });
    i = ai + 1;
    j = aj + 1;
  }
  return { steps, setAside };
}
