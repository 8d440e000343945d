import { randomUUID } from "node:crypto";
import { assertNever } from "../../common/index.js";
import type { EventInput } from "../events.js";
import type { JobContainer } from "../job-container.js";
import { LineSplitter } from "../line-splitter.js";
import type { Masker } from "../masker.js";
import type { JobEnvState } from "../step-types.js";
import { CommandProcessor, deprecatedCommandWarning } from "../workflow-commands.js";
import type { CommandEffect } from "../workflow-commands.js";
import { stepRecord } from "./job-state.js";
import type { ProcessOutput } from "./step-host.js";

/** A timeout that may expire: the job's, a step's. */
export interface Timeout {
  readonly expired: boolean;
  clear(): void;
}

/**
 * What stops the job's running process — Ctrl-C, fail-fast, the job's timeout, a step's
 * timeout — and the one timer behind every timeout.
 */
export class ProcessStop {
  private current: (() => Promise<void>) | undefined;

  /** How to stop what runs now; undefined once it has ended. */
  set(kill: (() => Promise<void>) | undefined): void {
    this.current = kill;
  }

  /** Stops what runs now, if anything does. */
  now(): void {
    void this.current?.();
  }

  /** After `minutes` (never for 0): `onExpire`, then what runs then is stopped. */
  after(minutes: number, onExpire: () => void): Timeout {
    let expired = false;
    const timer =
      minutes > 0
        ? setTimeout(() => {
            expired = true;
            onExpire();
            this.now();
          }, minutes * 60_000)
        : undefined;
    return {
      get expired() {
        return expired;
      },
      clear: () => {
        if (timer) clearTimeout(timer);
      },
    };
  }
}

/** Where the workflow commands of a step's process land. */
export interface CommandSink {
  readonly jobKey: string;
  /** The step's index, for its log lines and annotations. */
  readonly step: number;
  readonly emit: (e: EventInput) => void;
  readonly masker: Masker;
  readonly state: JobEnvState;
  /** The id of the step record `::set-output` writes to; none for a step without an id. */
  readonly outputsOf: string | undefined;
  /** The key of the GITHUB_STATE values `::save-state` writes to. */
  readonly stateKey: number;
}

/** A line of the step's log. Not masked here: every event passes the masker once at the run's one gate (mask-event.ts), and this is the hot path. */
export function logLine(sink: Pick<CommandSink, "jobKey" | "step" | "emit">, line: string): void {
  sink.emit({ type: "step.output", jobKey: sink.jobKey, step: sink.step, line });
}

/** A warning as the runner writes one: a `##[warning]` line and an annotation. */
export function warnLine(sink: Pick<CommandSink, "jobKey" | "step" | "emit" | "masker">, message: string): void {
  logLine(sink, `##[warning]${message}`);
  sink.emit({ type: "step.annotation", jobKey: sink.jobKey, step: sink.step, level: "warning", message: sink.masker.mask(message) });
}

/** Applies what a workflow command asks of the job, as the runner does; answers whether it was refused (the step fails). */
export function applyCommand(effect: CommandEffect, sink: CommandSink): boolean {
  switch (effect.kind) {
    case "mask":
      sink.masker.add(effect.value);
      return false;
    case "annotation": {
      const lineNo = Number(effect.props["line"]);
      const col = Number(effect.props["col"]);
      sink.emit({
        type: "step.annotation",
        jobKey: sink.jobKey,
        step: sink.step,
        level: effect.level,
        message: sink.masker.mask(effect.message),
        ...(effect.props["file"] ? { file: effect.props["file"] } : {}),
        ...(Number.isFinite(lineNo) ? { line: lineNo } : {}),
        ...(Number.isFinite(col) ? { col } : {}),
        ...(effect.props["title"] ? { title: effect.props["title"] } : {}),
      });
      return false;
    }
    case "output":
      if (sink.outputsOf) stepRecord(sink.state, sink.outputsOf).outputs[effect.name] = effect.value;
      warnLine(sink, deprecatedCommandWarning("set-output"));
      return false;
    case "state":
      (sink.state.state[sink.stateKey] ??= {})[effect.name] = effect.value;
      warnLine(sink, deprecatedCommandWarning("save-state"));
      return false;
    case "env":
      sink.state.env[effect.name] = effect.value;
      return false;
    case "path":
      sink.state.path.unshift(effect.value);
      return false;
    case "refused":
      logLine(sink, `##[error]${effect.message}`);
      return true;
    case "group":
    case "endgroup":
    case "debug":
    case "warning":
      return false;
    default:
      return assertNever(effect, "workflow command");
  }
}

