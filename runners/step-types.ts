import type { StepResult } from "./events.js";

/** What a step leaves behind for later steps and for the `steps` context. */
export interface StepRecord {
  id?: string;
  outcome: StepResult;
  conclusion: StepResult;
  outputs: Record<string, string>;
}

/** The parts of a job's state that steps read and write. */
export interface JobEnvState {
  /** GITHUB_ENV values, in the order they were set. */
  env: Record<string, string>;
  /** GITHUB_PATH entries, newest first. */
  path: string[];
  /** Outputs and results of steps with an id. */
  steps: Record<string, StepRecord>;
  /** GITHUB_STATE values per action step, read by its post step. */
  state: Record<number, Record<string, string>>;
  /** Markdown the steps appended to GITHUB_STEP_SUMMARY. */
  summary: string[];
  /**
   * Where checkouts put the repository, relative to the workspace ('' for the workspace
   * itself), in order. None before the first: the workspace is empty, and the snapshot
   * waits beside it (SNAPSHOT_STAGING).
   */
  checkedOut?: string[];
}
