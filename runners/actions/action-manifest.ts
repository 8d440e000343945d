// An action's metadata file (action.yml / action.yaml), read the way the runner's
// ActionManifestManager reads it and checked with zod over the YAML's plain data, so that
// every problem names its file, line and column like a workflow problem does.
import * as z from "../../common/zod.js";
import { ReplayError, formatProblem } from "../../common/index.js";
import type { Problem } from "../../common/index.js";
import { checkCondition, checkTemplate, checkUsesReference, parseYamlFile } from "../../workflows/index.js";
import type { Pos, Step, Value } from "../../workflows/index.js";

export type NodeUsing = "node12" | "node16" | "node20" | "node24";
export const NODE_USING: readonly NodeUsing[] = ["node12", "node16", "node20", "node24"];

export interface ActionInput {
  name: string;
  /** Raw, possibly with `${{ }}` (github, strategy, matrix, job, runner, hashFiles). */
  default?: string;
  required: boolean;
  deprecationMessage?: string;
}

export interface ActionOutput {
  name: string;
  /** Composite actions map outputs from `steps.<id>.outputs`; raw. */
  value?: string;
}

export interface NodeRuns {
  using: NodeUsing;
  main: string;
  pre?: string;
  /** Default `always()`. */
  preIf?: string;
  post?: string;
  postIf?: string;
}

export interface DockerRuns {
  using: "docker";
  /** `Dockerfile` (a path in the action's folder) or `docker://image`. */
  image: string;
  entrypoint?: string;
  /** Raw, each may use the `inputs` context. */
  args?: string[];
  env: Record<string, string>;
  preEntrypoint?: string;
  preIf?: string;
  postEntrypoint?: string;
  postIf?: string;
}

export interface CompositeRuns {
  using: "composite";
  steps: Step[];
}

export type ActionRuns = NodeRuns | DockerRuns | CompositeRuns;

export interface ActionManifest {
  /** The file it was read from, as shown in messages. */
  file: string;
  name: string;
  description?: string;
  inputs: ActionInput[];
  outputs: ActionOutput[];
  runs: ActionRuns;
}

/** A problem in an action's metadata: one ReplayError listing them all with file:line:col. */
export class ActionManifestError extends ReplayError {
  readonly problems: readonly Problem[];
  constructor(problems: readonly Problem[]) {
    super("workflow-invalid", problems.map(formatProblem).join("\n"), {
      hint: "fix the action's metadata file at the lines named above",
      exitCode: 1,
    });
    this.problems = problems;
  }
}

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()], { error: "must be a string, number or boolean" });
const stringish = z.union([z.string(), z.number(), z.boolean()], { error: "must be a string" });
const nonEmpty = z.string({ error: "must be a string" }).check(z.minLength(1, { error: "must not be empty" }));
const strMap = z.union([z.record(z.string(), scalar), z.null()], { error: "must be a mapping of names to values" });

const inputSchema = z.union(
  [
    z.null(),
    // Loose, as the runner's schema: only `default` is typed, other keys are documentation.
    z.looseObject({
      description: z.optional(z.unknown()),
      required: z.optional(z.unknown()),
      default: z.optional(scalar),
      deprecationMessage: z.optional(stringish),
    }),
  ],
  { error: "must be a mapping (description, required, default)" },
);

const outputSchema = z.union([z.null(), z.strictObject({ description: z.optional(z.unknown()), value: z.optional(stringish) })], {
  error: "must be a mapping (description, value)",
});

const compositeStepSchema = z.strictObject({
  name: z.optional(stringish),
  id: z.optional(nonEmpty),
  if: z.optional(z.union([z.string(), z.boolean(), z.number()])),
  run: z.optional(stringish),
  shell: z.optional(nonEmpty),
  env: z.optional(strMap),
  "working-directory": z.optional(stringish),
  "continue-on-error": z.optional(z.union([z.boolean(), z.string()], { error: "must be true, false or an expression" })),
  uses: z.optional(nonEmpty),
  with: z.optional(strMap),
});

