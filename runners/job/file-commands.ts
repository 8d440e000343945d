import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { RunnerPaths } from "../contexts.js";
import { parseEnvFile, parsePathFile } from "../env-file.js";
import type { JobEnvState } from "../step-types.js";
import type { PlannedStep } from "./job-run-deps.js";
import { stepRecord } from "./job-state.js";

type FileCommand = "GITHUB_OUTPUT" | "GITHUB_ENV" | "GITHUB_PATH" | "GITHUB_STATE" | "GITHUB_STEP_SUMMARY";

/** The files of step `index`'s file commands, in the job's runner folder. */
function stepFiles(index: number): Record<FileCommand, string> {
  return {
    GITHUB_OUTPUT: `set_output_${index}`,
    GITHUB_ENV: `set_env_${index}`,
    GITHUB_PATH: `add_path_${index}`,
    GITHUB_STATE: `save_state_${index}`,
    GITHUB_STEP_SUMMARY: `step_summary_${index}`,
  };
}

/**
 * A step's file (its script, its file-command files) in the job's runner folder, made
 * with `mode` whatever the umask. Synchronous on purpose, as the reads after the step:
 * tiny files, ~0.1 ms each here, where a round trip through the thread pool took ~1.5 ms
 * for the same five files, on every step's way.
 */
export function stepFile(file: string, content: string, mode: number): void {
  writeFileSync(file, content);
  chmodSync(file, mode);
}

/** Empties step `index`'s file-command files (in `hostDir`, bound at paths.fileCommands); answers the variables naming them. */
export function prepareFileCommands(hostDir: string, paths: RunnerPaths, index: number): Record<FileCommand, string> {
  const files = stepFiles(index);
  const env = {} as Record<FileCommand, string>;
  for (const [k, f] of Object.entries(files) as [FileCommand, string][]) {
    env[k] = `${paths.fileCommands}/${f}`;
    stepFile(path.join(hostDir, f), "", 0o666);
  }
  return env;
}

/** Reads what step `index` wrote to its file-command files and applies it to the job; answers the first file's error. */
export function applyFileCommands(hostDir: string, state: JobEnvState, index: number, planned: PlannedStep): string | undefined {
  const files = stepFiles(index);
  const read = (f: string): string => {
    try {
      return readFileSync(path.join(hostDir, f), "utf8");
    } catch {
      return "";
    }
  };
  const [outputText = "", envText = "", stateText = "", pathText = "", summary = ""] = [files.GITHUB_OUTPUT, files.GITHUB_ENV, files.GITHUB_STATE, files.GITHUB_PATH, files.GITHUB_STEP_SUMMARY].map(read);
  const outputs = parseEnvFile(outputText);
  const env = parseEnvFile(envText);
  const stateValues = parseEnvFile(stateText);
  for (const p of parsePathFile(pathText)) state.path.unshift(p);
  for (const [k, v] of env.values) state.env[k] = v;
  const mainIndex = planned.mainIndex ?? planned.index;
  for (const [k, v] of stateValues.values) (state.state[mainIndex] ??= {})[k] = v;
  if (summary.trim()) state.summary.push(summary);
  if (planned.step.id && planned.phase === "main") {
    const rec = stepRecord(state, planned.step.id);
    for (const [k, v] of outputs.values) rec.outputs[k] = v;
  }
  return outputs.error ?? env.error ?? stateValues.error;
}
