// A required secret of a called workflow that the replay would not supply refuses the
// replay before any job starts, naming the secret and how to supply it. GitHub checks only
// that the caller passes the secret (resolveCalledWorkflows does that); locally the usual
// gap is a secret that exists in the repository's settings but was not given to replay.

import { MissingSecretError } from "../common/index.js";
import { checkTemplate, evaluateTemplate } from "./expressions/index.js";
import type { Value } from "./model.js";
import type { Plan, PlannedWorkflow } from "./plan.js";

export interface SuppliedSecrets {
  /** The secrets the user gave (`--secret`, `--secret-file`, `.secrets`). */
  secrets: Record<string, string>;
  /** `--github-token`, which every workflow, called or not, gets as GITHUB_TOKEN. */
  githubToken?: string | undefined;
  vars?: Record<string, string>;
  /** The top-level workflows' inputs (a secret mapping may use `inputs`). */
  inputs?: Record<string, Value>;
}

/** What a workflow's `secrets` context is known to hold before anything runs. */
interface SecretsView {
  values: Record<string, string>;
  /** Names whose value depends on run-time contexts (needs, matrix): never refused. */
  unknown: Set<string>;
  /** The secret the user supplies for each name (a mapping may rename it). */
  origin: Record<string, string>;
  /** The `inputs` context, when it is known before the run. */
  inputs: Record<string, Value> | undefined;
}

const SIMPLE_SECRET = /^\$\{\{\s*secrets\s*(?:\.\s*([A-Za-z_][A-Za-z0-9_-]*)|\[\s*'([^']+)'\s*\])\s*\}\}$/;

/**
 * Throws a MissingSecretError naming every required secret of a called
 * workflow (or of a workflow_call workflow replayed directly) that would be empty.
 */
export function checkCallSecrets(plan: Plan, supplied: SuppliedSecrets): void {
  const missing: string[] = [];
  const toSupply = new Set<string>();
  const top: SecretsView = {
    values: { ...supplied.secrets, ...(supplied.githubToken ? { GITHUB_TOKEN: supplied.githubToken } : {}) },
    unknown: new Set(),
    origin: Object.fromEntries(Object.keys(supplied.secrets).map((k) => [k, k])),
    inputs: supplied.inputs,
  };

  const requireIn = (view: SecretsView, pw: PlannedWorkflow, how: string): void => {
    for (const s of pw.workflow.on.callSecrets) {
      if (!s.required || view.unknown.has(s.name) || (view.values[s.name] ?? "") !== "") continue;
      const from = view.origin[s.name] ?? s.name;
      missing.push(`${s.name} (required by ${pw.workflow.file}${how}${from !== s.name ? `, which passes it secrets.${from}` : ""})`);
      toSupply.add(from);
    }
  };

  const walk = (view: SecretsView, pw: PlannedWorkflow): void => {
    for (const [jobId, call] of Object.entries(pw.calls ?? {})) {
      const job = pw.jobs.find((j) => j.id === jobId);
      if (!job) continue;
      const child = secretsForCall(view, job.secrets, supplied.vars ?? {});
      requireIn(child, call.called, `, called by job '${jobId}' of ${pw.workflow.file}`);
      walk(child, call.called);
    }
  };

  for (const pw of plan.workflows) {
    if (plan.event === "workflow_call") requireIn(top, pw, ", replayed as a workflow_call");
    walk(top, pw);
  }
  if (missing.length === 0) return;
  const names = [...toSupply];
  throw new MissingSecretError(`required secret${missing.length === 1 ? "" : "s"} not supplied: ${missing.join("; ")}`, {
    hint: `supply ${names.length === 1 ? "it" : "them"} with ${names.map((n) => `--secret ${n}=…`).join(" ")} (or --secret ${names[0]} to read it from the environment, --secret-file FILE, or a ${names[0]}=… line in .secrets)`,
  });
}

/** The secrets a called workflow gets from its caller's `secrets:` (mapped or inherit). */
function secretsForCall(parent: SecretsView, secrets: "inherit" | Record<string, string> | undefined, vars: Record<string, string>): SecretsView {
  if (secrets === "inherit") return { ...parent, inputs: undefined };
  const child: SecretsView = { values: {}, unknown: new Set(), origin: {}, inputs: undefined };
  // Only what is known before the run can be evaluated now; the rest waits for the run.
  const planTime = ["secrets", "vars", ...(parent.inputs ? ["inputs"] : [])];
  for (const [name, expr] of Object.entries(secrets ?? {})) {
    const simple = SIMPLE_SECRET.exec(expr.trim());
    const source = simple ? (simple[1] ?? simple[2] ?? "") : undefined;
    if (source !== undefined) {
      if (parent.unknown.has(source)) child.unknown.add(name);
      else child.values[name] = parent.values[source] ?? "";
      child.origin[name] = parent.origin[source] ?? source;
      continue;
    }
    if (checkTemplate(expr, { contexts: planTime }).length > 0 || (parent.unknown.size > 0 && /\bsecrets\b/.test(expr))) {
      child.unknown.add(name);
      continue;
    }
    try {
      const v = evaluateTemplate(expr, { contexts: { secrets: parent.values, vars, ...(parent.inputs ? { inputs: parent.inputs } : {}) } });
      child.values[name] = typeof v === "string" ? v : v === null ? "" : JSON.stringify(v);
    } catch {
      child.unknown.add(name);
    }
  }
  return child;
}
