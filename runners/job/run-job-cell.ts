import path from "node:path";
import { ReplayError } from "../../common/index.js";
import { interpolateAsync } from "../../workflows/index.js";
import type { Step } from "../../workflows/index.js";
import { planPreStep } from "../actions/index.js";
import type { EventInput, JobResult } from "../events.js";
import { withoutSecrets } from "../secret-outputs.js";
import type { WorkingTreeSync } from "../working-tree-sync.js";
import { JobEnvironment } from "./job-environment.js";
import type { EnvironmentSource } from "./job-environment.js";
import type { CellOutcome, CellToRun, JobRunDeps, PlannedStep, WarmJob } from "./job-run-deps.js";
import { newJobState } from "./job-state.js";
import type { JobStatus } from "./job-state.js";
import type { RunningJob } from "./running-job.js";
import { StepContexts } from "./step-contexts.js";
import type { ContextsSource } from "./step-contexts.js";
import { runStep } from "./step-policy.js";
import { ProcessStop, warnLine } from "./step-process.js";

const now = (): number => Date.now();

/** Starts `cell`'s container now; runJobCell takes it over when the job runs. */
export function warmJobCell(deps: JobRunDeps, cell: CellToRun): WarmJob {
  const run = new JobCellRun(deps, cell);
  run.warm();
  return run;
}

export async function runJobCell(deps: JobRunDeps, cell: CellToRun, warm?: WarmJob): Promise<CellOutcome> {
  if (warm instanceof JobCellRun && warm.jobKey === cell.jobKey && warm.image === cell.image) return warm.adopt(deps, cell);
  if (warm) deps.deferCleanup?.(warm.discard());
  return new JobCellRun(deps, cell).run();
}

/** One job's life: its environment started (maybe ahead, warm), its pre, main and post steps, its outputs, its clean-up. */
class JobCellRun implements WarmJob, RunningJob, EnvironmentSource, ContextsSource {
  readonly state = newJobState();
  readonly status: JobStatus = { failed: false, cancelled: false };
  readonly stop = new ProcessStop();
  readonly contexts: StepContexts;
  readonly environment: JobEnvironment;
  pausedMs = 0;
  private started = now();
  /** The container's start, when it began before the job (warm()). */
  private starting: Promise<void> | undefined;
  private readonly posts: PlannedStep[] = [];
  private nextIndex = 0;
  private sync: WorkingTreeSync | undefined;

  constructor(
    private currentDeps: JobRunDeps,
    private currentCell: CellToRun,
  ) {
    this.contexts = new StepContexts(this);
    this.environment = new JobEnvironment(this);
  }

  get deps(): JobRunDeps {
    return this.currentDeps;
  }

  get cell(): CellToRun {
    return this.currentCell;
  }

  get jobKey(): string {
    return this.cell.jobKey;
  }

  get image(): string {
    return this.cell.image;
  }

  get treeSync(): WorkingTreeSync | undefined {
    return (this.sync ??= this.deps.workingTreeSync?.forJob());
  }

  warm(): void {
    this.starting = this.environment.start();
    this.starting.catch(() => undefined);
  }

  /** Runs the job in the container warm() started, with the job's own deps and contexts. */
  adopt(deps: JobRunDeps, cell: CellToRun): Promise<CellOutcome> {
    this.currentDeps = deps;
    this.currentCell = cell;
    return this.run();
  }

  async discard(): Promise<void> {
    await this.starting?.catch(() => undefined);
    await this.environment.cleanup("cancelled");
  }

  /** Reads what the job changed in its checkout while its container is there (copy-back, working-tree-sync.ts), then removes its environment. */
  private async cleanup(result: JobResult): Promise<void> {
    const at = this.state.checkedOut?.[0];
    const container = this.environment.runningContainer;
    if (container && at !== undefined) await this.treeSync?.jobEnded(container, path.posix.join(this.environment.paths.workspace, at), this.cell.name);
    await this.environment.cleanup(result);
  }

  emit(e: EventInput): void {
    this.deps.emit(e);
  }

  log(index: number, line: string): void {
    // Not masked here: every event passes the masker once at the run's one gate
    // (mask-event.ts), and this is the hot path, every line of every step.
    this.emit({ type: "step.output", jobKey: this.cell.jobKey, step: index, line });
  }

  warn(index: number, message: string): void {
    warnLine({ jobKey: this.cell.jobKey, step: index, emit: (e) => this.emit(e), masker: this.deps.masker }, message);
  }

  nextStepIndex(): number {
    return this.nextIndex++;
  }

