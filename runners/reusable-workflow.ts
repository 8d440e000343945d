// One cell of a job that calls a reusable workflow (`jobs.<id>.uses`). The called
// workflow runs like a workflow of its own, with the inputs and secrets its caller gives
// it and the caller's `github` context; its jobs appear in the event stream as
// `caller/called`, named `caller / called`. The caller then completes with the called
// workflow's result and the outputs it declares under `on.workflow_call.outputs`.

import { coerceToString, evaluateTemplateAsync, interpolateAsync, resolveCallInputs, withEvaluatedDefaults } from "../workflows/index.js";
import type { EvalOptions, Job, PlannedCall, PlannedWorkflow, Value, ValueMap, Workflow } from "../workflows/index.js";
import { evaluateDeep } from "./evaluate-deep.js";
import type { EventInput, JobResult } from "./events.js";
import { combinedResult } from "./not-replayed.js";
import type { CellOutcome, JobRunDeps } from "./job/index.js";

export interface CallCell {
  /** The called workflow, as resolveCalledWorkflows planned it; undefined when it was not. */
  call: PlannedCall | undefined;
  /** The calling job and the workflow it is in. */
  job: Job;
  workflow: Workflow;
  jobKey: string;
  /** The caller's display name (`call-reusable`, `call (1)`), without any outer caller's. */
  name: string;
  matrix: ValueMap | null;
  /** The caller cell's contexts: github, needs, strategy, matrix, inputs, vars. */
  ctx: EvalOptions;
  signal: AbortSignal;
}

/** Runs a called workflow's jobs; answers each job's result and outputs by job id. */
export type RunCalledWorkflow = (called: PlannedWorkflow, deps: JobRunDeps, callerKey: string, signal: AbortSignal) => Promise<Record<string, CellOutcome>>;

/** The contexts a place allows, picked from the caller cell's. */
function only(ctx: EvalOptions, names: readonly (keyof EvalOptions["contexts"])[], extra: EvalOptions["contexts"] = {}): EvalOptions {
  const contexts: EvalOptions["contexts"] = {};
  for (const n of names) {
    const v = ctx.contexts[n];
    if (v !== undefined) contexts[n] = v;
  }
  return { contexts: { ...contexts, ...extra } };
}

export async function runCallCell(deps: JobRunDeps, cell: CallCell, runCalled: RunCalledWorkflow): Promise<CellOutcome> {
  const started = Date.now();
  const { job, call } = cell;
  const finish = (result: JobResult, outputs: Record<string, string>, reason?: string): CellOutcome => {
    deps.emit({
      type: "job.completed",
      jobKey: cell.jobKey,
      job: job.id,
      workflow: cell.workflow.file,
      name: cell.name,
      matrix: cell.matrix,
      result,
      outputs,
      durationMs: Date.now() - started,
      ...(reason === undefined ? {} : { reason }),
    });
    return { result, outputs };
  };
  if (cell.signal.aborted) return finish("cancelled", {}, "cancelled before it started");
  if (call === undefined) return finish("failure", {}, `the workflow '${job.uses ?? ""}' was not loaded before the run`);
  const called = call.called.workflow;

  let inputs: Record<string, Value>;
  let secrets: Record<string, string>;
  try {
    inputs = await callInputs(cell, called);
    secrets = await callSecrets(deps, cell);
  } catch (e) {
    return finish("failure", {}, e instanceof Error ? e.message : String(e));
  }
  // A mapping can build a value no supplied secret equals; it is a secret all the same.
  for (const v of Object.values(secrets)) if (v !== "") deps.masker.add(v);

  // The caller presents its called jobs under its own id and name, at every level of nesting.
  const emit = (e: EventInput): void => {
    deps.emit(e.type === "job.started" || e.type === "job.completed" ? { ...e, job: `${job.id}/${e.job}`, name: `${cell.name} / ${e.name}` } : e);
  };
  const calledDeps: JobRunDeps = {
    ...deps,
    emit,
    secrets,
    inputs,
    // GitHub associates a called workflow's `github` context with the top-level caller.
    githubWorkflow: deps.githubWorkflow ?? { name: cell.workflow.name, file: cell.workflow.file },
  };
  const results = await runCalled(call.called, calledDeps, cell.jobKey, cell.signal);

  const jobs: ValueMap = Object.fromEntries(Object.entries(results).map(([id, r]) => [id, { result: r.result, outputs: r.outputs }]));
  const outputs: Record<string, string> = {};
  const outputCtx = only(cell.ctx, ["github", "vars"], { jobs, inputs });
  const problems: string[] = [];
  for (const o of called.on.callOutputs) {
    try {
      outputs[o.name] = await interpolateAsync(o.value, outputCtx);
    } catch (e) {
      problems.push(`output '${o.name}' of ${called.file}: ${e instanceof Error ? e.message : String(e)}`);
      outputs[o.name] = "";
    }
  }
  const all = Object.values(results).map((r) => r.result);
  const combined = combinedResult(all);
  // A called workflow whose jobs were all skipped succeeds, as on GitHub.
  const result: JobResult = problems.length ? "failure" : cell.signal.aborted && combined !== "failure" ? "cancelled" : combined === "skipped" ? "success" : combined;
  const failed = Object.entries(results).filter(([, r]) => r.result === "failure").map(([id]) => id);
  const notReplayed = Object.entries(results).filter(([, r]) => r.result === "not-replayed").map(([id]) => id);
  const reason = problems.length
    ? problems.join("; ")
    : failed.length
      ? `called job${failed.length === 1 ? "" : "s"} failed: ${failed.join(", ")}`
      : result === "not-replayed"
        ? `not replayed here: called job${notReplayed.length === 1 ? "" : "s"} not replayed: ${notReplayed.join(", ")}`
        : undefined;
  return finish(result, outputs, reason);
}

/** `with:` evaluated in the caller cell, then typed and checked against the called workflow's inputs. */
async function callInputs(cell: CallCell, called: Workflow): Promise<Record<string, Value>> {
  const withCtx = only(cell.ctx, ["github", "needs", "strategy", "matrix", "inputs", "vars"]);
  const given: Record<string, Value> = {};
  for (const [k, v] of Object.entries(cell.job.with ?? {})) given[k] = await evaluateDeep(v, withCtx);
  // A default may hold an expression over `github` and `vars`.
  const defaultCtx = only(cell.ctx, ["github", "vars"]);
  return resolveCallInputs(await withEvaluatedDefaults(called.on.callInputs, defaultCtx), given, called.file);
}

/** The called workflow's `secrets` context: its caller's (`inherit`), or the ones mapped. */
async function callSecrets(deps: JobRunDeps, cell: CallCell): Promise<Record<string, string>> {
  const mapping = cell.job.secrets;
  if (mapping === "inherit") return { ...deps.secrets };
  const own = { ...deps.secrets, ...(deps.run.token === undefined ? {} : { GITHUB_TOKEN: deps.run.token }) };
  const ctx = only(cell.ctx, ["github", "needs", "strategy", "matrix", "inputs", "vars"], { secrets: own });
  const out: Record<string, string> = {};
  for (const [name, expr] of Object.entries(mapping ?? {})) out[name] = coerceToString(await evaluateTemplateAsync(expr, ctx));
  return out;
}
