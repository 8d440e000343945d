// What each step of a job prints as its `##[group]Run …` header on CI, read off the
// workflow: a `run:` step's first script line, a `uses:` step's action. Splitting a CI log
// needs it for named steps, whose header does not carry their name.
import { findExpressions } from "../workflows/index.js";
import type { Step, Workflow } from "../workflows/index.js";

export interface StepScript {
  /** The header CI prints: `Run <first line>` or `Run <action>`. */
  marker: string;
  /** The script or action, for telling which toolchain a step uses. */
  text: string;
}

function stepScript(step: Step): StepScript {
  if (step.run !== undefined) {
    const first = step.run.split("\n").find((l) => l.trim() !== "") ?? "";
    return { marker: `Run ${first.trim()}`, text: step.run };
  }
  return { marker: `Run ${step.uses ?? ""}`, text: step.uses ?? "" };
}

/** Step display name to its script, for the steps whose name is known before running. */
export function stepScripts(workflows: readonly Workflow[], workflowFile: string, jobId: string): Map<string, StepScript> {
  const out = new Map<string, StepScript>();
  const wf = workflows.find((w) => w.file === workflowFile);
  // A called workflow's job (`caller/called`) lives in another file: not known here.
  const job = wf?.jobs.find((j) => j.id === jobId);
  for (const step of job?.steps ?? []) {
    const script = stepScript(step);
    const name = step.name !== undefined && findExpressions(step.name).length === 0 ? step.name : step.name === undefined ? script.marker : undefined;
    if (name !== undefined && !out.has(name)) out.set(name, script);
  }
  return out;
}
