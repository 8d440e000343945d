// The shape of a workflow file, checked with zod over the YAML's plain data; the loader
// maps each zod issue back to the YAML node for file:line:col.
//
// Why yaml + zod and not GitHub's @actions/workflow-parser: the parser's converted model
// drops step `with`, `shell`, `working-directory`, `timeout-minutes`, job `defaults`,
// `continue-on-error`, `permissions` (they must be dug out of its token tree again), it
// needs a JSON-import workaround on Node 20, and its messages are written for the
// editor, not a terminal. With `yaml`'s LineCounter every key keeps its position and
// the schema below names GitHub's keys exactly, so unknown keys and wrong types are
// reported in the user's terms.
import { z } from "zod";

// zod compiles a parser for each object schema on its first use (new Function): for a
// command that checks a handful of files once, that compiling (~10 ms for the workflow
// schema) costs more than it saves. Set as the workflow schema is made, it holds for
// every schema made after.
z.config({ jitless: true });

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()], {
  error: "must be a string, number or boolean",
});
const stringish = z.union([z.string(), z.number(), z.boolean()], { error: "must be a string" });
/** A string (possibly an expression), or a boolean/number given directly. */
const boolOrExpr = z.union([z.boolean(), z.string()], { error: "must be true, false or an expression" });
const numberOrExpr = z.union([z.number(), z.string()], { error: "must be a number or an expression" });
const envMap = z.union([z.record(z.string(), scalar), z.string()], {
  error: "must be a mapping of names to values (or an expression)",
});
const stringList = z.union([z.string(), z.array(stringish)], { error: "must be a string or a list of strings" });

const runDefaults = z.strictObject({
  run: z
    .strictObject({
      shell: z.string({ error: "must be a string" }).optional(),
      "working-directory": z.string({ error: "must be a string" }).optional(),
    })
    .optional(),
});

const permissionLevel = z.enum(["read", "write", "none"], { error: "must be read, write or none" });
const permissions = z.union(
  [z.enum(["read-all", "write-all"]), z.record(z.string(), permissionLevel)],
  { error: "must be read-all, write-all or a mapping of scopes to read, write or none" },
);

const concurrency = z.union([
  z.string(),
  z.strictObject({ group: z.string(), "cancel-in-progress": boolOrExpr.optional() }),
]);

const inputDef = z.strictObject({
  description: z.string().optional(),
  required: z.boolean({ error: "must be true or false" }).optional(),
  default: scalar.optional(),
  type: z.enum(["string", "boolean", "number", "choice", "environment"], {
    error: "must be one of string, boolean, number, choice, environment",
  }).optional(),
  options: z.array(stringish).optional(),
  "deprecationMessage": z.string().optional(),
});

const branchFilters = {
  branches: stringList.optional(),
  "branches-ignore": stringList.optional(),
  tags: stringList.optional(),
  "tags-ignore": stringList.optional(),
  paths: stringList.optional(),
  "paths-ignore": stringList.optional(),
  types: stringList.optional(),
};

const eventConfig = z.union([z.null(), z.strictObject(branchFilters)], {
  error: "must be empty or a mapping of filters",
});

const onMap = z
  .strictObject({
    push: eventConfig.optional(),
    pull_request: eventConfig.optional(),
    pull_request_target: eventConfig.optional(),
    workflow_dispatch: z
      .union([z.null(), z.strictObject({ inputs: z.record(z.string(), inputDef).nullable().optional() })])
      .optional(),
    workflow_call: z
      .union([
        z.null(),
        z.strictObject({
          inputs: z.record(z.string(), inputDef).nullable().optional(),
          secrets: z
            .record(z.string(), z.union([z.null(), z.strictObject({ description: z.string().optional(), required: z.boolean().optional() })]))
            .nullable()
            .optional(),
          outputs: z
            .record(z.string(), z.strictObject({ description: z.string().optional(), value: z.string() }))
            .nullable()
            .optional(),
        }),
      ])
      .optional(),
    workflow_run: z
      .union([z.null(), z.strictObject({ workflows: stringList.optional(), ...branchFilters })])
      .optional(),
    schedule: z.array(z.strictObject({ cron: z.string() }), { error: "must be a list of `- cron: '…'` entries" }).optional(),
  })
  // Every other event GitHub knows takes at most `types:`.
  .catchall(z.union([z.null(), z.strictObject({ types: stringList.optional() })]));

