// Phase marks for the benchmark's breakdown of a replay's wall time (bench/phases.mjs).
// REPLAY_TRACE=<file> makes mark(phase) append `{"phase","atMs"}` lines to that file, atMs
// on the wall clock (performance.timeOrigin + performance.now(), so the bench compares them
// with its own spawn time). Unset, mark is a function that does nothing: the variable is
// read once, as the CLI loads.
import { appendFileSync } from "node:fs";

const file = process.env["REPLAY_TRACE"];

/** Records that `phase` ended now (or at `atMs`); a no-op unless REPLAY_TRACE names a file. */
export const mark: (phase: string, atMs?: number) => void = file
  ? (phase, atMs = performance.timeOrigin + performance.now()) => {
      try {
        appendFileSync(file, `${JSON.stringify({ phase, atMs, pid: process.pid })}\n`);
      } catch {
        // A trace that cannot be written never fails the replay.
      }
    }
  : () => undefined;
