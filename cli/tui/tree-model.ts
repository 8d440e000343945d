// The tree on the left of the screen, as plain rows: workflows, their jobs and matrix
// cells, and the steps of the jobs that are running or selected. Pure, so the layout
// rules are tested without a terminal.
import type { JobState, JobStatus, RunState } from "../../runners/index.js";
import type { Pause, SteppingSnapshot } from "../stepping/index.js";
import type { PlannedSteps } from "./planned-steps.js";
import { plannedKey } from "./planned-steps.js";

export interface Selection {
  jobKey: string;
  /** A step's engine index; undefined for the job's own row. */
  step?: number;
}

export type RowStatus = JobStatus | "paused" | "planned";

export type TreeRow =
  | { kind: "workflow"; key: string; text: string }
  | { kind: "job"; key: string; jobKey: string; name: string; status: RowStatus; durationMs?: number; stepping: boolean; selected: boolean }
  | {
      kind: "step";
      key: string;
      jobKey: string;
      step: number;
      name: string;
      status: RowStatus;
      durationMs?: number;
      breakpoint: boolean;
      selected: boolean;
      /** The step failed and waits (--break-on-failure). */
      failedPause: boolean;
    };

export type SelectableRow = Extract<TreeRow, { kind: "job" | "step" }>;

const durationOf = (startedAt: string | undefined, durationMs: number | undefined, now: number): number | undefined =>
  durationMs ?? (startedAt === undefined ? undefined : Math.max(0, now - Date.parse(startedAt)));

const sameSelection = (a: Selection | undefined, jobKey: string, step?: number): boolean =>
  a !== undefined && a.jobKey === jobKey && a.step === step;

export interface TreeInput {
  run: RunState;
  planned: PlannedSteps;
  stepping: SteppingSnapshot;
  selection: Selection | undefined;
  now: number;
}

/** Placeholders for planned jobs that have no cell in the run yet. */
function pendingJobs(run: RunState, planned: PlannedSteps): JobState[] {
  const out: JobState[] = [];
  for (const p of planned.values()) {
    if (run.jobs.some((j) => j.workflow === p.workflow && j.job === p.job)) continue;
    out.push({ jobKey: `planned:${plannedKey(p.workflow, p.job)}`, job: p.job, workflow: p.workflow, name: p.job, matrix: null, status: "pending", steps: [], outputs: {}, annotations: [] });
  }
  return out;
}

