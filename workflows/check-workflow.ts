// Every check of one workflow file, run together whatever the file's shape, so that one
// pass reports every problem (an unknown event or a `uses:` without a ref is not held
// back until a misspelt key elsewhere is fixed).

import type * as z from "../common/zod.js";
import type { Problem } from "../common/index.js";
import { ReplayError } from "../common/errors.js";
import { checkNeeds } from "./check-needs.js";
import { checkCondition, checkTemplate } from "./expressions/index.js";
import { expandMatrix } from "./matrix.js";
import type { Value, ValueMap } from "./model.js";
import { closest } from "./suggest.js";
import { checkUsesReference } from "./uses-reference.js";
import { KNOWN_EVENTS, KNOWN_KEYS, REUSABLE_CALL_KEYS, workflowSchema } from "./workflow-schema.js";
import type { YamlSource } from "./yaml-source.js";

type Path = (string | number)[];

const isMap = (v: Value | undefined): v is ValueMap => typeof v === "object" && v !== null && !Array.isArray(v);

/** Every problem of the file, in line and column order; none for a valid workflow. */
export function checkWorkflow(source: YamlSource, raw: ValueMap): Problem[] {
  const parsed = workflowSchema.safeParse(raw);
  const jobs = isMap(raw["jobs"]) ? (raw["jobs"] as Record<string, ValueMap>) : {};
  const all = [
    ...(parsed.success ? [] : zodProblems(source, parsed.error.issues)),
    ...checkSemantics(source, raw),
    ...checkNeeds(source, jobs),
    ...checkExpressions(source, raw),
    ...checkMatrices(source, jobs),
  ];
  return sortProblems(dedupe(all));
}

/** By file, then line, then column (a stable sort: one position keeps its order). */
export function sortProblems<P extends Problem>(problems: readonly P[]): P[] {
  return [...problems].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.col - b.col));
}

function describePath(path: readonly PropertyKey[]): string {
  if (path[0] === "jobs" && path.length >= 2) {
    const job = `job '${String(path[1])}'`;
    if (path[2] === "steps" && typeof path[3] === "number") return `step ${path[3] + 1} of ${job}`;
    return job;
  }
  if (path[0] === "on") return "`on`";
  return "the workflow";
}

function knownKeysAt(path: readonly PropertyKey[]): readonly string[] {
  if (path.length === 0) return KNOWN_KEYS.workflow;
  if (path[0] === "jobs" && path.length === 2) return KNOWN_KEYS.job;
  if (path[0] === "jobs" && path[2] === "steps" && path.length === 4) return KNOWN_KEYS.step;
  return [];
}

function zodProblems(source: YamlSource, issues: readonly z.core.$ZodIssue[]): Problem[] {
  const out: Problem[] = [];
  for (const issue of issues) {
    const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
    const where = describePath(path);
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        const guess = closest(key, knownKeysAt(path));
        out.push(source.problem([...path, key], `unknown key '${key}' in ${where}${guess ? ` (did you mean '${guess}'?)` : ""}`, "key"));
      }
      continue;
    }
    const last = path[path.length - 1];
    const name = typeof last === "number" ? `item ${last + 1}` : last === undefined ? "the file" : `'${last}'`;
    const missing = issue.code === "invalid_type" && source.node(path) === undefined && source.keyNode(path) === undefined;
    if (missing) {
      out.push(source.problem(path.slice(0, -1), `${name} is required in ${describePath(path.slice(0, -1))}`, "key"));
      continue;
    }
    const message = issue.message.startsWith("Invalid input") ? `has the wrong type (${issue.message.replace(/^Invalid input:? ?/, "") || "not allowed here"})` : issue.message;
    out.push(source.problem(path, `${name} in ${where} ${message}`));
  }
  return out;
}