  addPost(step: Step, mainIndex: number, postIf: string | undefined): void {
    // Once per action, whether its pre or its main part asks first (the runner's StepsWithPostRegistered).
    if (this.posts.some((p) => p.mainIndex === mainIndex)) return;
    this.posts.push({ index: this.nextIndex++, step, phase: "post", mainIndex, ...(postIf === undefined ? {} : { postIf }) });
  }

  async run(): Promise<CellOutcome> {
    const { cell } = this;
    this.started = now();
    this.emit({ type: "job.started", jobKey: cell.jobKey, job: cell.job.id, workflow: cell.workflow.file, name: cell.name, matrix: cell.matrix, image: cell.image, ...(this.deps.engineName ? { engine: this.deps.engineName } : {}) });
    const onAbort = (): void => {
      this.status.cancelled = true;
      this.stop.now();
    };
    cell.signal.addEventListener("abort", onAbort);
    // An abort that came before the listener (fail-fast or Ctrl-C while the engine waited for
    // the image) fires no event: without this the cell would run all its steps.
    if (cell.signal.aborted) onAbort();
    let outputs: Record<string, string> = {};
    let result: JobResult = "success";
    let reason: string | undefined;
    const timeoutMinutes = await this.contexts.number(cell.job.timeoutMinutes, 360);
    const timeout = this.stop.after(timeoutMinutes, () => {
      reason = `the job exceeded its timeout of ${timeoutMinutes} minutes`;
      this.status.failed = true;
      this.status.cancelled = true;
    });
    try {
      await (this.starting ?? this.environment.start());
      if (this.environment.sizeNotice) this.emit(this.environment.sizeNotice);
      const steps: PlannedStep[] = cell.job.steps.map((step) => ({ index: this.nextIndex++, step, phase: "main" }));
      // GitHub runs the `pre` of every action that has one at the start of the job, in
      // step order, each under its `pre-if` (a copy of the step with that as its `if`).
      const pres: PlannedStep[] = [];
      for (const main of steps) {
        const pre = await planPreStep(this.deps, main.step);
        if (!pre) continue;
        const name = await this.contexts.stepName(main.step);
        pres.push({ index: this.nextIndex++, step: { ...main.step, if: pre.condition }, phase: "pre", mainIndex: main.index, displayName: `Pre ${name}` });
      }
      for (const planned of [...pres, ...steps]) await runStep(this, planned);
      // Post steps run after the job's steps, last registered first, even after a failure.
      for (const post of [...this.posts].reverse()) await runStep(this, post);
      outputs = await this.jobOutputs();
      const { failed, cancelled } = this.status;
      result = cancelled && !failed ? "cancelled" : failed ? "failure" : "success";
    } catch (e) {
      result = this.status.cancelled ? "cancelled" : "failure";
      reason = e instanceof ReplayError ? e.message : `replay could not run the job: ${e instanceof Error ? e.message : String(e)}`;
      this.emit({ type: "notice", level: "warning", message: `${cell.name}: ${reason}`, jobKey: cell.jobKey });
    } finally {
      timeout.clear();
      cell.signal.removeEventListener("abort", onAbort);
      // A kept container's notice belongs before the job's end; anything else can go on
      // while the next job starts.
      const keeping = this.deps.keepFailed && result === "failure";
      if (this.deps.deferCleanup && !keeping) this.deps.deferCleanup(this.cleanup(result));
      else await this.cleanup(result);
    }
    // Before job.completed, so every consumer has the summary when it sees the job end.
    const summary = this.state.summary.join("\n").trim();
    if (summary) this.emit({ type: "job.summary", jobKey: cell.jobKey, markdown: this.deps.masker.mask(summary) });
    this.emit({
      type: "job.completed",
      jobKey: cell.jobKey,
      job: cell.job.id,
      workflow: cell.workflow.file,
      name: cell.name,
      matrix: cell.matrix,
      result,
      outputs,
      durationMs: Math.max(0, now() - this.started - this.pausedMs),
      ...(this.pausedMs > 0 ? { pausedMs: this.pausedMs } : {}),
      ...(reason === undefined ? {} : { reason }),
    });
    return { result, outputs };
  }

  private async jobOutputs(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.cell.job.outputs)) {
      try {
        out[k] = await interpolateAsync(v, this.contexts.of());
      } catch {
        out[k] = "";
      }
    }
    const warn = (message: string): void => this.emit({ type: "notice", level: "warning", message: `${this.cell.name}: ${message}`, jobKey: this.cell.jobKey });
    return withoutSecrets(out, this.deps.masker, warn);
  }
}
