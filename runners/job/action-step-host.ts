import { LineSplitter } from "../line-splitter.js";
import { applyFileCommands } from "./file-commands.js";
import type { PlannedStep } from "./job-run-deps.js";
import { commandSink } from "./running-job.js";
import type { RunningJob } from "./running-job.js";
import type { ProcessOutput, StepHost } from "./step-host.js";
import { CommandLines, execInContainer } from "./step-process.js";

/** The step an action step's host is made for. */
export interface ActionStepInput {
  planned: PlannedStep;
  index: number;
  /** The step's environment (StepContexts.stepEnv). */
  env: Record<string, string>;
  /** Its `with:`, evaluated. */
  inputs: Record<string, string>;
  /** Its process environment (StepContexts.processEnv). */
  execEnv: Record<string, string>;
  /** Whether the step's timeout has expired. */
  timedOut: () => boolean;
}

/**
 * What an action step (built in or not) gets of its job: a StepHost over the running job.
 * Answers it, and the outputs the step set through it (setOutput).
 */
export function actionStepHost(job: RunningJob, input: ActionStepInput): { host: StepHost; outputs: () => Record<string, string> } {
  const { planned, index, env, inputs, execEnv, timedOut } = input;
  const { step } = planned;
  const { environment, contexts, state } = job;
  const stateKey = planned.mainIndex ?? planned.index;
  let outputsFromHost: Record<string, string> = {};
  // A process of an action step runs as a `run:` step's does (env files, workflow
  // commands, Ctrl-C), under a stand-in step whose id collects its outputs apart from
  // the job's `steps` context: an action's inner steps have outputs of their own.
  const scopeId = "__replay_action_process";
  const stand = (key: number): PlannedStep => ({ index, step: { ...step, id: scopeId }, phase: "main", mainIndex: key });
  const takeOutputs = (): Record<string, string> => {
    const rec = state.steps[scopeId];
    delete state.steps[scopeId];
    return rec?.outputs ?? {};
  };
  let pending: Record<string, string> = {};
  const processOutput = (penv: Record<string, string>, o: { stateKey: number }): ProcessOutput => {
    takeOutputs();
    const lines = new CommandLines(penv, commandSink(job, index, stand(o.stateKey)));
    return {
      stdout: (chunk) => lines.stdout(chunk),
      stderr: (chunk) => lines.stderr(chunk),
      end: () => {
        const r = lines.end();
        // `::set-output` lines land on the stand-in step; keep them for finishProcess.
        pending = { ...pending, ...takeOutputs() };
        return r;
      },
    };
  };
  const host: StepHost = {
    container: environment.requireContainer(),
    paths: environment.paths,
    hostDir: environment.hostDir,
    workspace: environment.paths.workspace,
    inputs,
    env: execEnv,
    jobState: state,
    deps: job.deps,
    cell: job.cell,
    stepIndex: index,
    log: (line) => job.log(index, line),
    exec: async (cmd, o = {}) => {
      let stdout = "";
      const container = environment.requireContainer();
      const split = new LineSplitter((l) => {
        stdout += `${l}\n`;
        if (!o.quiet) job.log(index, l);
      });
      const errSplit = new LineSplitter((l) => job.log(index, l));
      const exitCode = await container.exec({
        cmd,
        env: { ...execEnv, ...(o.env ?? {}) },
        user: o.user ?? environment.user,
        workdir: o.workdir ?? environment.paths.workspace,
        onStdout: (c) => split.push(c),
        onStderr: (c) => errSplit.push(c),
      });
      split.flush();
      errSplit.flush();
      return { exitCode, stdout };
    },
    setOutput: (name, value) => {
      outputsFromHost = { ...outputsFromHost, [name]: value };
    },
    addPath: (dir) => {
      state.path.unshift(dir);
    },
    exportVariable: (name, value) => {
      state.env[name] = value;
    },
    saveState: (name, value) => {
      (state.state[stateKey] ??= {})[name] = value;
    },
    getState: (name) => state.state[stateKey]?.[name],
    addPost: (condition) => job.addPost(step, stateKey, condition),
    phase: planned.phase,
    step,
    stateKey,
    stepEnv: env,
    runnerEnv: contexts.baseEnv,
    user: environment.user,
    evalOptions: (o = {}) => contexts.ofAction(env, execEnv["GITHUB_ACTION"] ?? "", o),
    processEnv: async (penv, o) => {
      const out = contexts.processEnv(index, penv, stand(o.stateKey));
      out["GITHUB_ACTION"] = penv["GITHUB_ACTION"] ?? execEnv["GITHUB_ACTION"] ?? "";
      return out;
    },
    execProcess: async (cmd, penv, workdir, o) => {
      const output = processOutput(penv, o);
      const r = await execInContainer(environment.requireContainer(), {
        cmd,
        env: penv,
        user: environment.user,
        workdir,
        output,
        stop: job.stop,
        cancelled: () => job.status.cancelled,
      });
      return { exitCode: r.exitCode, refused: r.refused };
    },
    processOutput,
    finishProcess: async (o) => {
      takeOutputs();
      const error = applyFileCommands(environment.hostDir, state, index, stand(o.stateKey));
      const outputs = { ...pending, ...takeOutputs() };
      pending = {};
      return error === undefined ? { outputs } : { outputs, error };
    },
    isCancelled: () => job.status.cancelled || timedOut(),
    setKill: (kill) => job.stop.set(kill),
    warn: (message) => job.warn(index, message),
  };
  return { host, outputs: () => outputsFromHost };
}
