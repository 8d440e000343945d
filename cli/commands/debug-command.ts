// `replay debug [RUN_ID | --last-failed]`: finds the failed job (and matrix cell) of a
// recorded replay and replays just that job, with the same event, paused before the
// step that failed, so the user can look around, fix, retry.
import { NotFoundError, UsageError } from "../../common/index.js";
import { listRecordedRuns, readRunRecord } from "../../history/index.js";
import type { JobMeta, RunMeta } from "../../history/index.js";
import { describeCell } from "../../workflows/index.js";
import type { Value } from "../../workflows/index.js";
import type { BreakAt } from "../stepping/index.js";

export interface DebugTarget {
  runId: string;
  /** The job id to replay: for a job of a called workflow, the job that calls it. */
  job: string;
  workflow: string;
  event: string;
  /** `key=value` selectors for the failed cell. */
  matrix: string[];
  /** Before the step that failed, in that job only. */
  breakAt: BreakAt;
  /** One line for the user: what is replayed and where it stops. */
  description: string;
}

export interface DebugSelection {
  runId?: string;
  lastFailed: boolean;
}

const asText = (v: Value): string => (v === null ? "" : typeof v === "object" ? JSON.stringify(v) : String(v));

/** The first failed job of a run that has a failed step to stop at, with that step. */
export function failedStep(meta: RunMeta): { job: JobMeta; step: { index: number; name: string } } | undefined {
  for (const job of meta.jobs.filter((j) => j.result === "failure")) {
    const step = [...job.steps].sort((a, b) => a.index - b.index).find((s) => s.result === "failure");
    if (step) return { job, step };
  }
  return undefined;
}

/**
 * The job key the debug replay will give the failed cell: the recorded key without the
 * workflow prefix a replay of several workflows adds (`ci.yml/build (node=20)`).
 */
function keyInDebugReplay(meta: RunMeta, job: JobMeta): string {
  if (meta.workflows.length <= 1) return job.jobKey;
  const prefix = `${job.workflow.replace(/^.*\//, "")}/`;
  return job.jobKey.startsWith(prefix) ? job.jobKey.slice(prefix.length) : job.jobKey;
}

export function debugTargetOf(runId: string, meta: RunMeta): DebugTarget | undefined {
  const found = failedStep(meta);
  if (!found) return undefined;
  const { job, step } = found;
  const matrix = Object.entries(job.matrix ?? {}).map(([k, v]) => `${k}=${asText(v)}`);
  const cell = job.matrix && Object.keys(job.matrix).length ? ` (${describeCell(job.matrix)})` : "";
  return {
    runId,
    // A called workflow's job (`caller/build`) runs by replaying its caller.
    job: job.job.split("/")[0] ?? job.job,
    workflow: job.workflow,
    event: meta.event ?? "push",
    matrix,
    breakAt: { kind: "name", name: step.name, jobKey: keyInDebugReplay(meta, job) },
    description: `replay debug: job ${job.job}${cell} of replay ${runId} (${meta.event ?? "push"}), stopping before “${step.name}”, the step that failed`,
  };
}

export async function findDebugTarget(repoDir: string, sel: DebugSelection): Promise<DebugTarget> {
  if (sel.runId !== undefined && sel.lastFailed) {
    throw new UsageError("give a run id or --last-failed, not both", { hint: "replay debug <run-id>, or replay debug --last-failed" });
  }
  if (sel.lastFailed) {
    const ids = (await listRecordedRuns(repoDir)).reverse();
    for (const id of ids) {
      const run = await readRunRecord(repoDir, id).catch(() => undefined);
      const target = run && debugTargetOf(id, run.meta);
      if (target) return target;
    }
    throw new NotFoundError(ids.length ? `none of the ${ids.length} recorded replays has a failed step` : "no replay is recorded yet", {
      hint: "replay a job first (`replay job <id>`); debug replays the job whose step failed",
    });
  }
  const run = await readRunRecord(repoDir, sel.runId);
  const target = debugTargetOf(run.id, run.meta);
  if (target) return target;
  const failedJob = run.meta.jobs.find((j) => j.result === "failure");
  throw new NotFoundError(failedJob ? `in replay ${run.id}, job ${failedJob.name} failed before any of its steps did${failedJob.reason ? ` (${failedJob.reason})` : ""}` : `replay ${run.id} has no failed step`,
    { hint: failedJob ? `replay it with \`replay job ${failedJob.job} --step\`` : "replay debug --last-failed finds the newest replay with a failed step" },
  );
}

/** The replay's flags with the recorded event, cell and workflow, unless given on the command line. */
export function debugFlags<F extends { event: string; matrix: string[]; workflow?: string; breakOnFailure: boolean }>(flags: F, target: DebugTarget, given: (option: string) => boolean): F {
  // A debug session is for the failure: when the step fails again it pauses there too
  // (r retry, ! shell, c continue), not only before it.
  const out: F = { ...flags, breakOnFailure: true };
  if (!given("event")) out.event = target.event;
  if (!given("matrix")) out.matrix = target.matrix;
  if (!given("workflow")) out.workflow = target.workflow;
  return out;
}
