import { readFile } from "node:fs/promises";
import { UsageError } from "../../common/index.js";
import { resolveInputs, withEvaluatedDefaults } from "../../workflows/index.js";
import type { EvalOptions, InputEvent, Plan, Value, ValueMap, WorkflowInput } from "../../workflows/index.js";

export interface PlanInputsOptions {
  /** `--input key=value`, which wins over the payload's. */
  given: Record<string, string>;
  event: string;
  /** An --event-path payload: its `inputs` supply the inputs, as GitHub's payload does. */
  payload?: ValueMap;
  /** Where a default that is an expression is evaluated (`github`, `vars`). */
  defaults: EvalOptions;
}

/** A payload's `inputs` as `--input` would give them: text (`true`, `5`). */
function payloadInputs(payload: ValueMap | undefined): Record<string, string> {
  const inputs = payload?.["inputs"];
  if (!inputs || typeof inputs !== "object" || Array.isArray(inputs)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(inputs)) if (v !== null) out[k] = typeof v === "object" ? JSON.stringify(v) : String(v);
  return out;
}

/**
 * The `inputs` context of a workflow_dispatch or workflow_call replay, typed and checked
 * against what the planned workflows declare; refused for any other event. The payload's
 * inputs count only for the inputs a workflow declares.
 */
export async function planInputs(plan: Plan, o: PlanInputsOptions): Promise<Record<string, Value>> {
  const { given, event } = o;
  if (event !== "workflow_dispatch" && event !== "workflow_call") {
    if (Object.keys(given).length) {
      throw new UsageError(`--input is for workflow_dispatch and workflow_call; this replay's event is ${event}`, "add --event workflow_dispatch (or --event workflow_call for a reusable workflow)");
    }
    return {};
  }
  const how: InputEvent = event;
  const declaredBy = (pw: Plan["workflows"][number]): WorkflowInput[] => (how === "workflow_dispatch" ? pw.workflow.on.dispatchInputs : pw.workflow.on.callInputs);
  // An input no planned workflow declares is refused, listing the ones they do declare.
  const all = new Map(plan.workflows.flatMap(declaredBy).map((d) => [d.name, d]));
  for (const [name, value] of Object.entries(given)) if (!all.has(name)) resolveInputs([...all.values()], { [name]: value }, how);
  const fromPayload = payloadInputs(o.payload);
  let inputs: Record<string, Value> = {};
  for (const pw of plan.workflows) {
    const declared = await withEvaluatedDefaults(declaredBy(pw), o.defaults);
    const mine = Object.fromEntries(Object.entries({ ...fromPayload, ...given }).filter(([k]) => declared.some((d) => d.name === k)));
    inputs = { ...inputs, ...resolveInputs(declared, mine, how) };
  }
  return inputs;
}

/** `--event-path`: the user's own event payload, a JSON object as GitHub writes GITHUB_EVENT_PATH. */
export async function readEventPayload(file: string): Promise<ValueMap> {
  const text = await readFile(file, "utf8").catch((e: unknown) => {
    throw new UsageError(`--event-path ${file}: ${e instanceof Error ? e.message : String(e)}`);
  });
  try {
    const v = JSON.parse(text) as unknown;
    if (v && typeof v === "object" && !Array.isArray(v)) return v as ValueMap;
  } catch (e) {
    throw new UsageError(`--event-path ${file}: not JSON (${e instanceof Error ? e.message : String(e)})`, "give the event payload as a JSON object, as GitHub writes GITHUB_EVENT_PATH");
  }
  throw new UsageError(`--event-path ${file}: the payload must be a JSON object`);
}