export const KNOWN_EVENTS = new Set([
  "branch_protection_rule", "check_run", "check_suite", "create", "delete", "deployment", "deployment_status",
  "discussion", "discussion_comment", "fork", "gollum", "issue_comment", "issues", "label", "merge_group",
  "milestone", "page_build", "project", "project_card", "project_column", "public", "pull_request",
  "pull_request_review", "pull_request_review_comment", "pull_request_target", "push", "registry_package",
  "release", "repository_dispatch", "schedule", "status", "watch", "workflow_call", "workflow_dispatch",
  "workflow_run",
]);

const on = z.union([z.string(), z.array(z.string()), onMap], {
  error: "`on` must be an event name, a list of events or a mapping of events",
});

const matrix = z.union([z.string(), z.record(z.string(), z.unknown())], {
  error: "`matrix` must be a mapping or an expression",
});

const strategy = z.strictObject({
  matrix: matrix.optional(),
  "fail-fast": boolOrExpr.optional(),
  "max-parallel": numberOrExpr.optional(),
});

const containerDef = z.union([
  z.string(),
  z.strictObject({
    image: z.string(),
    credentials: z.strictObject({ username: z.string(), password: z.string() }).optional(),
    env: envMap.optional(),
    ports: z.array(stringish).optional(),
    volumes: z.array(z.string()).optional(),
    options: z.string().optional(),
  }),
], { error: "must be an image name or a mapping with `image`" });

export const stepSchema = z.strictObject({
  id: z.string({ error: "must be a string" }).optional(),
  name: stringish.optional(),
  if: z.union([z.string(), z.boolean(), z.number()]).optional(),
  uses: z.string({ error: "must be a string" }).optional(),
  run: stringish.optional(),
  shell: z.string({ error: "must be a string" }).optional(),
  "working-directory": z.string({ error: "must be a string" }).optional(),
  with: z.union([z.record(z.string(), scalar), z.null()], { error: "must be a mapping of inputs" }).optional(),
  env: envMap.optional(),
  "continue-on-error": boolOrExpr.optional(),
  "timeout-minutes": numberOrExpr.optional(),
});

const runsOn = z.union([
  z.string(),
  z.array(z.string()),
  z.strictObject({ group: z.string().optional(), labels: stringList.optional() }),
], { error: "must be a label, a list of labels or a mapping with `group`/`labels`" });

const environment = z.union([z.string(), z.strictObject({ name: z.string(), url: z.string().optional() })]);

export const jobSchema = z.strictObject({
  name: stringish.optional(),
  needs: stringList.optional(),
  if: z.union([z.string(), z.boolean(), z.number()]).optional(),
  "runs-on": runsOn.optional(),
  permissions: permissions.optional(),
  environment: environment.optional(),
  concurrency: concurrency.optional(),
  outputs: z.record(z.string(), stringish).optional(),
  env: envMap.optional(),
  defaults: runDefaults.optional(),
  steps: z.array(stepSchema, { error: "`steps` must be a list of steps" }).optional(),
  "timeout-minutes": numberOrExpr.optional(),
  strategy: strategy.optional(),
  "continue-on-error": boolOrExpr.optional(),
  container: containerDef.optional(),
  services: z.record(z.string(), containerDef).optional(),
  uses: z.string().optional(),
  with: z.record(z.string(), scalar).optional(),
  secrets: z.union([z.literal("inherit"), z.record(z.string(), stringish)]).optional(),
  snapshot: z.unknown().optional(),
});

export const workflowSchema = z.strictObject({
  name: stringish.optional(),
  "run-name": z.string().optional(),
  on,
  env: envMap.optional(),
  defaults: runDefaults.optional(),
  concurrency: concurrency.optional(),
  permissions: permissions.optional(),
  jobs: z.record(z.string(), jobSchema, { error: "`jobs` must be a mapping of job ids to jobs" }),
});

/** The keys a job that calls a reusable workflow may have. */
export const REUSABLE_CALL_KEYS = new Set(["name", "uses", "with", "secrets", "needs", "if", "permissions", "concurrency", "strategy"]);

/** Known keys at each level, for "did you mean" hints. */
export const KNOWN_KEYS = {
  workflow: Object.keys(workflowSchema.shape),
  job: Object.keys(jobSchema.shape).filter((k) => k !== "snapshot"),
  step: Object.keys(stepSchema.shape),
} as const;