/** A process's stdout and stderr, line by line through the workflow-command processor: effects applied, lines to the log. */
export class CommandLines implements ProcessOutput {
  private readonly out: LineSplitter;
  private readonly err: LineSplitter;
  private refused = false;

  /** `env` is the process's: ACTIONS_ALLOW_UNSECURE_COMMANDS there lets `::set-env` and `::add-path` through. */
  constructor(env: Record<string, string>, sink: CommandSink) {
    const processor = new CommandProcessor((env["ACTIONS_ALLOW_UNSECURE_COMMANDS"] ?? "").toLowerCase() === "true");
    const onLine = (line: string): void => {
      const p = processor.process(line);
      if (p.effect && applyCommand(p.effect, sink)) this.refused = true;
      if (p.display !== null) logLine(sink, p.display);
    };
    this.out = new LineSplitter(onLine);
    this.err = new LineSplitter(onLine);
  }

  stdout(chunk: Buffer): void {
    this.out.push(chunk);
  }

  stderr(chunk: Buffer): void {
    this.err.push(chunk);
  }

  end(): { refused: boolean } {
    this.out.flush();
    this.err.flush();
    return { refused: this.refused };
  }
}

// Finds the step's processes by the marker variable they all inherit, and signals them.
const KILL_SCRIPT = [
  'n=0; for d in /proc/[0-9]*; do',
  '  if tr "\\0" "\\n" < "$d/environ" 2>/dev/null | grep -qx "REPLAY_STEP_ID=$0"; then kill -"$1" "${d#/proc/}" 2>/dev/null && n=$((n+1)); fi',
  'done; echo "$n"',
].join("\n");

/**
 * Runs a process of a step in the job container as `user`, its output through `output`;
 * `stop` can stop it (and only it) meanwhile. Nothing starts once `cancelled()`.
 */
export async function execInContainer(
  container: JobContainer,
  o: { cmd: string[]; env: Record<string, string>; user: string; workdir: string; output: ProcessOutput; stop: ProcessStop; cancelled: () => boolean },
): Promise<{ exitCode: number; refused: boolean }> {
  // A timeout or Ctrl-C must stop the step, all its children and only them. Every
  // process of the step inherits a marker variable, so a kill finds them by it; the kill
  // runs as the step's user, since reading another user's /proc/<pid>/environ needs
  // CAP_SYS_PTRACE. (No `sh -c` wrapper: dash drops variables like INPUT_FETCH-DEPTH.)
  const marker = randomUUID();
  let finished = false;
  const signal = async (sig: "TERM" | "KILL"): Promise<number> => {
    let out = "";
    await container
      .exec({ cmd: ["sh", "-c", KILL_SCRIPT, marker, sig], env: {}, user: o.user, onStdout: (b) => (out += b.toString()), onStderr: () => undefined })
      .catch(() => undefined);
    return Number(out.trim()) || 0;
  };
  const kill = async (): Promise<void> => {
    // The step may not have started yet when a cancel arrives: try until it has.
    for (let tries = 0; tries < 50 && !finished; tries++) {
      if ((await signal("TERM")) > 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 2000));
    if (!finished) await signal("KILL");
  };
  o.stop.set(kill);
  try {
    if (o.cancelled()) return { exitCode: 1, refused: false };
    const exitCode = await container.exec({
      cmd: o.cmd,
      env: { ...o.env, REPLAY_STEP_ID: marker },
      user: o.user,
      workdir: o.workdir,
      onStdout: (c) => o.output.stdout(c),
      onStderr: (c) => o.output.stderr(c),
    });
    return { exitCode, refused: o.output.end().refused };
  } finally {
    finished = true;
    o.stop.set(undefined);
  }
}
