import type * as z from "../common/zod.js";
import type { Problem } from "../common/index.js";
import { checkCondition, checkTemplate } from "./expressions/index.js";
import type { EventFilter, Job, Pos, RunDefaults, Step, Triggers, Value, ValueMap, Workflow, WorkflowInput } from "./model.js";
import { closest } from "./suggest.js";
import { KNOWN_EVENTS, KNOWN_KEYS, REUSABLE_CALL_KEYS, workflowSchema } from "./workflow-schema.js";
import { YamlSource } from "./yaml-source.js";
import { checkNeeds } from "./check-needs.js";
import { checkUsesReference } from "./uses-reference.js";

type Path = (string | number)[];

/** Parse and check one workflow file. A file with any problem yields no workflow. */
export function parseWorkflow(file: string, text: string): { workflow?: Workflow; problems: Problem[] } {
  const { source, problems } = YamlSource.parse(file, text);
  if (problems.length) return { problems };
  if (!source.isMapAt([])) return { problems: [source.problem([], "a workflow file must be a mapping with `on` and `jobs`")] };

  const raw = source.doc.toJS({ maxAliasCount: 1000 }) as ValueMap;
  const parsed = workflowSchema.safeParse(raw);
  if (!parsed.success) {
    // Report every problem at once: the needs graph and the expressions are checked
    // even when the shape is wrong (both checks tolerate a malformed file).
    const jobs = raw["jobs"] && typeof raw["jobs"] === "object" && !Array.isArray(raw["jobs"]) ? (raw["jobs"] as Record<string, ValueMap>) : {};
    const shapeProblems = zodProblems(source, parsed.error.issues);
    return { problems: dedupe([...shapeProblems, ...checkNeeds(source, jobs), ...checkExpressions(source, raw)]) };
  }

  const semantic = checkSemantics(source, raw);
  if (semantic.length) return { problems: semantic };
  return { workflow: buildWorkflow(source, raw), problems: [] };
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
  return dedupe(out);
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

function checkSemantics(source: YamlSource, raw: ValueMap): Problem[] {
  const problems: Problem[] = [];
  const jobs = (raw["jobs"] ?? {}) as Record<string, ValueMap>;
  if (Object.keys(jobs).length === 0) problems.push(source.problem(["jobs"], "`jobs` must have at least one job"));

  if (raw["on"] && typeof raw["on"] === "object" && !Array.isArray(raw["on"])) {
    for (const ev of Object.keys(raw["on"])) {
      if (!KNOWN_EVENTS.has(ev)) {
        const guess = closest(ev, [...KNOWN_EVENTS]);
        problems.push(source.problem(["on", ev], `unknown event '${ev}'${guess ? ` (did you mean '${guess}'?)` : ""}`, "key"));
      }
    }
  } else {
    const evs = typeof raw["on"] === "string" ? [raw["on"]] : Array.isArray(raw["on"]) ? raw["on"] : [];
    evs.forEach((ev, i) => {
      if (typeof ev === "string" && !KNOWN_EVENTS.has(ev)) {
        problems.push(source.problem(typeof raw["on"] === "string" ? ["on"] : ["on", i], `unknown event '${ev}'`));
      }
    });
  }

  for (const [id, job] of Object.entries(jobs)) {
    const jp: Path = ["jobs", id];
    if (!JOB_ID.test(id)) {
      problems.push(source.problem(jp, `job id '${id}' must start with a letter or '_' and contain only letters, digits, '-' and '_'`, "key"));
    }
    if (job["uses"] !== undefined) {
      for (const key of Object.keys(job)) {
        if (!REUSABLE_CALL_KEYS.has(key)) {
          problems.push(source.problem([...jp, key], `job '${id}' calls a reusable workflow and cannot have '${key}'`, "key"));
        }
      }
      const refProblem = checkUsesReference(String(job["uses"]), "workflow");
      if (refProblem) problems.push(source.problem([...jp, "uses"], `job '${id}': ${refProblem}`));
    } else {
      if (job["runs-on"] === undefined) problems.push(source.problem(jp, `job '${id}' has no 'runs-on'`, "key"));
      if (job["steps"] === undefined) problems.push(source.problem(jp, `job '${id}' has no 'steps'`, "key"));
      const steps = (job["steps"] ?? []) as ValueMap[];
      if (Array.isArray(steps) && steps.length === 0) problems.push(source.problem([...jp, "steps"], `job '${id}' has an empty 'steps' list`));
      const ids = new Map<string, number>();
      steps.forEach((step, i) => {
        const sp: Path = [...jp, "steps", i];
        const hasRun = step["run"] !== undefined;
        const hasUses = step["uses"] !== undefined;
        if (hasRun && hasUses) problems.push(source.problem(sp, `step ${i + 1} of job '${id}' has both 'uses' and 'run'; a step is one or the other`));
        if (!hasRun && !hasUses) problems.push(source.problem(sp, `step ${i + 1} of job '${id}' has neither 'uses' nor 'run'`));
        if (hasUses) {
          const refProblem = checkUsesReference(String(step["uses"]), "action");
          if (refProblem) problems.push(source.problem([...sp, "uses"], refProblem));
        }
        if (!hasRun && step["shell"] !== undefined) problems.push(source.problem([...sp, "shell"], "'shell' is only for 'run' steps", "key"));
        if (typeof step["id"] === "string") {
          const sid = step["id"];
          if (!JOB_ID.test(sid)) problems.push(source.problem([...sp, "id"], `step id '${sid}' must start with a letter or '_' and contain only letters, digits, '-' and '_'`));
          if (ids.has(sid)) problems.push(source.problem([...sp, "id"], `step id '${sid}' is used twice in job '${id}'`));
          ids.set(sid, i);
        }
      });
    }
  }

  problems.push(...checkNeeds(source, jobs));
  problems.push(...checkExpressions(source, raw));
  return problems;
}

/** Check every `${{ }}` in the file, and every `if:` as a whole expression. */
function checkExpressions(source: YamlSource, raw: ValueMap): Problem[] {
  const problems: Problem[] = [];
  const visit = (value: Value, path: Path): void => {
    const last = path[path.length - 1];
    if (path[0] === "on") return; // filters take patterns, not expressions
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

function toStr(v: Value | undefined): string {
  if (v === undefined || v === null) return "";
  if (typeof v === "number") return v === 0 ? "0" : String(+v.toFixed(15));
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

function strMap(v: Value | undefined): Record<string, string> {
  if (!v || typeof v !== "object" || Array.isArray(v)) return {};
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toStr(x)]));
}

function list(v: Value | undefined): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  return (Array.isArray(v) ? v : [v]).map((x) => toStr(x));
}

