// Reusable workflows (`jobs.<id>.uses`), loaded into the plan before anything runs, with
// the checks GitHub makes when a run starts: the file exists, loads and has
// `on: workflow_call`; `with:` and `secrets:` match what it declares; the nesting and the
// number of workflows stay within GitHub's limits.

import { readFile } from "node:fs/promises";
import path from "node:path";
import { NotFoundError, ReplayError, ReplayErrorInContext, WorkflowProblemsError } from "../common/index.js";
import type { Problem } from "../common/index.js";
import { callInputProblems } from "./call-inputs.js";
import { findExpressions } from "./expressions/index.js";
import type { Job, Value, Workflow } from "./model.js";
import { parseWorkflow } from "./parse-workflow.js";
import { orderJobs } from "./plan.js";
import type { Plan, PlannedCall, PlannedWorkflow } from "./plan.js";
import { parseUsesReference } from "./uses-reference.js";
import type { UsesReference } from "./uses-reference.js";

/** GitHub connects at most ten levels: the top-level workflow and nine called ones. */
export const MAX_WORKFLOW_LEVELS = 10;
/** GitHub calls at most 50 unique reusable workflows from one top-level workflow, nested ones included. */
export const MAX_UNIQUE_CALLED_WORKFLOWS = 50;

export type CalledReference = Extract<UsesReference, { kind: "local" | "remote" }>;

/**
 * Reads the workflow a `uses:` names: its file name as events and messages show it, and
 * its text. Undefined when there is no such file; a ReplayError when it cannot be had.
 */
export type ReadCalledWorkflow = (ref: CalledReference, uses: string, caller: Workflow) => Promise<{ file: string; text: string | Uint8Array } | undefined>;

/** Where workflows of other repositories come from: the remote actions' clone cache fits. */
export interface RemoteWorkflowSource {
  fetch(ref: { owner: string; repo: string; path: string; ref: string; names: "reusable workflow" }): Promise<{ repoDir: string }>;
}

/**
 * Reads `./.github/workflows/x.yml` from the repository, and `owner/repo/…@ref` through
 * `remote` (refused without one). A local reference inside another repository's workflow
 * names a file of that repository at the same ref, as on GitHub.
 */
export function workflowReader(repoDir: string, remote?: RemoteWorkflowSource): ReadCalledWorkflow {
  const fetched = new Map<string, { repoDir: string; owner: string; repo: string; ref: string }>();
  const read = async (dir: string, rel: string, file: string): Promise<{ file: string; text: Uint8Array } | undefined> => {
    const text = await readFile(path.join(dir, rel)).catch(() => undefined);
    return text === undefined ? undefined : { file, text };
  };
  return async (ref, uses, caller) => {
    if (ref.kind === "local") {
      const from = fetched.get(caller.file);
      return from ? read(from.repoDir, ref.path, `${from.owner}/${from.repo}/${ref.path}@${from.ref}`) : read(repoDir, ref.path, ref.path);
    }
    if (remote === undefined) {
      throw new NotFoundError(`replay cannot call '${uses}' yet: reusable workflows from other repositories are not supported`, {
        hint: `copy ${ref.path} into this repository and call it as ./${ref.path}`,
      });
    }
    const got = await remote.fetch({ owner: ref.owner, repo: ref.repo, path: ref.path, ref: ref.ref, names: "reusable workflow" });
    const file = `${ref.owner}/${ref.repo}/${ref.path}@${ref.ref}`;
    fetched.set(file, { repoDir: got.repoDir, owner: ref.owner, repo: ref.repo, ref: ref.ref });
    return read(got.repoDir, ref.path, file);
  };
}

const hasExpression = (v: Value): boolean => typeof v === "string" && findExpressions(v).length > 0;

/**
 * The plan with every `uses:` job's called workflow loaded, nested calls included. Every
 * problem of every call is reported at once, with its position, as a WorkflowProblemsError.
 */
