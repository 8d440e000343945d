import { readFile } from "node:fs/promises";
import path from "node:path";
import { parseUsesReference } from "../../workflows/index.js";
import type { Plan, PlannedWorkflow, Workflow } from "../../workflows/index.js";
import { BuiltinRegistry } from "../builtin-actions.js";
import type { ActionSource, FetchedAction } from "./action-cache.js";
import { ActionResolutionError, describeRef } from "./action-cache.js";
import { parseActionManifest } from "./action-manifest.js";
import type { ActionManifest } from "./action-manifest.js";
import { readHostManifest } from "./load-action.js";
import { MAX_ACTION_DEPTH } from "./composite-action.js";

/** A `uses:` of a step, and where it is written (for messages). */
export interface ActionUse {
  uses: string;
  where: string;
}

/** Every step `uses:` of the given workflows' jobs. */
export function workflowActionUses(workflows: readonly Workflow[]): ActionUse[] {
  const out: ActionUse[] = [];
  for (const w of workflows) {
    for (const job of w.jobs) {
      for (const step of job.steps) if (step.uses !== undefined) out.push({ uses: step.uses, where: `${w.file}, job '${job.id}', step ${step.index + 1}` });
    }
  }
  return out;
}

/** Every step `uses:` of the jobs a plan runs, called workflows included. */
export function planActionUses(plan: Plan): ActionUse[] {
  const out: ActionUse[] = [];
  const visit = (pw: PlannedWorkflow, depth: number): void => {
    out.push(...workflowActionUses([{ ...pw.workflow, jobs: pw.jobs }]));
    if (depth < MAX_ACTION_DEPTH) for (const call of Object.values(pw.calls ?? {})) visit(call.called, depth + 1);
  };
  for (const pw of plan.workflows) visit(pw, 1);
  return out;
}

export interface ResolvedActions {
  /** Every remote action, in the order first met, with the commit it resolved to. */
  remote: FetchedAction[];
}

/** A local action's metadata from the repository on the host, if it is there and valid. */
async function hostLocalManifest(repoDir: string, relPath: string): Promise<ActionManifest | undefined> {
  for (const name of ["action.yml", "action.yaml"]) {
    const text = await readFile(path.join(repoDir, relPath, name), "utf8").catch(() => undefined);
    if (text !== undefined) return parseActionManifest(path.posix.join(relPath, name), text).manifest;
  }
  return undefined;
}

/**
 * Resolves (and, unless the source is offline, fetches) every remote action the given
 * steps use, and those the composite actions among them use in turn, before anything
 * runs: GitHub downloads them all when the job is set up, and with --offline a missing
 * one is named now rather than in the middle of a job. Built-in actions are skipped; a
 * local composite action is read from the repository as it is now (a step may still make
 * or change it, which is why the job reads it again when its step runs).
 */
export async function resolveActions(uses: readonly ActionUse[], o: { source: ActionSource; isBuiltin: (uses: string) => boolean; repoDir: string }): Promise<ResolvedActions> {
  const remote: FetchedAction[] = [];
  const seen = new Set<string>();
  const visit = async (use: ActionUse, depth: number): Promise<void> => {
    if (seen.has(use.uses) || depth > MAX_ACTION_DEPTH) return;
    seen.add(use.uses);
    if (o.isBuiltin(use.uses)) return;
    const ref = parseUsesReference(use.uses);
    let manifest: ActionManifest | undefined;
    if (ref?.kind === "local") manifest = await hostLocalManifest(o.repoDir, ref.path);
    else if (ref?.kind === "remote") {
      let fetched: FetchedAction;
      try {
        fetched = await o.source.fetch(ref);
      } catch (e) {
        if (e instanceof ActionResolutionError) throw new ActionResolutionError(e.message, `${e.hint ?? ""} (used in ${use.where})`, e);
        throw e;
      }
      remote.push(fetched);
      manifest = await readHostManifest(fetched.dir, describeRef(ref));
    }
    if (manifest?.runs.using !== "composite") return;
    for (const step of manifest.runs.steps) {
      if (step.uses !== undefined) await visit({ uses: step.uses, where: `${manifest.file}, step ${step.index + 1} (from ${use.where})` }, depth + 1);
    }
  };
  for (const use of uses) await visit(use, 1);
  return { remote };
}

/**
 * Whether a `uses:` is one of the built-in actions (by name, before a run's built-ins
 * exist), with --no-builtin's names taken out, matched as the BuiltinRegistry matches.
 */
export function builtinMatcher(names: readonly string[], disabled: readonly string[]): (uses: string) => boolean {
  const registry = new BuiltinRegistry(names.map((name) => ({ name, main: async () => true })), disabled);
  return (uses) => registry.find(uses) !== undefined;
}
