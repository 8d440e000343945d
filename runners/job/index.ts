// The job's wing: one job's life (see STYLE.md, "The job's wing"). Outside code imports
// it from here only; runners/actions/ and runners/builtins/ import the StepHost contract
// from ./step-host.js, which imports nothing of the lifecycle.
export type { CellOutcome, CellToRun, JobRunDeps, PlannedStep, ShellTarget, StepControl, StepPoint, WarmJob } from "./job-run-deps.js";
export type { ActionContextOverrides, ProcessOutput, StepCell, StepHost, StepRunDeps } from "./step-host.js";
export { defaultStepName, grantsIdToken } from "./step-contexts.js";
export { runJobCell, warmJobCell } from "./run-job-cell.js";
