import type { BuiltinAction } from "../builtin-actions.js";
import type { StepHost } from "../job/step-host.js";
import type { JobEnvState } from "../step-types.js";
import type { Step } from "../../workflows/index.js";
import type { ActionManifest } from "./action-manifest.js";

/** An action ready to run in a job: its metadata and where its files are. */
export interface LoadedAction {
  /** How messages name it: `./.github/actions/greet`, `owner/repo@v1`, `docker://alpine:3`. */
  display: string;
  kind: "local" | "remote" | "image";
  manifest: ActionManifest;
  /** Its folder in the job container (GITHUB_ACTION_PATH); "" for a `docker://` image. */
  dir: string;
  /** Its folder on the host, for a remote action (a Dockerfile is built from there). */
  hostDir?: string;
  /** github.action_repository and github.action_ref: set for a remote action only. */
  repository: string;
  ref: string;
}

/** One part of an action, run in a step of the job (top level, or inside a composite action). */
export interface Invocation {
  host: StepHost;
  action: LoadedAction;
  inputs: Record<string, string>;
  /** The env context of the step that uses the action. */
  env: Record<string, string>;
  stateKey: number;
  phase: "pre" | "main" | "post";
  /** GITHUB_ACTION of its processes. */
  actionId: string;
  /** 1 for a step of the job, 2 for a step of a composite action it uses, … */
  depth: number;
}

export interface InvocationResult {
  ok: boolean;
  outputs: Record<string, string>;
}

/** A post part of an action used inside a composite action: run by that composite's post step. */
export interface NestedPost {
  name: string;
  condition: string;
  invocation?: Invocation;
  /** A built-in's post, with how to make its host from the post step's. */
  builtin?: { action: BuiltinAction; host: (post: StepHost) => StepHost };
}

/** What the main part of a job's action left for its post part. */
export interface MainRecord {
  action: LoadedAction;
  nestedPosts: NestedPost[];
}

/** What replay keeps about actions for the length of one job. */
export interface JobActions {
  /** Remote actions already copied into the job's container, by their folder under `_actions`. */
  copied: Set<string>;
  /** Remote actions loaded in this job, by `owner/repo/path@ref`. */
  remote: Map<string, LoadedAction>;
  /** Keys of GITHUB_STATE for actions inside composite actions: negative, so never a step index. */
  nextNestedKey: number;
  mains: Map<number, MainRecord>;
  /** The Node versions in the job's image, looked up once. */
  nodeVersions?: Promise<string[]>;
}

const byJob = new WeakMap<JobEnvState, JobActions>();

export function jobActions(host: StepHost): JobActions {
  let reg = byJob.get(host.jobState);
  if (!reg) {
    reg = { copied: new Set(), remote: new Map(), nextNestedKey: -1, mains: new Map() };
    byJob.set(host.jobState, reg);
  }
  return reg;
}

/** GITHUB_ACTION for a step of a composite action without an id: `__run`, `__run_2`, `__actions_checkout`. */
export function nestedActionId(step: Step, seen: Map<string, number>): string {
  if (step.id) return step.id;
  let base = "__run";
  if (step.uses) {
    const m = /^([^/@]+)\/([^/@]+)/.exec(step.uses);
    base = step.uses.startsWith("./") || !m ? "__self" : `__${m[1]}_${m[2]}`;
  }
  const n = (seen.get(base) ?? 0) + 1;
  seen.set(base, n);
  return n === 1 ? base : `${base}_${n}`;
}