function keyPositions(source: YamlSource, path: Path, obj: ValueMap): Record<string, Pos> {
  return Object.fromEntries(Object.keys(obj).map((k) => [k, source.pos([...path, k], "key")]));
}

function defaults(v: Value | undefined): RunDefaults | undefined {
  const run = (v as ValueMap | undefined)?.["run"] as ValueMap | undefined;
  if (!run) return undefined;
  const d: RunDefaults = {};
  if (typeof run["shell"] === "string") d.shell = run["shell"];
  if (typeof run["working-directory"] === "string") d.workingDirectory = run["working-directory"];
  return d;
}

function inputs(source: YamlSource, path: Path, v: Value | undefined): WorkflowInput[] {
  if (!v || typeof v !== "object" || Array.isArray(v)) return [];
  return Object.entries(v).map(([name, def]) => {
    const d = (def ?? {}) as ValueMap;
    const input: WorkflowInput = {
      name,
      type: (d["type"] as WorkflowInput["type"] | undefined) ?? "string",
      required: d["required"] === true,
      pos: source.pos([...path, name], "key"),
    };
    if (d["default"] !== undefined) input.default = d["default"];
    if (Array.isArray(d["options"])) input.options = d["options"].map((o) => toStr(o));
    if (typeof d["description"] === "string") input.description = d["description"];
    return input;
  });
}

function buildTriggers(source: YamlSource, on: Value): Triggers {
  const t: Triggers = { events: {}, schedule: [], dispatchInputs: [], callInputs: [], callSecrets: [], callOutputs: [] };
  if (typeof on === "string") t.events[on] = {};
  else if (Array.isArray(on)) for (const ev of on) t.events[String(ev)] = {};
  else if (on && typeof on === "object") {
    for (const [ev, cfgRaw] of Object.entries(on)) {
      const cfg = (cfgRaw ?? {}) as ValueMap;
      const f: EventFilter = {};
      const set = <K extends keyof EventFilter>(k: K, key: string): void => {
        const l = list(cfg[key]);
        if (l) f[k] = l;
      };
      if (ev === "schedule") {
        t.schedule = (Array.isArray(cfgRaw) ? cfgRaw : []).map((c) => toStr((c as ValueMap)["cron"]));
      } else {
        set("branches", "branches");
        set("branchesIgnore", "branches-ignore");
        set("tags", "tags");
        set("tagsIgnore", "tags-ignore");
        set("paths", "paths");
        set("pathsIgnore", "paths-ignore");
        set("types", "types");
        set("workflows", "workflows");
      }
      t.events[ev] = f;
      if (ev === "workflow_dispatch") t.dispatchInputs = inputs(source, ["on", ev, "inputs"], cfg["inputs"]);
      if (ev === "workflow_call") {
        t.callInputs = inputs(source, ["on", ev, "inputs"], cfg["inputs"]);
        const secrets = (cfg["secrets"] ?? {}) as ValueMap;
        t.callSecrets = Object.entries(secrets).map(([name, s]) => ({
          name,
          required: (s as ValueMap | null)?.["required"] === true,
          pos: source.pos(["on", ev, "secrets", name], "key"),
        }));
        const outputs = (cfg["outputs"] ?? {}) as ValueMap;
        t.callOutputs = Object.entries(outputs).map(([name, o]) => ({
          name,
          value: toStr((o as ValueMap)["value"]),
          pos: source.pos(["on", ev, "outputs", name], "key"),
        }));
      }
    }
  }
  return t;
}

