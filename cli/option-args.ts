// Option parsers and defaults the command line is declared with. They live apart from
// the commands so that declaring the program (and `--help`) loads none of them.
import os from "node:os";
import { InvalidArgumentError } from "commander";

export const DEFAULT_GITHUB_URL = "https://github.com";

/**
 * Job containers at once by default: GitHub runs every job and matrix cell at the same
 * time, and a job's container mostly waits (network, disk, sleeps), so the number of cores
 * is too low a bound; at least 4, so a typical matrix overlaps on a 2-core laptop.
 */
export const defaultParallel = (): number => Math.max(4, os.availableParallelism());

export const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("must be a whole number of 1 or more");
  return n;
}

export function runIdArg(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError("a run id is a number (the last part of the run's address on GitHub)");
  return Number(value);
}

/** A replay's run id, as `.replay/runs/` and the dev.replay.run label name it. */
export function replayRunIdArg(value: string): string {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError("a replay's run id is a number (a folder of .replay/runs/)");
  return value;
}

export function shaArg(value: string): string {
  if (!/^[0-9a-f]{7,40}$/i.test(value)) throw new InvalidArgumentError("a commit id: 7 to 40 hex digits");
  return value.toLowerCase();
}