const runsSchema = z.strictObject({
  using: nonEmpty,
  main: z.optional(nonEmpty),
  pre: z.optional(nonEmpty),
  "pre-if": z.optional(nonEmpty),
  post: z.optional(nonEmpty),
  "post-if": z.optional(nonEmpty),
  image: z.optional(nonEmpty),
  entrypoint: z.optional(nonEmpty),
  args: z.optional(z.array(stringish, { error: "must be a list of strings" })),
  env: z.optional(strMap),
  "pre-entrypoint": z.optional(nonEmpty),
  "post-entrypoint": z.optional(nonEmpty),
  steps: z.optional(z.array(z.unknown(), { error: "must be a list of steps" })),
});

// The root is loose on the runner too: `author`, `branding` and friends are allowed.
const manifestSchema = z.looseObject({
  name: z.optional(stringish),
  description: z.optional(stringish),
  inputs: z.optional(z.union([z.record(z.string(), inputSchema), z.null()], { error: "must be a mapping of input names" })),
  outputs: z.optional(z.union([z.record(z.string(), outputSchema), z.null()], { error: "must be a mapping of output names" })),
  runs: z.unknown(),
});

/** The keys each kind of `runs:` takes (the runner's container-runs, node-runs, composite-runs). */
const RUNS_KEYS: Record<"node" | "docker" | "composite", readonly string[]> = {
  node: ["using", "main", "pre", "pre-if", "post", "post-if"],
  docker: ["using", "image", "entrypoint", "args", "env", "pre-entrypoint", "pre-if", "post-entrypoint", "post-if"],
  composite: ["using", "steps"],
};

type Path = (string | number)[];

const STEP_ID = /^[A-Za-z_][A-Za-z0-9_-]*$/;

function toStr(v: Value | undefined): string {
  if (v === undefined || v === null) return "";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

function strRecord(v: unknown): Record<string, string> {
  if (!v || typeof v !== "object" || Array.isArray(v)) return {};
  return Object.fromEntries(Object.entries(v as Record<string, Value>).map(([k, x]) => [k, toStr(x)]));
}

function describe(path: readonly PropertyKey[]): string {
  if (path[0] === "runs" && path[1] === "steps" && typeof path[2] === "number") return `step ${path[2] + 1} of the composite action`;
  if (path[0] === "runs") return "`runs`";
  if (path[0] === "inputs" && path.length >= 2) return `input '${String(path[1])}'`;
  if (path[0] === "outputs" && path.length >= 2) return `output '${String(path[1])}'`;
  return "the action";
}

function zodProblems(at: (path: Path, message: string) => Problem, issues: readonly z.core.$ZodIssue[], prefix: Path, raw: unknown): Problem[] {
  const out: Problem[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path.filter((p): p is string | number => typeof p !== "symbol")];
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) out.push(at([...path, key], `unknown key '${key}' in ${describe(path)}`));
      continue;
    }
    const last = path[path.length - 1];
    const name = typeof last === "number" ? `item ${last + 1}` : last === undefined ? "the file" : `'${last}'`;
    if (issue.code === "invalid_type" && lookup(raw, path.slice(prefix.length)) === undefined) {
      out.push(at(path.slice(0, -1), `${name} is required in ${describe(path.slice(0, -1))}`));
      continue;
    }
    const message = issue.message.startsWith("Invalid input") ? "has the wrong type" : issue.message;
    out.push(at(path, `${name} in ${describe(path)} ${message}`));
  }
  return out;
}

function lookup(v: unknown, path: readonly (string | number)[]): unknown {
  let cur = v;
  for (const p of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string | number, unknown>)[p];
  }
  return cur;
}

/**
 * Reads an action's metadata. `file` is how messages name it (the path in the repository
 * for a local action, `owner/repo@ref/action.yml` for a remote one).
 */
