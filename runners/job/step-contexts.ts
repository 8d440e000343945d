import { evaluateTemplateAsync, interpolateAsync, parseUsesReference } from "../../workflows/index.js";
import type { EvalOptions, Step, Value, ValueMap } from "../../workflows/index.js";
import { checkedOutHashFiles } from "../checked-out-hash-files.js";
import { githubContext, githubEnv, needsValue, runnerContext } from "../contexts.js";
import type { RunnerPaths } from "../contexts.js";
import type { JobEnvState } from "../step-types.js";
import { prepareFileCommands } from "./file-commands.js";
import type { CellToRun, JobRunDeps, PlannedStep } from "./job-run-deps.js";
import type { JobStatus } from "./job-state.js";
import type { ActionContextOverrides } from "./step-host.js";

/** What of the job's environment the contexts show: its folders, `job.container`, `job.services`. */
export interface ContextsEnvironment {
  readonly paths: RunnerPaths;
  /** The host folder bound at paths.fileCommands. */
  readonly hostDir: string;
  /** The image's PATH, after which GITHUB_PATH entries come first. */
  readonly imagePath: string;
  jobContext(): { container: ValueMap; services: ValueMap };
}

/** The running job, as its contexts read it (its deps and cell are those of the job that runs, after a warm start too). */
export interface ContextsSource {
  readonly deps: JobRunDeps;
  readonly cell: CellToRun;
  readonly state: JobEnvState;
  readonly status: JobStatus;
  readonly environment: ContextsEnvironment;
}

/** Whether `permissions:` lets the job ask for an OIDC token. */
export function grantsIdToken(permissions: Value | undefined): boolean {
  if (permissions === "write-all") return true;
  return !!permissions && typeof permissions === "object" && !Array.isArray(permissions) && (permissions as ValueMap)["id-token"] === "write";
}

/** The name GitHub shows for a step without `name:`. */
export function defaultStepName(step: Step): string {
  if (step.run !== undefined) {
    const first = step.run.split("\n").find((l) => l.trim() !== "") ?? "";
    return `Run ${first.trim()}`;
  }
  return `Run ${step.uses ?? ""}`;
}

/** GITHUB_ACTION for a step without an id: `__run`, `__run_2`, `__actions_checkout`. */
function actionIdFor(step: Step, seen: Map<string, number>): string {
  if (step.id) return step.id;
  let base = "__run";
  if (step.uses) {
    const ref = parseUsesReference(step.uses);
    base = ref?.kind === "remote" ? `__${ref.owner}_${ref.repo}` : "__self";
  }
  const n = (seen.get(base) ?? 0) + 1;
  seen.set(base, n);
  return n === 1 ? base : `${base}_${n}`;
}

/** A step's expression contexts and environment variables, from the workflow's down to its own. */
export class StepContexts {
  private github: ValueMap = {};
  /** What the runner gives every process: GITHUB_*, RUNNER_*, CI, HOME. */
  baseEnv: Record<string, string> = {};
  private resolvedWorkflowEnv: Record<string, string> = {};
  private resolvedJobEnv: Record<string, string> = {};
  private envResolved = false;
  private readonly actionIds = new Map<string, number>();

  constructor(private readonly job: ContextsSource) {}

  /** The `github` context and the runner's variables, once the job's folders are known. */
  begin(): void {
    const { deps, cell } = this.job;
    const paths = this.job.environment.paths;
    this.github = githubContext({
      repo: deps.repo,
      run: deps.run,
      eventName: deps.eventName,
      payload: deps.payload,
      workflowName: deps.githubWorkflow?.name ?? cell.workflow.name,
      workflowFile: deps.githubWorkflow?.file ?? cell.workflow.file,
      jobId: cell.job.id,
      paths,
      ...(deps.baseBranch === undefined ? {} : { baseBranch: deps.baseBranch }),
    });
    this.baseEnv = githubEnv(this.github, paths);
  }

  /** The expression contexts as a step sees them. */
  of(extra: { env?: Record<string, string>; action?: { path?: string; name?: string }; inputs?: Record<string, string> } = {}): EvalOptions {
    const { cell, deps, state, status } = this.job;
    const env = extra.env ?? this.jobEnv();
    const contexts: EvalOptions["contexts"] = {
      github: { ...this.github, action: extra.action?.name ?? "", action_path: extra.action?.path ?? "" },
      env,
      vars: deps.vars,
      secrets: { ...deps.secrets, ...(deps.run.token === undefined ? {} : { GITHUB_TOKEN: deps.run.token }) },
      inputs: (extra.inputs ?? deps.inputs) as Value,
      matrix: cell.matrix ?? {},
      strategy: cell.strategy,
      needs: needsValue(cell.needs),
      steps: Object.fromEntries(Object.entries(state.steps).map(([id, s]) => [id, { outputs: s.outputs, outcome: s.outcome, conclusion: s.conclusion }])),
      job: { status: status.cancelled ? "cancelled" : status.failed ? "failure" : "success", ...this.job.environment.jobContext() },
      runner: runnerContext(this.job.environment.paths),
    };
    return { contexts, status: { failed: status.failed, cancelled: status.cancelled }, hashFiles: this.hashFiles };
  }

