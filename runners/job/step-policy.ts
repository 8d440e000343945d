import path from "node:path";
import { evaluateConditionAsync } from "../../workflows/index.js";
import type { StepResult } from "../events.js";
import { StepClock } from "../step-clock.js";
import { syncSummary } from "../working-tree-sync.js";
import { executeStep } from "./execute-step.js";
import type { PlannedStep, StepPoint } from "./job-run-deps.js";
import { stepRecord } from "./job-state.js";
import type { RunningJob } from "./running-job.js";

/** An answer given without asking the user comes in well under this. */
const PAUSE_THRESHOLD_MS = 25;

/**
 * Runs a step as GitHub decides it runs: under its `if:` (a post step's `post-if`), asked
 * of the user first when stepping, again when they retry a failure, its failure forgiven
 * by `continue-on-error`. Emits step.started and step.completed.
 */
export async function runStep(job: RunningJob, planned: PlannedStep): Promise<void> {
  await job.contexts.resolveJobLevelEnv();
  const { step } = planned;
  const { cell } = job;
  const clock = new StepClock();
  const index = planned.index;

  // Name first: a skipped step is still shown by its name.
  let name = planned.displayName ?? (await job.contexts.stepName(step));
  if (planned.phase === "post") name = `Post ${name}`;
  name = job.deps.masker.mask(name);
  job.emit({ type: "step.started", jobKey: cell.jobKey, step: index, name });

  const complete = (outcome: StepResult, conclusion: StepResult): void => {
    if (planned.phase === "main" && step.id) Object.assign(stepRecord(job.state, step.id), { outcome, conclusion });
    if (conclusion === "failure") job.status.failed = true;
    job.pausedMs += clock.pausedMs;
    job.emit({ type: "step.completed", jobKey: cell.jobKey, step: index, name, result: conclusion, outcome, durationMs: clock.ranMs, ...clock.eventFields() });
  };

  let shouldRun: boolean;
  try {
    const condition = planned.phase === "post" ? (planned.postIf ?? "always()") : step.if;
    shouldRun = await evaluateConditionAsync(condition, job.contexts.of());
  } catch (e) {
    job.log(index, `##[error]${e instanceof Error ? e.message : String(e)}`);
    complete("failure", "failure");
    return;
  }
  if (!shouldRun) {
    complete("skipped", "skipped");
    return;
  }

  const control = job.deps.control;
  const point = control ? await stepPoint(job, planned, name) : undefined;
  const pausedBefore = clock.pausedMs;
  if (control && point && (await clock.pause(control.beforeStep(point))) === "skip") {
    complete("skipped", "skipped");
    return;
  }
  // Asked the user (a pause lasts longer than any answer given without one): their edits go in.
  if (clock.pausedMs - pausedBefore > PAUSE_THRESHOLD_MS) await syncFromHost(job, index);
  let outcome: StepResult;
  for (;;) {
    clock.beginAttempt();
    try {
      outcome = await executeStep(job, planned, index);
    } catch (e) {
      job.log(index, `##[error]${job.deps.masker.mask(e instanceof Error ? e.message : String(e))}`);
      outcome = "failure";
    }
    clock.endAttempt(outcome);
    // A retry runs the step again in the same container, with what it left behind.
    if (outcome !== "failure" || job.status.cancelled || !control || !point) break;
    if ((await clock.pause(control.afterFailure(point))) !== "retry") break;
    await syncFromHost(job, index);
    job.log(index, `##[notice]Retrying the step (attempt ${clock.attempts.length + 1})`);
  }
  if (job.status.cancelled && outcome === "failure") outcome = "cancelled";
  let conclusion = outcome;
  if (outcome === "failure" && step.continueOnError !== undefined) {
    const coe = typeof step.continueOnError === "boolean" ? step.continueOnError : await job.contexts.isTrue(String(step.continueOnError));
    if (coe) conclusion = "success";
  }
  complete(outcome, conclusion);
}

/** The container, user, folder and environment a shell opened at this step gets. */
async function stepPoint(job: RunningJob, planned: PlannedStep, name: string): Promise<StepPoint> {
  const { step } = planned;
  const { contexts, environment } = job;
  const env = await contexts.stepEnv(step).catch(() => contexts.jobEnv());
  env["PATH"] = contexts.pathOf(env["PATH"]);
  const wdRaw = contexts.workingDirectoryOf(step);
  const wd = wdRaw === undefined ? environment.paths.workspace : path.posix.resolve(environment.paths.workspace, await contexts.interpolateOr(wdRaw));
  return {
    jobKey: job.cell.jobKey,
    step: planned.index,
    name,
    shell: { containerId: environment.requireContainer().id, user: environment.user, workdir: wd, env: { ...contexts.baseEnv, ...env } },
  };
}

/** Copies the host's edits into the workspace (see working-tree-sync.ts) and says what it copied. */
async function syncFromHost(job: RunningJob, index: number): Promise<void> {
  // Only where a checkout put this repository: before it the workspace is empty, as on GitHub.
  const at = job.state.checkedOut?.[0];
  if (at === undefined) return;
  const treeSync = job.treeSync;
  if (!treeSync) return;
  try {
    const synced = await treeSync.syncInto(job.environment.requireContainer(), path.posix.join(job.environment.paths.workspace, at));
    if (!synced) return;
    const text = syncSummary(synced);
    job.log(index, `##[notice]${text}`);
    job.emit({ type: "notice", level: "info", jobKey: job.cell.jobKey, message: job.deps.masker.mask(text) });
  } catch (e) {
    job.log(index, `##[warning]the working tree could not be synced into the job: ${e instanceof Error ? e.message : String(e)}`);
  }
}
