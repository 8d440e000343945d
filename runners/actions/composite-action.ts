import { randomUUID } from "node:crypto";
import { chmod, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { WorkflowInvalidError } from "../../common/index.js";
import { evaluateConditionAsync, evaluateTemplateAsync, interpolateAsync, parseUsesReference } from "../../workflows/index.js";
import type { EvalOptions, Step } from "../../workflows/index.js";
import type { StepResult } from "../events.js";
import type { ActionContextOverrides, StepHost } from "../job/step-host.js";
import { shellCommand } from "../shells.js";
import { mergeInputs } from "./action-inputs.js";
import type { CompositeRuns } from "./action-manifest.js";
import { nestedActionId } from "./job-actions.js";
import type { Invocation, InvocationResult, JobActions, MainRecord } from "./job-actions.js";
import { loadAction, postCondition } from "./load-action.js";

/** The runner's limit on actions inside composite actions inside … */
export const MAX_ACTION_DEPTH = 10;

type Invoke = (inv: Invocation) => Promise<InvocationResult>;
type ScopeSteps = NonNullable<ActionContextOverrides["steps"]>;

/** The name a composite step gets in the log, as GitHub names a step without `name:`. */
function innerName(step: Step, name: string | undefined): string {
  if (name !== undefined && name !== "") return name;
  if (step.run !== undefined) return `Run ${(step.run.split("\n").find((l) => l.trim() !== "") ?? "").trim()}`;
  return `Run ${step.uses ?? ""}`;
}

async function truthy(v: unknown, opts: EvalOptions): Promise<boolean> {
  if (typeof v === "boolean") return v;
  if (v === undefined || v === null) return false;
  const r = await evaluateTemplateAsync(String(v), opts);
  return r === true || r === "true";
}

/**
 * A composite action's steps, in the action's own scope as the runner's
 * CompositeActionHandler runs them: `inputs` is the action's inputs (no INPUT_*
 * variables), `steps` only its own steps, `env` the caller's env with each step's own on
 * top (a step's `env:` never leaks out, GITHUB_ENV writes do), the status functions
 * answer for the action, `github.action_path` and GITHUB_ACTION_PATH name its folder.
 * Their output is the outer step's log: the outer step is what the user sees.
 */
export async function runComposite(inv: Invocation, reg: JobActions, record: MainRecord, invoke: Invoke): Promise<InvocationResult> {
  const { host, action } = inv;
  const runs = action.manifest.runs as CompositeRuns;
  if (inv.depth > MAX_ACTION_DEPTH) {
    throw new WorkflowInvalidError(`${action.display}: composite actions nest deeper than GitHub's limit of ${MAX_ACTION_DEPTH}`, { exitCode: 1 });
  }
  const steps: ScopeSteps = {};
  const ids = new Map<string, number>();
  let failed = false;
  const actionCtx = { path: action.dir, repository: action.repository, ref: action.ref };
  for (const step of runs.steps) {
    const status = { failed, cancelled: host.isCancelled() };
    const base = { ...host.jobState.env, ...inv.env };
    const ctx = (env: Record<string, string>, id: string): EvalOptions =>
      host.evalOptions({ env, inputs: inv.inputs, steps, action: { ...actionCtx, id }, status });
    const actionId = nestedActionId(step, ids);
    let outcome: StepResult;
    let outputs: Record<string, string> = {};
    let name = innerName(step, undefined);
    try {
      const env = { ...base };
      for (const [k, v] of Object.entries(step.env)) env[k] = await interpolateAsync(v, ctx({ ...env }, actionId));
      const opts = ctx(env, actionId);
      if (step.name !== undefined) name = innerName(step, await interpolateAsync(step.name, opts).catch(() => step.name));
      if (!(await evaluateConditionAsync(step.if, opts))) {
        if (step.id) steps[step.id] = { outputs: {}, outcome: "skipped", conclusion: "skipped" };
        continue;
      }
      const r =
        step.run !== undefined
          ? await runScriptStep(inv, step, env, opts, actionId, name)
          : await runUsesStep(inv, reg, record, step, env, opts, actionId, name, invoke);
      outcome = r.ok ? "success" : "failure";
      outputs = r.outputs;
    } catch (e) {
      host.log(`##[error]${e instanceof Error ? e.message : String(e)}`);
      outcome = "failure";
    }
    if (outcome === "failure" && host.isCancelled()) outcome = "cancelled";
    let conclusion = outcome;
    if (outcome === "failure" && step.continueOnError !== undefined) {
      const opts = ctx({ ...base }, actionId);
      if (await truthy(step.continueOnError, opts).catch(() => false)) conclusion = "success";
    }
    if (step.id) steps[step.id] = { outputs, outcome, conclusion };
    if (conclusion === "failure" || conclusion === "cancelled") failed = true;
  }
  // The action's outputs are mapped from its steps' outputs, in its own scope.
  const outputs: Record<string, string> = {};
  const opts = host.evalOptions({ env: { ...host.jobState.env, ...inv.env }, inputs: inv.inputs, steps, action: actionCtx });
  for (const o of action.manifest.outputs) {
    outputs[o.name] = o.value === undefined ? "" : await interpolateAsync(o.value, opts).catch(() => "");
  }
  return { ok: !failed, outputs };
}

/** A `run:` step of a composite action: its shell is required, the workflow's defaults do not apply. */
async function runScriptStep(inv: Invocation, step: Step, env: Record<string, string>, opts: EvalOptions, actionId: string, shownName: string): Promise<InvocationResult> {
  let name = shownName;
  const { host, action } = inv;
  const script = await interpolateAsync(step.run ?? "", opts);
  const shell = await interpolateAsync(step.shell ?? "", opts);
  // Without a name, the log shows the script's first line as it runs (expressions filled in).
  if (step.name === undefined) name = innerName({ ...step, run: script }, undefined);
  const workdir = step.workingDirectory === undefined ? host.workspace : path.posix.resolve(host.workspace, await interpolateAsync(step.workingDirectory, opts));
  const { cmd, scriptPath } = shellCommand(shell, `${host.paths.fileCommands}/${randomUUID()}`);
  host.log(`##[group]${name}`);
  for (const line of script.replace(/\n$/, "").split("\n")) host.log(line);
  host.log(`shell: ${cmd.join(" ").replace(scriptPath, "{0}")}`);
  host.log("##[endgroup]");
  const hostScript = path.join(host.hostDir, path.posix.basename(scriptPath));
  await writeFile(hostScript, script);
  await chmod(hostScript, 0o755);
  try {
    const procEnv = await host.processEnv(
      { ...env, GITHUB_ACTION: actionId, GITHUB_ACTION_PATH: action.dir, GITHUB_ACTION_REPOSITORY: action.repository, GITHUB_ACTION_REF: action.ref },
      { stateKey: inv.stateKey },
    );
    const r = host.isCancelled() ? { exitCode: 1, refused: false } : await host.execProcess(cmd, procEnv, workdir, { stateKey: inv.stateKey });
    const done = await host.finishProcess({ stateKey: inv.stateKey });
    if (done.error) host.log(`##[error]${done.error}`);
    if (r.exitCode !== 0 && !host.isCancelled()) host.log(`##[error]Process completed with exit code ${r.exitCode}.`);
    return { ok: r.exitCode === 0 && !r.refused && !done.error, outputs: done.outputs };
  } finally {
    await rm(hostScript, { force: true });
  }
}

/** A `uses:` step of a composite action: a built-in, or any action, run in the caller's job. */
async function runUsesStep(
  inv: Invocation,
  reg: JobActions,
  record: MainRecord,
  step: Step,
  env: Record<string, string>,
  opts: EvalOptions,
  actionId: string,
  name: string,
  invoke: Invoke,
): Promise<InvocationResult> {
  const { host } = inv;
  const uses = step.uses ?? "";
  const given: Record<string, string> = {};
  for (const [k, v] of Object.entries(step.with)) given[k] = await interpolateAsync(v, opts);
  const stateKey = reg.nextNestedKey--;
  host.log(`##[group]${name}`);
  for (const [k, v] of Object.entries(given)) if (v !== "") host.log(`  ${k}: ${v}`);
  host.log("##[endgroup]");
  const builtin = host.deps.builtins.find(uses);
  if (builtin) {
    let outputs: Record<string, string> = {};
    // The built-in sees the composite step's inputs and env, and keeps its state apart.
    const sub = (outer: StepHost): StepHost => ({
      ...outer,
      inputs: given,
      stepEnv: env,
      stateKey,
      setOutput: (n, v) => {
        outputs = { ...outputs, [n]: v };
      },
      saveState: (n, v) => {
        (outer.jobState.state[stateKey] ??= {})[n] = v;
      },
      getState: (n) => outer.jobState.state[stateKey]?.[n],
      addPost: (condition) => {
        record.nestedPosts.push({ name, condition: condition ?? "always()", builtin: { action: builtin, host: sub } });
      },
    });
    const ok = await builtin.main(sub(host));
    return { ok, outputs };
  }
  const ref = parseUsesReference(uses);
  if (!ref) throw new WorkflowInvalidError(`'${uses}' is not a valid 'uses' reference`, { exitCode: 1 });
  const action = await loadAction(host, ref, reg);
  const merged = await mergeInputs(action.manifest, given, (raw) => interpolateAsync(raw, opts), {
    container: action.manifest.runs.using === "docker",
    validate: action.kind !== "image",
  });
  for (const w of merged.warnings) host.warn(w);
  const nested: Invocation = { host, action, inputs: merged.inputs, env, stateKey, phase: "main", actionId, depth: inv.depth + 1 };
  const post = postCondition(action.manifest);
  // Registered before it runs, as the runner does: a failing main still gets its post.
  if (post !== undefined) record.nestedPosts.push({ name, condition: post, invocation: { ...nested, phase: "post" } });
  return invoke(nested);
}

/**
 * The post step of a composite action: the post parts of the actions it used, last
 * first, each under its own `post-if` (evaluated against the job's status).
 */
export async function runNestedPosts(host: StepHost, record: MainRecord, invoke: Invoke): Promise<boolean> {
  let ok = true;
  for (const post of [...record.nestedPosts].reverse()) {
    try {
      if (!(await evaluateConditionAsync(post.condition, host.evalOptions()))) continue;
      host.log(`##[group]Post ${post.name}`);
      host.log("##[endgroup]");
      // Run by this post step: its log, its processes, its state key for the env files.
      if (post.builtin) ok = (await (post.builtin.action.post?.(post.builtin.host(host)) ?? Promise.resolve(true))) && ok;
      else if (post.invocation) ok = (await invoke({ ...post.invocation, host })).ok && ok;
    } catch (e) {
      host.log(`##[error]${e instanceof Error ? e.message : String(e)}`);
      ok = false;
    }
  }
  return ok;
}
