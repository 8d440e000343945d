// The typed model of a workflow file, as GitHub reads it. Values that may hold
// expressions are kept raw (strings with `${{ }}`); they are evaluated by the engine at
// the moment GitHub evaluates them. Every job, step and key keeps its source position.

/** 1-based position in a source file. */
export interface Pos {
  line: number;
  col: number;
}

/** Plain data as YAML or JSON gives it. */
export type Value = string | number | boolean | null | Value[] | { [key: string]: Value };
export type ValueMap = { [key: string]: Value };

export type InputType = "string" | "boolean" | "number" | "choice" | "environment";

export interface WorkflowInput {
  name: string;
  type: InputType;
  required: boolean;
  default?: Value;
  options?: string[];
  description?: string;
  pos: Pos;
}

export interface WorkflowCallSecret {
  name: string;
  required: boolean;
  pos: Pos;
}

export interface WorkflowCallOutput {
  name: string;
  /** Raw expression text, e.g. `${{ jobs.build.outputs.artifact }}`. */
  value: string;
  pos: Pos;
}

/** The filters of one event under `on:`; an absent list means "no filter". */
export interface EventFilter {
  branches?: string[];
  branchesIgnore?: string[];
  tags?: string[];
  tagsIgnore?: string[];
  paths?: string[];
  pathsIgnore?: string[];
  types?: string[];
  /** `workflows:` of a workflow_run trigger. */
  workflows?: string[];
}

export interface Triggers {
  /** Every event that triggers the workflow, in source order, with its filters. */
  events: Record<string, EventFilter>;
  schedule: string[];
  dispatchInputs: WorkflowInput[];
  callInputs: WorkflowInput[];
  callSecrets: WorkflowCallSecret[];
  callOutputs: WorkflowCallOutput[];
}

export interface RunDefaults {
  shell?: string;
  workingDirectory?: string;
}

export interface Strategy {
  /** A mapping (possibly with `include`/`exclude`), or a raw expression string
   *  such as `${{ fromJSON(needs.x.outputs.m) }}` expanded at run time. */
  matrix?: ValueMap | string;
  /** Raw: boolean or an expression string. Default true. */
  failFast?: Value;
  maxParallel?: Value;
}

export interface Step {
  /** Index within the job's `steps:`. */
  index: number;
  pos: Pos;
  id?: string;
  name?: string;
  if?: string;
  run?: string;
  uses?: string;
  shell?: string;
  workingDirectory?: string;
  /** `with:` inputs, each coerced to a string as GitHub does. */
  with: Record<string, string>;
  env: Record<string, string>;
  continueOnError?: Value;
  timeoutMinutes?: Value;
  /** Position of every key of the step, for messages about one key. */
  keys: Record<string, Pos>;
}

export interface Job {
  id: string;
  pos: Pos;
  name?: string;
  needs: string[];
  if?: string;
  runsOn?: Value;
  env: Record<string, string>;
  defaults?: RunDefaults;
  outputs: Record<string, string>;
  strategy?: Strategy;
  timeoutMinutes?: Value;
  continueOnError?: Value;
  container?: Value;
  services?: ValueMap;
  environment?: Value;
  permissions?: Value;
  concurrency?: Value;
  steps: Step[];
  /** A call of a reusable workflow: `uses:` with its `with:` and `secrets:`. */
  uses?: string;
  with?: Record<string, Value>;
  secrets?: "inherit" | Record<string, string>;
  keys: Record<string, Pos>;
}

export interface Workflow {
  /** Path relative to the repository root, with forward slashes. */
  file: string;
  /** `name:`, or the file path as GitHub shows a workflow without one. */
  name: string;
  runName?: string;
  on: Triggers;
  env: Record<string, string>;
  defaults?: RunDefaults;
  permissions?: Value;
  concurrency?: Value;
  jobs: Job[];
  pos: Pos;
}