  /** An action's step's contexts: `github.action*` of the action, and what the action changes (see ActionContextOverrides). */
  ofAction(stepEnv: Record<string, string>, actionId: string, o: ActionContextOverrides = {}): EvalOptions {
    const base = this.of({ env: o.env ?? stepEnv, ...(o.inputs ? { inputs: o.inputs } : {}) });
    const github = (base.contexts.github ?? {}) as ValueMap;
    const a = o.action;
    const contexts: EvalOptions["contexts"] = {
      ...base.contexts,
      github: {
        ...github,
        ...(a?.path !== undefined ? { action_path: a.path } : {}),
        ...(a?.repository !== undefined ? { action_repository: a.repository } : {}),
        ...(a?.ref !== undefined ? { action_ref: a.ref } : {}),
        action: a?.id ?? actionId,
      },
      ...(o.steps ? { steps: o.steps } : {}),
    };
    const status = o.status ? { failed: o.status.failed, cancelled: o.status.cancelled } : base.status;
    return { ...base, contexts, status };
  }

  /** hashFiles() over the workspace: '' until a checkout put the repository there. */
  private readonly hashFiles = checkedOutHashFiles((patterns) => this.job.deps.hashFiles(patterns), () => this.job.state.checkedOut ?? []);

  /** Workflow env, then job env, then what steps wrote to GITHUB_ENV. */
  jobEnv(): Record<string, string> {
    return { ...this.resolvedWorkflowEnv, ...this.resolvedJobEnv, ...this.job.state.env };
  }

  /** The workflow's and the job's `env:`, evaluated once, before the first step. */
  async resolveJobLevelEnv(): Promise<void> {
    if (this.envResolved) return;
    this.envResolved = true;
    const { cell } = this.job;
    for (const [k, v] of Object.entries(cell.workflow.env)) {
      this.resolvedWorkflowEnv[k] = await interpolateAsync(v, this.of({ env: { ...this.resolvedWorkflowEnv } }));
    }
    for (const [k, v] of Object.entries(cell.job.env)) {
      this.resolvedJobEnv[k] = await interpolateAsync(v, this.of({ env: { ...this.resolvedWorkflowEnv, ...this.resolvedJobEnv } }));
    }
  }

  /** The step's environment: job env, GITHUB_ENV, then the step's own `env:`. */
  async stepEnv(step: Step): Promise<Record<string, string>> {
    const env = this.jobEnv();
    for (const [k, v] of Object.entries(step.env)) {
      env[k] = await interpolateAsync(v, this.of({ env: { ...env } }));
    }
    return env;
  }

  /** Env for a process of step `index`: `env` plus the runner's per-step variables (fresh env files, PATH, GITHUB_ACTION, STATE_*). */
  processEnv(index: number, env: Record<string, string>, planned: PlannedStep): Record<string, string> {
    const { deps, cell, state, environment } = this.job;
    const out: Record<string, string> = { ...env, ...prepareFileCommands(environment.hostDir, environment.paths, index) };
    out["PATH"] = this.pathOf(env["PATH"]);
    out["GITHUB_ACTION"] = actionIdFor(planned.step, this.actionIds);
    if (deps.oidcEnv && grantsIdToken(cell.job.permissions ?? cell.workflow.permissions)) Object.assign(out, deps.oidcEnv);
    const mainIndex = planned.mainIndex ?? planned.index;
    for (const [k, v] of Object.entries(state.state[mainIndex] ?? {})) out[`STATE_${k}`] = v;
    return out;
  }

  /** The PATH a process of the job sees: GITHUB_PATH entries, then `path` (the image's by default). */
  pathOf(path: string | undefined): string {
    return [...this.job.state.path, path ?? this.job.environment.imagePath].join(":");
  }

  /** A number-valued field (`timeout-minutes`), evaluated; `fallback` when absent or not a positive number. */
  async number(v: Value | undefined, fallback: number): Promise<number> {
    if (v === undefined || v === null) return fallback;
    if (typeof v === "number") return v;
    const out = await evaluateTemplateAsync(String(v), this.of({ env: {} }));
    const n = Number(out);
    return Number.isFinite(n) && n > 0 ? n : fallback;
  }

  /** `template` with its expressions filled in, or as it is when one fails. */
  async interpolateOr(template: string): Promise<string> {
    try {
      return await interpolateAsync(template, this.of());
    } catch {
      return template;
    }
  }

  /** Whether `template` evaluates to true; false when it fails. */
  async isTrue(template: string): Promise<boolean> {
    try {
      const v = await evaluateTemplateAsync(template, this.of());
      return v === true || v === "true";
    } catch {
      return false;
    }
  }

  /** The step's `working-directory:`, or the job's or workflow's default, unevaluated. */
  workingDirectoryOf(step: Step): string | undefined {
    const { cell } = this.job;
    return step.workingDirectory ?? cell.job.defaults?.workingDirectory ?? cell.workflow.defaults?.workingDirectory;
  }

  /** The name a step is shown by. */
  async stepName(step: Step): Promise<string> {
    return step.name !== undefined ? this.interpolateOr(step.name) : defaultStepName(step);
  }
}