export async function resolveCalledWorkflows(plan: Plan, read: ReadCalledWorkflow, o: { localOnly?: boolean } = {}): Promise<Plan> {
  const problems: Problem[] = [];
  // Each file is parsed once, however often it is called.
  const parsed = new Map<string, { workflow?: Workflow; problems: Problem[] }>();
  const load = async (ref: CalledReference, uses: string, caller: Workflow): Promise<{ workflow?: Workflow; problems: Problem[] } | undefined> => {
    const t = await read(ref, uses, caller);
    if (t === undefined) return undefined;
    let p = parsed.get(t.file);
    if (!p) {
      p = parseWorkflow(t.file, t.text);
      parsed.set(t.file, p);
    }
    return p;
  };

  const resolveIn = async (pw: PlannedWorkflow, level: number, chain: string[], unique: Set<string>): Promise<PlannedWorkflow> => {
    const calls: Record<string, PlannedCall> = {};
    for (const job of pw.jobs) {
      if (job.uses === undefined) continue;
      const at = (key: string, message: string): Problem => ({ file: pw.workflow.file, ...(job.keys[key] ?? job.pos), message });
      const ref = parseUsesReference(job.uses);
      if (ref === undefined || ref.kind === "docker") {
        problems.push(at("uses", `job '${job.id}': '${job.uses}' does not name a workflow`));
        continue;
      }
      // `replay validate` reads no other repository: their workflows are checked when a replay calls them.
      if (ref.kind === "remote" && o.localOnly) continue;
      if (level + 1 > MAX_WORKFLOW_LEVELS) {
        problems.push(
          at("uses", `job '${job.id}' calls '${job.uses}' as level ${level + 1} (${[...chain, job.uses].join(" → ")}); GitHub connects at most ${MAX_WORKFLOW_LEVELS} levels of workflows`),
        );
        continue;
      }
      const loaded = await load(ref, job.uses, pw.workflow).catch((e: unknown) => {
        // A reusable workflow that cannot be had (another repository's, unreachable): said at its `uses:`.
        if (!(e instanceof ReplayError)) throw e;
        const where = at("uses", "");
        throw new ReplayErrorInContext(e, `${where.file}:${where.line}:${where.col}: job '${job.id}' calls a reusable workflow: ${e.message}`, e.hint);
      });
      if (loaded === undefined) {
        problems.push(at("uses", `job '${job.id}' calls '${job.uses}', and there is no such file`));
        continue;
      }
      if (!loaded.workflow) {
        problems.push(...loaded.problems);
        continue;
      }
      const called = loaded.workflow;
      unique.add(called.file);
      if (!Object.hasOwn(called.on.events, "workflow_call")) {
        problems.push(at("uses", `job '${job.id}' calls ${called.file}, which is not a reusable workflow: it has no \`on: workflow_call\``));
        continue;
      }
      problems.push(...callProblems(job, called).map((p) => at(p.key, p.message)));
      const calledPlan: PlannedWorkflow = { workflow: called, jobs: orderJobs(called.jobs), selectors: {} };
      calls[job.id] = { uses: job.uses, called: await resolveIn(calledPlan, level + 1, [...chain, called.file], unique), level: level + 1 };
    }
    return Object.keys(calls).length ? { ...pw, calls } : pw;
  };

  const workflows = await Promise.all(
    plan.workflows.map(async (pw) => {
      const unique = new Set<string>();
      const resolved = await resolveIn(pw, 1, [pw.workflow.file], unique);
      if (unique.size > MAX_UNIQUE_CALLED_WORKFLOWS) {
        problems.push({
          file: pw.workflow.file,
          ...pw.workflow.pos,
          message: `${pw.workflow.file} calls ${unique.size} different reusable workflows (nested calls included); GitHub allows at most ${MAX_UNIQUE_CALLED_WORKFLOWS}`,
        });
      }
      return resolved;
    }),
  );
  if (problems.length) throw new WorkflowProblemsError(dedupe(problems));
  return { ...plan, workflows };
}

/**
 * Every problem of the calls the workflows make to reusable workflows of this repository
 * (`uses: ./…`, nested calls included), whatever event would trigger them: for `replay
 * validate`. Calls to other repositories are not followed.
 */
export async function localCallProblems(workflows: readonly Workflow[], repoDir: string): Promise<Problem[]> {
  const plan: Plan = { event: "validate", workflows: workflows.map((w) => ({ workflow: w, jobs: orderJobs(w.jobs), selectors: {} })), notTriggered: [] };
  try {
    await resolveCalledWorkflows(plan, workflowReader(repoDir), { localOnly: true });
    return [];
  } catch (e) {
    if (e instanceof WorkflowProblemsError) return [...e.problems];
    throw e;
  }
}

/** What GitHub refuses in a call before the run starts, keyed by the caller's key it concerns. */
function callProblems(job: Job, called: Workflow): { key: string; message: string }[] {
  const out: { key: string; message: string }[] = [];
  const prefix = `job '${job.id}': `;
  for (const m of callInputProblems(called.on.callInputs, job.with ?? {}, called.file, "literals", (v) => !hasExpression(v))) {
    out.push({ key: job.with ? "with" : "uses", message: prefix + m });
  }
  const declared = called.on.callSecrets;
  if (job.secrets !== undefined && job.secrets !== "inherit") {
    const names = declared.map((s) => s.name);
    for (const name of Object.keys(job.secrets)) {
      if (!names.includes(name)) {
        out.push({
          key: "secrets",
          message: `${prefix}${called.file} declares no secret '${name}' (${names.length ? `its secrets are: ${names.join(", ")}` : "it declares no secrets"})`,
        });
      }
    }
  }
  if (job.secrets !== "inherit") {
    for (const s of declared) {
      if (s.required && !(job.secrets && Object.hasOwn(job.secrets, s.name))) {
        out.push({
          key: job.secrets ? "secrets" : "uses",
          message: `${prefix}secret '${s.name}' is required by ${called.file}, but not passed: add \`${s.name}: \${{ secrets.${s.name} }}\` under \`secrets:\`, or write \`secrets: inherit\``,
        });
      }
    }
  }
  return out;
}

function dedupe(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const k = `${p.file}:${p.line}:${p.col}:${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
