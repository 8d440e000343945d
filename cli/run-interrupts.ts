import { spawn } from "node:child_process";
import { rmSync } from "node:fs";

/** What cancelled a replay from outside: Ctrl-C, a SIGTERM, or a reader that closed stdout. */
export type InterruptReason = "interrupt" | "terminate" | "stdout-closed";

/**
 * A shell's convention, 128 + the signal's number: SIGINT 130, SIGPIPE 141 (what a writer
 * whose reader left dies of, and what `set -o pipefail` reports for it), SIGTERM 143.
 */
export const INTERRUPT_EXIT: Record<InterruptReason, number> = { interrupt: 130, "stdout-closed": 141, terminate: 143 };

export interface RunInterrupts {
  /** Aborted by the first interrupt: the run stops its steps and removes its containers. */
  readonly signal: AbortSignal;
  /** The first interrupt, once there was one. */
  readonly reason: InterruptReason | undefined;
  /** Stops listening; the process's own defaults apply again. */
  dispose(): void;
}

export interface WatchOptions {
  /** A second interrupt while the first one's clean-up runs: quit at once, with this status. */
  quit: (status: number) => void;
  /** Cancelled another way already (the TUI's `q`, its first Ctrl-C): an interrupt then quits. */
  cancelled?: AbortSignal;
  stdout?: NodeJS.EventEmitter;
  stderr?: NodeJS.WritableStream;
  /** Where SIGINT and SIGTERM arrive (the process). */
  signals?: NodeJS.EventEmitter;
}

/**
 * Turns SIGINT, SIGTERM and a closed stdout (EPIPE) into one cancellation of the replay;
 * a second interrupt quits at once. Listens until disposed, clean-up included: a Ctrl-C
 * while containers are being removed must not kill the process half-way, unannounced.
 */
export function watchInterrupts(o: WatchOptions): RunInterrupts {
  const stdout = o.stdout ?? process.stdout;
  const stderr = o.stderr ?? process.stderr;
  const signals = o.signals ?? process;
  const controller = new AbortController();
  let reason: InterruptReason | undefined;
  const interrupted = (why: InterruptReason): void => {
    if (reason !== undefined || o.cancelled?.aborted) {
      // The reader that left only makes more EPIPEs, one a write: nothing to quit for.
      if (why !== "stdout-closed") o.quit(INTERRUPT_EXIT[why]);
      return;
    }
    reason = why;
    // A reader that closed the pipe asked for nothing more: it is told nothing.
    if (why === "interrupt") stderr.write("\ncancelling: stopping running steps and removing containers (Ctrl-C again to quit at once)\n");
    if (why === "terminate") stderr.write("\nterminated: stopping running steps and removing containers\n");
    controller.abort();
  };
  const onSigint = (): void => interrupted("interrupt");
  const onSigterm = (): void => interrupted("terminate");
  const onStdoutError = (e: NodeJS.ErrnoException): void => {
    if (e.code === "EPIPE") interrupted("stdout-closed");
  };
  signals.on("SIGINT", onSigint);
  signals.on("SIGTERM", onSigterm);
  stdout.on("error", onStdoutError);
  return {
    signal: controller.signal,
    get reason() {
      return reason;
    },
    dispose() {
      signals.off("SIGINT", onSigint);
      signals.off("SIGTERM", onSigterm);
      stdout.off("error", onStdoutError);
    },
  };
}

export interface QuitOptions {
  runId: string;
  /** The run's folder of runner files and workspace archive. */
  hostRunDir: string;
  /** `--keep`: the run's containers stay (a failed job's is meant to). */
  keep: boolean;
  /** The CLI's main.js, which `gc --run` runs in a process of its own. */
  entry: string | undefined;
  stderr?: NodeJS.WritableStream;
  /** The engines the run spread over (`--engine`), which gc cleans too. */
  engines?: readonly string[];
}

/**
 * Quitting at once, without waiting for the engine: the run's containers, networks and
 * volumes are handed to a detached `replay gc --run <id>`, which outlives this process
 * and a terminal's Ctrl-C (a session of its own); the user is told, and what to run if
 * that process cannot finish. The runner files go now, synchronously.
 */
export function quitLeavingRun(o: QuitOptions, status: number): never {
  const stderr = o.stderr ?? process.stderr;
  const what = `run ${o.runId}'s containers, networks and volumes`;
  let handed = false;
  if (!o.keep && o.entry) {
    try {
      const engines = (o.engines ?? []).flatMap((e) => ["--engine", e]);
      const child = spawn(process.execPath, [o.entry, "gc", "--run", o.runId, ...engines], { detached: true, stdio: "ignore" });
      child.on("error", () => undefined);
      child.unref();
      handed = child.pid !== undefined;
    } catch {
      // said below
    }
  }
  stderr.write(
    handed
      ? `quitting at once: ${what} are being removed in the background; if any is left, \`replay gc\` removes it\n`
      : `quitting at once: ${what} are left${o.keep ? " (--keep)" : ""}; \`replay gc\` removes them\n`,
  );
  try {
    rmSync(o.hostRunDir, { recursive: true, force: true });
  } catch {
    // in the temp folder, which the system clears
  }
  process.exit(status);
}