function dedupe(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const k = `${p.line}:${p.col}:${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

const JOB_ID = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const JOB_KEYS = new Set<string>(KNOWN_KEYS.job);

function eventProblems(source: YamlSource, on: Value | undefined): Problem[] {
  if (isMap(on)) {
    return Object.keys(on)
      .filter((ev) => !KNOWN_EVENTS.has(ev))
      .map((ev) => {
        const guess = closest(ev, [...KNOWN_EVENTS]);
        return source.problem(["on", ev], `unknown event '${ev}'${guess ? ` (did you mean '${guess}'?)` : ""}`, "key");
      });
  }
  const evs = typeof on === "string" ? [on] : Array.isArray(on) ? on : [];
  return evs.flatMap((ev, i) => {
    if (typeof ev !== "string" || KNOWN_EVENTS.has(ev)) return [];
    const guess = closest(ev, [...KNOWN_EVENTS]);
    return [source.problem(typeof on === "string" ? ["on"] : ["on", i], `unknown event '${ev}'${guess ? ` (did you mean '${guess}'?)` : ""}`)];
  });
}

function stepProblems(source: YamlSource, id: string, steps: Value[]): Problem[] {
  const problems: Problem[] = [];
  const ids = new Set<string>();
  steps.forEach((step, i) => {
    if (!isMap(step)) return; // the schema reports it
    const sp: Path = ["jobs", id, "steps", i];
    const hasRun = step["run"] !== undefined;
    const hasUses = step["uses"] !== undefined;
    if (hasRun && hasUses) problems.push(source.problem(sp, `step ${i + 1} of job '${id}' has both 'uses' and 'run'; a step is one or the other`));
    if (!hasRun && !hasUses) problems.push(source.problem(sp, `step ${i + 1} of job '${id}' has neither 'uses' nor 'run'`));
    if (typeof step["uses"] === "string") {
      const refProblem = checkUsesReference(step["uses"], "action");
      if (refProblem) problems.push(source.problem([...sp, "uses"], refProblem));
    }
    if (!hasRun && step["shell"] !== undefined) problems.push(source.problem([...sp, "shell"], "'shell' is only for 'run' steps", "key"));
    const sid = step["id"];
    if (typeof sid === "string") {
      if (!JOB_ID.test(sid)) problems.push(source.problem([...sp, "id"], `step id '${sid}' must start with a letter or '_' and contain only letters, digits, '-' and '_'`));
      if (ids.has(sid)) problems.push(source.problem([...sp, "id"], `step id '${sid}' is used twice in job '${id}'`));
      ids.add(sid);
    }
  });
  return problems;
}

function jobProblems(source: YamlSource, id: string, job: ValueMap): Problem[] {
  const jp: Path = ["jobs", id];
  const problems: Problem[] = [];
  if (!JOB_ID.test(id)) {
    problems.push(source.problem(jp, `job id '${id}' must start with a letter or '_' and contain only letters, digits, '-' and '_'`, "key"));
  }
  if (job["uses"] !== undefined) {
    // Keys no job may have are the schema's to report; these are a calling job's.
    for (const key of Object.keys(job)) {
      if (JOB_KEYS.has(key) && !REUSABLE_CALL_KEYS.has(key)) {
        problems.push(source.problem([...jp, key], `job '${id}' calls a reusable workflow and cannot have '${key}'`, "key"));
      }
    }
    if (typeof job["uses"] === "string") {
      const refProblem = checkUsesReference(job["uses"], "workflow");
      if (refProblem) problems.push(source.problem([...jp, "uses"], `job '${id}': ${refProblem}`));
    }
    return problems;
  }
  // At the job's first key, where GitHub points for a missing property.
  if (job["runs-on"] === undefined) problems.push(source.problem(jp, `job '${id}' has no 'runs-on'`));
  const steps = job["steps"];
  if (steps === undefined) problems.push(source.problem(jp, `job '${id}' has no 'steps'`));
  if (Array.isArray(steps)) {
    if (steps.length === 0) problems.push(source.problem([...jp, "steps"], `job '${id}' has an empty 'steps' list`));
    problems.push(...stepProblems(source, id, steps));
  }
  return problems;
}

function checkSemantics(source: YamlSource, raw: ValueMap): Problem[] {
  const problems = eventProblems(source, raw["on"]);
  const jobs = raw["jobs"];
  if (!isMap(jobs)) return problems; // the schema reports a missing or malformed `jobs`
  if (Object.keys(jobs).length === 0) problems.push(source.problem(["jobs"], "`jobs` must have at least one job"));
  for (const [id, job] of Object.entries(jobs)) {
    if (isMap(job)) problems.push(...jobProblems(source, id, job));
  }
  return problems;
}

const CALL_OUTPUTS = ["on", "workflow_call", "outputs"];

/** Check every `${{ }}` in the file, and every `if:` as a whole expression. */
function checkExpressions(source: YamlSource, raw: ValueMap): Problem[] {
  const problems: Problem[] = [];
  const visit = (value: Value, path: Path): void => {
    const last = path[path.length - 1];
    // Filters take patterns, not expressions; a reusable workflow's output values are expressions.
    if (path[0] === "on") {
      const towardCallOutputs = path.slice(0, 3).every((p, i) => p === CALL_OUTPUTS[i]);
      if (!towardCallOutputs || path.length > 5 || (path.length === 5 && last !== "value")) return;
    }
    if (typeof value === "string") {
      const isIf = last === "if" && (path.length === 3 || (path.length === 5 && path[2] === "steps"));
      const found = isIf ? checkCondition(value) : last === "uses" ? [] : checkTemplate(value);
      for (const f of found) problems.push({ file: source.file, ...source.posInString(path, f.offset), message: `${f.message}` });
      return;
    }
    if (Array.isArray(value)) value.forEach((v, i) => visit(v, [...path, i]));
    else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) visit(v, [...path, k]);
  };
  visit(raw, []);
  return problems;
}

// Any `${{`, closed or not (an unclosed one is reported by checkExpressions).
const hasExpression = (v: Value | undefined): boolean => typeof v === "string" && v.includes("${{");

/**
 * A matrix written out in the file is expanded now, as GitHub does before a run: a vector
 * that is no list, or more than 256 jobs, refuses the workflow. One whose vectors,
 * `include` or `exclude` come from expressions is expanded when the job runs.
 */
function checkMatrices(source: YamlSource, jobs: Record<string, ValueMap>): Problem[] {
  const problems: Problem[] = [];
  for (const [id, job] of Object.entries(jobs)) {
    const strategy = isMap(job) ? job["strategy"] : undefined;
    const matrix = isMap(strategy) ? strategy["matrix"] : undefined;
    if (!isMap(matrix)) continue;
    if (Object.entries(matrix).some(([k, v]) => hasExpression(k) || hasExpression(v))) continue;
    try {
      expandMatrix(matrix);
    } catch (e) {
      if (!(e instanceof ReplayError)) throw e;
      problems.push(source.problem(["jobs", id, "strategy", "matrix"], `job '${id}': ${e.message}`, "key"));
    }
  }
  return problems;
}
