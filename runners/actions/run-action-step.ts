import { WorkflowInvalidError } from "../../common/index.js";
import { interpolateAsync, parseUsesReference } from "../../workflows/index.js";
import type { Step } from "../../workflows/index.js";
import type { StepHost, StepRunDeps } from "../job/step-host.js";
import { describeRef } from "./action-cache.js";
import { mergeInputs } from "./action-inputs.js";
import { runComposite, runNestedPosts } from "./composite-action.js";
import { runDockerAction } from "./docker-action.js";
import { jobActions } from "./job-actions.js";
import type { Invocation, InvocationResult, JobActions, MainRecord } from "./job-actions.js";
import { loadAction, postCondition, preCondition, readHostManifest } from "./load-action.js";
import { runNodeAction } from "./node-action.js";

function dispatch(reg: JobActions, record: MainRecord): (inv: Invocation) => Promise<InvocationResult> {
  const invoke = async (inv: Invocation): Promise<InvocationResult> => {
    const runs = inv.action.manifest.runs;
    switch (runs.using) {
      case "composite":
        return inv.phase === "main" ? runComposite(inv, reg, record, invoke) : { ok: true, outputs: {} };
      case "docker":
        return runDockerAction(inv);
      case "node12":
      case "node16":
      case "node20":
      case "node24":
        return runNodeAction(inv, reg);
    }
  };
  return invoke;
}

/**
 * Runs a step's action that is not built in (local, remote or `docker://`), for the part
 * the step is: `pre` (planned at job start), main, or `post` (registered by pre or main).
 * Answers whether it succeeded; the outputs go to the step through host.setOutput.
 */
export async function runActionStep(host: StepHost): Promise<boolean> {
  const uses = host.step.uses ?? "";
  const reg = jobActions(host);
  if (host.phase === "post") {
    const record = reg.mains.get(host.stateKey);
    if (!record) return true;
    const invoke = dispatch(reg, record);
    if (record.action.manifest.runs.using === "composite") return runNestedPosts(host, record, invoke);
    return (await invoke(await invocation(host, record, false))).ok;
  }
  const ref = parseUsesReference(uses);
  if (!ref) throw new WorkflowInvalidError(`'${uses}' is not a valid 'uses' reference`, { exitCode: 1 });
  const action = await loadAction(host, ref, reg);
  const record: MainRecord = reg.mains.get(host.stateKey) ?? { action, nestedPosts: [] };
  record.action = action;
  // A retried step starts over: the posts of its earlier attempt are not run twice.
  if (host.phase === "main") record.nestedPosts = [];
  reg.mains.set(host.stateKey, record);
  if (host.phase === "main" && ref.kind === "local" && preCondition(action.manifest) !== undefined) {
    // The runner cannot run a local action's pre at job start: it is not checked out yet.
    host.warn(`\`pre\` execution is not supported for local action from '${uses}'`);
  }
  // Registered before the main part runs, as the runner does: a failed main still gets its post.
  const post = postCondition(action.manifest);
  if (post !== undefined) host.addPost(post);
  const inv = await invocation(host, record, host.phase === "main");
  const invoke = dispatch(reg, record);
  const result = await invoke(inv);
  if (host.phase === "main") for (const [k, v] of Object.entries(result.outputs)) host.setOutput(k, v);
  if (record.nestedPosts.length) host.addPost("always()");
  return result.ok;
}

async function invocation(host: StepHost, record: MainRecord, warn: boolean): Promise<Invocation> {
  const { action } = record;
  const merged = await mergeInputs(action.manifest, host.inputs, (raw) => interpolateAsync(raw, host.evalOptions()), {
    container: action.manifest.runs.using === "docker",
    validate: action.kind !== "image",
  });
  if (warn) for (const w of merged.warnings) host.warn(w);
  return {
    host,
    action,
    inputs: merged.inputs,
    env: host.stepEnv,
    stateKey: host.stateKey,
    phase: host.phase,
    actionId: host.env["GITHUB_ACTION"] ?? "",
    depth: 1,
  };
}

/**
 * Whether a step's action has a `pre` part to run at the start of the job, and its
 * `pre-if`. GitHub runs every pre at job start, in step order; only remote actions can
 * have one (a local action is not there before the job's steps check it out).
 */
export async function planPreStep(deps: Pick<StepRunDeps, "builtins" | "actions">, step: Step): Promise<{ condition: string } | undefined> {
  if (step.uses === undefined || deps.builtins.find(step.uses)) return undefined;
  const ref = parseUsesReference(step.uses);
  if (ref?.kind !== "remote" || !deps.actions?.source) return undefined;
  const fetched = await deps.actions.source.fetch(ref);
  const condition = preCondition(await readHostManifest(fetched.dir, describeRef(ref)));
  return condition === undefined ? undefined : { condition };
}
