import type { Problem } from "../common/index.js";
import { checkWorkflow, sortProblems } from "./check-workflow.js";
import type { EventFilter, Job, Pos, RunDefaults, Step, Triggers, Value, ValueMap, Workflow, WorkflowInput } from "./model.js";
import { decodeWorkflowFile, limitProblems } from "./workflow-limits.js";
import { YamlSource } from "./yaml-source.js";

type Path = (string | number)[];

/**
 * Parse and check one workflow file, given as its bytes (checked as UTF-8) or as text.
 * A file with any problem yields no workflow, and every problem it has.
 */
export function parseWorkflow(file: string, input: string | Uint8Array): { workflow?: Workflow; problems: Problem[] } {
  const decoded = decodeWorkflowFile(file, input);
  if ("problem" in decoded) return { problems: [decoded.problem] };
  const { source, problems } = YamlSource.parse(file, decoded.text);
  if (problems.length) return { problems: sortProblems(problems) };
  if (!source.isMapAt([])) return { problems: [source.problem([], "a workflow file must be a mapping with `on` and `jobs`")] };

  const js = source.toJS();
  if ("problem" in js) return { problems: [js.problem] };
  const raw = js.value as ValueMap;
  // Past a limit, the rest is not checked: that is the work the limit is there to spare.
  const overLimits = limitProblems(source, raw);
  if (overLimits.length) return { problems: overLimits };
  const found = checkWorkflow(source, raw);
  if (found.length) return { problems: found };
  return { workflow: buildWorkflow(source, raw), problems: [] };
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