export function treeRows({ run, planned, stepping, selection, now }: TreeInput): TreeRow[] {
  const rows: TreeRow[] = [];
  const jobs = [...run.jobs, ...pendingJobs(run, planned)];
  const workflows = [...new Set(jobs.map((j) => j.workflow))];
  const pauseOf = (jobKey: string): Pause | undefined => stepping.pauses.find((p) => p.point.jobKey === jobKey);
  for (const wf of workflows) {
    rows.push({ kind: "workflow", key: `wf:${wf}`, text: wf.replace(/^\.github\/workflows\//, "") });
    for (const job of jobs.filter((j) => j.workflow === wf)) {
      const pause = pauseOf(job.jobKey);
      const jobDuration = durationOf(job.startedAt, job.durationMs, now);
      rows.push({
        kind: "job",
        key: `job:${job.jobKey}`,
        jobKey: job.jobKey,
        name: job.name,
        status: pause ? "paused" : job.status,
        ...(jobDuration === undefined ? {} : { durationMs: jobDuration }),
        stepping: stepping.stepping(job.jobKey) && (job.status === "running" || job.status === "pending"),
        selected: sameSelection(selection, job.jobKey),
      });
      const expanded = job.status === "running" || pause !== undefined || selection?.jobKey === job.jobKey;
      if (!expanded) continue;
      const steps = [...job.steps].sort((a, b) => a.index - b.index);
      const last = steps.at(-1)?.index ?? -1;
      const future =
        job.status === "running" || job.status === "pending"
          ? (planned.get(plannedKey(job.workflow, job.job))?.steps ?? []).filter((s) => s.index > last)
          : [];
      for (const s of steps) {
        const d = durationOf(s.startedAt, s.durationMs, now);
        const paused = pause !== undefined && pause.point.step === s.index;
        rows.push({
          kind: "step",
          key: `step:${job.jobKey}:${s.index}`,
          jobKey: job.jobKey,
          step: s.index,
          name: s.name,
          // A step paused before it runs has been announced (running) but has not started;
          // one paused after failing has not completed (it may be retried).
          status: paused ? (pause.kind === "before" ? "paused" : "failure") : s.status,
          ...(d === undefined || (paused && pause.kind === "before") ? {} : { durationMs: d }),
          breakpoint: stepping.breakpoints.some((b) => b.jobKey === job.jobKey && b.step === s.index),
          selected: sameSelection(selection, job.jobKey, s.index),
          failedPause: paused && pause.kind === "failure",
        });
      }
      for (const s of future) {
        // A pause can be seen before the batch with its step.started is drawn.
        const paused = pause !== undefined && pause.point.step === s.index;
        rows.push({
          kind: "step",
          key: `step:${job.jobKey}:${s.index}`,
          jobKey: job.jobKey,
          step: s.index,
          name: paused ? pause.point.name : s.name,
          status: paused ? (pause.kind === "before" ? "paused" : "failure") : "planned",
          breakpoint: stepping.breakpoints.some((b) => b.jobKey === job.jobKey && b.step === s.index),
          selected: sameSelection(selection, job.jobKey, s.index),
          failedPause: paused && pause.kind === "failure",
        });
      }
    }
  }
  return rows;
}

export const isSelectable = (r: TreeRow): r is SelectableRow => r.kind !== "workflow";

/** The selection `delta` selectable rows away (clamped at the ends). */
export function moveSelection(rows: readonly TreeRow[], current: Selection | undefined, delta: number): Selection | undefined {
  const selectable = rows.filter(isSelectable);
  if (selectable.length === 0) return current;
  const at = selectable.findIndex((r) => (r.kind === "job" ? sameSelection(current, r.jobKey) : sameSelection(current, r.jobKey, r.step)));
  const next = selectable[Math.min(selectable.length - 1, Math.max(0, at < 0 ? 0 : at + delta))];
  if (!next) return current;
  return next.kind === "job" ? { jobKey: next.jobKey } : { jobKey: next.jobKey, step: next.step };
}

/** Tab: the next job that is running or paused after the selected one (wrapping around). */
export function nextActiveJob(run: RunState, stepping: SteppingSnapshot, current: Selection | undefined): Selection | undefined {
  const active = run.jobs.filter((j) => j.status === "running" || stepping.pauses.some((p) => p.point.jobKey === j.jobKey));
  if (active.length === 0) return current;
  const at = active.findIndex((j) => j.jobKey === current?.jobKey);
  const next = active[(at + 1) % active.length];
  return next ? autoStepOf(next, stepping) : current;
}

function autoStepOf(job: JobState, stepping: SteppingSnapshot): Selection {
  const pause = stepping.pauses.find((p) => p.point.jobKey === job.jobKey);
  if (pause) return { jobKey: job.jobKey, step: pause.point.step };
  const running = [...job.steps].reverse().find((s) => s.status === "running");
  const failed = job.steps.find((s) => s.status === "failure");
  const step = running ?? failed ?? [...job.steps].sort((a, b) => a.index - b.index).at(-1);
  return step ? { jobKey: job.jobKey, step: step.index } : { jobKey: job.jobKey };
}

/**
 * What is shown while the user has not chosen: the oldest paused step, else the running
 * step of the job that started last, else the first failed step, else the end.
 */
export function autoSelection(run: RunState, stepping: SteppingSnapshot): Selection | undefined {
  const pause = stepping.pauses[0];
  if (pause) return { jobKey: pause.point.jobKey, step: pause.point.step };
  // Of the running jobs, the one that started last, preferring one with a step under way.
  const runningJobs = [...run.jobs].reverse().filter((j) => j.status === "running");
  const running = runningJobs.find((j) => j.steps.some((s) => s.status === "running")) ?? runningJobs[0];
  if (running) return autoStepOf(running, stepping);
  const failed = run.jobs.find((j) => j.status === "failure" && j.steps.length > 0);
  if (failed) return autoStepOf(failed, stepping);
  const last = [...run.jobs].reverse().find((j) => j.steps.length > 0) ?? run.jobs.at(-1);
  return last ? autoStepOf(last, stepping) : undefined;
}

/**
 * The step whose log shows for a selection: the step itself, or for a job row the
 * job's paused, running, failed or last step.
 */
export function logStepOf(
  run: RunState,
  stepping: SteppingSnapshot,
  selection: Selection | undefined,
  planned?: PlannedSteps,
): { jobKey: string; step: number; name: string } | undefined {
  if (!selection) return undefined;
  const job = run.jobs.find((j) => j.jobKey === selection.jobKey);
  if (!job) return undefined;
  const step = selection.step ?? autoStepOf(job, stepping).step;
  if (step === undefined) return undefined;
  const s = job.steps.find((x) => x.index === step);
  const paused = stepping.pauses.find((p) => p.point.jobKey === job.jobKey && p.point.step === step);
  // A step not reached yet is named from the plan, as the tree names it.
  const future = planned?.get(plannedKey(job.workflow, job.job))?.steps.find((x) => x.index === step);
  return { jobKey: job.jobKey, step, name: s?.name ?? paused?.point.name ?? future?.name ?? `step ${step + 1}` };
}

/** Rows to draw in `height` lines: all of them, or a window that keeps the selection in sight. */
export function visibleRows(rows: readonly TreeRow[], height: number): TreeRow[] {
  if (rows.length <= height) return [...rows];
  const at = Math.max(0, rows.findIndex((r) => isSelectable(r) && r.selected));
  const start = Math.min(Math.max(0, at - Math.floor(height / 2)), rows.length - height);
  return rows.slice(start, start + height);
}