function buildStep(source: YamlSource, path: Path, s: ValueMap, index: number): Step {
  const step: Step = {
    index,
    pos: source.pos(path),
    with: strMap(s["with"]),
    env: strMap(s["env"]),
    keys: keyPositions(source, path, s),
  };
  if (s["id"] !== undefined) step.id = toStr(s["id"]);
  if (s["name"] !== undefined) step.name = toStr(s["name"]);
  if (s["if"] !== undefined) step.if = toStr(s["if"]);
  if (s["run"] !== undefined) step.run = toStr(s["run"]);
  if (s["uses"] !== undefined) step.uses = toStr(s["uses"]);
  if (s["shell"] !== undefined) step.shell = toStr(s["shell"]);
  if (s["working-directory"] !== undefined) step.workingDirectory = toStr(s["working-directory"]);
  if (s["continue-on-error"] !== undefined) step.continueOnError = s["continue-on-error"];
  if (s["timeout-minutes"] !== undefined) step.timeoutMinutes = s["timeout-minutes"];
  return step;
}

function buildJob(source: YamlSource, id: string, j: ValueMap): Job {
  const path: Path = ["jobs", id];
  const steps = (Array.isArray(j["steps"]) ? j["steps"] : []) as ValueMap[];
  const job: Job = {
    id,
    pos: source.pos(path, "key"),
    needs: list(j["needs"]) ?? [],
    env: strMap(j["env"]),
    outputs: strMap(j["outputs"]),
    steps: steps.map((s, i) => buildStep(source, [...path, "steps", i], s, i)),
    keys: keyPositions(source, path, j),
  };
  if (j["name"] !== undefined) job.name = toStr(j["name"]);
  if (j["if"] !== undefined) job.if = toStr(j["if"]);
  if (j["runs-on"] !== undefined) job.runsOn = j["runs-on"];
  const d = defaults(j["defaults"]);
  if (d) job.defaults = d;
  const strategy = j["strategy"] as ValueMap | undefined;
  if (strategy) {
    job.strategy = {};
    const m = strategy["matrix"];
    if (typeof m === "string") job.strategy.matrix = m;
    else if (m && typeof m === "object" && !Array.isArray(m)) job.strategy.matrix = m;
    if (strategy["fail-fast"] !== undefined) job.strategy.failFast = strategy["fail-fast"];
    if (strategy["max-parallel"] !== undefined) job.strategy.maxParallel = strategy["max-parallel"];
  }
  if (j["timeout-minutes"] !== undefined) job.timeoutMinutes = j["timeout-minutes"];
  if (j["continue-on-error"] !== undefined) job.continueOnError = j["continue-on-error"];
  if (j["container"] !== undefined) job.container = j["container"];
  if (j["services"] !== undefined) job.services = j["services"] as ValueMap;
  if (j["environment"] !== undefined) job.environment = j["environment"];
  if (j["permissions"] !== undefined) job.permissions = j["permissions"];
  if (j["concurrency"] !== undefined) job.concurrency = j["concurrency"];
  if (j["uses"] !== undefined) job.uses = toStr(j["uses"]);
  if (j["with"] !== undefined) job.with = j["with"] as ValueMap;
  if (j["secrets"] !== undefined) job.secrets = j["secrets"] === "inherit" ? "inherit" : strMap(j["secrets"]);
  return job;
}

function buildWorkflow(source: YamlSource, raw: ValueMap): Workflow {
  const jobs = raw["jobs"] as Record<string, ValueMap>;
  const wf: Workflow = {
    file: source.file,
    name: raw["name"] !== undefined ? toStr(raw["name"]) : source.file,
    on: buildTriggers(source, raw["on"] ?? null),
    env: strMap(raw["env"]),
    jobs: Object.entries(jobs).map(([id, j]) => buildJob(source, id, j)),
    pos: { line: 1, col: 1 },
  };
  if (typeof raw["run-name"] === "string") wf.runName = raw["run-name"];
  const d = defaults(raw["defaults"]);
  if (d) wf.defaults = d;
  if (raw["permissions"] !== undefined) wf.permissions = raw["permissions"];
  if (raw["concurrency"] !== undefined) wf.concurrency = raw["concurrency"];
  return wf;
}
