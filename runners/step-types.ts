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
  /** Set once a checkout changed the workspace's history from the snapshot's (another depth or ref). */
  historyChanged?: boolean;
}
