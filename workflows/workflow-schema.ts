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
// zod's mini API, set up once (common/zod.ts); imported directly, not through common's
// index, so that the commands that check no file do not load it.
import * as z from "../common/zod.js";

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
  run: z.optional(
    z.strictObject({
      shell: z.optional(z.string({ error: "must be a string" })),
      "working-directory": z.optional(z.string({ error: "must be a string" })),
    }),
  ),
});

const permissionLevel = z.enum(["read", "write", "none"], { error: "must be read, write or none" });
const permissions = z.union(
  [z.enum(["read-all", "write-all"]), z.record(z.string(), permissionLevel)],
  { error: "must be read-all, write-all or a mapping of scopes to read, write or none" },
);

const concurrency = z.union([
  z.string(),
  z.strictObject({ group: z.string(), "cancel-in-progress": z.optional(boolOrExpr) }),
]);

const inputDef = z.strictObject({
  description: z.optional(z.string()),
  required: z.optional(z.boolean({ error: "must be true or false" })),
  default: z.optional(scalar),
  type: z.optional(z.enum(["string", "boolean", "number", "choice", "environment"], {
    error: "must be one of string, boolean, number, choice, environment",
  })),
  options: z.optional(z.array(stringish)),
  "deprecationMessage": z.optional(z.string()),
});

const branchFilters = {
  branches: z.optional(stringList),
  "branches-ignore": z.optional(stringList),
  tags: z.optional(stringList),
  "tags-ignore": z.optional(stringList),
  paths: z.optional(stringList),
  "paths-ignore": z.optional(stringList),
  types: z.optional(stringList),
};

const eventConfig = z.union([z.null(), z.strictObject(branchFilters)], {
  error: "must be empty or a mapping of filters",
});

const onMap = z.catchall(
  z.strictObject({
    push: z.optional(eventConfig),
    pull_request: z.optional(eventConfig),
    pull_request_target: z.optional(eventConfig),
    workflow_dispatch: z.optional(z.union([z.null(), z.strictObject({ inputs: z.optional(z.nullable(z.record(z.string(), inputDef))) })])),
    workflow_call: z.optional(
      z.union([
        z.null(),
        z.strictObject({
          inputs: z.optional(z.nullable(z.record(z.string(), inputDef))),
          secrets: z.optional(z.nullable(z.record(z.string(), z.union([z.null(), z.strictObject({ description: z.optional(z.string()), required: z.optional(z.boolean()) })])))),
          outputs: z.optional(z.nullable(z.record(z.string(), z.strictObject({ description: z.optional(z.string()), value: z.string() })))),
        }),
      ]),
    ),
    workflow_run: z.optional(z.union([z.null(), z.strictObject({ workflows: z.optional(stringList), ...branchFilters })])),
    schedule: z.optional(z.array(z.strictObject({ cron: z.string() }), { error: "must be a list of `- cron: '…'` entries" })),
  }),
  // Every other event GitHub knows takes at most `types:`.
  z.union([z.null(), z.strictObject({ types: z.optional(stringList) })]),
);

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
  matrix: z.optional(matrix),
  "fail-fast": z.optional(boolOrExpr),
  "max-parallel": z.optional(numberOrExpr),
});

const containerDef = z.union([
  z.string(),
  z.strictObject({
    image: z.string(),
    credentials: z.optional(z.strictObject({ username: z.string(), password: z.string() })),
    env: z.optional(envMap),
    ports: z.optional(z.array(stringish)),
    volumes: z.optional(z.array(z.string())),
    options: z.optional(z.string()),
  }),
], { error: "must be an image name or a mapping with `image`" });

export const stepSchema = z.strictObject({
  id: z.optional(z.string({ error: "must be a string" })),
  name: z.optional(stringish),
  if: z.optional(z.union([z.string(), z.boolean(), z.number()])),
  uses: z.optional(z.string({ error: "must be a string" })),
  run: z.optional(stringish),
  shell: z.optional(z.string({ error: "must be a string" })),
  "working-directory": z.optional(z.string({ error: "must be a string" })),
  with: z.optional(z.union([z.record(z.string(), scalar), z.null()], { error: "must be a mapping of inputs" })),
  env: z.optional(envMap),
  "continue-on-error": z.optional(boolOrExpr),
  "timeout-minutes": z.optional(numberOrExpr),
});

const runsOn = z.union([
  z.string(),
  z.array(z.string()),
  z.strictObject({ group: z.optional(z.string()), labels: z.optional(stringList) }),
], { error: "must be a label, a list of labels or a mapping with `group`/`labels`" });

const environment = z.union([z.string(), z.strictObject({ name: z.string(), url: z.optional(z.string()) })]);

export const jobSchema = z.strictObject({
  name: z.optional(stringish),
  needs: z.optional(stringList),
  if: z.optional(z.union([z.string(), z.boolean(), z.number()])),
  "runs-on": z.optional(runsOn),
  permissions: z.optional(permissions),
  environment: z.optional(environment),
  concurrency: z.optional(concurrency),
  outputs: z.optional(z.record(z.string(), stringish)),
  env: z.optional(envMap),
  defaults: z.optional(runDefaults),
  steps: z.optional(z.array(stepSchema, { error: "`steps` must be a list of steps" })),
  "timeout-minutes": z.optional(numberOrExpr),
  strategy: z.optional(strategy),
  "continue-on-error": z.optional(boolOrExpr),
  container: z.optional(containerDef),
  services: z.optional(z.record(z.string(), containerDef)),
  uses: z.optional(z.string()),
  with: z.optional(z.record(z.string(), scalar)),
  secrets: z.optional(z.union([z.literal("inherit"), z.record(z.string(), stringish)])),
  snapshot: z.optional(z.unknown()),
});

export const workflowSchema = z.strictObject({
  name: z.optional(stringish),
  "run-name": z.optional(z.string()),
  on,
  env: z.optional(envMap),
  defaults: z.optional(runDefaults),
  concurrency: z.optional(concurrency),
  permissions: z.optional(permissions),
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
