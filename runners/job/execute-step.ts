import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import path from "node:path";
import { interpolateAsync } from "../../workflows/index.js";
import type { EvalOptions } from "../../workflows/index.js";
import { runActionStep } from "../actions/index.js";
import type { StepResult } from "../events.js";
import { shellCommand } from "../shells.js";
import { actionStepHost } from "./action-step-host.js";
import { applyFileCommands, stepFile } from "./file-commands.js";
import type { PlannedStep } from "./job-run-deps.js";
import { stepRecord } from "./job-state.js";
import { commandSink } from "./running-job.js";
import type { RunningJob } from "./running-job.js";
import type { BuiltinAction } from "./step-host.js";
import { CommandLines, execInContainer } from "./step-process.js";

/** Runs one attempt of a step (its `run:` script or its action) under its `timeout-minutes`; answers its outcome. */
export async function executeStep(job: RunningJob, planned: PlannedStep, index: number): Promise<StepResult> {
  const { step } = planned;
  const env = await job.contexts.stepEnv(step);
  const opts = job.contexts.of({ env });
  const timeoutMinutes = await job.contexts.number(step.timeoutMinutes, 0);
  const builtin = step.run === undefined ? job.deps.builtins.find(step.uses ?? "") : undefined;
  // A built-in runs in replay itself, beyond what a timeout can stop: it keeps none.
  const timeout = job.stop.after(builtin ? 0 : timeoutMinutes, () => job.log(index, `##[error]The action has timed out.`));
  const timedOut = (): boolean => timeout.expired;
  try {
    if (step.run !== undefined) return await runScript(job, planned, index, step.run, opts, env, timedOut);
    return await runAction(job, planned, index, builtin, opts, env, timedOut);
  } finally {
    timeout.clear();
  }
}

/** A `run:` step: its script, in its shell and working directory, as one process. */
async function runScript(
  job: RunningJob,
  planned: PlannedStep,
  index: number,
  run: string,
  opts: EvalOptions,
  env: Record<string, string>,
  timedOut: () => boolean,
): Promise<StepResult> {
  const { step } = planned;
  const { cell, environment, contexts } = job;
  const { paths } = environment;
  const script = await interpolateAsync(run, opts);
  const shell = step.shell ?? cell.job.defaults?.shell ?? cell.workflow.defaults?.shell;
  const wdRaw = contexts.workingDirectoryOf(step);
  const workdir = wdRaw === undefined ? paths.workspace : path.posix.resolve(paths.workspace, await interpolateAsync(wdRaw, opts));
  const shellResolved = shell === undefined ? undefined : await interpolateAsync(shell, opts);
  // No shell given: bash, or sh in a container image without bash (as the runner does).
  const { cmd, scriptPath } = shellCommand(shellResolved ?? (environment.hasBash ? undefined : "sh"), `${paths.fileCommands}/${randomUUID()}`);
  const hostScript = path.join(environment.hostDir, path.posix.basename(scriptPath));
  stepFile(hostScript, script, 0o755);
  const execEnv = contexts.processEnv(index, env, planned);
  const container = environment.requireContainer();
  const output = new CommandLines(execEnv, commandSink(job, index, planned));
  const { exitCode, refused } = await execInContainer(container, {
    cmd,
    env: execEnv,
    user: environment.user,
    workdir,
    output,
    stop: job.stop,
    cancelled: () => job.status.cancelled,
  });
  rmSync(hostScript, { force: true });
  const fileError = applyFileCommands(environment.hostDir, job.state, index, planned);
  if (fileError) job.log(index, `##[error]${fileError}`);
  if (exitCode !== 0 && !timedOut()) job.log(index, `##[error]Process completed with exit code ${exitCode}.`);
  return exitCode === 0 && !refused && !fileError && !timedOut() ? "success" : "failure";
}

/** A `uses:` step: a built-in, or any other action (runners/actions), given the step's host. */
async function runAction(
  job: RunningJob,
  planned: PlannedStep,
  index: number,
  builtin: BuiltinAction | undefined,
  opts: EvalOptions,
  env: Record<string, string>,
  timedOut: () => boolean,
): Promise<StepResult> {
  const { step } = planned;
  const inputs: Record<string, string> = {};
  for (const [k, v] of Object.entries(step.with)) inputs[k] = await interpolateAsync(v, opts);
  const execEnv = job.contexts.processEnv(index, env, planned);
  const { host, outputs } = actionStepHost(job, { planned, index, env, inputs, execEnv, timedOut });
  let ok: boolean;
  if (!builtin) ok = (await runActionStep(host)) && !timedOut();
  else {
    ok = planned.phase === "post" ? await (builtin.post?.(host) ?? Promise.resolve(true)) : await builtin.main(host);
    applyFileCommands(job.environment.hostDir, job.state, index, planned);
  }
  if (step.id && planned.phase === "main") Object.assign(stepRecord(job.state, step.id).outputs, outputs());
  return ok ? "success" : "failure";
}