export function parseActionManifest(file: string, text: string): { manifest?: ActionManifest; problems: Problem[] } {
  const yaml = parseYamlFile(file, text);
  if (yaml.problems.length) return { problems: yaml.problems };
  const at = (path: Path, message: string): Problem => yaml.problemAt(path, message);
  const pos = (path: Path): Pos => {
    const p = yaml.problemAt(path, "");
    return { line: p.line, col: p.col };
  };
  const raw = yaml.value;
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return { problems: [at([], "an action's metadata must be a mapping with `runs`")] };
  const root = manifestSchema.safeParse(raw);
  if (!root.success) return { problems: zodProblems(at, root.error.issues, [], raw) };
  const r = root.data;
  if (r.runs === undefined || r.runs === null) return { problems: [at([], `'runs' is required in ${file}`)] };
  const runsParsed = runsSchema.safeParse(r.runs);
  if (!runsParsed.success) return { problems: zodProblems(at, runsParsed.error.issues, ["runs"], r.runs) };
  const runsRaw = runsParsed.data;
  const problems: Problem[] = [];

  const using = runsRaw.using.toLowerCase();
  const kind = using === "docker" ? "docker" : using === "composite" ? "composite" : (NODE_USING as readonly string[]).includes(using) ? "node" : undefined;
  if (kind === undefined) {
    // The runner's own words for an unknown `using`.
    return { problems: [at(["runs", "using"], `'using: ${runsRaw.using}' is not supported, use 'docker', 'node12', 'node16', 'node20', 'node24' or 'composite' instead.`)] };
  }
  for (const key of Object.keys(runsRaw)) {
    if (!RUNS_KEYS[kind].includes(key)) problems.push(at(["runs", key], `unknown key '${key}' in \`runs\` of a ${using} action (it takes ${RUNS_KEYS[kind].join(", ")})`));
  }
  for (const key of ["pre-if", "post-if"] as const) {
    const cond = runsRaw[key];
    if (cond !== undefined) for (const p of checkCondition(cond)) problems.push(at(["runs", key], p.message));
  }

  let runs: ActionRuns | undefined;
  if (kind === "node") {
    if (runsRaw.main === undefined) problems.push(at(["runs"], `Entry javascript file is not provided: 'main' is required in \`runs\` of a ${using} action`));
    else {
      const node: NodeRuns = { using: using as NodeUsing, main: runsRaw.main };
      if (runsRaw.pre !== undefined) node.pre = runsRaw.pre;
      if (runsRaw["pre-if"] !== undefined) node.preIf = runsRaw["pre-if"];
      if (runsRaw.post !== undefined) node.post = runsRaw.post;
      if (runsRaw["post-if"] !== undefined) node.postIf = runsRaw["post-if"];
      runs = node;
    }
  } else if (kind === "docker") {
    if (runsRaw.image === undefined) problems.push(at(["runs"], `You are using a Container Action but an image is not provided in ${file}.`));
    else {
      const docker: DockerRuns = { using: "docker", image: runsRaw.image, env: strRecord(runsRaw.env) };
      if (runsRaw.entrypoint !== undefined) docker.entrypoint = runsRaw.entrypoint;
      if (runsRaw.args !== undefined) docker.args = runsRaw.args.map((a) => toStr(a));
      if (runsRaw["pre-entrypoint"] !== undefined) docker.preEntrypoint = runsRaw["pre-entrypoint"];
      if (runsRaw["pre-if"] !== undefined) docker.preIf = runsRaw["pre-if"];
      if (runsRaw["post-entrypoint"] !== undefined) docker.postEntrypoint = runsRaw["post-entrypoint"];
      if (runsRaw["post-if"] !== undefined) docker.postIf = runsRaw["post-if"];
      runs = docker;
    }
  } else {
    if (runsRaw.steps === undefined) problems.push(at(["runs"], `You are using a composite action but there are no steps provided in ${file}.`));
    else {
      const steps = runsRaw.steps.map((s, i) => compositeStep(s, i, at, pos, problems));
      const ids = new Set<string>();
      for (const s of steps) {
        if (s.id === undefined) continue;
        const where = ["runs", "steps", s.index, "id"];
        if (!STEP_ID.test(s.id)) problems.push(at(where, `step id '${s.id}' must start with a letter or '_' and contain only letters, digits, '-' and '_'`));
        if (ids.has(s.id)) problems.push(at(where, `step id '${s.id}' is used twice in the composite action`));
        ids.add(s.id);
      }
      runs = { using: "composite", steps };
    }
  }

  const inputs: ActionInput[] = Object.entries(r.inputs ?? {}).map(([name, def]) => {
    const input: ActionInput = { name, required: def?.required === true || def?.required === "true" };
    if (def?.default !== undefined && def.default !== null) input.default = toStr(def.default);
    if (def?.deprecationMessage !== undefined) input.deprecationMessage = toStr(def.deprecationMessage);
    return input;
  });
  const outputs: ActionOutput[] = Object.entries(r.outputs ?? {}).map(([name, def]) => {
    const output: ActionOutput = { name };
    if (def?.value !== undefined) output.value = toStr(def.value);
    return output;
  });
  for (const i of inputs) if (i.default !== undefined) for (const p of checkTemplate(i.default)) problems.push(at(["inputs", i.name, "default"], p.message));
  for (const o of outputs) if (o.value !== undefined) for (const p of checkTemplate(o.value)) problems.push(at(["outputs", o.name, "value"], p.message));

  if (problems.length || runs === undefined) return { problems };
  const manifest: ActionManifest = { file, name: r.name === undefined ? file : toStr(r.name), inputs, outputs, runs };
  if (r.description !== undefined) manifest.description = toStr(r.description);
  return { manifest, problems: [] };
}

