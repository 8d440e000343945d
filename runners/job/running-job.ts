import type { Step } from "../../workflows/index.js";
import type { EventInput } from "../events.js";
import type { JobEnvState } from "../step-types.js";
import type { WorkingTreeSync } from "../working-tree-sync.js";
import type { JobEnvironment } from "./job-environment.js";
import type { CellToRun, JobRunDeps, PlannedStep } from "./job-run-deps.js";
import type { JobStatus } from "./job-state.js";
import type { StepContexts } from "./step-contexts.js";
import type { CommandSink, ProcessStop } from "./step-process.js";

/** One job while it runs, as its steps share it: what the step policy and the action step host read and change. */
export interface RunningJob {
  readonly deps: JobRunDeps;
  readonly cell: CellToRun;
  readonly state: JobEnvState;
  readonly status: JobStatus;
  readonly stop: ProcessStop;
  readonly environment: JobEnvironment;
  readonly contexts: StepContexts;
  /** Where host edits come from between steps (once asked for), if anywhere. */
  readonly treeSync: WorkingTreeSync | undefined;
  /** Time the job's steps spent paused for the user: not part of its duration. */
  pausedMs: number;
  /** Plans the post step of the action whose main step is `mainIndex` (once), run after the job's steps, last planned first. */
  addPost(step: Step, mainIndex: number, postIf: string | undefined): void;
  log(index: number, line: string): void;
  warn(index: number, message: string): void;
  emit(e: EventInput): void;
}

/** Where the workflow commands of step `index`'s process land (`planned` says whose outputs and state they are). */
export function commandSink(job: RunningJob, index: number, planned: PlannedStep): CommandSink {
  return {
    jobKey: job.cell.jobKey,
    step: index,
    emit: (e) => job.emit(e),
    masker: job.deps.masker,
    state: job.state,
    outputsOf: planned.step.id,
    stateKey: planned.mainIndex ?? planned.index,
  };
}