function compositeStep(raw: unknown, index: number, at: (path: Path, message: string) => Problem, pos: (path: Path) => Pos, problems: Problem[]): Step {
  const path: Path = ["runs", "steps", index];
  const step: Step = { index, pos: pos(path), with: {}, env: {}, keys: {} };
  const parsed = compositeStepSchema.safeParse(raw);
  if (!parsed.success) {
    problems.push(...zodProblems(at, parsed.error.issues, path, raw));
    return step;
  }
  const s = parsed.data;
  step.keys = Object.fromEntries(Object.keys(s).map((k) => [k, pos([...path, k])]));
  step.with = strRecord(s.with);
  step.env = strRecord(s.env);
  const where = `step ${index + 1} of the composite action`;
  if (s.run !== undefined && s.uses !== undefined) problems.push(at(path, `${where} has both 'uses' and 'run'; a step is one or the other`));
  if (s.run === undefined && s.uses === undefined) problems.push(at(path, `${where} has neither 'uses' nor 'run'`));
  // The runner's schema: a composite `run:` step must name its shell, and only run steps take one.
  if (s.run !== undefined && s.shell === undefined) problems.push(at(path, `'shell' is required in ${where}: a composite action's run steps must name their shell`));
  if (s.uses !== undefined) {
    for (const key of ["shell", "working-directory"] as const) if (s[key] !== undefined && s.run === undefined) problems.push(at([...path, key], `'${key}' is only for 'run' steps (${where} uses an action)`));
    const refProblem = checkUsesReference(s.uses, "action");
    if (refProblem) problems.push(at([...path, "uses"], refProblem));
  }
  if (s.run === undefined && s.with !== undefined && s.uses === undefined) problems.push(at([...path, "with"], `'with' is only for 'uses' steps`));
  if (s.if !== undefined) for (const p of checkCondition(toStr(s.if))) problems.push(at([...path, "if"], p.message));
  for (const key of ["name", "run", "working-directory"] as const) {
    const v = s[key];
    if (v !== undefined) for (const p of checkTemplate(toStr(v))) problems.push(at([...path, key], p.message));
  }
  if (s.id !== undefined) step.id = s.id;
  if (s.name !== undefined) step.name = toStr(s.name);
  if (s.if !== undefined) step.if = toStr(s.if);
  if (s.run !== undefined) step.run = toStr(s.run);
  if (s.uses !== undefined) step.uses = s.uses;
  if (s.shell !== undefined) step.shell = s.shell;
  if (s["working-directory"] !== undefined) step.workingDirectory = toStr(s["working-directory"]);
  if (s["continue-on-error"] !== undefined) step.continueOnError = s["continue-on-error"];
  return step;
}

/** The manifest, or an ActionManifestError listing every problem with file:line:col. */
export function loadActionManifest(file: string, text: string): ActionManifest {
  const { manifest, problems } = parseActionManifest(file, text);
  if (!manifest) throw new ActionManifestError(problems);
  return manifest;
}

/**
 * The metadata of an action that has only a Dockerfile (the runner still accepts these):
 * a container action built from it, no inputs.
 */
export function dockerfileOnlyManifest(file: string): ActionManifest {
  return { file, name: file, inputs: [], outputs: [], runs: { using: "docker", image: "Dockerfile", env: {} } };
}
